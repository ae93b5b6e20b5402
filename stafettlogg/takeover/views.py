"""Routes for requests to take over an earlier log (rules in takeover/domain.py). The
routes carry only the request's id: the access table lets staff in, and the view
loads the request only for the person who may answer it, 404 for everyone else."""

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_login import current_user

from stafettlogg.i18n import gettext as _
from stafettlogg.logs.errors import LogError
from stafettlogg.models import Log, User
from stafettlogg.takeover import domain
from stafettlogg.web import hx_redirect_or_redirect

bp = Blueprint("requests", __name__)


def _mine(request_id: int):
    found = domain.for_responder(current_user, request_id)
    if found is None:
        abort(404)
    return found


def _page(found, values=None, errors=None, status=200):
    log = Log.get_by_id(found.log_id)
    g.log, g.audit_object = log, found  # the responder reads the log's header: audited
    return render_template(
        "takeover/show.html",
        found=found,
        log=log,
        requester=User.get_by_id(found.requester_id),
        decided_by=User.get_or_none(id=found.decided_by_id or 0),
        withdrawable=domain.may_withdraw(current_user, found),
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/foresporsler/<int:request_id>")
def show(request_id):
    return _page(_mine(request_id))


@bp.route("/foresporsler/<int:request_id>/godta", methods=["POST"])
def accept(request_id):
    found = _mine(request_id)
    try:
        domain.accept(current_user, found)
    except LogError as e:
        return _page(found, errors={"accept": str(e)}, status=409)
    flash(
        _(
            "Forslaget om å bli stafettholder er sendt til %(name)s. Loggen bytter stafettholder når forslaget er godtatt.",
            name=User.get_by_id(found.requester_id).name,
        ),
        "success",
    )
    return hx_redirect_or_redirect(url_for("main.index"))


@bp.route("/foresporsler/<int:request_id>/avsla", methods=["POST"])
def decline(request_id):
    found = _mine(request_id)
    try:
        domain.decline(current_user, found, request.form.get("reason", ""))
    except LogError as e:
        return _page(found, dict(request.form), {e.field or "accept": str(e)}, 422 if e.field else 409)
    flash(_("Du har avslått forespørselen. Den som spurte, ser begrunnelsen din."), "success")
    return hx_redirect_or_redirect(url_for("main.index"))


@bp.route("/foresporsler/<int:request_id>/trekk-tilbake", methods=["POST"])
def withdraw(request_id):
    found = _mine(request_id)
    try:
        domain.withdraw(current_user, found)
    except LogError as e:
        return _page(found, errors={"accept": str(e)}, status=409)
    flash(_("Forslaget er trukket tilbake."), "success")
    return hx_redirect_or_redirect(url_for("requests.show", request_id=found.id))
