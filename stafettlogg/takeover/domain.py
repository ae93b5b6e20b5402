"""Taking over an earlier log without an oracle (seed 001 "Rutine for å opprette og endre
stafettholder", seed 002: the holder keeps the baton until the new one has accepted).

A staff member who finds an earlier log by the child's fødselsnummer and is not its
former holder never gets the log from the search: they learn only that a log exists,
and a request goes to the person responsible for it — the holder while the log is in
use, the unit leader of the log's unit once it has ended. That person accepts (a
handover proposed to the requester, who must accept it like every handover; an ended
log reopens to them as a draft, so no content shows before a new consent is on file)
or declines with a reason the requester reads. An open deletion request blocks the
whole path. Searches by fødselsnummer are limited per user, counted in the database.
"""

import datetime as dt

from flask import current_app, has_app_context
from peewee import JOIN

from stafettlogg import audit
from stafettlogg.db import locked, prepared, write_transaction
from stafettlogg.handover import domain as handovers
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import states
from stafettlogg.logs.errors import LogError, locked_log
from stafettlogg.models import Answer, Handover, Log, LogRequest, NationalIdLookup, Role, Subject, User, utcnow
from stafettlogg.notify import msg, notify, reaches
from stafettlogg.org.queries import active_unit_leaders
from stafettlogg.web import path_for

PENDING, ACCEPTED, DECLINED = Answer.PENDING, Answer.ACCEPTED, Answer.DECLINED
MAX_REASON = 2000

# Searches by fødselsnummer a person may make in LOOKUP_WINDOW (config LOOKUP_LIMIT).
LOOKUP_WINDOW = dt.timedelta(hours=24)
DEFAULT_LOOKUP_LIMIT = 20

# ------------------------------------------------------------------ rate limit


def _limit() -> int:
    if has_app_context():
        return int(current_app.config.get("LOOKUP_LIMIT") or DEFAULT_LOOKUP_LIMIT)
    return DEFAULT_LOOKUP_LIMIT


def lookups_left(by: User) -> int:
    since = utcnow() - LOOKUP_WINDOW
    used = NationalIdLookup.select().where(NationalIdLookup.user == by.id, NationalIdLookup.at > since).count()
    return max(0, _limit() - used)


def count_lookup(by: User) -> None:
    """Count one search by fødselsnummer, or refuse it when the person has used up the
    limit (LogError with code "rate_limited"; nothing is searched then)."""
    with write_transaction():
        if lookups_left(by) <= 0:
            raise LogError(
                _(
                    "Du har søkt etter tidligere stafettlogger med fødselsnummer %(limit)s ganger det siste døgnet. "
                    "Det er grensen, for å verne barnas personvern. Prøv igjen i morgen, eller snakk med enhetslederen din.",
                    limit=_limit(),
                ),
                "national_id",
                code="rate_limited",
            )
        NationalIdLookup.create(user=by.id)


# ------------------------------------------------------------------ asking


def responsible_for(log: Log) -> list[User]:
    """Who answers a request: the holder while the log is in use, the unit leaders of
    the log's unit once it has ended."""
    if log.status in states.OPEN:
        return [User.get_by_id(log.holder_id)]  # one who has left is told nothing (notify.reached)
    return active_unit_leaders(log.unit_id)


def open_request(log: Log, requester: User) -> LogRequest | None:
    return LogRequest.get_or_none(
        LogRequest.log == log, LogRequest.requester == requester.id, LogRequest.status == PENDING
    )


def ask_for_log(by: User, log: Log) -> LogRequest | None:
    """Someone outside the log found it by fødselsnummer and asks for it. One pending
    request per person and log; none while the family has asked for deletion, nor while
    no one can answer it (an ended log whose unit has no active leader): None, and the
    requester learns only that the log cannot be taken over now, never that a message
    was sent that reaches no one."""
    with write_transaction():
        # locked: two requests at once (a double click, two tabs) make one, on PostgreSQL too
        log = locked_log(log)
        if states.BLOCKERS["deletion_requested"].applies(log):
            return None
        existing = open_request(log, by)
        if existing is not None:
            return existing
        answerers = [user for user in responsible_for(log) if reaches(user)]
        if not answerers:
            return None
        request = LogRequest.create(log=log, requester=by.id)
        audit.record("log_requested", log=log, obj=request, user=by, role=by.role)
        text = msg(
            "%(name)s, %(job)s ved %(unit)s, har funnet stafettlogg nr. %(id)s ved søk på fødselsnummer og ber om å få ta den over. Godta eller avslå forespørselen.",
            name=by.name,
            job=by.job_title,
            unit=by.unit.name if by.unit_id else "",
            id=log.id,
        )
        for user in answerers:
            notify(
                user,
                "log_requested",
                text,
                url=path_for("requests.show", request_id=request.id),
                log=log,
                dedupe_key=f"log_requested:{request.id}:{user.id}",
            )
    return request


# ------------------------------------------------------------------ answering


def for_responder(user: User, request_id: int) -> LogRequest | None:
    """The request, if this person may answer it now (or could have: a decided request
    stays readable to them); None for everyone else."""
    request = LogRequest.get_or_none(LogRequest.id == request_id)
    if request is None:
        return None
    log = Log.get_or_none(Log.id == request.log_id)
    if log is None:
        return None
    roles = states.roles_of(user, log)
    if not roles & set(states.TRANSITIONS["decline_request"].roles):
        return None
    return request


def waiting_for(user: User) -> list[LogRequest]:
    """Pending requests this person answers: for the logs they hold while in use, and for
    their unit's ended logs when they lead it. Each says whether the start page names the
    child (child_named): to the holder, who is on the log; a leader answering for an ended
    log reads the log's number there, and the child's name on the request's own page,
    which is audited (a list naming the unit's children is a read of each)."""
    if user.role == Role.UNIT_LEADER and user.unit_id:
        found = list(_waiting_for.rows(user.id, user.unit_id))
    else:
        found = list(_waiting_for.rows(user.id))
    for request in found:
        request.child_named = request.log.holder_id == user.id
    return found


@prepared
def _waiting_for(user_id: int, unit_id: int | None = None):
    """A prepared read: for a unit leader (unit_id), also the unit's ended logs."""
    requester = User.alias("requester")
    mine = (Log.holder == user_id) & Log.status.in_(states.OPEN)
    if unit_id is not None:
        mine = mine | ((Log.unit == unit_id) & Log.status.in_(states.ENDED))
    return (
        LogRequest.select(LogRequest, Log, Subject, requester)
        .join(Log)
        .join(Subject)
        .switch(LogRequest)
        .join(requester, on=(LogRequest.requester == requester.id))
        .where(LogRequest.status == PENDING, mine)
        .order_by(LogRequest.created_at, LogRequest.id)
    )


def sent_by(user: User) -> list[LogRequest]:
    """The requester's own requests: pending, and the answers of the last 30 days. Only
    the request's state and a decline's reason, never the log's holder, unit or content."""
    # from the start of the (UTC) day 30 days ago, as created_at is stored: the read is
    # prepared once a day
    since = (utcnow() - dt.timedelta(days=30)).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(_sent_by.rows(user.id, since=since))


@prepared
def _sent_by(user_id: int, *, since: dt.datetime):
    # with the proposal an accepted request made: the requester reads whether it still waits
    return (
        LogRequest.select(LogRequest, Handover)
        .join(Handover, JOIN.LEFT_OUTER, on=(LogRequest.handover == Handover.id))
        .where(LogRequest.requester == user_id, (LogRequest.status == PENDING) | (LogRequest.decided_at > since))
        .order_by(LogRequest.created_at.desc(), LogRequest.id.desc())
    )


def _load_pending(request: LogRequest) -> tuple[LogRequest, Log]:
    request = LogRequest.get_by_id(request.id)
    log = Log.get_by_id(request.log_id)
    if not request.pending:
        raise LogError(_("Forespørselen er allerede besvart."), code="decided")
    return request, log


def _decide(request: LogRequest, by: User, status: str, **values) -> None:
    error = LogError(_("Forespørselen er allerede besvart."), code="decided")
    request.close_pending(status, error, decided_by=by.id, **values)


def accept(by: User, request: LogRequest) -> Handover:
    """The holder or unit leader accepts: a handover is proposed to the requester, who
    accepts it (seed 002). The former holder stays holder until then."""
    with write_transaction():
        request, log = _load_pending(request)
        # the requester's row before the log's, as every proposal takes them (handover.
        # lock_person): a deactivation or move of the requester that comes first is read
        # here; one that comes after waits for this proposal and withdraws it
        requester = locked(User.select().where(User.id == request.requester_id))
        log = locked_log(log)  # the row lock, and the log as it is now
        states.check(by, log, "accept_request")
        if not requester.active or requester.role not in Role.STAFF_LIKE or requester.unit_id is None:
            raise LogError(
                _("%(name)s har ikke lenger aktiv tilgang og kan ikke bli stafettholder.", name=requester.name)
            )
        if "holder" in states.roles_of(requester, log):  # not a former holder who has left it
            raise LogError(_("%(name)s er allerede stafettholder.", name=requester.name))
        reason = msg("Forespørsel etter søk på fødselsnummer, godtatt av %(name)s.", name=by.name)
        handover = handovers.create_handover(log, requester.id, "", by, system_note=reason)
        _decide(request, by, ACCEPTED, handover=handover.id)
        role = "holder" if by.id == log.holder_id else "unit_leader"
        audit.record("log_request_accepted", log=log, obj=request, user=by, role=role)
        audit.record("handover_proposed", log=log, obj=handover, user=by, role=role)
        handovers.tell_proposed(handover, log, requester, by)
        if log.status in states.OPEN and by.id != log.holder_id:
            # the unit leader answered for the holder of a log in use (seed 001: the holder
            # changes holder): the holder learns it now, not when the role has moved
            text = msg(
                "%(name)s har godtatt en forespørsel om å overta stafettlogg nr. %(id)s og foreslått %(requester)s som ny stafettholder. Du er stafettholder til forslaget er godtatt, og kan trekke det tilbake.",
                name=by.name,
                id=log.id,
                requester=requester.name,
            )
            url = path_for("handover.holder", log_id=log.id)
            handovers.tell(User.get_by_id(log.holder_id), "log_request_accepted", text, url, handover)
    return handover


def proposal_of(request: LogRequest) -> Handover | None:
    """The proposal an accepted request made, while the requester has not answered it."""
    if request.status != ACCEPTED or request.handover_id is None:
        return None
    return Handover.get_or_none(Handover.id == request.handover_id, Handover.status == handovers.PENDING)


def may_withdraw(by: User, request: LogRequest) -> bool:
    """Whether this person may take back the proposal the request made (handover.may_withdraw)."""
    proposal = proposal_of(request)
    return proposal is not None and handovers.may_withdraw(by, proposal, Log.get_by_id(request.log_id))


def withdraw(by: User, request: LogRequest) -> Handover:
    """The responder who accepted takes the proposal back while the requester has not
    answered (an accept by mistake, or a requester who never answers): otherwise an ended
    log whose holder has left waits on the requester, and no other request for it can be
    accepted. The requester is told; the request stays answered."""
    proposal = proposal_of(LogRequest.get_by_id(request.id))
    if proposal is None:
        raise LogError(_("Det er ikke noe forslag å trekke tilbake."), code="decided")
    try:
        return handovers.cancel_handover(by, proposal)
    except handovers.HandoverError as e:
        raise LogError(str(e), code="forbidden") from e


def decline(by: User, request: LogRequest, reason: str) -> LogRequest:
    """Declined with a reason the requester reads (they may write to the family or to
    the unit leader; the reason is the responder's own words)."""
    reason = (reason or "").strip()
    if not reason:
        raise LogError(_("Skriv hvorfor du avslår, så den som spurte vet hva de kan gjøre."), "reason")
    if len(reason) > MAX_REASON:
        raise LogError(_("Begrunnelsen kan ha høyst %(n)s tegn.", n=MAX_REASON), "reason")
    with write_transaction():
        request, log = _load_pending(request)
        states.check(by, log, "decline_request")
        _decide(request, by, DECLINED, decline_reason=reason)
        role = "holder" if by.id == log.holder_id else "unit_leader"
        audit.record("log_request_declined", log=log, obj=request, user=by, role=role)
        notify(
            User.get_by_id(request.requester_id),
            "log_request_declined",
            msg("Forespørselen din om å overta en tidligere stafettlogg er avslått. Begrunnelsen står på startsiden."),
            url=path_for("main.index"),
            dedupe_key=f"log_request_declined:{request.id}",
        )
    return LogRequest.get_by_id(request.id)
