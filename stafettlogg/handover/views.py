"""Handover of the holder role (routes only; rules in handover/domain.py).

The holder's routes carry log_id (judged by the role on that log). The proposed
person's routes carry only handover_id: the access table lets staff in, and the view
loads the proposal addressed to the current user or answers 404 (never revealing it).
"""

from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_login import current_user

from stafettlogg.access import role_on_log
from stafettlogg.handover import domain as domain
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import queries, states
from stafettlogg.models import Answer, Handover, Log, Subject, Unit, User
from stafettlogg.web import hx_redirect_or_redirect, page_or_fragment
from stafettlogg.windows import row_id

bp = Blueprint("handover", __name__)


def _holder_page(values=None, errors=None, status=200, results=None, q=""):
    g.audit_object = g.log
    log = queries.load_log(g.log.id)
    pending = domain.pending_for(log)
    declined = None if pending else domain.last_declined(log)
    return render_template(
        "handover/holder.html",
        log=log,
        pending=pending,
        refusal=None if pending else states.problem(current_user, log, "hand_over"),  # why no proposal now
        declined=declined,
        note_shown=domain.words_shown(current_user, pending, log),
        reason_shown=domain.words_shown(current_user, declined, log),
        pending_to=User.get_by_id(pending.to_user_id) if pending else None,
        # the unit leader may have proposed on the holder's behalf (a holder who left)
        proposed_by=User.get_by_id(pending.created_by_id)
        if pending and pending.created_by_id != current_user.id
        else None,
        history=queries.holder_history(log),
        as_leader=domain.proposes_as_leader(current_user, log),
        withdrawable=pending is not None and domain.may_withdraw(current_user, pending, log),
        leaders_proposal=pending is not None and domain.made_in_holders_place(pending, log),
        holder=log.holder,
        values=values or {},
        errors=errors or {},
        results=results or [],
        q=q,
        selected=User.get_or_none(id=row_id((values or {}).get("to_user_id")) or 0),
    ), status


@bp.route("/logger/<int:log_id>/stafettholder")
def holder(log_id):
    q = request.args.get("q", "")
    return _holder_page(results=domain.search_new_holder(q, g.log), q=q)


@bp.route("/logger/<int:log_id>/stafettholder/sok")
def search(log_id):
    q = request.args.get("q", "")
    results = domain.search_new_holder(q, g.log)
    return page_or_fragment(
        "handover/_results.html", lambda: _holder_page(results=results, q=q), log=g.log, results=results, q=q
    )


@bp.route("/logger/<int:log_id>/stafettholder", methods=["POST"])
def propose(log_id):
    f = request.form
    to_user = User.get_or_none(id=f.get("to_user_id", type=int) or 0)
    try:
        domain.propose_handover(current_user, g.log, to_user, f.get("note", ""))
    except domain.HandoverError as e:
        return _holder_page(dict(f), {e.field or "to_user": str(e)}, 422)
    if domain.proposes_as_leader(current_user, g.log):
        holder = User.get_by_id(g.log.holder_id)
        flash(
            _(
                "Forslaget er sendt til %(name)s. %(holder)s er stafettholder til forslaget er godtatt, og har fått beskjed.",
                name=to_user.name,
                holder=holder.name,
            ),
            "success",
        )
    else:
        flash(
            _("Forslaget er sendt til %(name)s. Du er stafettholder til forslaget er godtatt.", name=to_user.name),
            "success",
        )
    return hx_redirect_or_redirect(url_for("handover.holder", log_id=g.log.id))


@bp.route("/logger/<int:log_id>/stafettholder/trekk-tilbake", methods=["POST"])
def cancel(log_id):
    pending = domain.pending_for(g.log)
    if pending is None:
        flash(_("Det er ikke noe forslag å trekke tilbake."), "info")
        return hx_redirect_or_redirect(url_for("handover.holder", log_id=g.log.id))
    try:
        domain.cancel_handover(current_user, pending)
    except domain.HandoverError as e:
        return _holder_page(errors={"cancel": str(e)}, status=409)
    flash(_("Forslaget er trukket tilbake."), "success")
    return hx_redirect_or_redirect(url_for("handover.holder", log_id=g.log.id))


def _my_handover(handover_id: int) -> Handover:
    """The proposal addressed to the current user, or 404 for everyone else."""
    handover = (
        Handover.select(Handover, Log, Subject, Unit)
        .join(Log)
        .join(Subject)
        .switch(Log)
        .join(Unit)
        .where(Handover.id == handover_id, Handover.to_user == current_user.id)
        .first()
    )
    if handover is None:
        abort(404)
    return handover


def _respond_page(handover, values=None, errors=None, status=200):
    # a proposal the person can still answer, or one they accepted while they still have a
    # role on the log (access.py): its child is theirs to see. The note the holder wrote is
    # for the person asked; once accepted, it is the log's content (states.content_readable_by)
    accepted = handover.status == Answer.ACCEPTED and role_on_log(current_user, handover.log) is not None
    shown = handover.pending or accepted
    note_shown = handover.pending or (accepted and states.content_readable_by(current_user, handover.log))
    if shown:  # the proposed person reads the log's header, also when it is shown again with a refusal: audited
        g.log, g.audit_object = handover.log, handover
    return render_template(
        "handover/respond.html",
        handover=handover,
        shown=shown,
        note_shown=note_shown,
        moves=shown and handover.pending and domain.follows_holder(handover.log, current_user),
        from_user=User.get_by_id(handover.from_user_id),
        created_by=User.get_by_id(handover.created_by_id),
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/stafettholder/<int:handover_id>")
def respond(handover_id):
    return _respond_page(_my_handover(handover_id))


@bp.route("/stafettholder/<int:handover_id>/godta", methods=["POST"])
def accept(handover_id):
    def accept_it(handover):
        log = domain.accept_handover(current_user, handover)
        message = _("Du er nå stafettholder for %(name)s.", name=handover.log.subject.name)
        return message, url_for("logs.show", log_id=log.id)

    return _answer(handover_id, accept_it)


@bp.route("/stafettholder/<int:handover_id>/avsla", methods=["POST"])
def decline(handover_id):
    def decline_it(handover):
        domain.decline_handover(current_user, handover, request.form.get("reason", ""))
        return _("Du har avslått forslaget. Stafettholderen har fått beskjed."), url_for("main.index")

    return _answer(handover_id, decline_it)


def _answer(handover_id, answer):
    """The proposed person's answer: refused, the proposal again with what was typed (a
    missing reason 422, a proposal no longer open 409); given, a message and on."""
    handover = _my_handover(handover_id)
    try:
        message, url = answer(handover)
    except domain.HandoverError as e:
        status = 422 if e.field else 409
        return _respond_page(handover, dict(request.form), {e.field or "accept": str(e)}, status)
    flash(message, "success")
    return hx_redirect_or_redirect(url)
