"""The history of a log's events in words, for people: "Kari Nordmann (kontaktlærer)
lastet opp samtykke 3. mars 2027". Used by the archive print page and by the archive
documents; never shows an internal event code or a login name (seed 003: the archive
copy is read by the journal's users, not by developers)."""

from dataclasses import dataclass

from stafettlogg.dates import format_long_date, format_time
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.labels import ROLES, label
from stafettlogg.models import AuditEvent, User

# action -> what the person did (bokmål msgid; %(who)s and %(date)s may move in nynorsk)
SENTENCES = {
    "log_created": _l("%(who)s opprettet stafettloggen %(date)s"),
    "log_header_updated": _l("%(who)s endret opplysningene om stafettloggen %(date)s"),
    "log_closed": _l("%(who)s avsluttet stafettloggen %(date)s"),
    "log_made_passive": _l("%(who)s satte stafettloggen passiv etter avtale med de foresatte %(date)s"),
    "keep_answer_recorded": _l("%(who)s registrerte familiens svar om loggen skal tas vare på %(date)s"),
    "log_reopened": _l("%(who)s gjenåpnet stafettloggen %(date)s"),
    "log_deleted": _l("%(who)s slettet stafettloggen %(date)s"),
    "log_lookup_matched": _l("%(who)s søkte på barnets fødselsnummer og fant stafettloggen %(date)s"),
    "log_requested": _l("%(who)s ba om å overta stafettloggen %(date)s"),
    "log_request_accepted": _l("%(who)s godtok en forespørsel om å overta stafettloggen %(date)s"),
    "log_request_declined": _l("%(who)s avslo en forespørsel om å overta stafettloggen %(date)s"),
    "guardians_informed_recorded": _l(
        "%(who)s registrerte når de foresatte fikk vite hvem som er stafettholder %(date)s"
    ),
    "log_archived": _l("%(who)s sendte stafettloggen til arkivet %(date)s"),
    "archive_fetched_again": _l("%(who)s lastet ned arkivpakken på nytt %(date)s"),
    "archive_reference_set": _l("%(who)s registrerte arkivets saksnummer %(date)s"),
    "consent_uploaded": _l("%(who)s lastet opp samtykke %(date)s"),
    "guide_answered": _l("%(who)s gikk gjennom veilederen for stafettloggen og lagret anbefalingen %(date)s"),
    "consent_withdrawn": _l("%(who)s trakk samtykket tilbake %(date)s"),
    "consent_expired": _l("Samtykket gikk ut, og stafettloggen ventet på nytt samtykke fra %(date)s"),
    "deletion_requested": _l("%(who)s ba om at stafettloggen slettes %(date)s"),
    "deletion_refused": _l("%(who)s avslo kravet om sletting %(date)s"),
    "guardian_added": _l("%(who)s la til en foresatt %(date)s"),
    "guardian_removed": _l("%(who)s fjernet en foresatt %(date)s"),
    "guardian_invited": _l("%(who)s inviterte en foresatt til å lese stafettloggen %(date)s"),
    "guardian_language_set": _l("%(who)s valgte hvilket språk de foresatte leser på %(date)s"),
    "guardian_access_granted": _l("%(who)s fikk tilgang til å lese stafettloggen %(date)s"),
    "participant_added": _l("%(who)s la til en deltaker %(date)s"),
    "participant_removed": _l("%(who)s fjernet en deltaker %(date)s"),
    "handover_proposed": _l("%(who)s foreslo en ny stafettholder %(date)s"),
    "handover_accepted": _l("%(who)s tok over som stafettholder %(date)s"),
    "handover_declined": _l("%(who)s takket nei til å bli stafettholder %(date)s"),
    "handover_cancelled": _l("%(who)s trakk tilbake forslaget om ny stafettholder %(date)s"),
    "holder_assigned": _l("%(who)s ga stafettholderrollen til en ny person %(date)s"),
    "evaluation_created": _l("%(who)s evaluerte et tiltak %(date)s"),
    "meeting_minutes_saved": _l("%(who)s skrev i møtereferatet %(date)s"),
    "meeting_present_saved": _l("%(who)s førte hvem som var til stede i møtet %(date)s"),
    "meeting_finalised": _l("%(who)s ferdigstilte møtereferatet %(date)s"),
    "meeting_correction_added": _l("%(who)s la til en rettelse i møtereferatet %(date)s"),
    "concerns_created": _l("%(who)s skrev hva vi er oppmerksomme på %(date)s"),
    "concerns_updated": _l("%(who)s endret hva vi er oppmerksomme på %(date)s"),
    "concerns_deleted": _l("%(who)s slettet noe vi var oppmerksomme på %(date)s"),
    "highlights_created": _l("%(who)s skrev et lysglimt %(date)s"),
    "highlights_updated": _l("%(who)s endret et lysglimt %(date)s"),
    "highlights_deleted": _l("%(who)s slettet et lysglimt %(date)s"),
    "goals_created": _l("%(who)s skrev et mål %(date)s"),
    "goals_updated": _l("%(who)s endret et mål %(date)s"),
    "goals_deleted": _l("%(who)s slettet et mål %(date)s"),
    "measures_created": _l("%(who)s la til et tiltak %(date)s"),
    "measures_updated": _l("%(who)s endret et tiltak %(date)s"),
    "measures_deleted": _l("%(who)s slettet et tiltak %(date)s"),
    "meetings_created": _l("%(who)s planla et møte %(date)s"),
    "meetings_updated": _l("%(who)s endret et møte %(date)s"),
    "meetings_deleted": _l("%(who)s slettet et møte %(date)s"),
    "entries_created": _l("%(who)s skrev et notat i loggen %(date)s"),
    "entries_updated": _l("%(who)s endret et notat i loggen %(date)s"),
    "entries_deleted": _l("%(who)s slettet et notat i loggen %(date)s"),
    "talk_agreements_created": _l("%(who)s avtalte hvem som snakker med barnet %(date)s"),
    "talk_agreements_updated": _l("%(who)s endret en avtale om samtaler med barnet %(date)s"),
    "talk_agreements_deleted": _l("%(who)s slettet en avtale om samtaler med barnet %(date)s"),
    "talks_created": _l("%(who)s skrev ned en samtale med barnet %(date)s"),
    "talks_updated": _l("%(who)s endret notatet fra en samtale med barnet %(date)s"),
    "talks_deleted": _l("%(who)s slettet notatet fra en samtale med barnet %(date)s"),
}
FALLBACK = _l("%(who)s gjorde en endring i stafettloggen %(date)s")


@dataclass(frozen=True)
class EventLine:
    at: object
    time: str
    text: str


def who(event: AuditEvent, users: dict[int, User]) -> str:
    """The person by name and job title then (or role), never by login name."""
    person = users.get(event.user_id) if event.user_id is not None else None
    role = label(ROLES, event.role).lower() if event.role in ROLES else ""
    if person is None:
        if event.role == "system" or event.user_id is None:
            return _("Systemet")
        return _("En %(role)s", role=role) if role else _("En bruker")
    # the job title the person had when it happened (kept by the event since 0033)
    title = person.job_title if event.actor_title is None else event.actor_title
    detail = _lower_first(title) or role
    return f"{person.name} ({detail})" if detail else person.name


def _lower_first(text: str) -> str:
    """ "Kontaktlærer" inside a sentence is "kontaktlærer"; "PP-rådgiver" stays."""
    text = (text or "").strip()
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def describe(event: AuditEvent, users: dict[int, User]) -> str:
    """One event as a sentence in the reader's language form."""
    template = SENTENCES.get(event.action, FALLBACK)
    return str(template) % {"who": who(event, users), "date": format_long_date(event.at)}


def history(log_id: int) -> list[EventLine]:
    """Every change to the log, oldest first, in words (reads are summarised elsewhere)."""
    events = list(
        AuditEvent.select()
        .where(AuditEvent.log_id == log_id, ~AuditEvent.action.startswith("view:"))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    ids = {e.user_id for e in events if e.user_id is not None}
    users = {u.id: u for u in User.select().where(User.id.in_(list(ids) or [0]))}
    return [EventLine(at=e.at, time=format_time(e.at), text=describe(e, users)) for e in events]


HANDOVER_STATUSES = {
    "pending": _l("venter på svar"),
    "accepted": _l("tatt imot"),
    "declined": _l("takket nei"),
    "cancelled": _l("trukket tilbake"),
}


def handover_status(key: str) -> str:
    return label(HANDOVER_STATUSES, key) if key in HANDOVER_STATUSES else ""
