"""Meeting mode routes. Thin: the access hook has loaded g.log and checked the caller's
role on it; load the meeting (scoped to the log), call a domain function, render."""

import datetime as dt
import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from stafettlogg import klarsprak, languages
from stafettlogg.access import role_on_log
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.logs import queries, states
from stafettlogg.logs import sections as sec
from stafettlogg.logs.errors import LogError
from stafettlogg.meetings import domain, ics, invitees
from stafettlogg.models import Measure, Meeting
from stafettlogg.web import back_to, external_url, page_or_fragment, row_or_404

bp = Blueprint("meetings", __name__, url_prefix="/logger")

FORM_COOKIE = "klarsprak_form"
MAX_HINT_TEXT = 20000
RULE_LABELS = {
    "passive": _l("Passiv form"),
    "vague_time": _l("Uklar tid eller mengde"),
    "abbreviation": _l("Forkortelse"),
    "vague_actor": _l("Uklart hvem"),
    "long_sentence": _l("Lang setning"),
    "old_fashioned": _l("Gammeldags ord"),
    "negative": _l("Ladet ord"),
    "other_person": _l("Annen person?"),
    "nominal": _l("Substantivsyke"),
    "negation": _l("Nektende form"),
}


def _meeting(meeting_id):
    meeting = domain.get_meeting(g.log, meeting_id)
    if meeting is None:
        abort(404)
    g.audit_object = meeting
    return meeting


def _context(meeting, **extra) -> dict:
    """What the meeting page shows. The log is read with its child, unit and holder in one
    query, and its holder history once (the minutes name the holder as of the meeting);
    the guardians once for whom to tick, the names the checker knows and interpreters."""
    log = queries.load_log(g.log.id)
    queries.remember_holders(log, queries.holder_history(log))
    people = domain.people_present_choices(log)
    groups: dict = {}
    for group, name in people:
        groups.setdefault(group, []).append(name)
    page_language = str(get_locale() or languages.DEFAULT)
    writer = domain.can_write(current_user, log)
    active = states.state_of(g.log) == states.ACTIVE
    # whom a planned meeting invites; approved minutes name who was present
    invited = None if sec.is_final(meeting) else domain.invited(log, meeting)
    context = {
        "log": log,
        "meeting": meeting,
        "role": role_on_log(current_user, log),
        "editable": writer and active and not sec.is_final(meeting),
        "can_correct": writer and active,
        "people": people,
        "people_groups": groups,
        "present": domain.present_lines(meeting),
        "invited": invited,
        "measures": domain.meeting_measures(meeting),
        # shown under approved minutes only
        "corrections": domain.corrections(meeting) if sec.is_final(meeting) else [],
        # a planned meeting's: for the guardians it invites (approved minutes show none)
        "interpreter_needs": [
            (guardian.name, languages.name_in(guardian.language or languages.DEFAULT, page_language))
            for guardian in (domain.interpreted(queries.guardians(log), invited) if invited else [])
        ],
        "measure_section": sec.SECTIONS["measures"],
        "measure_errors": {},
        "measure_values": {},
        "editing_measure": None,
        "conflict": None,
        "editor_errors": {},
        "editor_version": None,  # the version a text handed back was based on (_based_on)
        "correction_errors": {},
        "correction_values": {},
        "hints": None,
        "present_error": None,
        "present_posted": None,  # (ticked, others) as posted, handed back with present_error
        "planned": domain.invitable(log, meeting),  # its invitations are offered
        "approvable": domain.may_approve_now(meeting),
        "offers_approval": domain.offers_approval(meeting),
        # the time, place and invited approved with the text (the invited read once for both)
        "shown_details": domain.shown_details(meeting, invited.names if invited else []),
    }
    context.update(extra)
    if context["hints"] is None and context["editable"]:
        context["hints"] = _hints_context(meeting.minutes or "", preferred_form(), field="minutes")
    return context


def _back(meeting, message, anchor=""):
    """After a plain form post (no JavaScript): a message and back to the meeting."""
    flash(message, "success")
    return redirect(url_for("meetings.show", log_id=g.log.id, meeting_id=meeting.id) + anchor, 303)


def _page(meeting, status=200, **extra):
    return render_template("meetings/show.html", **_context(meeting, **extra)), status


@bp.route("/<int:log_id>/moter/<int:meeting_id>")
def show(log_id, meeting_id):
    return _page(_meeting(meeting_id))  # a draft's meetings: the consent gate (logs/gate.py) refuses


# ------------------------------------------------------------------ agenda and minutes


def _based_on(form) -> int | None:
    """The version the text handed back after a refusal was based on: the page keeps it, so
    that saving the text again is checked against what the person saw, not against what
    someone else saved meanwhile. None when no text was posted (the page shows the stored one)."""
    if not any(name in form for name in domain.TEXT_FIELDS):
        return None
    return sec.form_version(form) or None


def _editor(meeting, status=200, headers=None, back=None, **extra):
    """The minutes editor for htmx; the meeting page otherwise (or `back` after a write)."""
    return page_or_fragment(
        "meetings/_minutes_editor.html",
        back or "meetings/show.html",
        status,
        headers=headers,
        reads=lambda: _context(meeting, **extra),
    )


def _autosave_status(meeting, page, status=200, message=None):
    """What an autosave answers: the save status line (the page is already on screen)."""
    return page_or_fragment(
        "meetings/_autosave_status.html", page, status, meeting=meeting, message=message, error=status >= 400
    )


@bp.route("/<int:log_id>/moter/<int:meeting_id>/referat", methods=["POST"])
def save(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    autosave = request.form.get("autosave") == "1"  # sent by meeting.js, never by a plain form
    try:
        meeting, _written = domain.save_texts(current_user, g.log, meeting, request.form)
    except domain.Forbidden:
        abort(403)
    except sec.Conflict as e:
        return _editor(meeting, 409, {"HX-Retarget": "#minutes-editor", "HX-Reswap": "outerHTML"}, conflict=e)
    except LogError as e:
        status = 422 if e.field else 409
        errors, based_on = {e.field or "_form": str(e)}, _based_on(request.form)
        if autosave:
            page = lambda: _page(meeting, status, editor_errors=errors, editor_version=based_on)  # noqa: E731
            return _autosave_status(meeting, page, status, str(e))
        return _editor(meeting, status, editor_errors=errors, editor_version=based_on)

    def back():
        return _back(meeting, _("Referatet er lagret."), "#referat")

    if autosave:
        return _autosave_status(meeting, back)
    return _editor(meeting, back=back, saved=True)


@bp.route("/<int:log_id>/moter/<int:meeting_id>/tilstede", methods=["POST"])
def present(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    try:
        meeting = domain.set_present(
            current_user, g.log, meeting, request.form.getlist("present"), request.form.get("present_other", "")
        )
    except domain.Forbidden:
        abort(403)
    except LogError as e:
        status, message = 422 if e.field else 409, str(e)
        posted = (request.form.getlist("present"), request.form.get("present_other", ""))
        return page_or_fragment(
            "meetings/_present_status.html",
            lambda: _page(meeting, status, present_error=message, present_posted=posted),
            status,
            message=message,
            error=True,
        )
    return page_or_fragment(
        "meetings/_present_status.html",
        lambda: _back(meeting, _("Hvem som er til stede er lagret."), "#til-stede"),
        meeting=meeting,
        message=None,
        error=False,
    )


@bp.route("/<int:log_id>/moter/<int:meeting_id>/godkjenn", methods=["POST"])
def finalise(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    try:
        domain.finalise(current_user, g.log, meeting, request.form)
    except domain.Forbidden:
        abort(403)
    except sec.Conflict as e:
        return _page(meeting, 409, conflict=e)
    except LogError as e:
        meeting = Meeting.get_by_id(meeting.id)  # the text on screen may have been saved as a draft
        # saved as a draft, the text is the stored version; refused, it is the one posted
        based_on = None if e.code == "not_started" else _based_on(request.form)
        errors = {e.field or "_form": str(e)}
        return _page(meeting, 422 if e.field else 409, editor_errors=errors, editor_version=based_on)
    return _back(meeting, _("Referatet er godkjent. Senere rettelser legges til under referatet."))


@bp.route("/<int:log_id>/moter/<int:meeting_id>/rettelser", methods=["POST"])
def correction_create(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    try:
        domain.add_correction(
            current_user, g.log, meeting, request.form.get("body", ""), replay_seconds=sec.REPLAY_SECONDS
        )
    except domain.Forbidden:
        abort(403)
    except LogError as e:
        return _page(
            meeting,
            422 if e.field else 409,
            correction_errors={e.field or "body": str(e)},
            correction_values={"body": request.form.get("body", "")},
        )
    return _back(meeting, _("Rettelsen er lagt til referatet."), "#rettelser")


# ------------------------------------------------------------------ measures agreed in the meeting


def _measures_fragment(meeting, status=200, headers=None, **extra):
    def whole_page():
        if status >= 400:
            return _page(meeting, status, **extra)
        return back_to(url_for("meetings.show", log_id=g.log.id, meeting_id=meeting.id, _anchor="tiltak"))

    return page_or_fragment(
        "meetings/_measures.html",
        whole_page,
        status,
        headers=headers or ({"HX-Trigger": "log-changed"} if status < 400 else None),
        reads=lambda: _context(meeting, **extra),
    )


def _meeting_measure(meeting, measure_id) -> Measure:
    return row_or_404(Measure, Measure.id == measure_id, Measure.log == g.log, Measure.meeting == meeting)


@bp.route("/<int:log_id>/moter/<int:meeting_id>/tiltak", methods=["POST"])
def measure_create(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    try:
        _item, errors = domain.add_measure(
            current_user, g.log, meeting, request.form, replay_seconds=sec.REPLAY_SECONDS
        )
    except (domain.Forbidden, sec.Forbidden):
        abort(403)
    except LogError as e:
        return _measures_fragment(meeting, 409, measure_errors={"_form": str(e)}, measure_values=request.form)
    if errors:
        return _measures_fragment(meeting, 422, measure_errors=errors, measure_values=request.form)
    return _measures_fragment(meeting)


def _measure_values(measure) -> dict:
    return {
        "concern": measure.concern_id or "",
        "what": measure.what,
        "responsible": measure.responsible,
        "responsible_user": measure.responsible_user_id or "",
        "start_date": measure.start_date.isoformat() if measure.start_date else "",
        "evaluation_date": measure.evaluation_date.isoformat() if measure.evaluation_date else "",
        "status": measure.status,
        "version": measure.version,
    }


@bp.route("/<int:log_id>/moter/<int:meeting_id>/tiltak/<int:measure_id>/endre")
def measure_edit(log_id, meeting_id, measure_id):
    meeting = _meeting(meeting_id)
    measure = _meeting_measure(meeting, measure_id)
    try:
        domain.ensure_open(current_user, g.log, meeting)
    except (domain.Forbidden, sec.Forbidden):
        abort(403)
    except LogError as e:  # approved, or the log closed, since the page was shown
        # «Endre» swaps the measure's row: the answer is the whole list again, saying why
        retarget = {"HX-Retarget": "#meeting-measures", "HX-Reswap": "outerHTML"}
        return _measures_fragment(meeting, 409, retarget, measure_errors={"_form": str(e)})
    context = _context(meeting, editing_measure=measure.id, measure_values=_measure_values(measure))
    return page_or_fragment("meetings/_measure_form.html", "meetings/show.html", measure=measure, **context)


@bp.route("/<int:log_id>/moter/<int:meeting_id>/tiltak/<int:measure_id>", methods=["POST"])
def measure_update(log_id, meeting_id, measure_id):
    meeting = _meeting(meeting_id)
    measure = _meeting_measure(meeting, measure_id)
    conflict, errors, status = None, {}, 200
    try:
        _updated, errors = domain.update_measure(current_user, g.log, meeting, measure, request.form)
        status = 422 if errors else 200
    except (domain.Forbidden, sec.Forbidden):
        abort(403)
    except sec.Conflict as e:
        conflict, errors, status = e, {"_form": str(e)}, 409
    except LogError as e:
        errors, status = {"_form": str(e)}, 409
    if status == 200:
        return _measures_fragment(meeting)
    values = dict(request.form)
    if conflict is not None:
        values["version"] = conflict.theirs.version  # the merge is based on what is stored now
    # the measures section with the form open in it: the form's hx-target is the section
    return _measures_fragment(
        meeting, status, editing_measure=measure.id, measure_values=values, measure_errors=errors, conflict=conflict
    )


# ------------------------------------------------------------------ read aloud and invitations


@bp.route("/<int:log_id>/moter/<int:meeting_id>/les-hoyt")
def readaloud(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    return render_template(
        "meetings/readaloud.html",
        log=g.log,
        meeting=meeting,
        present=domain.present_lines(meeting),
        measures=domain.meeting_measures(meeting),
        corrections=domain.corrections(meeting),
    )


@bp.route("/<int:log_id>/moter/<int:meeting_id>/invitasjon.ics")
def invitation_ics(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    if not domain.invitable(g.log, meeting):
        abort(404)
    url = external_url("meetings.show", log_id=g.log.id, meeting_id=meeting.id)
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "stafettlogg"
    body = ics.meeting_calendar(meeting, host=host, url=url)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=PUBLISH"
    response.headers["Content-Disposition"] = f'attachment; filename="mote-{meeting.id}.ics"'
    return response


@bp.route("/<int:log_id>/moter/<int:meeting_id>/invitasjon")
def invitation_letter(log_id, meeting_id):
    meeting = _meeting(meeting_id)
    if not domain.invitable(g.log, meeting):
        abort(404)

    guardians = queries.guardians(g.log)
    # in the languages of the guardians it invites, chosen before the names are read in it
    document_languages = languages.use_document_language(domain.guardians_invited(meeting, guardians))
    invited = domain.invited(g.log, meeting)
    return render_template(
        "meetings/invitation.html",
        log=g.log,
        meeting=meeting,
        guardians=guardians,
        document_languages=document_languages,
        # the letter is from the holder: «Til:» names the others invited
        addressed=[name for key, name in invited.people if key != invitees.user_key(g.log.holder_id)] + invited.others,
        # an interpreter for the guardians the meeting invites, not one left out of it
        interpreted=domain.interpreted(guardians, invited),
        ends_at=meeting.starts_at + ics.DEFAULT_DURATION,
    )


# ------------------------------------------------------------------ plain-language hints


def preferred_form() -> str:
    """The user's chosen language form for hints (a cookie), else the UI language."""
    chosen = request.cookies.get(FORM_COOKIE)
    if chosen in klarsprak.FORMS:
        return chosen
    return "nn" if request.cookies.get("lang") == "nn" else "nb"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def highlighted(text: str, hints) -> Markup:
    """The text, escaped, with <mark class="klarsprak"> around each hinted word. Long
    sentences are listed, not marked (they would cover the other marks)."""
    out, position = [], 0
    for hint in sorted((h for h in hints if h.rule != "long_sentence"), key=lambda h: (h.start, -h.end)):
        if hint.start < position:
            continue  # overlapping hint: the first one wins the mark
        out.append(escape(text[position : hint.start]))
        out.append(
            Markup('<mark class="klarsprak" data-rule="{}">{}</mark>').format(hint.rule, text[hint.start : hint.end])
        )
        position = hint.end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def _hints_context(text: str, form: str, field: str = "") -> dict:
    text = text or ""
    truncated = len(text) > MAX_HINT_TEXT
    if truncated:
        text = text[:MAX_HINT_TEXT]
    known = domain.known_names(g.log)
    hints = klarsprak.check(text, form=form, known_names=known)
    score, band = klarsprak.lix(text, form=form)
    return {
        "text": text,
        "form": form,
        "items": [
            {
                "hint": h,
                "label": RULE_LABELS.get(h.rule, h.rule),
                "line": _line_of(text, h.start),
                "replacement": h.rule in klarsprak.REPLACEMENT_RULES,
            }
            for h in hints
        ],
        "lix": score,
        "band": band,
        "preview": highlighted(text, hints),
        "truncated": truncated,
        "empty": not text.strip(),
        "field": field,
    }


_FORM_RE = re.compile(r"^(nb|nn)$")
_FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@bp.route("/<int:log_id>/klarsprak", methods=["POST"])
def hints(log_id):
    """Advice on the posted text only. Writes nothing (not even an audit event): it
    returns no log content, and the text may not be saved yet.

    The text is `text`, or the field named by `field` (templates/meetings/_hints_panel.html
    sends the field as the form has it). No text, no advice: an empty answer, so the
    panel beside the field hides."""
    field = request.form.get("field", "")
    field = field if _FIELD_RE.match(field) else ""
    text = request.form.get("text", request.form.get(field, "") if field else "")
    chosen = request.form.get("form", "")
    form = chosen if _FORM_RE.match(chosen) else preferred_form()
    context = _hints_context(text, form, field=field)
    response = make_response("" if context["empty"] else render_template("meetings/_hints.html", hints=context))
    if chosen and _FORM_RE.match(chosen):
        response.set_cookie(
            FORM_COOKIE,
            form,
            max_age=int(dt.timedelta(days=365).total_seconds()),
            samesite="Lax",
            secure=bool(current_app.config.get("HTTPS")),
            httponly=True,
        )
    return response
