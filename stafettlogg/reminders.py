"""The daily reminders a cron job or systemd timer runs: `flask --app app send-reminders`.

Seed 002: the holder "følgjer med på at tidsfristar vert haldne og at tiltak vert
evaluerte". Reminders: a measure's evaluation date within 7 days, a measure overdue for
evaluation, a meeting tomorrow. Idempotent: every reminder has a dedupe_key, so running
the command twice (or twice a day, or on two app servers at once: the key is unique in the
database) sends nothing twice. Each run reads only what falls due around today, never the
whole backlog of measures overdue since long ago (REMIND_OVERDUE_FOR_DAYS).
"""

import datetime as dt
import typing

import click
from flask.cli import with_appcontext

from stafettlogg import audit
from stafettlogg.console import command, fail, option, say
from stafettlogg.dates import local, local_today
from stafettlogg.db import db
from stafettlogg.logs import domain, states
from stafettlogg.logs.lifecycle import keepers_by_log
from stafettlogg.mailer import deliver_all_due
from stafettlogg.meetings import invitees
from stafettlogg.messages import Message
from stafettlogg.models import (
    AuditEvent,
    Consent,
    Log,
    LogStatus,
    Measure,
    Meeting,
    Notification,
    User,
)
from stafettlogg.notify import msg, msg_plural, notify, reached_among
from stafettlogg.org.queries import active_leaders_by_unit
from stafettlogg.web import path_for

DUE_WITHIN_DAYS = 7
# An overdue measure is reminded of on the first run after its evaluation date, or within
# these days when runs were missed (the timer or the database down). Older ones are on the
# start page's to-dos; a reminder run reads only this window, not every measure ever overdue.
REMIND_OVERDUE_FOR_DAYS = 7


def _reached_users(ids):
    """The accounts among ids that are told anything (notify.reached_among: not who has
    left), in a write transaction kept open for their reminders, which notify then does
    not read again (reached_checked=True)."""
    return reached_among(User.select().where(User.id.in_({i for i in ids if i})).order_by(User.id))


def _holders_outside(logs: list[Log]) -> set[int]:
    """The ids of the logs whose consent leaves out their holder's unit (states.outside_for:
    a holder moved to another unit reads none of the log and is reminded of nothing in
    it). Asked for all the run's logs before any reminder's write transaction opens: one
    read of the holders, and a consent read only for a holder of another unit."""
    holder_ids = {log.holder_id for log in logs if log.holder_id}
    holders = {u.id: u for u in User.select().where(User.id.in_(holder_ids))} if holder_ids else {}
    outside: set[int] = set()
    for log in logs:
        holder = holders.get(log.holder_id)
        if holder is not None:
            outside |= states.outside_for(holder, [log])
    return outside


def _reminded(log: Log, ids, outside: set[int]):
    """The recipients of a reminder about `log` (the measure and meeting reminders): the
    accounts among ids that are told (_reached_users), without the holder when the log
    is `outside` them (_holders_outside). The consent reminders do not ask this: a holder
    the consent leaves out may still upload a new one."""
    if log.id in outside:
        ids = [i for i in ids if i != log.holder_id]
    return _reached_users(ids)


def _measure_recipients(measure: Measure, listed: dict[int, set[int]], outside: set[int]):
    """The holder, and the staff member responsible for the measure while they still take
    part in the log (`listed`: the participants of each log)."""
    responsible = measure.responsible_user_id
    if responsible not in listed.get(measure.log_id, set()):
        responsible = None
    return _reminded(measure.log, [measure.log.holder_id, responsible], outside)


def _with_consent(logs: list[Log], today: dt.date) -> set[int]:
    """The ids of the logs whose consent allows working in them today (states.consent_gaps:
    in force, not run out, covering the holder's unit and every participant's service).
    A log that waits for a new consent is not reminded of: no one may evaluate or meet in
    it, and its holder has been told to get a new consent."""
    waiting = states.waiting_ids(logs, today)
    return {log.id for log in logs if log.id not in waiting}


def _log_url(log_id: int) -> str:
    return path_for("logs.show", log_id=log_id, _anchor="measures")


def measure_reminders(today: dt.date) -> int:
    """Evaluation date within 7 days: once per measure, date and person. Overdue (the
    date has passed and there is no evaluation since): once per measure, date and person,
    on a run at most REMIND_OVERDUE_FOR_DAYS after the date; the run reads no measure
    whose date is older than that, so its work does not grow with the backlog."""
    sent = 0
    measures = list(
        Measure.select(Measure, Log, domain.measure_overdue(today).alias("overdue"))
        .join(Log)
        .where(
            domain.measure_due_by(
                today + dt.timedelta(days=DUE_WITHIN_DAYS), since=today - dt.timedelta(days=REMIND_OVERDUE_FOR_DAYS)
            )
        )
        .order_by(Measure.evaluation_date, Measure.id)
    )
    logs = list({m.log_id: m.log for m in measures}.values())
    allowed = _with_consent(logs, today)
    listed = states.participant_ids(allowed)
    outside = _holders_outside([log for log in logs if log.id in allowed])
    for measure in measures:
        if measure.log_id not in allowed:
            continue
        overdue = bool(measure.overdue)
        kind = "measure_overdue" if overdue else "measure_due"
        if overdue:
            text = msg(
                "Et tiltak i stafettlogg nr. %(id)s skulle vært evaluert %(date)s. Evaluer tiltaket eller sett en ny dato.",
                id=measure.log_id,
                date=measure.evaluation_date.strftime("%d.%m.%Y"),
            )
        else:
            text = msg(
                "Et tiltak i stafettlogg nr. %(id)s skal evalueres %(date)s.",
                id=measure.log_id,
                date=measure.evaluation_date.strftime("%d.%m.%Y"),
            )
        with _measure_recipients(measure, listed, outside) as recipients:
            for user in recipients:
                key = f"{kind}:{measure.id}:{measure.evaluation_date.isoformat()}:{user.id}"
                url = _log_url(measure.log_id)
                if notify(user, kind, text, url=url, log=measure.log_id, dedupe_key=key, reached_checked=True):
                    sent += 1
    return sent


def _invited_staff(meeting: Meeting, listed: dict[int, set[int]], invited: dict[int, set[str]]) -> list[int]:
    """Whom a meeting reminds: the log's holder now, who calls and leads its meetings
    (seed 002: «leier møta og fører referat»; also a meeting her predecessor planned and
    did not tick her for), and the participants still on the log that the meeting
    invites (meetings/invitees.py; one whose list was never chosen invites them all)."""
    keys = invited.get(meeting.id)
    participants = [u for u in sorted(listed.get(meeting.log_id, ())) if invitees.invites(keys, invitees.user_key(u))]
    return [meeting.log.holder_id, *(u for u in participants if u != meeting.log.holder_id)]


def meeting_reminders(today: dt.date) -> int:
    """A meeting tomorrow (Oslo time): the holder, who leads it, and the participants it invites, once
    per meeting time (a moved meeting is reminded again)."""
    sent = 0
    tomorrow = today + dt.timedelta(days=1)
    # stored times are naive UTC: take a generous window and compare in Oslo time
    start = dt.datetime.combine(today, dt.time()) - dt.timedelta(hours=3)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time()) + dt.timedelta(hours=3)
    meetings = (
        Meeting.select(Meeting, Log)
        .join(Log)
        .where(
            Log.status == LogStatus.ACTIVE,
            Meeting.finalised_at.is_null(),
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    meetings = list(meetings)
    logs = list({m.log_id: m.log for m in meetings}.values())
    allowed = _with_consent(logs, today)
    listed = states.participant_ids(allowed)
    outside = _holders_outside([log for log in logs if log.id in allowed])
    invited = invitees.stored(m.id for m in meetings if m.log_id in allowed)
    for meeting in meetings:
        starts = local(meeting.starts_at)
        if starts.date() != tomorrow or meeting.log_id not in allowed:
            continue
        text = msg(
            "Du har møte i stafettlogg nr. %(id)s i morgen kl. %(time)s.",
            id=meeting.log_id,
            time=starts.strftime("%H:%M"),
        )
        with _reminded(meeting.log, _invited_staff(meeting, listed, invited), outside) as recipients:
            for user in recipients:
                key = f"meeting_tomorrow:{meeting.id}:{meeting.starts_at.isoformat()}:{user.id}"
                if notify(
                    user,
                    "meeting_tomorrow",
                    text,
                    url=path_for("logs.show", log_id=meeting.log_id, _anchor="meetings"),
                    log=meeting.log_id,
                    dedupe_key=key,
                    reached_checked=True,
                ):
                    sent += 1
    return sent


KEEP_ANSWER_EVERY_DAYS = 7


def keep_answer_reminders(today: dt.date) -> int:
    """seed 001: a closed log whose family has not answered "Skal loggen tas vare på?"
    is neither kept nor deleted. The holder is reminded a week after closing and then
    every week until the answer is recorded; once per week and log. Once the holder has
    left (access.holder_left), the leader of the log's unit, who stands in for them."""
    sent = 0
    holder = User.alias("holder")
    logs = (
        Log.select(Log, holder)
        .join(holder, on=(Log.holder == holder.id))
        .where(Log.status == LogStatus.CLOSED, Log.keep_answer != "no", Log.guardian_agreed_to_keep == False)  # noqa: E712
        .order_by(Log.id)
    )
    due = []  # (log, week): a week or more after closing, once per week
    for log in logs:
        if log.closed_at is None:
            continue
        days = (today - local(log.closed_at).date()).days
        if days >= KEEP_ANSWER_EVERY_DAYS:
            due.append((log, days // KEEP_ANSWER_EVERY_DAYS))
    if not due:
        return 0
    keepers = keepers_by_log([log for log, _week in due])  # one read for every log's stand-ins
    kept_by: dict[int, list] = {}  # account id: the (log, week) they are reminded of
    for log, week in due:
        for keeper in keepers[log.id]:
            kept_by.setdefault(keeper.id, []).append((log, week))
    with _reached_users(kept_by) as recipients:
        for user in recipients:
            for log, week in kept_by[user.id]:
                text = msg(
                    "Stafettlogg nr. %(id)s er avsluttet, men familien har ikke svart på om loggen skal tas vare på. "
                    "Spør familien og registrer svaret.",
                    id=log.id,
                )
                key = f"keep_answer:{log.id}:{log.closed_at.isoformat()}:{week}:{user.id}"
                if notify(
                    user,
                    "keep_answer_missing",
                    text,
                    url=path_for("lifecycle.close", log_id=log.id),
                    log=log.id,
                    dedupe_key=key,
                    reached_checked=True,
                ):
                    sent += 1
    return sent


CONSENT_REMINDER_DAYS = (30, 7)  # before a consent runs out: the holder and the unit leader


CONSENT_KINDS = ("consent_expired", "consent_expiring")


class ConsentNotice(typing.NamedTuple):
    """What the holder and the unit leaders are told of a consent on a run: the notice's
    kind, its dedupe key less the reader's id, and its text."""

    consent: Consent
    kind: str
    key: str
    text: Message


def _consent_notice(consent: Consent, today: dt.date) -> ConsentNotice:
    left = (consent.expires_on - today).days
    date = consent.expires_on.strftime("%d.%m.%Y")
    if left < 0:
        text = msg(
            "Samtykket for stafettlogg nr. %(id)s gikk ut %(date)s. Loggen venter på nytt samtykke: ingen kan skrive i den før stafettholderen har lastet opp et nytt.",
            id=consent.log_id,
            date=date,
        )
        return ConsentNotice(consent, "consent_expired", f"consent_expired:{consent.id}", text)
    days = min(d for d in CONSENT_REMINDER_DAYS if left <= d)
    text = msg(
        "Samtykket for stafettlogg nr. %(id)s går ut %(date)s. Avtal et nytt samtykke med familien og last det opp før da; etter utløpsdatoen kan ingen skrive i loggen.",
        id=consent.log_id,
        date=date,
    )
    return ConsentNotice(consent, "consent_expiring", f"consent_expiring:{consent.id}:{days}", text)


def consent_reminders(today: dt.date) -> int:
    """A consent that runs out within 30 days: reminded once at 30 days and once at 7
    (only the nearer one when both are due on the same run), to the holder and the unit
    leader. A consent that has run out: they are told once that the log waits for a new
    one, and the change of state is written to the log's history (the state itself is
    derived from the date, so no job is needed for it).

    Every log that waits has its consent run out, and each run reads them all again (a
    holder or a unit leader new to the log is told too): in a few queries however many
    there are (the logs' current consents, their units' leaders, the notices and history
    events already written of them), and only what is new is written."""
    due = (
        Consent.select(Consent, Log)
        .join(Log)
        .where(
            Log.status == LogStatus.ACTIVE,
            states.consent_runs_out_by(today + dt.timedelta(days=max(CONSENT_REMINDER_DAYS))),
            states.is_current_consent(),
        )
    )
    notices = [_consent_notice(consent, today) for consent in due.order_by(Consent.expires_on, Consent.id)]
    if not notices:
        return 0
    told = set(
        Notification.select(Notification.dedupe_key)
        .where(Notification.log_id.in_(due.select(Consent.log)), Notification.kind.in_(CONSENT_KINDS))
        .scalars()
    )
    expired = [notice.consent for notice in notices if notice.kind == "consent_expired"]
    if expired:
        recorded = set(
            AuditEvent.select(AuditEvent.object_id)
            .where(
                AuditEvent.action == "consent_expired",
                AuditEvent.object_id.in_(due.where(Consent.expires_on < today).select(Consent.id)),
            )
            .scalars()
        )
        # once, however many runs overlap (two app servers' timers): a unique event
        happened = [(consent.log, consent) for consent in expired if consent.id not in recorded]
        audit.record_each_once("consent_expired", happened, user=None, role="system")
    leaders = active_leaders_by_unit({notice.consent.log.unit_id for notice in notices if notice.consent.log.unit_id})
    untold: dict[int, list[ConsentNotice]] = {}  # account id: the notices not yet given them
    for notice in notices:
        log = notice.consent.log
        for user_id in dict.fromkeys([log.holder_id, *(u.id for u in leaders.get(log.unit_id, ()))]):
            if user_id and f"{notice.key}:{user_id}" not in told:
                untold.setdefault(user_id, []).append(notice)
    if not untold:
        return 0
    sent = 0
    with _reached_users(untold) as recipients:
        for user in recipients:
            for notice in untold[user.id]:
                if notify(
                    user,
                    notice.kind,
                    notice.text,
                    url=path_for("logs.consent_form", log_id=notice.consent.log_id),
                    log=notice.consent.log_id,
                    dedupe_key=f"{notice.key}:{user.id}",
                    reached_checked=True,
                ):
                    sent += 1
    return sent


def send_reminders(today: dt.date | None = None) -> dict:
    today = today or local_today()
    return {
        "measures": measure_reminders(today),
        "meetings": meeting_reminders(today),
        "keep_answers": keep_answer_reminders(today),
        "consents": consent_reminders(today),
    }


@command(
    "send-reminders",
    help=msg(
        "Sender dagens påminnelser. Evalueringsdatoer innen 7 dager, forfalte evalueringer, møter i morgen og "
        "samtykker som går ut om 30 og 7 dager eller har gått ut; hver påminnelse sendes bare én gang."
    ),
)
@with_appcontext
@option("--today", "today_text", default="", help=msg("Kjør som om dagen var ÅÅÅÅ-MM-DD (standard: i dag)."))
def send_reminders_command(today_text):
    """Daily reminders: evaluation dates within 7 days, overdue evaluations, meetings tomorrow, consents running out in 30 and 7 days or run out. Idempotent."""
    today = None
    if today_text:
        try:
            today = dt.date.fromisoformat(today_text)
        except ValueError:
            fail(msg("--today må være en dato på formen ÅÅÅÅ-MM-DD."), code=2)
    with db.connection_context():
        counts = send_reminders(today)
    click.echo(
        say(
            msg(
                "Påminnelser sendt om tiltak: %(measures)s, om møter: %(meetings)s, om samtykker: %(consents)s.",
                measures=counts["measures"],
                meetings=counts["meetings"],
                consents=counts["consents"],
            )
        )
    )
    click.echo(
        say(
            msg_plural(
                "Sendt: %(num)s påminnelse om å registrere om loggen skal tas vare på.",
                "Sendt: %(num)s påminnelser om å registrere om loggen skal tas vare på.",
                num=counts["keep_answers"],
            )
        )
    )
    # The e-mails are queued with the notices; a mail server that is down loses none.
    deliver_all_due()
