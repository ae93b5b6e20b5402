"""Start page, notifications and the health check."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user

from stafettlogg.db import db, write_transaction
from stafettlogg.models import Notification, Role, utcnow

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz():
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        return jsonify(status="error", db="unreachable"), 503
    return jsonify(status="ok", db="ok")


@bp.route("/")
def index():
    from stafettlogg.logs import queries

    role = current_user.role
    context = {}
    if current_user.is_staff:
        context = queries.start_page(current_user)
    elif role == Role.GUARDIAN:
        context = {"guardian_logs": queries.guardian_logs(current_user)}
    return render_template("main/index.html", **context)


@bp.route("/varsler")
def notifications():
    items = (
        Notification.select()
        .where(Notification.user == current_user.id)
        .order_by(Notification.created_at.desc())
        .limit(200)
    )
    return render_template("main/notifications.html", items=list(items))


@bp.route("/varsler/<int:notification_id>/les", methods=["POST"])
def notification_read(notification_id):
    with write_transaction():
        note = Notification.get_or_none(id=notification_id, user=current_user.id)
        if note is not None and note.read_at is None:
            note.read_at = utcnow()
            note.save()
    target = note.url if note is not None and note.url.startswith("/") else None
    return redirect(target or url_for("main.notifications"), 303)
