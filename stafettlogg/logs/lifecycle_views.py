"""Routes for the log's life: close, passive, reopen, the unit leader's deletion
queue, deletion and refusing a deletion request. Thin: the access hook has loaded
g.log (or g.unit) and checked the role; the rules live in logs/lifecycle.py and the
state table in logs/states.py. A blueprint of its own ("lifecycle"), beside the log's
("logs", under /logger), because the deletion queue is a unit's page (/enheter/…)."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from stafettlogg import audit, content
from stafettlogg.access import consent_age, holder_left
from stafettlogg.archive import domain as archive_domain
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.logs import lifecycle, queries
from stafettlogg.logs.errors import LogError
from stafettlogg.logs.sections import parse_date
from stafettlogg.meetings import domain as meetings_domain
from stafettlogg.models import DeletionRequest
from stafettlogg.web import page_or_fragment

bp = Blueprint("lifecycle", __name__)

DELETE_REASONS = {
    "passive_by_agreement": _l("Passiv logg, slettes etter avtale"),
    "not_kept": _l("Avsluttet, foresatte ønsket ikke at loggen tas vare på"),
    "guardian_request": _l("Foresatte har bedt om sletting"),
}


@bp.app_context_processor
def lifecycle_labels():
    return {
        "close_reason_label": content.close_reason,  # the municipality may word them (content/)
        "delete_reason_label": lambda k: str(DELETE_REASONS.get(k, "")),
        # a row of the deletion queues, read with its holder: the unit leader stands in
        "holder_left": lambda log: holder_left(log, log.holder),
    }


# ------------------------------------------------------------------ close, passive, reopen


def _close_page(values=None, errors=None, status=200):
    log = queries.load_log(g.log.id)
    stand_in = lifecycle.standing_in(current_user, log)
    return render_template(
        "logs/close.html",
        log=log,
        values=values or {},
        errors=errors or {},
        reasons=content.close_reasons(),
        guardians=queries.guardians(log),
        stand_in=stand_in,
        # the holder about to close it is told of minutes still to approve (the page's form
        # shows them; a stand-in reads no content)
        awaiting_approval=[] if stand_in else meetings_domain.awaiting_approval(log),
        deletion_request=lifecycle.open_deletion_request(log),
        consent_age=consent_age(),
    ), status


@bp.route("/logger/<int:log_id>/avslutt", methods=["GET", "POST"])
def close(log_id):
    if request.method == "GET":  # a reason may be proposed by a link (the IP prompt)
        reason = request.args.get("reason", "")
        return _close_page({"reason": reason} if reason in content.close_reasons() else None)

    def close_log(f, keep):
        lifecycle.close_log(
            current_user,
            g.log,
            f.get("reason", ""),
            f.get("note", ""),
            f.get("coordinator_name", ""),
            f.get("coordinator_service", ""),
            keep=keep,
            agreed_by_name=f.get("agreed_by_name", ""),
            agreed_as=f.get("agreed_as", "guardian"),
        )

    return _keep_step(close_log, "reason", CLOSED_MESSAGES, "logs.show")


def _keep_step(step, error_field: str, messages: dict, endpoint: str):
    """A step that records the family's answer to "Skal loggen tas vare på?": refused,
    the closing page again with what was typed; done, what happens to the log now."""
    f = request.form
    keep = f.get("keep", "")
    try:
        step(f, keep)
    except LogError as e:
        return _close_page(f, {e.field or error_field: str(e)}, 409 if e.code else 422)
    flash(messages[keep], "success")
    return redirect(url_for(endpoint, log_id=g.log.id), 303)


CLOSED_MESSAGES = {
    "yes": _l("Stafettloggen er avsluttet og satt passiv. Den tas vare på etter avtale med familien."),
    "no": _l("Stafettloggen er avsluttet. Familien ønsker ikke at den tas vare på: enhetslederen kan slette den."),
    "undecided": _l(
        "Stafettloggen er avsluttet. Den slettes ikke før familien har svart. "
        "Registrer svaret på avslutningssiden når dere har snakket sammen."
    ),
}


@bp.route("/logger/<int:log_id>/ta-vare-pa", methods=["POST"])
def keep_answer(log_id):
    """The holder records the family's answer to "Skal loggen tas vare på?" after closing."""

    def record(f, keep):
        lifecycle.record_keep_answer(
            current_user, g.log, keep, f.get("agreed_by_name", ""), f.get("agreed_as", "guardian")
        )

    return _keep_step(record, "keep", KEEP_MESSAGES, "lifecycle.close")


KEEP_MESSAGES = {
    "yes": _l("Stafettloggen er satt passiv. Den tas vare på etter avtale med familien."),
    "no": _l("Svaret er registrert: familien ønsker ikke at loggen tas vare på. Enhetslederen kan slette den."),
    "undecided": _l("Svaret er registrert som ikke avklart. Du får en påminnelse til det er avklart."),
}


@bp.route("/logger/<int:log_id>/gjenapne", methods=["POST"])
def reopen(log_id):
    try:
        lifecycle.reopen(current_user, g.log)
    except LogError as e:
        return _close_page({}, {"reopen": str(e)}, 409)
    flash(_("Stafettloggen er gjenåpnet. Last opp det nye samtykket for å ta den i bruk igjen."), "success")
    return redirect(url_for("logs.consent_form", log_id=g.log.id), 303)


# ------------------------------------------------------------------ deletion (unit leader)


# what the unit leader types on the delete form: a refusal of it is shown again with it (422)
TYPED_ON_THE_DELETE_FORM = ("archive_waiver", "agreed_with", "agreed_on")


def _delete_page(errors=None, status=200):
    log = queries.load_log(g.log.id)
    return render_template(
        "logs/delete.html",
        log=log,
        consent_age=consent_age(),
        reason=lifecycle.deletion_reason(log),
        archived=archive_domain.is_archived(log),
        request_=lifecycle.open_deletion_request(log),
        errors=errors or {},
    ), status


def _gone(error: LogError, unit_id: int):
    """The log was deleted by another request a moment ago (a double click on «Slett»):
    the unit's queue, saying so; nothing of it is left to show or to audit as a read."""
    g.log = None
    flash(str(error), "error")
    return redirect(url_for("lifecycle.queue", unit_id=unit_id), 303)


@bp.route("/logger/<int:log_id>/slett")
def delete_form(log_id):
    return _delete_page()


@bp.route("/logger/<int:log_id>/slett", methods=["POST"])
def delete(log_id):
    if request.form.get("confirm") != "yes":
        return _delete_page({"confirm": _("Kryss av for at loggen er arkivert, eller at det ikke trengs.")}, 422)
    unit_id = g.log.unit_id
    log_id = g.log.id
    typed_on = request.form.get("agreed_on", "").strip()
    try:
        agreed_on = parse_date(typed_on) if typed_on else None
    except ValueError:
        return _delete_page({"agreed_on": _("Skriv datoen som dd.mm.åååå.")}, 422)
    try:
        lifecycle.delete_log(
            current_user,
            g.log,
            request.form.get("reason", ""),
            request.form.get("archive_waiver", ""),
            agreed_with=request.form.get("agreed_with", ""),
            agreed_on=agreed_on,
        )
    except LogError as e:
        if e.code == "gone":
            return _gone(e, unit_id)
        return _delete_page({e.field or "reason": str(e)}, 422 if e.field in TYPED_ON_THE_DELETE_FORM else 409)
    g.log = None  # nothing left to audit as a read
    flash(_("Stafettlogg nr. %(id)s er slettet. Alt innhold og alle filer er fjernet.", id=log_id), "success")
    return redirect(url_for("lifecycle.queue", unit_id=unit_id), 303)


@bp.route("/logger/<int:log_id>/sletting/<int:request_id>/avvis", methods=["POST"])
def deletion_refuse(log_id, request_id):
    req = DeletionRequest.get_or_none(DeletionRequest.id == request_id, DeletionRequest.log == g.log)
    if req is None:
        abort(404)
    try:
        lifecycle.refuse_deletion(current_user, g.log, req, request.form.get("response", ""))
    except LogError as e:
        if e.code == "gone":
            return _gone(e, g.log.unit_id)
        return _delete_page({e.field or "response": str(e)}, 422 if e.field else 409)
    flash(_("Svaret er sendt til de foresatte."), "success")
    return redirect(url_for("lifecycle.queue", unit_id=g.log.unit_id), 303)


@bp.route("/enheter/<int:unit_id>/sletting")
def queue(unit_id):
    """The unit leader's queues: deletion requests, logs that may be deleted, logs waiting
    for the family's answer, and the record of what the unit has deleted, each one window
    at a time: «Vis flere» under one is a link to the page with its next window (its own
    query parameter), and htmx appends just its rows. The queues name the unit's children
    whose log has ended: every view is audited, like the unit overview."""
    params = queries.DELETION_QUEUE_PARAMS
    cursors = {key: request.args.get(param) for key, param in params.items()}
    asked = next((key for key in params if cursors[key]), None)  # htmx asks for one list at a time

    named: list[int] = []  # the ended logs whose child the answer names (the deleted ones: no one)

    def queues_shown(**only):
        queues = queries.deletion_queues(g.unit.id, cursors, **only)
        named.extend(log.id for window in queues.values() for log in window.items)
        return queues

    def page():
        queues = queues_shown()
        deleted = queries.deleted_window(g.unit.id, request.args.get("etter"))
        return render_template("logs/deletion_queue.html", only_rows=False, queues=queues, deleted=deleted, **context)

    def rows():
        """htmx's request reads only the list it appends to."""
        if asked:
            return {"queues": queues_shown(only=asked)}
        return {"deleted": queries.deleted_window(g.unit.id, request.args.get("etter"))}

    context = {"unit": g.unit, "queue": asked, "params": params}
    response = page_or_fragment(
        "logs/_deletion_rows.html" if asked else "logs/_deleted_rows.html", page, reads=rows, only_rows=True, **context
    )
    # before the response leaves, as the start page's: the page's event and each log it names, one commit
    audit.record_named("view:lifecycle.queue", named, viewed=("deletion_queue_view", g.unit))
    return response
