"""Handing over the holder role (seed 001 "Rutine for å opprette og endre stafettholder",
seed 002 "Stafetthaldar held i stafettpinnen til han er motteken og akseptert av ein ny
stafetthaldar"): a log always has exactly one holder, and the old holder keeps the role
until the new one accepts.

State machine of a Handover: pending → accepted | declined | cancelled. A direct
assignment by the unit leader (staff leaving) is created accepted, with
direct_assignment=True, so the history shows it was not accepted by the new holder.
"""

from peewee import JOIN

from stafettlogg import audit
from stafettlogg.access import holder_left, log_tokens, of_consent_age
from stafettlogg.db import locked, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import states
from stafettlogg.logs.class_groups import record_class_group
from stafettlogg.logs.domain import search_staff
from stafettlogg.logs.errors import locked_log
from stafettlogg.models import (
    YOUTH_RELATION,
    Answer,
    Guardian,
    Handover,
    Log,
    LogRequest,
    Notification,
    Participant,
    Role,
    Subject,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from stafettlogg.notify import NOT_REACHED, Message, NotTold, dumps, msg, notify, send_email
from stafettlogg.org.queries import active_unit_leaders
from stafettlogg.web import path_for

PENDING, ACCEPTED, DECLINED, CANCELLED = Answer.PENDING, Answer.ACCEPTED, Answer.DECLINED, Answer.CANCELLED
MOVED = "moved"  # system_reason of a proposal withdrawn because its proposed holder moved to another unit


class HandoverError(ValueError):
    """A rule was broken. The message is for the user; nothing was stored."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def lock_person(person: User | None) -> User | None:
    """The person proposed or assigned as holder, re-read inside the write transaction
    under its row lock (db.locked), taken before the log's (locked_log), as a move takes it first
    (org.domain.move_staff): a move and a proposal to the person wait for each other. The
    move then withdraws a proposal made before it; one chosen from how the person was
    before a move that came first is refused here, so none to someone who has just left
    survives it."""
    if person is None:
        return None
    fresh = locked(User.select().where(User.id == person.id))
    if fresh is None or (fresh.unit_id, fresh.role, fresh.active) != (person.unit_id, person.role, person.active):
        raise HandoverError(_("%(name)s er endret av noen andre. Last siden på nytt.", name=person.name), "to_user")
    return fresh


def pending_for(log: Log) -> Handover | None:
    return Handover.get_or_none(Handover.log == log, Handover.status == PENDING)


def last_declined(log: Log) -> Handover | None:
    """The log's latest proposal, when the proposed person declined it: the holder reads
    why on the handover page until the next proposal (seed 002: the holder keeps the role
    and finds another solution)."""
    latest = Handover.select().where(Handover.log == log).order_by(Handover.id.desc()).first()
    return latest if latest is not None and latest.status == DECLINED else None


def _check_new_holder(log: Log, to_user: User | None, by: User) -> None:
    if to_user is None:
        raise HandoverError(_("Velg hvem som skal bli ny stafettholder."), "to_user")
    # the holder is one already; a leader would be holder with no one else agreeing,
    # reading all of it. One refusal, the same from every way to a new holder.
    if to_user.id == by.id:
        raise HandoverError(_("Du kan ikke velge deg selv som ny stafettholder."), "to_user")
    if to_user.id == log.holder_id:
        raise HandoverError(_("%(name)s er allerede stafettholder.", name=to_user.name), "to_user")
    if not to_user.active:
        raise HandoverError(_("%(name)s er deaktivert og kan ikke bli stafettholder.", name=to_user.name), "to_user")
    if to_user.role not in Role.STAFF_LIKE or to_user.unit_id is None:
        raise HandoverError(_("Bare ansatte i en enhet kan være stafettholder."), "to_user")


def propose_handover(by: User, log: Log, to_user: User | None, note: str = "") -> Handover:
    """The holder proposes, or the leader of the log's unit (states "hand_over": when the
    family wishes another holder, or the holder is away for long; the leader writes why,
    and the holder is told); any active staff member of any unit; one pending proposal per
    log. The holder keeps the role until the proposed person accepts (seed 002)."""
    note = (note or "").strip()
    if len(note) > 2000:
        raise HandoverError(_("Notatet kan ha høyst 2000 tegn."), "note")
    with write_transaction():
        to_user = lock_person(to_user)
        log = locked_log(log)
        if (error := states.problem(by, log, "hand_over")) is not None:
            raise HandoverError(str(error))
        _check_new_holder(log, to_user, by)
        as_leader = proposes_as_leader(by, log)
        if as_leader and not note:
            raise HandoverError(
                _("Skriv hvorfor stafettholderen byttes. Stafettholderen og den du foreslår, ser det."), "note"
            )
        handover = create_handover(log, to_user, note, by)
        audit.record("handover_proposed", log=log, obj=handover, user=by, role="unit_leader" if as_leader else None)
        tell_proposed(handover, log, to_user, by)
        if as_leader:
            tell(
                User.get_by_id(log.holder_id),
                "handover_proposed_by_leader",
                msg(
                    "%(by)s har foreslått %(name)s som ny stafettholder for stafettlogg nr. %(id)s. Du er stafettholder til forslaget er godtatt.",
                    by=by.name,
                    name=to_user.name,
                    id=log.id,
                ),
                path_for("handover.holder", log_id=log.id),
                handover,
            )
    return handover


def proposes_as_leader(by: User, log: Log) -> bool:
    """The person changes the holder as the unit's leader, not as the holder."""
    return "holder" not in log_tokens(by, log)


def words_shown(by: User, handover: Handover | None, log: Log) -> bool:
    """A proposal's note and a declined proposal's reason are words about the child and
    the family: the holder reads them; the unit leader, who sees metadata and never
    content (DESIGN.md), only those of a proposal the leader made."""
    if handover is None:
        return False
    return not proposes_as_leader(by, log) or handover.created_by_id == by.id


def create_handover(log: Log, to_user, note: str, by: User, system_note: Message | None = None, **decided) -> Handover:
    """A handover from the log's holder now; `decided` for one that takes effect at once.
    A note the system writes is a msg(), stored untranslated and read in the reader's
    language (Handover.note_text)."""
    stored = dumps(system_note) if system_note is not None else ""
    return Handover.create(
        log=log,
        from_user=log.holder_id,
        from_unit_id=log.held_from_unit_id,
        log_unit_id=log.unit_id,
        to_user=to_user,
        note=note,
        system_note=stored,
        created_by=by,
        **decided,
    )


def tell(user: User, kind: str, text, url: str, handover: Handover, *key, **options) -> Notification | NotTold:
    """A notice about a handover, in its log's history: once per handover (and `key`).
    Nobody who has left is told (the former holder of an ended log taken over): notify's
    rule (notify.reached). Returns notify's answer."""
    dedupe_key = ":".join([kind, str(handover.id), *map(str, key)])
    return notify(user, kind, text, url=url, log=handover.log_id, dedupe_key=dedupe_key, **options)


def tell_proposed(handover: Handover, log: Log, to_user: User, by: User) -> None:
    text = msg(
        "%(name)s foreslår deg som ny stafettholder for stafettlogg nr. %(id)s. Godta eller avslå forslaget.",
        name=by.name,
        id=log.id,
    )
    tell(to_user, "handover_proposed", text, path_for("handover.respond", handover_id=handover.id), handover)


def _load_pending(handover: Handover) -> tuple[Handover, Log]:
    handover = Handover.get_by_id(handover.id)
    log = locked_log(handover.log)
    if not handover.pending:
        raise HandoverError(_("Forslaget er ikke lenger aktivt."))
    return handover, log


def _decide(handover: Handover, status: str, **values) -> None:
    handover.close_pending(status, HandoverError(_("Forslaget er ikke lenger aktivt.")), **values)


def _become_holder(log: Log, old_holder_id: int, new_holder: User) -> tuple[Log, int | None]:
    """Holder changes; the old holder stays a participant unless they have left
    (access.holder_left: deactivated, or moved to another unit, where the child no longer
    is). The log moves with the new holder to their unit when the child moves (follows_holder),
    and the class/group it had in the old unit is kept for that unit's overview of this
    school year. Returns the reloaded log and the unit it moved from (None when it stayed)."""
    moved_from = log.unit_id if follows_holder(log, new_holder) else None
    if moved_from is not None:
        record_class_group(log.id, moved_from, log.class_group)
    # The date the guardians were told who the holder is belongs to that holder: the new
    # one records their own (a task on their start page until they do).
    Log.update(
        holder=new_holder.id,
        holder_unit_id=new_holder.unit_id,
        unit=new_holder.unit_id if moved_from is not None else log.unit_id,
        guardians_informed_on=None,
        version=Log.version + 1,
    ).where(Log.id == log.id).execute()
    Participant.delete().where(Participant.log == log, Participant.user == new_holder.id).execute()
    old = User.get_by_id(old_holder_id)
    if (
        not holder_left(log, old)
        and not Participant.select().where(Participant.log == log, Participant.user == old_holder_id).exists()
    ):
        Participant.create(log=log, user=old_holder_id, added_by=new_holder.id)
    return Log.get_by_id(log.id), moved_from


def follows_holder(log: Log, new_holder: User) -> bool:
    """Does the log move to the new holder's unit? A log kept by the child's school or
    kindergarten stays there when a service takes over as holder (the school nurse, PPT:
    the child still goes there, and the school's overview lists them with their holder,
    seed 000); it moves to another school or kindergarten (the child moved, seed 001:
    «Enhetsleder melder til ny enhet»), and from a service to wherever the holder is."""
    if new_holder.unit_id is None or new_holder.unit_id == log.unit_id:
        return False
    kinds = {
        unit.id: unit.kind
        for unit in Unit.select(Unit.id, Unit.kind).where(Unit.id.in_([log.unit_id, new_holder.unit_id]))
    }
    return (
        kinds[new_holder.unit_id] in UnitKind.WHERE_CHILDREN_ARE
        or kinds[log.unit_id] not in UnitKind.WHERE_CHILDREN_ARE
    )


def _arrival_url(unit: Unit) -> str:
    """The unit's overview of logs (metadata only)."""
    return path_for("overview.unit_overview", unit_id=unit.id)


def _announce_move(log: Log, moved_from: int) -> None:
    """seed 001: "Enhetsleder melder til ny enhet" — the new unit's leaders are told a
    child has arrived, and the old unit's leaders that the child has moved out (their
    overview shows it). Neither message names the child (it may also go out by e-mail)."""
    _announce_arrival(log)
    unit = Unit.get_by_id(log.unit_id)
    old_unit = Unit.get_by_id(moved_from)
    for leader in active_unit_leaders(old_unit):
        notify(
            leader,
            "child_moved_out",
            msg(
                "Et barn med stafettlogg har flyttet fra %(old)s til %(unit)s (stafettlogg nr. %(id)s). Enhetens oversikt viser barnet som flyttet ut.",
                old=old_unit.name,
                unit=unit.name,
                id=log.id,
            ),
            url=_arrival_url(old_unit),
            log=log,
            dedupe_key=f"child_moved_out:{log.id}:{old_unit.id}:{log.version}:{leader.id}",
        )


def _announce_arrival(log: Log) -> None:
    unit = Unit.get_by_id(log.unit_id)
    for leader in active_unit_leaders(unit):
        notify(
            leader,
            "child_arrived",
            msg(
                "Et barn med stafettlogg har kommet til %(unit)s. Ny stafettholder er %(name)s (stafettlogg nr. %(id)s).",
                unit=unit.name,
                name=User.get_by_id(log.holder_id).name,
                id=log.id,
            ),
            url=_arrival_url(unit),
            log=log,
            dedupe_key=f"child_arrived:{log.id}:{unit.id}:{log.version}:{leader.id}",
        )


def _from_request(handover: Handover) -> bool:
    return LogRequest.select().where(LogRequest.handover == handover.id).exists()


def accept_handover(by: User, handover: Handover) -> Log:
    """The proposed person accepts: they become holder at once (seed 002)."""
    with write_transaction():
        handover, log = _load_pending(handover)
        if handover.to_user_id != by.id:
            raise HandoverError(_("Bare den som er foreslått, kan godta forslaget."))
        requested = _from_request(handover)
        if requested and states.BLOCKERS["deletion_requested"].applies(log):
            raise HandoverError(str(states.BLOCKERS["deletion_requested"].message))
        if requested and log.status in states.ENDED:  # it reopens to the new holder as a draft
            if (error := states.problem(by, log, "take_over")) is not None:
                raise HandoverError(str(error))
            log = states.apply(by, log, "take_over", obj=handover, **states.REOPEN_RESET)
        # the person the proposal names (above); whether it is still pending is _decide's
        elif (error := states.problem(by, log, "accept_handover", roles={"proposed_holder"})) is not None:
            raise HandoverError(str(error))
        to_user = User.get_by_id(handover.to_user_id)
        if not to_user.active:
            raise HandoverError(_("Du er deaktivert og kan ikke bli stafettholder."))
        if handover.from_user_id != log.holder_id:  # the holder changed another way meanwhile
            raise HandoverError(
                _("Stafettholderen er byttet siden forslaget ble sendt. Forslaget gjelder ikke lenger.")
            )
        _decide(handover, ACCEPTED)
        log, moved_from = _become_holder(log, handover.from_user_id, to_user)
        audit.record("handover_accepted", log=log, obj=handover, user=by)
        text = msg("%(name)s har godtatt å bli stafettholder for stafettlogg nr. %(id)s.", name=by.name, id=log.id)
        former = User.get_by_id(handover.from_user_id)
        tell(former, "handover_accepted", text, path_for("logs.show", log_id=log.id), handover)
        if handover.created_by_id not in (handover.from_user_id, handover.to_user_id):
            # a unit leader who proposed on behalf of a leaving holder
            proposer = User.get_by_id(handover.created_by_id)
            tell(proposer, "handover_accepted", text, path_for("main.index"), handover, "creator")
        if moved_from is not None:
            _announce_move(log, moved_from)
    return log


def decline_handover(by: User, handover: Handover, reason: str) -> Handover:
    """The proposed person declines with a reason; the holder keeps the role."""
    reason = (reason or "").strip()
    if not reason:
        raise HandoverError(_("Skriv hvorfor du avslår, så stafettholderen kan finne en annen løsning."), "reason")
    if len(reason) > 2000:
        raise HandoverError(_("Begrunnelsen kan ha høyst 2000 tegn."), "reason")
    with write_transaction():
        handover, log = _load_pending(handover)
        if handover.to_user_id != by.id:
            raise HandoverError(_("Bare den som er foreslått, kan avslå forslaget."))
        _decide(handover, DECLINED, decline_reason=reason)
        audit.record("handover_declined", log=log, obj=handover, user=by)
        for recipient_id in {handover.from_user_id, handover.created_by_id}:
            if recipient_id == log.holder_id:
                text = msg(
                    "%(name)s har avslått å bli stafettholder for stafettlogg nr. %(id)s. Du er fortsatt stafettholder.",
                    name=by.name,
                    id=log.id,
                )
                url = path_for("handover.holder", log_id=log.id)  # where the reason is shown
            else:
                text = msg(
                    "%(name)s har avslått å bli stafettholder for stafettlogg nr. %(id)s.", name=by.name, id=log.id
                )
                url = path_for("main.index")
            tell(User.get_by_id(recipient_id), "handover_declined", text, url, handover, recipient_id)
    return Handover.get_by_id(handover.id)


def may_withdraw(by: User, handover: Handover, log: Log) -> bool:
    """Who may withdraw a pending proposal: the holder (token holder: of a log in use also
    after moving away, of an ended log not once they have left, access.holder_left), the
    person who made it if not that holder (a unit leader for a holder who leaves, or who
    accepted a takeover request), or the unit leader standing in for the holder of an
    ended log who has left (states "stand_in"). A proposal the unit's leader made in the
    holder's place (the family asked for another holder; the holder is leaving) is not the
    holder's to withdraw: only the leaders of the log's unit withdraw it."""
    roles = states.roles_of(by, log)
    made_it = by.id == handover.created_by_id and by.id != log.holder_id
    if made_it:
        return True
    if made_in_holders_place(handover, log):
        return "unit_leader" in roles
    return bool(roles & {"holder", "stand_in"})


def made_in_holders_place(handover: Handover, log: Log) -> bool:
    """A proposal someone other than the holder made, not by accepting a takeover request:
    the unit's leader's (the family asked for another holder; the holder is leaving)."""
    return handover.created_by_id != log.holder_id and not _from_request(handover)


def cancel_handover(by: User, handover: Handover, *, system_reason: str = "", leaving: User | None = None) -> Handover:
    """The holder (or the unit leader who proposed it) withdraws a pending proposal. The
    proposed person is told. system_reason: a code for a withdrawal nobody chose (deactivated,
    moved, log_closed, log_reopened), stored as the decline reason."""
    with write_transaction():
        handover, log = _load_pending(handover)
        if not system_reason and not may_withdraw(by, handover, log):
            if made_in_holders_place(handover, log):
                raise HandoverError(_("Enhetslederen har foreslått dette. Bare enhetslederen kan trekke det tilbake."))
            raise HandoverError(_("Bare stafettholderen kan trekke tilbake forslaget."))
        _decide(handover, CANCELLED, decline_reason=system_reason)
        audit.record("handover_cancelled", log=log, obj=handover, user=by)
        to_user = User.get_by_id(handover.to_user_id)
        if leaving is None or leaving.id != to_user.id:
            told, url = to_user, path_for("main.notifications")
            text = msg(
                "Forslaget om at du skal bli stafettholder for stafettlogg nr. %(id)s er trukket tilbake.", id=log.id
            )
        else:  # the proposed person left (or moved away): the holder must find someone else
            told, url = User.get_by_id(log.holder_id), path_for("logs.show", log_id=log.id)
            if system_reason == MOVED:
                text = msg(
                    "Forslaget om ny stafettholder for stafettlogg nr. %(id)s er trukket tilbake fordi %(name)s har flyttet til en annen enhet. Du er fortsatt stafettholder.",
                    id=log.id,
                    name=to_user.name,
                )
            else:
                text = msg(
                    "Forslaget om ny stafettholder for stafettlogg nr. %(id)s er trukket tilbake fordi %(name)s er deaktivert. Du er fortsatt stafettholder.",
                    id=log.id,
                    name=to_user.name,
                )
        tell(told, "handover_cancelled", text, url, handover)
    return Handover.get_by_id(handover.id)


def _check_leader(by: User, log: Log, leaving: User | None, action: str) -> None:
    """The state table's answer for the unit leader choosing a new holder without the
    holder ("propose_holder", "assign_holder"), their role on the log being _leads_for's."""
    roles = {"unit_leader"} if _leads_for(by, log, leaving) else set()
    error = states.problem(by, log, action, roles=roles)
    if error is None:
        return
    if error.code == states.WAITING:
        raise HandoverError(
            _(
                "Stafettloggen venter på nytt samtykke, og et forslag kan ikke godtas før det er lastet opp. Velg direkte tildeling."
            ),
            "mode",
        )
    raise HandoverError(str(error))


def _leads_for(by: User, log: Log, leaving: User | None) -> bool:
    """Who may choose a new holder without the holder: the leader of the log's unit, or,
    for a holder who is leaving now, the leader of the unit the holder holds it from (seed
    001: the unit leader removes their staff who leave), also when the holder made the log
    for another unit (a public-health nurse for a kindergarten). Not the leader of a unit
    the holder has moved to since: the logs they kept in use are the old unit's children
    (log.holder_unit_id), whose leader chooses."""
    if not (by.role == Role.UNIT_LEADER and by.active and by.unit_id is not None):
        return False
    if by.unit_id == log.unit_id:
        return True
    return (
        leaving is not None and leaving.id == log.holder_id and leaving.unit_id == by.unit_id == log.held_from_unit_id
    )


def led_by(by: User, logs: list[Log], leaving: User) -> list[Log]:
    """Of a leaving or moving person's logs, those this unit leader chooses new holders
    for (_leads_for): the others are listed to them only as a number, never by the child."""
    return [log for log in logs if _leads_for(by, log, leaving)]


def holder_has_left(log: Log, leaving: User | None = None) -> bool:
    """access.holder_left, asked of the holder as the database has them now."""
    return holder_left(log, User.get_by_id(log.holder_id), leaving)


MAX_REASON = 2000


def assign_holder_directly(
    by: User, log: Log, to_user: User | None, reason: str = "", *, leaving: User | None = None
) -> Handover:
    """An emergency action (seed 002: the holder keeps the baton until the new one has
    accepted): only when the holder has left, the leader of the log's unit makes someone
    holder without their acceptance, with a reason. Recorded as a direct assignment,
    audited, and the guardians are told (a notice, and an e-mail sent after commit).
    Any pending proposal on the log is cancelled."""
    reason = (reason or "").strip()
    with write_transaction():
        to_user = lock_person(to_user)
        log = locked_log(log)
        _check_leader(by, log, leaving, "assign_holder")
        if not holder_has_left(log, leaving):
            raise HandoverError(
                _(
                    "Direkte tildeling er bare for nødstilfeller når stafettholderen har sluttet. "
                    "Send et forslag i stedet, så den nye stafettholderen kan godta det."
                ),
                "mode",
            )
        if not reason:
            raise HandoverError(_("Skriv hvorfor stafettholderen må byttes uten at den nye godtar først."), "reason")
        if len(reason) > MAX_REASON:
            raise HandoverError(_("Begrunnelsen kan ha høyst 2000 tegn."), "reason")
        _check_new_holder(log, to_user, by)
        if not assignable(by.unit_id, log.holder_id, by.id).where(User.id == to_user.id).exists():
            # without their acceptance the log moves only to someone the leader leads
            raise HandoverError(
                _(
                    "%(name)s arbeider ikke i enheten din. Direkte tildeling er bare til ansatte i din enhet; send et forslag til andre, så de kan godta det.",
                    name=to_user.name,
                ),
                "to_user",
            )
        for pending in Handover.select().where(Handover.log == log, Handover.status == PENDING):
            Handover.update(status=CANCELLED, decided_at=utcnow(), decline_reason="direct_assignment").where(
                Handover.id == pending.id
            ).execute()
            audit.record("handover_cancelled", log=log, obj=pending, user=by)
        handover = create_handover(
            log, to_user, reason, by, status=ACCEPTED, direct_assignment=True, decided_at=utcnow()
        )
        log, moved_from = _become_holder(log, handover.from_user_id, to_user)
        audit.record("holder_assigned", log=log, obj=handover, user=by, role="unit_leader")
        text = msg(
            "%(name)s har gjort deg til stafettholder for stafettlogg nr. %(id)s fordi stafettholderen har sluttet. Fortell de foresatte at du er ny stafettholder.",
            name=by.name,
            id=log.id,
        )
        tell(to_user, "holder_assigned", text, path_for("logs.show", log_id=log.id), handover)
        _tell_guardians_of_new_holder(log, to_user, handover)
        if moved_from is not None:
            _announce_move(log, moved_from)
    return handover


def _tell_guardians_of_new_holder(log: Log, holder: User, handover: Handover) -> None:
    """The guardians learn who holds their child's log now: a notice for those who sign
    in, an e-mail for those with an address (queued now, sent after commit)."""
    to_parents = msg(
        "Stafettholderen for barnet ditt har sluttet. %(name)s, %(job)s, er ny stafettholder og den dere kan kontakte.",
        name=holder.name,
        job=holder.job_title,
    )
    # the youth with own access reads about their own holder, not about «barnet ditt»
    to_youth = msg(
        "Stafettholderen din har sluttet. %(name)s, %(job)s, er ny stafettholder og den du kan kontakte.",
        name=holder.name,
        job=holder.job_title,
    )
    subject = msg("Ny stafettholder")
    mailed = set()
    youth_reads = of_consent_age(log.subject.birth_date)
    guardians = (
        Guardian.select(Guardian, User)
        .join(User, JOIN.LEFT_OUTER, on=(Guardian.user == User.id))
        .where(Guardian.log == log.id)
    )
    for guardian in guardians:
        if guardian.relation == YOUTH_RELATION and not youth_reads:
            continue  # under the consent age now (a setting raised since): their own access is closed
        text = to_youth if guardian.relation == YOUTH_RELATION else to_parents
        account = guardian.user if guardian.user_id else None
        if account is not None:
            url = path_for("guardian.show", log_id=log.id)
            told = tell(account, "holder_assigned", text, url, handover, "guardian", guardian.id, email_subject=subject)
            # told now or before (this handover); an account notify does not reach is told
            # nothing, and the address on the log gets the e-mail instead
            if told is not NOT_REACHED:
                mailed.add((account.email or "").lower())
        address = (guardian.email or "").strip()
        if address and address.lower() not in mailed:
            send_email(address, subject, text, recipient=guardian, log=log)
            mailed.add(address.lower())


def cancel_pending_involving(by: User, user: User) -> int:
    """Staff leaving: pending proposals to or from the person are cancelled. Returns how many.
    One answered meanwhile (PostgreSQL reads the list before each proposal's lock) is left
    as answered: the person still leaves."""
    pending = Handover.select().where(
        Handover.status == PENDING, (Handover.to_user == user) | (Handover.from_user == user)
    )
    return _cancel_all(by, pending, "deactivated", user)


def cancel_proposed_to_mover(by: User, user: User, unit_left: int) -> int:
    """Staff moving to another unit: pending proposals that they become holder of a log of
    the unit they leave are cancelled, the log's holder told (the proposal was to someone
    near the child there, seed 002). Proposals from them stay: handing their logs over is
    how they let go of them after the move. Returns how many."""
    pending = (
        Handover.select(Handover)
        .join(Log)
        .where(Handover.status == PENDING, Handover.to_user == user, Log.unit == unit_left)
    )
    return _cancel_all(by, pending, MOVED, user)


def _cancel_all(by: User, pending, reason: str, leaving: User) -> int:
    cancelled = 0
    for handover in list(pending):
        try:
            cancel_handover(by, handover, system_reason=reason, leaving=leaving)
        except HandoverError:
            continue  # no longer pending
        cancelled += 1
    return cancelled


def search_new_holder(query: str, log: Log, limit: int = 15) -> list[User]:
    """Active staff of any unit (participants too) who could take over as holder."""
    return search_staff(query, log, limit, participants_too=True)


def propose_for_leaving_holder(
    by: User, log: Log, to_user: User | None, *, leaving: User | None = None, why: Message | None = None
) -> Handover:
    """Staff leaving: the unit leader proposes a new holder on the leaving holder's
    behalf. The leaving holder keeps the role until the new one accepts (seed 002).
    `why`: the note the history shows (by default: the holder is leaving)."""
    with write_transaction():
        to_user = lock_person(to_user)
        log = locked_log(log)
        _check_leader(by, log, leaving, "propose_holder")
        _check_new_holder(log, to_user, by)
        if pending_for(log) is not None:
            raise HandoverError(
                _(
                    "Stafettlogg nr. %(id)s har allerede et forslag som venter på svar. Velg direkte tildeling i stedet.",
                    id=log.id,
                )
            )
        reason = why or msg("Foreslått av enhetsleder %(name)s fordi stafettholderen slutter.", name=by.name)
        handover = create_handover(log, to_user, "", by, system_note=reason)
        audit.record("handover_proposed", log=log, obj=handover, user=by, role="unit_leader")
        tell_proposed(handover, log, to_user, by)
    return handover


DIRECT = "direct"
PROPOSE = "propose"


def reassign_before_leaving(by: User, staff: User, choices: dict[int, tuple], why: Message | None = None) -> int:
    """Apply the unit leader's choices {log_id: (mode, user_id, reason)} for the logs a
    leaving (or moving, org.domain.move_staff) staff member holds: a proposal the new
    holder accepts (with the note `why`), or in an emergency a direct assignment with a
    reason (recorded as such, the guardians told). All or nothing. Returns how many logs
    changed holder at once."""
    direct = 0
    with write_transaction():
        for log_id, (mode, user_id, *rest) in sorted(choices.items()):
            reason = rest[0] if rest else ""
            log = Log.get_or_none(Log.id == log_id, Log.holder == staff)
            if log is None or log.status not in states.OPEN:
                continue  # no longer held by the leaving person, or ended: nothing to do
            to_user = User.get_or_none(id=user_id)
            if to_user is not None and to_user.id == staff.id:
                raise HandoverError(
                    _(
                        "Velg en annen enn %(name)s som stafettholder for stafettlogg nr. %(id)s.",
                        name=staff.name,
                        id=log.id,
                    )
                )
            try:
                if mode == DIRECT:
                    assign_holder_directly(by, log, to_user, reason, leaving=staff)
                    direct += 1
                elif mode == PROPOSE:
                    propose_for_leaving_holder(by, log, to_user, leaving=staff, why=why)
                else:
                    raise HandoverError(_("Velg om den nye stafettholderen skal tildeles direkte eller få et forslag."))
            except HandoverError as e:
                raise HandoverError(_("Stafettlogg nr. %(id)s: %(problem)s", id=log.id, problem=str(e))) from e
    return direct


def assignable(unit, leaving_id: int | None, leader_id: int):
    """Whom a unit leader may give a leaving (or left) holder's logs, directly or by a
    proposal from the unit page: the active staff of the leader's own unit but the person
    leaving and the leader (_check_new_holder). A query, to list or to ask about one person."""
    query = User.select().where(User.unit == unit, User.active, User.role.in_(Role.STAFF_LIKE), User.id != leader_id)
    return query if leaving_id is None else query.where(User.id != leaving_id)


def reassignment_context(logs: list[Log], leaving: User | None, unit: Unit, leader: User) -> dict:
    """What the unit page needs to let the leader choose new holders for a leaving
    person's logs: candidates (active staff of the unit), and the pending proposals."""
    if not logs or leaving is None:
        return {"leaving": None, "candidates": [], "pending_by_log": {}, "subjects": {}}

    ids = [log.id for log in logs]
    to_user = User.alias("to_user")
    pending = (
        Handover.select(Handover, to_user)
        .join(to_user, on=(Handover.to_user == to_user.id))
        .where(Handover.log.in_(ids), Handover.status == PENDING)
    )
    subjects = Subject.select(Subject.name, Log.id.alias("log_id")).join(Log).where(Log.id.in_(ids)).dicts()
    states.consent_gaps(logs)  # the list names each log's state (log_state): read at once
    return {
        "leaving": leaving,
        "candidates": list(assignable(unit, leaving.id, leader.id).order_by(User.name)),
        "pending_by_log": {h.log_id: h for h in pending},
        "subjects": {row["log_id"]: row["name"] for row in subjects},
    }
