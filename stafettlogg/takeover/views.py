"""Routes for requests to take over an earlier log (rules in takeover/domain.py). The
routes carry only the request's id: the access table lets staff in, and the view
loads the request only for the person who may answer it, 404 for everyone else."""

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_login import current_user

from stafettlogg.i18n import gettext as _
from stafettlogg.logs.errors import LogError
from stafettlogg.models import Handover, Log, User
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
        # what became of the proposal an accepted request made (answered or withdrawn since)
        proposal=Handover.get_or_none(id=found.handover_id or 0),
        withdrawable=domain.may_withdraw(current_user, found),
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/foresporsler/<int:request_id>")
def show(request_id):
    return _page(_mine(request_id))


@bp.route("/foresporsler/<int:request_id>/godta", methods=["POST"])
def accept(request_id):
    def accept_it(found):
        domain.accept(current_user, found)
        message = _(
            "Forslaget om å bli stafettholder er sendt til %(name)s. Loggen bytter stafettholder når forslaget er godtatt.",
            name=User.get_by_id(found.requester_id).name,
        )
        return message, url_for("main.index")

    return _answer(request_id, accept_it)


@bp.route("/foresporsler/<int:request_id>/avsla", methods=["POST"])
def decline(request_id):
    def decline_it(found):
        domain.decline(current_user, found, request.form.get("reason", ""))
        return _("Du har avslått forespørselen. Den som spurte, ser begrunnelsen din."), url_for("main.index")

    return _answer(request_id, decline_it)


@bp.route("/foresporsler/<int:request_id>/trekk-tilbake", methods=["POST"])
def withdraw(request_id):
    def withdraw_it(found):
        domain.withdraw(current_user, found)
        return _("Forslaget er trukket tilbake."), url_for("requests.show", request_id=found.id)

    return _answer(request_id, withdraw_it)


def _answer(request_id, answer):
    """The responder's answer: refused, the request again with what was typed (a missing
    reason 422, a request no longer open 409); given, a message and on."""
    found = _mine(request_id)
    try:
        message, url = answer(found)
    except LogError as e:
        return _page(found, dict(request.form), {e.field or "accept": str(e)}, 422 if e.field else 409)
    flash(message, "success")
    return hx_redirect_or_redirect(url)
