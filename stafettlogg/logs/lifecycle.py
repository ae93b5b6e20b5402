"""The log's life after it is in use, as plain functions (seed 001 "Rutine for
avslutning av stafettlogg", seed 003): close, passive, reopen, consent withdrawal,
deletion requests and deletion that purges.

Every function takes models and the acting user, goes through the state table in
logs/states.py (role on the log, state, blockers, audit event) inside one write
transaction, and raises LogError (Norwegian message) changing nothing.
"""

from stafettlogg import audit
from stafettlogg.access import consent_age, holder_left, log_tokens, of_consent_age
from stafettlogg.archive.domain import cancel_undelivered, is_archived, waiver_problem
from stafettlogg.dates import local, local_today
from stafettlogg.db import db, is_sqlite, write_transaction
from stafettlogg.handover.domain import cancel_handover, pending_for
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import states
from stafettlogg.logs.errors import LogError, LogGone, locked_log
from stafettlogg.logs.states import deletion_request_open, open_deletion_request
from stafettlogg.models import (
    ChildTalk,
    ChildTalkAgreement,
    ClassGroupPeriod,
    Concern,
    Consent,
    DeletionRequest,
    Entry,
    Evaluation,
    Goal,
    Guardian,
    GuardianInvitation,
    GuideAnswer,
    Handover,
    Highlight,
    Log,
    LogPeriod,
    LogStatus,
    LogTombstone,
    Measure,
    Meeting,
    MeetingInvitee,
    MinutesCorrection,
    Notification,
    OutboxEmail,
    Participant,
    Role,
    StoredFile,
    Subject,
    User,
    utcnow,
)
from stafettlogg.notify import msg, notify, send_email
from stafettlogg.org.queries import active_leaders_by_unit, active_unit_leaders
from stafettlogg.web import path_for

CLOSE_REASONS = ("needs_met", "ip_created", "consent_withdrawn", "other")
DELETE_REASONS = ("passive_by_agreement", "not_kept", "guardian_request")
# seed 001 "Skal loggen tas vare på?": asked at closing, no answer assumed.
KEEP_ANSWERS = ("yes", "no", "undecided")
OPEN = states.OPEN
ENDED = states.ENDED
NOTE_MAX = 2000


def fresh_log(log: Log) -> Log:
    """The log as it is now: inside a write transaction under its row lock
    (errors.locked_log), so that two writes of a log's life follow each other, the second
    reading what the first wrote (a family's withdrawal and the holder's consent upload,
    two deletion requests at once, a request and a reopen); outside one, read afresh."""
    if db.in_transaction():
        return locked_log(log)
    fresh = Log.get_or_none(Log.id == log.id)
    if fresh is None:
        raise LogGone()
    return fresh


def require_role(by: User, log: Log, role: str, message: str) -> None:
    if role not in log_tokens(by, log):
        raise LogError(message, code="forbidden")


def _notify(users, kind: str, text, log: Log, url: str = "") -> None:
    for user in {u.id: u for u in users if u is not None}.values():  # one who has left is not told (notify.reached)
        notify(user, kind, text, url=url, log=log, dedupe_key=f"{kind}:{log.id}:{user.id}:{utcnow().isoformat()}")


def unit_leaders_of(log: Log) -> list[User]:
    """The active leaders of the log's unit (told of a deletion request, reminded for a
    holder who has left)."""
    return active_unit_leaders(log.unit_id)


def keepers_of(log: Log) -> list[User]:
    """Who looks after an ended log for the family, and is told what happens to it: its
    holder, or once the holder has left (access.holder_left) the leaders of its unit, who
    stand in for them (token stand_in). One who has left no longer reads the log."""
    return keepers_by_log([log])[log.id]


def keepers_by_log(logs: list[Log]) -> dict[int, list[User]]:
    """keepers_of each of `logs` (each with its holder): the leaders of the units whose
    logs' holders have left, in one query (a batch of reminders), none when no one has."""
    left = {log.id for log in logs if holder_left(log, log.holder)}
    leaders = active_leaders_by_unit({log.unit_id for log in logs if log.id in left})
    return {log.id: leaders[log.unit_id] if log.id in left else [log.holder] for log in logs}


def _still_guardians(log: Log, users: list[User]) -> list[User]:
    """Those of the users who are the log's guardians now: someone the holder removed asked
    as a guardian, but is told nothing more of the log (their access ended with the removal)."""
    linked = {row.user_id for row in Guardian.select(Guardian.user).where(Guardian.log == log.id)}
    return [u for u in users if u is not None and u.id in linked]


# ------------------------------------------------------------------ close, passive, reopen


def close_log(
    by: User,
    log: Log,
    reason: str = "",
    note: str = "",
    coordinator_name: str = "",
    coordinator_service: str = "",
    *,
    keep: str,
    agreed_by_name: str = "",
    agreed_as: str = "guardian",
) -> Log:
    """seed 001: the holder closes the log when there is no longer a need for
    coordinated effort, or an IP is created. A reason is not required; with an IP
    the koordinator's name and service are recorded. A closed log is read-only.

    The family's answer to "Skal loggen tas vare på?" is required and never assumed:
    "yes" (with who agreed) makes the log passive at once, "no" lets the unit leader
    delete it, "undecided" keeps it out of the deletion queue until the holder records
    the answer (the holder is reminded)."""
    keep = check_keep_answer(log, keep, agreed_by_name, agreed_as)
    reason = (reason or "").strip()
    if reason and reason not in CLOSE_REASONS:
        raise LogError(_("Velg en av årsakene, eller la feltet stå tomt."), "reason")
    coordinator_name, coordinator_service = coordinator_name.strip(), coordinator_service.strip()
    if reason == "ip_created":
        if not coordinator_name:
            raise LogError(_("Skriv navnet på koordinatoren for den individuelle planen."), "coordinator_name")
        if not coordinator_service:
            raise LogError(_("Skriv hvilken tjeneste koordinatoren hører til."), "coordinator_service")
    else:
        coordinator_name = coordinator_service = ""
    if len(note) > NOTE_MAX:
        raise LogError(_("Merknaden kan ha høyst %(n)s tegn.", n=NOTE_MAX), "note")
    with write_transaction():
        log = fresh_log(log)
        states.check(by, log, "close")
        if reason == "consent_withdrawn":  # the family told the holder: as if they withdrew it here
            _mark_withdrawn(log)
        _close(by, log, "close", reason, note.strip(), coordinator_name, coordinator_service, keep_answer=keep)
        if keep == "yes":
            _make_passive(by, Log.get_by_id(log.id), agreed_by_name, agreed_as)
        participants = [p.user for p in Participant.select(Participant, User).join(User).where(Participant.log == log)]
        _notify(
            participants,
            "log_closed",
            msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id),
            log,
        )
    return Log.get_by_id(log.id)


def _withdraw_proposal(log: Log, reason: str) -> None:
    """A log that closes or reopens hands nothing on: a pending proposal of a new holder
    (also one made by accepting a takeover request) is withdrawn, and the proposed person
    is told. `reason` is stored as a code (log_closed, log_reopened), as the other
    system withdrawals are (deactivated, direct_assignment), never as text in one language. Otherwise they could take over a log its holder has just reopened to work
    in again."""
    pending = pending_for(log)
    if pending is not None:
        cancel_handover(User.get_by_id(log.holder_id), pending, system_reason=reason)


def _close(
    by: User,
    log: Log,
    action: str,
    reason: str,
    note: str,
    coordinator_name: str = "",
    coordinator_service: str = "",
    keep_answer: str = "undecided",
) -> None:
    _withdraw_proposal(log, "log_closed")
    void_invitations(log)
    states.apply(
        by,
        log,
        action,
        closed_at=utcnow(),
        closed_version=Log.version + 1,  # the version this close gives it (states.apply)
        close_reason=reason,
        close_note=note,
        coordinator_name=coordinator_name,
        coordinator_service=coordinator_service,
        guardian_agreed_to_keep=False,
        keep_agreed_by="",
        keep_agreed_on=None,
        keep_answer=keep_answer if keep_answer != "yes" else "undecided",  # "yes" is recorded by make_passive
    )


def void_invitations(log: Log) -> int:
    """The log's unused invitations end for good when it ends (closed, consent withdrawn,
    deletion asked for): reopening the log does not bring them back. The holder vouched
    for the person who got the code on the consent the family gave then; after the
    family withdrew it, or the log's work ended, a new invitation is a new decision.
    In the caller's transaction; returns how many."""
    now = utcnow()
    return (
        GuardianInvitation.update(voided_at=now)
        .where(
            GuardianInvitation.guardian.in_(Guardian.select(Guardian.id).where(Guardian.log == log.id)),
            GuardianInvitation.used_at.is_null(),
            GuardianInvitation.voided_at.is_null(),
            GuardianInvitation.expires_at > now,
        )
        .execute()
    )


def check_keep_answer(log: Log, keep: str, agreed_by_name: str = "", agreed_as: str = "guardian") -> str:
    """The answer to "Skal loggen tas vare på?" must be given; a "yes" names who agreed."""
    keep = (keep or "").strip()
    if keep not in KEEP_ANSWERS:
        raise LogError(
            _("Svar på om loggen skal tas vare på. Velg «Ikke avklart ennå» hvis dere ikke har spurt familien."),
            "keep",
        )
    if keep == "yes":
        check_keep_agreement(log, agreed_by_name, agreed_as)
    return keep


def standing_in(user: User, log: Log) -> bool:
    """The person is the unit leader standing in for an ended log's holder who has left
    (access.holder_left, token stand_in): the ended log's page (lifecycle.close) is theirs,
    where they record the family's answer and remove guardians; the log's own page is not."""
    tokens = log_tokens(user, log)
    return "stand_in" in tokens and "holder" not in tokens


def record_keep_answer(by: User, log: Log, keep: str, agreed_by_name: str = "", agreed_as: str = "guardian") -> Log:
    """The holder records the family's answer after closing: "yes" makes the log
    passive, "no" lets the unit leader delete it, "undecided" keeps asking."""
    keep = check_keep_answer(log, keep, agreed_by_name, agreed_as)
    if keep == "yes":
        return make_passive(by, log, agreed_by_name, agreed_as)
    with write_transaction():
        log = fresh_log(log)
        states.apply(by, log, "answer_keep", keep_answer=keep)
    return Log.get_by_id(log.id)


def make_passive(by: User, log: Log, agreed_by_name: str, agreed_as: str = "guardian") -> Log:
    """seed 001: a closed log becomes passive (kept) when a guardian, or the youth
    when 16 or older, agrees. The agreement is recorded: who and when."""
    check_keep_agreement(log, agreed_by_name, agreed_as)
    with write_transaction():
        _make_passive(by, fresh_log(log), agreed_by_name, agreed_as)
    return Log.get_by_id(log.id)


def _make_passive(by: User, log: Log, agreed_by_name: str, agreed_as: str) -> None:
    states.apply(
        by,
        log,
        "make_passive",
        guardian_agreed_to_keep=True,
        keep_answer="yes",
        keep_agreed_by=(agreed_by_name or "").strip()[:200],
        keep_agreed_on=local_today(),
    )


def check_keep_agreement(log: Log, agreed_by_name: str, agreed_as: str) -> None:
    """Who may agree that a log is kept: a guardian, or the youth at the consent age."""
    if not (agreed_by_name or "").strip():
        raise LogError(_("Skriv navnet på den som har sagt ja til at loggen tas vare på."), "agreed_by_name")
    if agreed_as not in ("guardian", "youth"):
        raise LogError(_("Velg om det er en foresatt eller ungdommen selv som har sagt ja."), "agreed_as")
    if agreed_as == "youth" and not of_consent_age(log.subject.birth_date):
        raise LogError(_("Ungdommen må være minst %(limit)s år for å samtykke selv.", limit=consent_age()), "agreed_as")


def reopen(by: User, log: Log) -> Log:
    """seed 001: a closed or passive log is reopened with new consent. Everything
    written before stays (content, consents, holder history); the log waits in draft
    until the new consent is uploaded, and a later close needs a new agreement."""
    with write_transaction():
        log = fresh_log(log)
        reopened = states.apply(by, log, "reopen", **states.REOPEN_RESET)
        _withdraw_proposal(reopened, "log_reopened")
    return reopened


# ------------------------------------------------------------------ guardians' own actions


def withdraw_consent(by: User, log: Log) -> Log:
    """seed 001: guardians (or the youth 16+) may withdraw consent at any time
    without giving a reason; the log closes."""
    with write_transaction():
        log = fresh_log(log)
        states.check(by, log, "withdraw_consent")
        _withdraw(by, log)
        _notify(
            keepers_of(log),  # the log has ended
            "consent_withdrawn",
            msg("Samtykket til stafettlogg nr. %(id)s er trukket tilbake. Loggen er avsluttet.", id=log.id),
            log,
            url=path_for("logs.show", log_id=log.id),
        )
    return Log.get_by_id(log.id)


def _mark_withdrawn(log: Log) -> None:
    """The consent in force is withdrawn: from now on only the holder and the unit leader
    read the ended log (states.unreadable_reason), whoever recorded the withdrawal: the
    family on their page, or the holder closing the log with that reason (seed 001: the
    family may withdraw at any time, also by telling the holder)."""
    Consent.update(withdrawn_at=utcnow()).where(Consent.log == log, states.consent_in_force()).execute()


def _withdraw(by: User, log: Log, keep_answer: str = "undecided") -> None:
    _mark_withdrawn(log)
    _close(by, log, "withdraw_consent", "consent_withdrawn", "", keep_answer=keep_answer)


def request_deletion(by: User, log: Log, reason: str = "") -> DeletionRequest:
    """seed 001: guardians may demand that the log's information is deleted. The
    request lands in the unit leader's queue. An open log is closed at the same time
    (consent withdrawn): one cannot ask for deletion and keep working in it."""
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise LogError(_("Teksten kan ha høyst %(n)s tegn.", n=NOTE_MAX), "reason")
    with write_transaction():
        log = fresh_log(log)
        if open_deletion_request(log) is not None and "guardian" in states.roles_of(by, log):
            raise LogError(_("Dere har allerede bedt om sletting. Enhetslederen behandler kravet."), code="state")
        states.check(by, log, "request_deletion")
        # asking for deletion answers "Skal loggen tas vare på?" with no
        if log.status in OPEN:
            _withdraw(by, log, keep_answer="no")
            log = Log.get_by_id(log.id)

        def create_request():
            return DeletionRequest.create(log=log, requested_by=by, reason=reason)

        keep = {"keep_answer": "no"} if log.status == LogStatus.CLOSED else {}
        states.apply(by, log, "request_deletion", obj=create_request, **keep)
        void_invitations(log)
        request = open_deletion_request(log)
        text = msg("Foresatte har bedt om at stafettlogg nr. %(id)s slettes.", id=log.id)
        leaders = unit_leaders_of(log)
        _notify(leaders, "deletion_requested", text, log, url=path_for("lifecycle.queue", unit_id=log.unit_id))
        holders = [user for user in keepers_of(log) if user not in leaders]  # the log has ended
        _notify(holders, "deletion_requested", text, log, url=path_for("logs.show", log_id=log.id))
    return request


# ------------------------------------------------------------------ deletion (unit leader)


def deletion_reason(log: Log, requested: bool | None = None) -> str | None:
    """Why the unit leader may delete this log now, or None (seed 001). requested: whether
    the family has an open deletion request, when the caller has read that for many logs
    at once (the unit leader's queue); else it is read here."""
    if log.status not in ENDED:
        return None
    if requested is None:
        requested = open_deletion_request(log) is not None
    if requested:
        return "guardian_request"
    if log.status == LogStatus.PASSIVE:
        return "passive_by_agreement"
    if log.keep_answer == "no" and not log.guardian_agreed_to_keep:
        return "not_kept"
    return None


def refuse_deletion(by: User, log: Log, request: DeletionRequest, response: str) -> DeletionRequest:
    """The unit leader answers a deletion request with a refusal and the reason (for
    example a duty to keep under the archive law); the guardian is told."""
    response = (response or "").strip()
    if not response:
        raise LogError(_("Skriv hvorfor kravet ikke kan innfris. Svaret vises for de foresatte."), "response")
    if len(response) > NOTE_MAX:
        raise LogError(_("Svaret kan ha høyst %(n)s tegn.", n=NOTE_MAX), "response")
    with write_transaction():
        log = fresh_log(log)
        require_role(by, log, "unit_leader", _("Bare enhetslederen kan behandle krav om sletting."))
        changed = (
            DeletionRequest.update(handled_at=utcnow(), handled_by=by, outcome="refused", response=response)
            .where(DeletionRequest.id == request.id, DeletionRequest.log == log, deletion_request_open())
            .execute()
        )
        if not changed:
            raise LogError(_("Kravet er allerede behandlet."), code="state")
        audit.record("deletion_refused", log=log, obj=request, user=by, role="unit_leader")
        _notify(
            _still_guardians(log, [request.requested_by]),
            "deletion_refused",
            msg("Enhetslederen har svart på kravet om sletting av stafettloggen."),
            log,
            url=path_for("guardian.show", log_id=log.id),
        )
    return DeletionRequest.get_by_id(request.id)


DELETION_AGREED_WITH = ("guardian", "youth")


def check_deletion_agreement(log: Log, reason: str, agreed_with: str, agreed_on) -> tuple[str, object]:
    """seed 001: «Enhetsleder kan etter avtale slette en logg som er satt passiv.» The
    family agreed to keep a passive log: deleting it takes a new agreement, with a guardian
    or the youth, on a day not in the future and not before the log was closed. Other
    reasons carry none."""
    if reason != "passive_by_agreement":
        return "", None
    if agreed_with not in DELETION_AGREED_WITH:
        raise LogError(_("Velg hvem dere avtalte slettingen med."), "agreed_with")
    if agreed_on is None:
        raise LogError(_("Skriv datoen dere avtalte slettingen."), "agreed_on")
    closed_on = local(log.closed_at).date() if log.closed_at is not None else None
    if agreed_on > local_today() or (closed_on is not None and agreed_on < closed_on):
        raise LogError(_("Datoen for avtalen kan ikke være i fremtiden eller før loggen ble avsluttet."), "agreed_on")
    return agreed_with, agreed_on


def delete_log(
    by: User, log: Log, reason: str, archive_waiver: str = "", *, agreed_with: str = "", agreed_on=None
) -> LogTombstone:
    """seed 001: the unit leader deletes a passive log by agreement (with whom and when,
    check_deletion_agreement), a closed log
    the guardians did not agree to keep, or a log whose guardians asked for deletion.
    All content and files are purged; a tombstone without personal data remains, and
    audit events keep ids only. On SQLite what is deleted is overwritten in the file
    (secure_delete) and the WAL emptied, so that no byte of either holds the deleted data
    (SECURITY.md "Deletion purges")."""
    if problem := waiver_problem(archive_waiver):
        raise LogError(problem, "archive_waiver")
    with write_transaction():
        log = fresh_log(log)
        waivers = {"archive_waiver": archive_waiver}
        states.check(by, log, "delete", waivers)
        allowed = deletion_reason(log)
        if reason != allowed:
            raise LogError(_("Årsaken til slettingen passer ikke med loggens status. Last siden på nytt."), "reason")
        agreed_with, agreed_on = check_deletion_agreement(log, reason, agreed_with, agreed_on)
        archive_waiver = "" if is_archived(log) else archive_waiver.strip()
        requesters = _still_guardians(
            log, [r.requested_by for r in DeletionRequest.select().where(DeletionRequest.log == log)]
        )
        tombstone = LogTombstone.create(
            log_id=log.id,
            unit=log.unit_id,
            created_at=log.created_at,
            closed_at=log.closed_at,
            deleted_by=by,
            reason=reason,
            archive_waiver=archive_waiver,
            archive_reference=log.archive_reference,
            agreed_with=agreed_with,
            agreed_on=agreed_on,
        )
        states.apply(by, log, "delete", obj=tombstone, waivers=waivers)
        emails = {u.email: u for u in requesters if u.email}
        _purge(log)
        cancel_undelivered(log)
        for address in sorted(emails):  # queued with the deletion, sent after commit
            _send_deleted_email(address, emails[address])
    overwrite_on_disk()
    return tombstone


def _send_deleted_email(address: str, recipient: User) -> None:
    send_email(
        address,
        msg("Stafettloggen er slettet"),
        msg(
            "Stafettloggen dere ba om å få slettet, er nå slettet fra Stafettlogg.\n\n"
            "Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten."
        ),
        recipient=recipient,
    )


def _delete_rows_of(log_id: int, *models) -> None:
    """Every row of the log in these tables, in this order (a row before those it refers to)."""
    for model in models:
        model.delete().where(model.log == log_id).execute()


def _purge(log: Log) -> None:
    """Delete every row that belongs to the log, children first (no reliance on
    cascades, which differ between databases). Guardian accounts that only existed
    for this log go too."""
    log_id = log.id
    subject_id = log.subject_id
    meetings = Meeting.select(Meeting.id).where(Meeting.log == log_id)
    measures = Measure.select(Measure.id).where(Measure.log == log_id)
    guardians = Guardian.select(Guardian.id).where(Guardian.log == log_id)
    guardian_users = [
        row[0]
        for row in Guardian.select(Guardian.user).where(Guardian.log == log_id, Guardian.user.is_null(False)).tuples()
    ]
    file_ids = [row[0] for row in Consent.select(Consent.file).where(Consent.log == log_id).tuples()]

    MinutesCorrection.delete().where(MinutesCorrection.meeting.in_(meetings)).execute()
    MeetingInvitee.delete().where(MeetingInvitee.meeting.in_(meetings)).execute()
    Evaluation.delete().where(Evaluation.measure.in_(measures)).execute()
    _delete_rows_of(log_id, Measure, Meeting, Goal, Concern, Highlight, Entry, ChildTalk, ChildTalkAgreement)
    _delete_rows_of(log_id, GuideAnswer, ClassGroupPeriod, LogPeriod, Consent)
    if file_ids:
        StoredFile.delete().where(StoredFile.id.in_(file_ids)).execute()
    GuardianInvitation.delete().where(GuardianInvitation.guardian.in_(guardians)).execute()
    _delete_rows_of(log_id, DeletionRequest, Guardian, Participant, Handover)
    Notification.delete().where(Notification.log_id == log_id).execute()
    OutboxEmail.delete().where(OutboxEmail.log_id == log_id).execute()  # addresses, names
    Log.delete().where(Log.id == log_id).execute()
    if not Log.select().where(Log.subject == subject_id).exists():  # a subject may be shared by several logs
        Subject.delete().where(Subject.id == subject_id).execute()
    for user_id in set(guardian_users):
        if not Guardian.select().where(Guardian.user == user_id).exists():
            Notification.delete().where(Notification.user == user_id).execute()
            DeletionRequest.delete().where(DeletionRequest.requested_by == user_id).execute()
            User.delete().where(User.id == user_id, User.role == Role.GUARDIAN).execute()


def overwrite_on_disk() -> None:
    """Bring the deletion into the SQLite file and empty the WAL, whose earlier frames
    still hold the pages as they were: secure_delete (db.py) has already overwritten what
    was deleted, so no VACUUM is needed for that. A VACUUM rewrites the whole file under an
    exclusive lock, for minutes when the file holds gigabytes of consent scans: every other
    writer would wait past its busy timeout, and the request past gunicorn's."""
    if not is_sqlite() or db.in_transaction():
        return
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
