"""What the guardians' view reads: the plain view of a log in a fixed number of queries,
and the access history in words (who has viewed or changed the log, never usernames)."""

import datetime as dt
from dataclasses import replace

from flask_login import current_user
from peewee import JOIN, Case, fn

from stafettlogg.db import prepared
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.logs import domain, queries, states
from stafettlogg.models import (
    AuditEvent,
    ChildTalk,
    ChildTalkAgreement,
    Concern,
    Consent,
    DeletionRequest,
    Goal,
    Highlight,
    Measure,
    Meeting,
    MinutesCorrection,
    Unit,
    User,
    utcnow,
)
from stafettlogg.windows import Window, dated_window, newest_first

# The lists of the guardians' view that grow with the log's age: on the page they come in
# windows (windows.py), continued by «Vis flere»; the family print shows them whole.
WINDOWED = ("minutes", "highlights", "measures")


def plain_view(
    log, cursor: str | None = None, listed: str | None = None, whole: bool = False, expanded: int | None = None
) -> dict:
    """Everything the guardians' view shows, in a fixed number of queries, most of them
    prepared (db.Prepared: built once per process, the log's id in its places). Never
    free entries (the professionals' notes) and never draft minutes. cursor: a later
    window of the list `listed` (WINDOWED); whole: every row (the family print);
    expanded: the measure whose evaluations are all shown."""
    log = queries.load_log(log.id)
    consents = list(_consents.rows(log.id))
    # the consent in force is among them: the page's state and consent block ask it
    states.remember_current_consent(log, next((c for c in consents if c.in_force), None))
    # the open request (or else the unit leader's last refusal) in one read; the open one
    # kept as the log's states read it (the page's actions ask it too)
    request = _open_or_refused.first(log.id)
    open_request = request if request is not None and request.still_open else None
    states.open_deletion_request.remember(open_request, log)
    context = {
        "log": log,
        "participants": queries.participants(log),
        "consents": consents,
        "deletion_request": open_request,
        # the unit leader's last refusal, shown while no request is open
        "last_answer": request if open_request is None else None,
        "shows_content": states.shows_content(log),
        "units": _units_named_by(consents),
    }
    if context["shows_content"]:
        context.update(
            concerns=list(_in_order.rows(log.id, key="concerns")),
            goals=list(_in_order.rows(log.id, key="goals")),
            measures=_measures(log, cursor if listed == "measures" else None, expanded, whole),
            highlights=_window(log, "highlights", cursor if listed == "highlights" else None, whole),
            talk_summary=_talk_summary(log),
            **_meetings(log, cursor if listed == "minutes" else None, whole),
        )
    return context


@prepared
def _consents(log_id: int):
    """Every consent of the log, newest first, each marked whether it is the one in force
    (states.consent_in_force)."""
    return (
        Consent.select(Consent, states.consent_in_force().alias("in_force"))
        .where(Consent.log == log_id)
        .order_by(Consent.id.desc())
    )


@prepared
def _open_or_refused(log_id: int):
    """The family's open deletion request (the oldest, as states.open_deletion_request
    reads it), or else the unit leader's last refusal: one row or none, marked
    still_open by states.deletion_request_open."""
    still_open = states.deletion_request_open()
    return (
        DeletionRequest.select(DeletionRequest, still_open.alias("still_open"))
        .where(DeletionRequest.log == log_id, still_open | (DeletionRequest.outcome == "refused"))
        .order_by(
            Case(None, [(still_open, 0)], 1),
            Case(None, [(still_open, DeletionRequest.id)], DeletionRequest.id * -1),
        )
        .limit(1)
    )


@prepared
def _in_order(log_id: int, *, key: str):
    """The concerns or the goals, in the order they were written."""
    model = {"concerns": Concern, "goals": Goal}[key]
    return model.select().where(model.log == log_id).order_by(model.id)


# The windowed lists: the rows read (only what the family sees), and the date and id that
# order them newest first.


def _highlights(log_id):
    return Highlight.select(Highlight.id, Highlight.created_at, Highlight.body_html).where(Highlight.log == log_id)


def _ended_measures(log_id):
    return Measure.select(*MEASURE_SHOWN).where(Measure.log == log_id, domain.measure_ended())


def _final_minutes(log_id):
    return Meeting.select(*MEETING_SHOWN).where(Meeting.log == log_id, Meeting.finalised_at.is_null(False))


MEASURE_SHOWN = (
    Measure.id,
    Measure.created_at,  # the ended ones' window is kept by it
    Measure.what_html,
    Measure.responsible,
    Measure.start_date,
    Measure.evaluation_date,
    Measure.status,
)
MEETING_SHOWN = (
    Meeting.id,
    Meeting.log,
    Meeting.kind,
    Meeting.starts_at,
    Meeting.place,
    Meeting.agenda,
    Meeting.agenda_html,
    Meeting.invited,  # anyone a meeting to come invites beside the log's people (meetings.domain.invited_to)
    Meeting.minutes_html,
    Meeting.present,
    Meeting.family_absent_note,
    Meeting.finalised_at,
    Meeting.holder_name,  # the minutes name the holder they named when approved
    Meeting.holder_job_title,
)
LISTS = {
    "highlights": (_highlights, Highlight.created_at, Highlight.id),
    "measures": (_ended_measures, Measure.created_at, Measure.id),
    "minutes": (_final_minutes, Meeting.starts_at, Meeting.id),
}


@prepared
def _newest(log_id: int, *, key: str, limit: int):
    """A list's first window (the view's on every visit): a prepared read."""
    rows, day_field, id_field = LISTS[key]
    return newest_first(rows(log_id), day_field, id_field).limit(limit)


def _window(log, key: str, cursor: str | None, whole: bool) -> Window:
    """A window of the list `key` (LISTS), newest first; with whole, all of it."""
    rows, day_field, id_field = LISTS[key]
    if whole:
        items = list(newest_first(rows(log.id), day_field, id_field))
        return Window(items=items, total=len(items))
    newest = lambda limit: _newest.rows(log.id, key=key, limit=limit)  # noqa: E731
    return dated_window(rows(log.id), day_field, id_field, cursor, total=0, newest=newest)


def _units_named_by(consents) -> list:
    """queries.units_named_by, without a query when the consents name no unit."""
    if not any("unit:" in (consent.services or "") for consent in consents):
        return []
    return queries.units_named_by(consents)


def _measures(log, cursor: str | None, expanded: int | None, whole: bool) -> Window:
    """The measures being followed, most urgent evaluation first, then the ended ones
    newest first in windows (a later window: those alone; whole: all of them), each with
    its latest evaluations (all of them for the measure `expanded`, or with whole) in the
    order they were made: three queries, no authors (the family sees none)."""
    ended = _window(log, "measures", cursor, whole)
    items = queries.current_then_ended(ended, lambda: list(_current_measures.rows(log.id)))
    queries.with_evaluations(items, "family", expanded=expanded, whole=whole)
    return replace(ended, items=items)


@prepared
def _current_measures(log_id: int):
    return (
        Measure.select(*MEASURE_SHOWN)
        .where(Measure.log == log_id, ~domain.measure_ended())
        .order_by(*domain.measure_order())
    )


def _meetings(log, cursor: str | None, whole: bool) -> dict:
    """The meetings to come (soonest first: they do not grow with the log's age) and the
    approved minutes (newest first, in windows, with their corrections): only what the page
    shows (never draft minutes: a meeting to come shows its agenda). A log that holds no
    more meetings (states.holds_meetings) has none to come: None."""
    upcoming = None
    if states.holds_meetings(log):
        upcoming = list(
            Meeting.select(*MEETING_SHOWN)
            .where(Meeting.log == log, Meeting.starts_at >= utcnow())
            .order_by(Meeting.starts_at, Meeting.id)
        )
    minutes = _window(log, "minutes", cursor, whole)
    corrections: dict[int, list] = {m.id: [] for m in minutes.items}
    if minutes.items:
        for correction in (
            MinutesCorrection.select(MinutesCorrection.meeting, MinutesCorrection.created_at, MinutesCorrection.body)
            .where(MinutesCorrection.meeting.in_(list(corrections)))
            .order_by(MinutesCorrection.id)
        ):
            corrections[correction.meeting_id].append(correction)
    for meeting in minutes.items:
        meeting.corrections = corrections[meeting.id]
    return {"upcoming": upcoming, "minutes": minutes}


def _talk_summary(log) -> dict:
    """What the guardians are told of the talks with the child:
    who talks with the child and how often, how many talks and when the last one was,
    counted by the database (never what the child said)."""
    count, last = _talks_counted.first(log.id)
    if isinstance(last, str):
        last = dt.date.fromisoformat(last[:10])
    agreements = list(_ongoing_agreements.rows(log.id))
    return {"agreements": agreements, "count": count or 0, "last": last}


@prepared
def _talks_counted(log_id: int):
    return ChildTalk.select(fn.COUNT(ChildTalk.id), fn.MAX(ChildTalk.talked_on)).where(ChildTalk.log == log_id).tuples()


@prepared
def _ongoing_agreements(log_id: int):
    return (
        ChildTalkAgreement.select()
        .where(ChildTalkAgreement.log == log_id, ChildTalkAgreement.status == "ongoing")
        .order_by(ChildTalkAgreement.id)
    )


# ------------------------------------------------------------------ the access history


@prepared
def _people_named(*user_ids: int):
    """Who the history's window names, for events written before an event kept who the
    person was then (audit_event.actor_title): their job title and unit now."""
    return (
        User.select(User.id, User.job_title, Unit.name.alias("unit_name"))
        .join(Unit, JOIN.LEFT_OUTER, on=(User.unit == Unit.id))
        .where(User.id.in_(list(user_ids)))
        .objects()
    )


def _readers(events) -> dict[int, tuple[str, str]]:
    """Each event's reader as (job title, unit name), by the event's id: as the person was
    when the event happened (the event's own columns), or as they are now for an event
    written before events kept it (one query for the window's people)."""
    readers = {e.id: (e.actor_title, e.actor_unit_name or "") for e in events if e.actor_title is not None}
    older = sorted({e.user_id for e in events if e.actor_title is None and e.user_id})
    if older:  # a window names at most PAGE_SIZE people
        now = {u.id: (u.job_title, u.unit_name or "") for u in _people_named.rows_in_parts(older)}
        readers.update((e.id, now[e.user_id]) for e in events if e.actor_title is None and e.user_id in now)
    return readers


ACTION_TEXT = {
    "log_created": _l("Opprettet stafettloggen"),
    "log_reopened": _l("Gjenåpnet stafettloggen"),
    "log_closed": _l("Avsluttet stafettloggen"),
    "log_made_passive": _l("Satte stafettloggen passiv"),
    "keep_answer_recorded": _l("Registrerte om familien vil at loggen tas vare på"),
    "consent_uploaded": _l("Lastet opp samtykke"),
    "consent_withdrawn": _l("Trakk samtykket tilbake"),
    "consent_expired": _l("Samtykket gikk ut. Loggen venter på nytt samtykke"),
    "deletion_requested": _l("Ba om sletting"),
    "deletion_refused": _l("Svarte på kravet om sletting"),
    "guardian_invited": _l("Laget invitasjon til foresatt"),
    "guardian_access_granted": _l("Fikk tilgang som foresatt"),
    "guardian_added": _l("La til foresatt"),
    "guardian_removed": _l("Fjernet foresatt"),
    "participant_added": _l("La til deltaker"),
    "participant_removed": _l("Fjernet deltaker"),
    "guardian_language_set": _l("Endret språk eller tolk for foresatt"),
    "log_lookup_matched": _l("Søkte på barnets fødselsnummer og fant stafettloggen"),
    "log_requested": _l("Ba om å overta stafettloggen"),
    "log_request_accepted": _l("Svarte på en forespørsel om å overta stafettloggen"),
    "log_request_declined": _l("Svarte på en forespørsel om å overta stafettloggen"),
    "holder_assigned": _l("Ga stafettholderrollen til en ny person"),
    # a copy of the whole log for the municipality's archive: no change of its content
    "log_archived": _l("Sendte stafettloggen til arkivet"),
    "archive_fetched_again": _l("Lastet ned arkivpakken på nytt"),
    "archive_reference_set": _l("Registrerte arkivets saksnummer"),
    # the admin's outbox (org.outbox): to whom and the subject, not the text
    "view:org.outbox": _l("Så at det er sendt e-post om stafettloggen"),
}
# the prints' endpoints; events stored before the prints moved carry the old "lifecycle." names
PRINT_ENDPOINTS = (
    "view:archive.archive_print",
    "view:guardian.family_print",
    "view:lifecycle.archive_print",
    "view:lifecycle.family_print",
)


# the lists of a unit's children that name the child, not the log's content (audit.record_named)
LIST_ENDPOINTS = (
    "view:overview.unit_overview",
    "view:overview.export",
    "view:lifecycle.queue",
    "view:overview.ke_reconciliation",  # every unit's differences on one page, before 2026-12-07
    "view:overview.ke_reconciliation_unit",
)


def action_text(action: str) -> str:
    if action in ACTION_TEXT:
        return str(ACTION_TEXT[action])
    if action in LIST_ENDPOINTS:
        return _("Så barnet på en oversikt for enheten")
    if action in PRINT_ENDPOINTS:
        return _("Skrev ut stafettloggen")
    if action == "view:logs.consent_file":
        return _("Åpnet samtykkefilen")
    if action.startswith("view:"):
        return _("Leste i stafettloggen")
    return _("Endret innholdet i stafettloggen")


def access_history(log, cursor: str | None = None) -> Window:
    """Who has viewed or changed the log and when (Normen fact sheet 15): role,
    job title and service, never usernames. Repeated reads by the same person within
    the same hour are shown as one line with a count.

    The history grows with the log's age: it comes in windows of PAGE_SIZE events,
    newest first, continued by a keyset cursor (time and id, the index on log, time and
    id), so a window costs the same however long the history is. A line of repeated
    reads at the edge of a window goes on at the top of the next."""
    query = AuditEvent.select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.user_id,
        AuditEvent.role,
        AuditEvent.action,
        AuditEvent.actor_title,
        Unit.name.alias("actor_unit_name"),
    ).join(Unit, JOIN.LEFT_OUTER, on=(AuditEvent.actor_unit_id == Unit.id))
    query = query.where(AuditEvent.log_id == log.id).objects()
    window = dated_window(query, AuditEvent.at, AuditEvent.id, cursor, total=0)
    events = window.items
    readers = _readers(events)
    you = getattr(current_user, "id", None)
    texts: dict[str, str] = {}  # each action's words once per window, not once per event
    rows: list[dict] = []
    for event in events:
        text = texts.get(event.action)
        if text is None:
            text = texts[event.action] = action_text(event.action)
        job_title, unit = readers.get(event.id, ("", ""))
        # one line per person as they were: a read after a move or a new role is not
        # counted into the line that names them as they are in a later read
        hour = event.at.replace(minute=0, second=0, microsecond=0)
        key = (event.user_id, event.role, job_title, unit, text, hour)
        if rows and rows[-1]["key"] == key:
            rows[-1]["count"] += 1
            continue
        rows.append(
            {
                "key": key,
                "at": event.at,
                "role": event.role,
                "job_title": job_title if event.role != "guardian" else "",
                "unit": unit,
                "text": text,
                "count": 1,
                "you": event.user_id == you,
            }
        )
    return replace(window, items=rows)
