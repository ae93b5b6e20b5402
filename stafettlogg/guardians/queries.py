"""What the guardians' view reads: the plain view of a log in a fixed number of queries,
and the access history in words (who has viewed or changed the log, never usernames)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN, prefetch

from stafettlogg.logs import lifecycle, queries, talks
from stafettlogg.models import (
    AuditEvent,
    Concern,
    Consent,
    DeletionRequest,
    Goal,
    Highlight,
    LogStatus,
    Meeting,
    MinutesCorrection,
    Unit,
    User,
    utcnow,
)


def plain_view(log) -> dict:
    """Everything the guardians' view shows, in a fixed number of queries. Never
    free entries (the professionals' notes) and never draft minutes."""
    log = queries.load_log(log.id)
    consents = list(Consent.select().where(Consent.log == log).order_by(Consent.id.desc()))
    context = {
        "log": log,
        "participants": queries.participants(log),
        "consents": consents,
        "deletion_request": lifecycle.open_deletion_request(log),
        "last_answer": DeletionRequest.select()
        .where(DeletionRequest.log == log, DeletionRequest.outcome == "refused")
        .order_by(DeletionRequest.id.desc())
        .first(),
        "shows_content": log.status != LogStatus.DRAFT,
        "units": queries.units_named_by(consents),
    }
    if context["shows_content"]:
        now = utcnow()
        finalised = queries.with_finaliser(
            Meeting.select().where(Meeting.log == log, Meeting.finalised_at.is_null(False))
        ).order_by(Meeting.starts_at.desc())
        context.update(
            concerns=list(Concern.select().where(Concern.log == log).order_by(Concern.id)),
            goals=list(Goal.select().where(Goal.log == log).order_by(Goal.id)),
            measures=queries.section_items(log, "measures"),
            highlights=list(Highlight.select().where(Highlight.log == log).order_by(Highlight.id.desc())),
            upcoming=list(
                Meeting.select().where(Meeting.log == log, Meeting.starts_at >= now).order_by(Meeting.starts_at)
            ),
            minutes=list(prefetch(finalised, MinutesCorrection.select().order_by(MinutesCorrection.id))),
            talk_summary=talks.family_summary(log),
        )
    return context


# ------------------------------------------------------------------ the access history


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
}
# the prints' endpoints; events stored before the prints moved carry the old "lifecycle." names
PRINT_ENDPOINTS = (
    "view:archive.archive_print",
    "view:guardian.family_print",
    "view:lifecycle.archive_print",
    "view:lifecycle.family_print",
)


def action_text(action: str) -> str:
    if action in ACTION_TEXT:
        return str(ACTION_TEXT[action])
    if action in PRINT_ENDPOINTS:
        return _("Skrev ut stafettloggen")
    if action == "view:logs.consent_file":
        return _("Åpnet samtykkefilen")
    if action.startswith("view:"):
        return _("Leste i stafettloggen")
    return _("Endret innholdet i stafettloggen")


PAGE_SIZE = 100


def access_history(log, page: int = 1) -> tuple[list[dict], bool]:
    """Who has viewed or changed the log and when (Normen fact sheet 15): role,
    job title and service, never usernames. Repeated reads by the same person within
    the same hour are shown as one line with a count."""
    events = list(
        AuditEvent.select(AuditEvent.at, AuditEvent.user_id, AuditEvent.role, AuditEvent.action)
        .where(AuditEvent.log_id == log.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE * 5)
        .limit(PAGE_SIZE * 5 + 1)
    )
    more = len(events) > PAGE_SIZE * 5
    events = events[: PAGE_SIZE * 5]
    ids = {e.user_id for e in events if e.user_id}
    people = {
        u.id: u
        for u in User.select(User.id, User.job_title, User.role, User.unit, Unit.name)
        .join(Unit, JOIN.LEFT_OUTER, on=(User.unit == Unit.id), attr="unit_row")
        .where(User.id.in_(list(ids) or [0]))
    }
    rows: list[dict] = []
    for event in events:
        person = people.get(event.user_id)
        text = action_text(event.action)
        key = (event.user_id, text, event.at.replace(minute=0, second=0, microsecond=0))
        if rows and rows[-1]["key"] == key:
            rows[-1]["count"] += 1
            continue
        unit_row = getattr(person, "unit_row", None)
        unit = unit_row.name if unit_row is not None else ""
        rows.append(
            {
                "key": key,
                "at": event.at,
                "role": event.role,
                "job_title": person.job_title if person and event.role != "guardian" else "",
                "unit": unit,
                "text": text,
                "count": 1,
                "you": event.user_id == getattr(current_user, "id", None),
            }
        )
    return rows, more
