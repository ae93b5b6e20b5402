"""Start page, notifications and the health check."""

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from stafettlogg import languages
from stafettlogg.access import consent_age
from stafettlogg.auth import safe_next
from stafettlogg.db import db, write_transaction
from stafettlogg.logs import queries
from stafettlogg.main import queries as main_queries
from stafettlogg.main.pages import staff_start_page
from stafettlogg.models import Notification, Role, utcnow
from stafettlogg.web import is_htmx, page_or_fragment

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
    role = current_user.role
    if current_user.is_staff:
        return staff_start_page()
    context = {}
    if role == Role.GUARDIAN:
        logs, under_age = queries.guardian_logs(current_user)
        # a youth with own access reads their own log, not «barnet ditt»
        own = bool(logs) and all(log.read_by_youth for log in logs)
        context = {"guardian_logs": logs, "own_log": own, "under_consent_age": under_age}
        context["consent_age"] = consent_age()
    return render_template("main/index.html", **context)


@bp.route("/sprak", methods=["POST"])
def language():
    """The language menu: bokmål or nynorsk for staff, the family languages for a family;
    remembered on the account (e-mails and notices follow it) and in a cookie."""
    chosen = languages.choose(request.form.get("lang", ""))
    return languages.keep_in_cookie(redirect(safe_next(request.form.get("next", "")), 303), chosen)


@bp.route("/varsler")
def notifications():
    """The person's notices, one window at a time: «Vis flere» is a link to the next window
    as a whole page, and htmx appends just its notices in place of the link."""
    window = main_queries.notices(current_user.id, request.args.get("etter"))
    only_items = bool(window.cursor) and is_htmx()
    return page_or_fragment(
        "main/_notification_items.html", "main/notifications.html", window=window, only_items=only_items
    )


@bp.route("/varsler/<int:notification_id>/les", methods=["POST"])
def notification_read(notification_id):
    with write_transaction():
        note = Notification.get_or_none(id=notification_id, user=current_user.id)
        if note is not None and note.read_at is None:
            note.read_at = utcnow()
            note.save()
    target = safe_next(note.url) if note is not None and note.url else url_for("main.notifications")
    return redirect(target, 303)
