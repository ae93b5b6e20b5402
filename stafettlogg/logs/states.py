"""The log's life as data: which action leads from which states to which state, who
on the log may take it, and what blocks it (seed 001, seed 002, seed 003).

`TRANSITIONS` is the only place these rules are written. `apply` carries out an action
(a conditional update on the current state, version bump, audit event);
`allowed_actions` answers which actions a person may take on a log now, and views and
templates ask it instead of restating states. A new blocker is one entry in `BLOCKERS`
and its name in the transitions it blocks.
"""

import datetime as dt
import typing
from collections.abc import Callable
from dataclasses import dataclass

from peewee import JOIN, fn

from stafettlogg import audit
from stafettlogg.access import log_tokens
from stafettlogg.dates import local_today
from stafettlogg.db import known, once_per_request, prepared, remember, remembered
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.logs.errors import LogError
from stafettlogg.models import (
    Answer,
    Consent,
    DeletionRequest,
    Handover,
    Log,
    LogPeriod,
    LogStatus,
    Participant,
    Unit,
    User,
)
from stafettlogg.notify import msg

DRAFT, ACTIVE, CLOSED, PASSIVE = LogStatus.DRAFT, LogStatus.ACTIVE, LogStatus.CLOSED, LogStatus.PASSIVE
# Where "delete" leads: the log and everything in it are purged (a tombstone is left);
# never a stored status.
PURGED = "purged"
OPEN = LogStatus.OPEN  # a log that is in use: it has a holder who works in it
ENDED = LogStatus.ENDED  # a log that is kept read-only until it is reopened or deleted
LIVING = OPEN + ENDED
# "Venter på nytt samtykke": derived, never stored. An active log whose consent on file
# has run out, or does not cover the holder's unit or a participant's service, is in
# this state from the moment the dates or the scope say so; no job moves it, and a new
# consent moves it back. `state_of` answers it; the stored status stays "active".
WAITING = "waiting_for_consent"
STORED = {WAITING: ACTIVE}  # the stored status behind a derived state
IN_USE = OPEN + (WAITING,)

# Roles on the log (access.log_tokens) that the table names; "proposed_holder" is staff
# a pending handover is addressed to (roles_of adds it); "stand_in" is the leader of an
# ended log's unit once its holder has left (access.holder_left).
ROLES = ("holder", "participant", "guardian", "unit_leader", "stand_in", "proposed_holder")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays as it is (the action records something else)
    roles: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    audit_action: str = ""
    sets: tuple[tuple[str, object], ...] = ()  # further columns the action always sets (apply)
    # roles that may take the action from only some of its states: ((role, states), …)
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def sources_for(self, role: str) -> tuple[str, ...]:
        """The states this role may take the action from."""
        return dict(self.only).get(role, self.sources)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # seed 001: a draft becomes active when the written consent is on file.
        # (audited as consent_uploaded); the family's new consent opens what a takeover sealed
        Transition("activate", (DRAFT,), ACTIVE, ("holder",), (), sets=(("sealed", False),)),
        # a new consent replaces the one on file; in the waiting state it reopens the log
        Transition("renew_consent", (ACTIVE, WAITING), None, ("holder",), ()),
        Transition("close", IN_USE, CLOSED, ("holder",), (), "log_closed"),
        Transition(
            "make_passive", (CLOSED,), PASSIVE, ("holder", "stand_in"), ("deletion_requested",), "log_made_passive"
        ),
        # the family's answer to "Skal loggen tas vare på?" recorded after closing (no or not yet)
        # (also by the unit leader once the holder has left: nobody else can, and the log
        # would never be deleted)
        Transition(
            "answer_keep", (CLOSED,), None, ("holder", "stand_in"), ("deletion_requested",), "keep_answer_recorded"
        ),
        Transition("reopen", ENDED, DRAFT, ("holder",), ("deletion_requested",), "log_reopened"),
        Transition("withdraw_consent", IN_USE, CLOSED, ("guardian",), (), "consent_withdrawn"),
        Transition(
            "request_deletion", LIVING + (WAITING,), None, ("guardian",), ("deletion_requested",), "deletion_requested"
        ),
        # not while waiting for consent: the new holder would need a consent no one can give yet;
        # also by the leader of the log's unit (seed 001 «opprette og endre stafettholder»:
        # ansvar «enhetsleder og stafettholder», when the family wishes it or the holder is away)
        Transition("hand_over", OPEN, None, ("holder", "unit_leader"), ("pending_handover",), ""),
        # the proposed person accepts a proposal to a log in use: as handing over, not while
        # the log waits for a consent (one proposed before the consent ran out, too)
        Transition("accept_handover", OPEN, None, ("proposed_holder",), (), ""),
        # seed 002, a holder who leaves or moves (handover.reassign_before_leaving): the unit
        # leader proposes a new holder on their behalf, as hand_over not while the log waits
        # for a consent (the proposal could not be accepted before one is on file) ...
        Transition("propose_holder", OPEN, None, ("unit_leader",), (), ""),
        # ... or, in an emergency, makes someone holder at once, also while it waits: the
        # holder is leaving, and the new one uploads the family's new consent.
        Transition("assign_holder", IN_USE, None, ("unit_leader",), (), ""),
        Transition(
            "delete",
            ENDED,
            PURGED,
            ("unit_leader",),
            ("kept_by_agreement", "keep_unanswered", "not_archived"),
            "log_deleted",
        ),
        # Someone outside the log asked for it (takeover/domain.py): the holder or the unit
        # leader answers. Accepting proposes a handover to the requester.
        Transition(
            "accept_request", LIVING, None, ("holder", "unit_leader"), ("deletion_requested", "pending_handover"), ""
        ),
        Transition("decline_request", LIVING + (WAITING,), None, ("holder", "unit_leader"), (), ""),
        # The requester accepts the handover of an ended log: it reopens to them as a
        # draft, so nothing of its content shows before a new consent is on file, and it
        # stays sealed if it ends again before one is (Log.sealed, unreadable_reason).
        Transition(
            "take_over",
            ENDED,
            DRAFT,
            ("proposed_holder",),
            ("deletion_requested",),
            "log_reopened",
            sets=(("sealed", True),),
        ),
        # Giving a guardian access by link and one-time code (guardians/domain.py): only the
        # holder, only while the log is in use and its consent lets it be worked in. An
        # invitation holds only as long as the one who made it could make it now, so the
        # same rule voids it once the log ends, waits for consent, or changes holder.
        Transition("invite_guardian", OPEN, None, ("holder",), ("deletion_requested",), ""),
        # seed 003 and seed 001: the log is archived (sent as a Fiks Arkiv package, or printed
        # for the unit's archive) by its holder once it has content, and by the unit leader
        # once it has ended, before it is deleted; only as the consent lets the person read
        # it (archive/domain.py asks content_readable_by first).
        Transition(
            "archive",
            (ACTIVE, WAITING) + ENDED,
            None,
            ("holder", "unit_leader"),
            (),
            "",
            only=(("unit_leader", ENDED),),
        ),
    )
}


def deletion_request_open():
    """The condition on a deletion request that is still open: not yet answered."""
    return DeletionRequest.handled_at.is_null()


def _requested():
    """SQL: the log has a deletion request from the family not yet answered."""
    return fn.EXISTS(
        DeletionRequest.select(DeletionRequest.id).where(DeletionRequest.log == Log.id, deletion_request_open())
    )


def _deletable_by_agreement():
    """SQL: lifecycle.deletion_reason's «passive_by_agreement» or «not_kept» for an ended log."""
    return (Log.status == LogStatus.PASSIVE) | (
        (Log.status == LogStatus.CLOSED) & (Log.keep_answer == "no") & ~Log.guardian_agreed_to_keep
    )


# The unit leader's deletion page puts each of the unit's ended logs in one queue, by
# deletion_reason's rule said in SQL (the page reads one window of each queue, not every
# ended log): the family asked for deletion; deletable without a request; closed, and
# the family has not said whether it is to be kept. tests/test_deletion_queues.py checks
# that the queues and lifecycle.deletion_reason agree for every kind of ended log.
DELETION_QUEUES = {
    "requested": lambda: _requested(),
    "deletable": lambda: ~_requested() & _deletable_by_agreement(),
    "waiting": lambda: ~_requested() & ~_deletable_by_agreement(),
}


@once_per_request
def open_deletion_request(log: Log) -> DeletionRequest | None:
    """The family's deletion request not yet answered (the oldest), if any: the guards
    below and the pages ask it."""
    return _open_deletion_requests.first(log.id)


def _open_deletion_request(log: Log) -> bool:
    return open_deletion_request(log) is not None


def _pending_handover(log: Log) -> bool:
    return _pending_handovers.first(log.id) is not None


# Prepared reads (db.Prepared): the guards are asked on every view of a log.


@prepared
def _open_deletion_requests(log_id: int):
    return (
        DeletionRequest.select()
        .where(DeletionRequest.log == log_id, deletion_request_open())
        .order_by(DeletionRequest.id)
        .limit(1)
    )


@prepared
def _pending_handovers(log_id: int):
    return Handover.select(Handover.id).where(Handover.log == log_id, Handover.status == Answer.PENDING).limit(1)


def _kept_by_agreement(log: Log) -> bool:
    """A closed log the family agreed to keep is deleted only once it is passive,
    unless the family has since asked for deletion."""
    return log.status == CLOSED and bool(log.guardian_agreed_to_keep) and not _open_deletion_request(log)


def _keep_unanswered(log: Log) -> bool:
    """seed 001: a closed log is deleted without a request only when the family said no
    to keeping it; "not decided yet" (or never asked) keeps it out of the deletion queue."""
    return (
        log.status == CLOSED
        and not log.guardian_agreed_to_keep
        and log.keep_answer != "no"
        and not _open_deletion_request(log)
    )


def _not_archived(log: Log) -> bool:
    from stafettlogg.archive.domain import not_archived  # cycle: the archive reads logs via the state table

    return not_archived(log)


@dataclass(frozen=True)
class Blocker:
    applies: Callable[[Log], bool]
    message: object  # a lazy gettext string shown to the user
    # A blocker the person may lift for this one action by giving a reason (the action's
    # field of that name, non-empty). allowed_actions offers the action; the form asks.
    waived_by: str = ""
    field: str | None = None  # the form field the message belongs to


BLOCKERS: dict[str, Blocker] = {
    "deletion_requested": Blocker(
        _open_deletion_request,
        _l("Foresatte har bedt om at loggen slettes. Enhetslederen må behandle kravet først."),
    ),
    "pending_handover": Blocker(
        _pending_handover,
        _l(
            "Det finnes allerede et forslag om ny stafettholder. Det må trekkes tilbake av den som foreslo det, eller besvares, før noen andre kan foreslås."
        ),
    ),
    "kept_by_agreement": Blocker(
        _kept_by_agreement,
        _l("Foresatte har sagt ja til å ta vare på loggen. Den kan slettes når den er satt passiv."),
    ),
    "keep_unanswered": Blocker(
        _keep_unanswered,
        _l(
            "Familien har ikke svart nei til å ta vare på loggen. Den kan slettes når stafettholderen har "
            "registrert at familien ikke ønsker det, eller når familien ber om sletting."
        ),
    ),
    # seed 001 and 003: archive before deleting, unless the unit leader writes why not
    "not_archived": Blocker(
        _not_archived,
        _l(
            "Stafettloggen er ikke arkivert. Arkiver den først, eller skriv hvorfor den ikke skal arkiveres "
            "(for eksempel «aldri tatt i bruk»)."
        ),
        waived_by="archive_waiver",
        field="archive_waiver",
    ),
}

# What reopening a log resets: a later close needs a new agreement with the family. The
# period it was in use (activated_at to closed_at) is not lost: apply files it as a
# LogPeriod first (files_period), and the new consent starts the next one.
REOPEN_RESET = {
    "activated_at": None,
    "closed_at": None,
    "closed_version": None,
    "keep_answer": "",
    "guardian_agreed_to_keep": False,
    "keep_agreed_by": "",
    "keep_agreed_on": None,
}

CONFLICT_MESSAGE = _l("Stafettloggen ble endret samtidig. Last siden på nytt.")
STATE_MESSAGES = {
    "activate": _l("Samtykke kan ikke lastes opp for en avsluttet stafettlogg. Gjenåpne den først."),
    "renew_consent": _l("Samtykke kan ikke lastes opp for en avsluttet stafettlogg. Gjenåpne den først."),
    "close": _l("Stafettloggen er allerede avsluttet."),
    "withdraw_consent": _l("Stafettloggen er allerede avsluttet."),
    "make_passive": _l("Bare en avsluttet stafettlogg kan settes passiv."),
    "answer_keep": _l("Svaret om å ta vare på loggen registreres når loggen er avsluttet."),
    "reopen": _l("Bare en avsluttet eller passiv stafettlogg kan gjenåpnes."),
    "delete": _l("Stafettloggen må avsluttes før den kan slettes."),
    "hand_over": _l("Stafettloggen er avsluttet. Stafettholderen kan ikke byttes."),
    "accept_handover": _l("Stafettloggen er avsluttet. Stafettholderen kan ikke byttes."),
    "propose_holder": _l("Stafettloggen er avsluttet. Stafettholderen kan ikke byttes."),
    "assign_holder": _l("Stafettloggen er avsluttet. Stafettholderen kan ikke byttes."),
    "accept_request": _l("Stafettloggen er slettet."),
    "decline_request": _l("Stafettloggen er slettet."),
    "take_over": _l("Forslaget gjelder ikke lenger. Stafettloggen er allerede tatt i bruk igjen."),
    "invite_guardian": _l("Stafettloggen er avsluttet. Gjenåpne den før du inviterer foresatte."),
    "archive": _l("Stafettloggen har ikke noe å arkivere ennå."),
}
ROLE_MESSAGES = {
    "activate": _l("Bare stafettholderen kan laste opp samtykke."),
    "renew_consent": _l("Bare stafettholderen kan laste opp samtykke."),
    "close": _l("Bare stafettholderen kan avslutte stafettloggen."),
    "make_passive": _l(
        "Bare stafettholderen kan sette stafettloggen passiv, eller enhetslederen når stafettholderen har sluttet."
    ),
    "answer_keep": _l(
        "Bare stafettholderen kan registrere familiens svar, eller enhetslederen når stafettholderen har sluttet."
    ),
    "reopen": _l("Bare stafettholderen kan gjenåpne stafettloggen her."),
    "withdraw_consent": _l("Bare de foresatte kan trekke samtykket tilbake her."),
    "request_deletion": _l("Bare de foresatte kan be om sletting her."),
    "hand_over": _l("Bare stafettholderen eller enhetslederen for loggens enhet kan foreslå ny stafettholder."),
    "delete": _l("Bare enhetslederen for enheten kan slette stafettloggen."),
    "accept_request": _l("Bare stafettholderen eller enhetslederen for loggens enhet kan svare på forespørselen."),
    "decline_request": _l("Bare stafettholderen eller enhetslederen for loggens enhet kan svare på forespørselen."),
    "take_over": _l("Bare den som er foreslått, kan godta forslaget."),
    "accept_handover": _l("Bare den som er foreslått, kan godta forslaget."),
    "propose_holder": _l("Bare enhetslederen for loggens enhet kan foreslå ny stafettholder her."),
    "assign_holder": _l("Bare enhetslederen for loggens enhet kan tildele stafettholder direkte."),
    "invite_guardian": _l("Bare stafettholderen kan invitere foresatte."),
    "archive": _l("Enhetslederen kan arkivere stafettloggen og skrive ut arkivkopien når den er avsluttet."),
}


def roles_of(user: User | None, log: Log) -> set[str]:
    roles = log_tokens(user, log)
    if (
        user is not None
        and getattr(user, "is_staff", False)
        and Handover.select()
        .where(Handover.log == log, Handover.to_user == user.id, Handover.status == Answer.PENDING)
        .exists()
    ):
        roles.add("proposed_holder")
    return roles


def _waived(blocker: Blocker, waivers: dict | None) -> bool:
    if not blocker.waived_by:
        return False
    if waivers is None:  # asking what may be offered: a waivable blocker does not hide the action
        return True
    return bool(str(waivers.get(blocker.waived_by) or "").strip())


def blocking(action: str, log: Log, waivers: dict | None = None) -> list[str]:
    """The names of the blockers that stop this action on this log now. `waivers` are
    the reasons the action carries (for example archive_waiver); None when only asking
    which actions to offer."""
    return [
        name
        for name in TRANSITIONS[action].blockers
        if not _waived(BLOCKERS[name], waivers) and BLOCKERS[name].applies(log)
    ]


def _refusal(
    user: User | None,
    log: Log,
    action: str,
    roles: set[str] | None = None,
    waivers: dict | None = None,
    state: str | None = None,
) -> tuple[object, str] | None:
    """(lazy message, code) for why this person may not take this action now, or None.
    Nothing is translated here, so asking about every action costs no lookups."""
    transition = TRANSITIONS[action]
    roles = roles_of(user, log) if roles is None else roles
    mine = roles & set(transition.roles)
    if not mine:
        return ROLE_MESSAGES[action], "forbidden"
    state = state_of(log) if state is None else state
    if state not in transition.sources:
        if state == WAITING:
            return waiting_message(log), WAITING
        return STATE_MESSAGES.get(action, CONFLICT_MESSAGE), "state"
    if not any(state in transition.sources_for(role) for role in mine):  # another role's state
        return ROLE_MESSAGES[action], "forbidden"
    for name in blocking(action, log, waivers):
        return BLOCKERS[name].message, name
    return None


def problem(
    user: User | None, log: Log, action: str, waivers: dict | None = None, roles: set[str] | None = None
) -> LogError | None:
    """Why this person may not take this action on this log now, or None. `waivers`:
    the reasons the action carries; a waivable blocker applies unless its reason is given.
    `roles`: the person's roles on the log when the caller has just read them (else asked)."""
    refusal = _refusal(user, log, action, roles=roles, waivers={} if waivers is None else waivers)
    if refusal is None:
        return None
    message, code = refusal
    field = BLOCKERS[code].field if code in BLOCKERS else None
    return LogError(str(message), field=field, code=code)


def check(user: User | None, log: Log, action: str, waivers: dict | None = None) -> Transition:
    error = problem(user, log, action, waivers)
    if error is not None:
        raise error
    return TRANSITIONS[action]


def allowed_actions(user: User | None, log: Log) -> frozenset[str]:
    """Every action this person may take on this log now (an action a reason can
    unblock is offered; its form asks for the reason)."""
    if log is None:
        return frozenset()
    roles = roles_of(user, log)
    state = state_of(log)
    return frozenset(a for a in TRANSITIONS if _refusal(user, log, a, roles, state=state) is None)


def _acting_as(transition: Transition, roles: set[str]) -> str | None:
    """The role an audit event names: the first of the action's roles the person has; a
    unit leader standing in for a holder who left acts as unit leader."""
    role = next((r for r in transition.roles if r in roles), None)
    return "unit_leader" if role == "stand_in" else role


def files_period(transition: Transition, log: Log) -> bool:
    """Does this transition end the log's period of use for good: it takes an ended log
    that was once in use back out of its ended states (reopen, take_over), so the period
    from its activation to its close is kept as a LogPeriod (seed 000: each school year's
    overview shows the log as it was then; seed 001: a reopened log is the same log)."""
    leaves_ended = transition.target not in (None, PURGED) and transition.target not in ENDED
    return leaves_ended and log.status in ENDED and log.activated_at is not None


def first_activated_at(log: Log):
    """When the log was first made active (its first period of use began), or None if it
    never was: a reopened log keeps the day it was first taken into use (the archive's
    saksdato)."""
    earliest = (
        LogPeriod.select(LogPeriod.started_at)
        .where(LogPeriod.log == log.id)
        .order_by(LogPeriod.started_at)
        .limit(1)
        .scalar()
    )
    return earliest or log.activated_at


def apply(
    user: User | None,
    log: Log,
    action: str,
    *,
    role: str | None = None,
    obj=None,
    waivers: dict | None = None,
    **fields,
) -> Log:
    """Carry out the action inside the caller's write transaction: check it, update the
        log only if its status is still one the action starts from (a concurrent change
        loses), bump the version, keep the period of use it ends (files_period) and write
        the audit event. `fields` are further columns
        the action sets; `obj` is the object the audit event names (or a function making it).
    Returns the fresh log."""
    transition = check(user, log, action, waivers)
    values = {**dict(transition.sets), **fields}
    if transition.target not in (None, PURGED):
        values["status"] = transition.target
    stored_sources = {STORED.get(source, source) for source in transition.sources}
    changed = (
        Log.update(version=Log.version + 1, **values).where(Log.id == log.id, Log.status.in_(stored_sources)).execute()
    )
    if not changed:
        raise LogError(str(CONFLICT_MESSAGE), code="conflict")
    if files_period(transition, log):
        LogPeriod.create(
            log=log.id,
            started_at=log.activated_at,
            ended_at=log.closed_at,
            coordinator_name=log.coordinator_name,
            coordinator_service=log.coordinator_service,
        )
    if callable(obj):  # a record the action creates once the change is certain (a deletion request)
        obj = obj()
    if transition.audit_action:
        audit.record(
            transition.audit_action,
            log=log,
            obj=obj if obj is not None else log,
            user=user,
            role=role or _acting_as(transition, roles_of(user, log)),
        )
    return Log.get_by_id(log.id) if transition.target != PURGED else log


# ------------------------------------------------------------------ consent as the gate
#
# The consent on file is the legal basis of every read and write of a log. An active log
# is open for writing only while its current consent (the newest neither replaced nor
# withdrawn) has not run out and covers the holder's unit and every participant's
# service. What is missing is a "gap"; any gap puts the log in the WAITING state.

GAP_MISSING = "missing"  # no consent on file
GAP_EXPIRED = "expired"  # its expiry date has passed
GAP_HOLDER_UNIT = "holder_unit"  # the holder's unit is outside its scope (after a handover)
GAP_PARTICIPANT = "participant_unit"  # a participant's service is outside its scope

# The routes that stay open while a log waits for consent: the upload that reopens it,
# ending the log, the family's own rights, what only narrows who sees the log, and the
# date a new holder told the family (telling them comes before their new consent).
# Every other POST to a log is refused, in one place (logs/gate.py), before any view.
OPEN_WHILE_WAITING = frozenset(
    {
        "logs.consent_upload",
        "logs.guardians_informed",
        "logs.participant_remove",
        "logs.guardian_remove",
        "handover.cancel",
        "lifecycle.close",
        "guardian.withdraw",
        "guardian.deletion_request",
        # archiving copies what the log holds into the municipality's archive (a duty
        # under the archive law, the state table's "archive" from WAITING): no write to it
        "archive.send",
        "archive.fetch_again",
        "archive.reference",
    }
)
# The routes someone the consent does not let read a log (readable_by) may use: the page
# that asks for a consent covering their unit and the upload, what ends the log and the
# log's life after it (reopening with a new consent, the family's answer about keeping
# it, deletion and the answer to a deletion request), none of which shows its content.
# Removing a participant is among them (the consent the family gives the new unit may not
# name the former holder's), removing a guardian (it only narrows who sees the log),
# closing, when the family will not consent to the new unit, and recording the date the
# new holder told the family (it asks them for that consent).
OPEN_OUTSIDE_SCOPE = frozenset(
    {
        "logs.show",
        "logs.consent_form",
        "logs.consent_upload",
        "logs.guardians_informed",
        "logs.participant_remove",
        "logs.guardian_remove",
        "lifecycle.close",
        "lifecycle.keep_answer",
        "lifecycle.reopen",
        "lifecycle.delete_form",
        "lifecycle.delete",
        "lifecycle.deletion_refuse",
    }
)
# Handing the log over, which shows none of its content: open to a holder the consent
# does not let read it while the log itself does not wait for a consent (a holder moved
# to a unit the consent leaves out holds it until someone accepts it, seed 002).
HANDING_OVER = frozenset({"handover.holder", "handover.search", "handover.propose", "handover.cancel"})
# The staff routes on a log that never show its content (concerns, goals, measures,
# meetings and minutes, entries, summaries, prints, the archive): only its frame (the
# child, the guardians, the participants, the consent, handover and the log's life).
# A draft shows no content, also one reopened or taken over with content from before:
# every other route on a draft is refused in one place (logs/gate.py).
WITHOUT_CONTENT = (
    OPEN_OUTSIDE_SCOPE
    | HANDING_OVER
    | frozenset(
        {
            "logs.edit_header",
            "logs.consent_file",
            "logs.guardian_add",
            "logs.guardian_remove",
            "logs.guardian_language",
            "logs.guardians_informed",
            "logs.participant_search",
            "logs.participant_add",
            "guardian.invitations",
            "guardian.invitation_create",
            "guardian.youth_add",
        }
    )
)

# A draft reopened or taken over keeps its content and the consents from before. The
# routes that show what the family signed (the consent files), and those that give a
# person the family's access, which reads that content (a guardian added with a national
# identity number signs in with ID-porten; an invitation; the youth's own access), are
# open only to someone the last of those consents covers, as the content of a log in use
# is; a new holder from another unit uses them once the new consent covers his unit
# (earlier_consent_reason). Else a holder the family never consented to could make
# himself a guardian and read, on the family's pages, what he may not read on his own.
GIVES_FAMILY_ACCESS = frozenset({"logs.guardian_add", "guardian.invitation_create", "guardian.youth_add"})
FOR_THE_EARLIER_CONSENT = frozenset({"logs.consent_file"}) | GIVES_FAMILY_ACCESS


def consent_in_force(consent=Consent):
    """The condition on the consent that is a log's current one: neither replaced nor
    withdrawn. ``consent``: Consent or an alias of it."""
    return consent.replaced_at.is_null() & consent.withdrawn_at.is_null()


def consent_runs_out_by(limit: dt.date):
    """A consent in force whose expiry date is on or before `limit`."""
    return consent_in_force() & Consent.expires_on.is_null(False) & (Consent.expires_on <= limit)


def current_consent(log: Log):
    return remembered(("consent", log.id), lambda: _current_consent.first(log.id))


def is_current_consent():
    """The condition that a Consent row is its log's current_consent (in force, and no
    newer one of the log is), for a query of many logs' consents at once (the reminders)."""
    newer = Consent.alias("newer_consent")
    return consent_in_force() & ~fn.EXISTS(
        newer.select(newer.id).where(newer.log == Consent.log, newer.id > Consent.id, consent_in_force(newer))
    )


def remember_current_consent(log: Log, consent) -> None:
    """The log's consent in force as a page read it among all the log's consents (the
    newest with consent_in_force, as _current_consent reads it), kept for the request
    like current_consent's own read."""
    remember(("consent", log.id), consent)


@prepared
def _current_consent(log_id: int):
    """The log's consent in force, the newest if there were ever two: a prepared read."""
    return Consent.select().where(Consent.log == log_id, consent_in_force()).order_by(Consent.id.desc()).limit(1)


def consent_services(consent) -> set[str]:
    if consent is None:
        return set()
    return {s for s in consent.services.split(",") if s}


def consent_covers_unit(consent, unit) -> bool:
    """Does this consent cover this unit: the unit it was given to, or a unit or a kind
    of service it names. No consent covers nothing."""
    if consent is None or unit is None:
        return False
    if consent.unit_id is not None and consent.unit_id == unit.id:
        return True
    services = consent_services(consent)
    return f"unit:{unit.id}" in services or f"kind:{unit.kind}" in services


def covers(log: Log, unit) -> bool:
    """Does the consent on file for this log cover unit U? (Handover and takeover ask
    this before a log may open to someone in another unit.)"""
    return consent_covers_unit(current_consent(log), unit)


def consent_gaps(logs: list[Log], today: dt.date | None = None) -> dict[int, tuple[str, object]]:
    """For each active log, what is missing for its consent on file to allow writing now:
    {log id: (gap, detail)} for the logs with a gap. Three queries whatever the number of
    logs (the start page and overviews ask for many), and none for a log this request
    already asked about (the start page asks for its cards and for its to-dos)."""
    logs = [log for log in logs if log.status == ACTIVE]
    if not logs:
        return {}
    today = today or local_today()
    asked = remembered(("consent_gaps", today), dict)  # log id: its gap or None
    unknown = [log for log in logs if log.id not in asked]
    if unknown:
        found = _gaps_of(unknown, today)
        asked.update({log.id: found.get(log.id) for log in unknown})
    return {log.id: asked[log.id] for log in logs if asked[log.id] is not None}


def _gaps_of(logs: list[Log], today: dt.date) -> dict[int, tuple[str, object]]:
    ids = sorted({log.id for log in logs})
    consents = {}
    for consent in _consents_in_force.rows_in_parts(ids):
        consents[consent.log_id] = consent  # the newest wins
    units = {u.id: u for u in _units.rows_in_parts(sorted({log.unit_id for log in logs if log.unit_id}))}
    # the participants' units: who is listed, then their units by the users' keys (a
    # join lets PostgreSQL scan every user of the municipality); the people themselves
    # are read only for the logs where one of them is outside the consent
    listed = list(_listed.rows_in_parts(ids))
    unit_of = {
        user_id: _UnitKind(unit_id, kind)
        for user_id, unit_id, kind in _units_of_people.rows_in_parts(sorted({user_id for _log, user_id in listed}))
    }
    participants: dict[int, list[int]] = {}
    for log_id, user_id in listed:
        if user_id in unit_of:
            participants.setdefault(log_id, []).append(user_id)
    # a consent asked once about each unit (a log's participants may share one)
    covered: dict[tuple[int, int], bool] = {}

    def covers_unit(consent, unit) -> bool:
        key = (consent.id, unit.id)
        if key not in covered:
            covered[key] = consent_covers_unit(consent, unit)
        return covered[key]

    gaps, outside = {}, {}
    for log in logs:
        consent = consents.get(log.id)
        if consent is None:
            gaps[log.id] = (GAP_MISSING, None)
        elif consent.expires_on is not None and consent.expires_on < today:
            gaps[log.id] = (GAP_EXPIRED, consent.expires_on)
        elif not consent_covers_unit(consent, units.get(log.unit_id)):
            gaps[log.id] = (GAP_HOLDER_UNIT, units.get(log.unit_id))
        elif out := [u for u in participants.get(log.id, ()) if not covers_unit(consent, unit_of[u])]:
            outside[log.id] = out
    if outside:
        named = {
            u.id: u
            for u in User.select(User, Unit).join(Unit).where(User.id.in_({u for out in outside.values() for u in out}))
        }
        for log_id, out in outside.items():
            # the first one outside by name, as the log page lists its participants
            gaps[log_id] = (GAP_PARTICIPANT, min((named[u] for u in out), key=lambda u: (u.name, u.id)))
    return gaps


class _UnitKind(typing.NamedTuple):
    """What consent_covers_unit reads of a participant's unit."""

    id: int
    kind: str


class _ConsentScope(typing.NamedTuple):
    """What consent_gaps reads of a consent in force."""

    id: int
    log_id: int
    expires_on: dt.date | None
    unit_id: int | None
    services: str


# consent_gaps' reads, prepared for each number of ids (db.Prepared): the start page and
# the overviews ask for a window of logs on every view.


@prepared
def _consents_in_force(*log_ids: int):
    return (
        Consent.select(
            Consent.id, Consent.log.alias("log_id"), Consent.expires_on, Consent.unit.alias("unit_id"), Consent.services
        )
        .where(Consent.log.in_(list(log_ids)), consent_in_force())
        .order_by(Consent.id)
        .objects(_ConsentScope)
    )


@prepared
def _units(*unit_ids: int):
    return Unit.select().where(Unit.id.in_(list(unit_ids)))


def participant_ids(log_ids) -> dict[int, set[int]]:
    """{log id: the ids of the people taking part}, for many logs at once (the reminders)."""
    listed: dict[int, set[int]] = {}
    for log_id, user_id in _listed.rows_in_parts(sorted(set(log_ids))):
        listed.setdefault(log_id, set()).add(user_id)
    return listed


@prepared
def _listed(*log_ids: int):
    return Participant.select(Participant.log, Participant.user).where(Participant.log.in_(list(log_ids))).tuples()


@prepared
def _units_of_people(*user_ids: int):
    return User.select(User.id, Unit.id, Unit.kind).join(Unit).where(User.id.in_(list(user_ids))).tuples()


def consent_gap(log: Log, today: dt.date | None = None) -> tuple[str, object] | None:
    """What is missing for the consent on file to allow writing now: (gap, detail) or None.
    Asked once per request and log (the access check, the view and the page ask the same);
    every write transaction forgets the answer, like the caller's roles."""
    if today is not None:
        return consent_gaps([log], today).get(log.id)
    asked = known(("consent_gaps", local_today()))
    if asked is not None and log.status == ACTIVE and log.id in asked:
        return asked[log.id]  # a list read them at once (consent_gaps): no query per log
    return remembered(("consent_gap", log.id, log.status), lambda: _single_gap(log))


def _single_gap(log: Log) -> tuple[str, object] | None:
    """consent_gaps for one log, sharing the consent and unit this request already read."""
    if log.status != ACTIVE:
        return None
    consent = current_consent(log)
    if consent is None:
        return (GAP_MISSING, None)
    if consent.expires_on is not None and consent.expires_on < local_today():
        return (GAP_EXPIRED, consent.expires_on)
    unit = log.unit  # read with the log by the access check (access._log_of_request)
    if not consent_covers_unit(consent, unit):
        return (GAP_HOLDER_UNIT, unit)
    for row in participants(log):
        if row.user.unit_id is not None and not consent_covers_unit(consent, row.user.unit):
            return (GAP_PARTICIPANT, row.user)
    return None


@once_per_request
def participants(log: Log) -> list[Participant]:
    """The log's participants by name, with the columns a page shows of them and their
    units: the consent gate, the log page, the guardian's view and the meeting read them
    once per request."""
    return list(_participants.rows(getattr(log, "id", log)))


@prepared
def _participants(log_id: int):
    return (
        Participant.select(Participant, User.id, User.name, User.job_title, User.phone, User.active, User.unit, Unit)
        .join(User, on=(Participant.user == User.id))
        .join(Unit, JOIN.LEFT_OUTER)
        .where(Participant.log == log_id)
        .order_by(User.name, Participant.id)
    )


def waiting_ids(logs: list[Log], today: dt.date | None = None) -> set[int]:
    """The ids of the logs that wait for a new consent (start page, overviews): no one
    may work in them, so no one is asked to (the start page's to-dos, the reminders)."""
    return set(consent_gaps(logs, today))


def closed_to(user: User, logs: list[Log], today: dt.date | None = None) -> set[int]:
    """The ids of the logs `user` is not asked to work in now (the start page's to-dos):
    those that wait for a new consent (waiting_ids), and those `outside_for` them."""
    return waiting_ids(logs, today) | outside_for(user, logs)


def outside_for(user: User, logs: list[Log]) -> set[int]:
    """The ids of the logs whose consent leaves out `user`'s own unit (readable_by: a
    holder moved to another unit reads none of their content, and is reminded of none).
    Only a holder of another unit than the log's is asked, one log at a time: a log of
    their own unit, and a participant the consent leaves out, make the log wait
    (consent_gap: GAP_HOLDER_UNIT, GAP_PARTICIPANT), which waiting_ids says for many logs
    at once and the reminders ask first. So a reminder to a participant from another
    service reads nothing more."""
    return {
        log.id
        for log in logs
        if log.holder_id == user.id and log.unit_id != user.unit_id and not readable_by(user, log)
    }


def state_of(log: Log) -> str:
    """The log's state: its stored status, or WAITING for an active log with a consent gap."""
    if log.status == ACTIVE and consent_gap(log) is not None:
        return WAITING
    return log.status


def waiting_message(log: Log, gap: tuple[str, object] | None = None):
    """Why an active log cannot be written in now, in the reader's language (a Message
    rendered when shown), or None when it can."""
    gap = consent_gap(log) if gap is None else gap
    if gap is None:
        return None
    kind, detail = gap
    if kind == GAP_EXPIRED:
        return msg(
            "Samtykket gikk ut %(date)s. Stafettloggen venter på nytt samtykke: den kan leses, men ingen kan skrive i den før stafettholderen har lastet opp et nytt samtykke.",
            date=detail.strftime("%d.%m.%Y"),
        )
    if kind == GAP_HOLDER_UNIT:
        return msg(
            "Samtykket omfatter ikke %(unit)s. Stafettloggen åpnes for stafettholderen når et samtykke som omfatter enheten er lastet opp.",
            unit=detail.name if detail is not None else "",
        )
    if kind == GAP_PARTICIPANT:
        return msg(
            "Samtykket omfatter ikke %(unit)s, der deltakeren %(name)s arbeider. Last opp et samtykke som omfatter tjenesten, eller fjern deltakeren.",
            unit=detail.unit.name,
            name=detail.name,
        )
    return msg("Det er ikke noe gyldig samtykke for stafettloggen. Last opp et nytt samtykke før noen skriver i den.")


def readable_by(user: User | None, log: Log) -> bool:
    """Whether the consent that is the log's legal basis lets this staff member read its
    content. While the log is in use: its consent in force, which must cover their unit
    (an expired consent still lets the people it named read; a new holder outside its
    scope waits for a new one). Once it has ended: the last consent on file, in force or
    withdrawn, which must cover their unit; after the family withdrew it, only the holder
    and the unit leader read on (to archive the log and answer the family), no longer the
    participants. Guardians read their own log on their own pages."""
    return unreadable_reason(user, log) is None


def content_readable_by(user: User | None, log: Log) -> bool:
    """May this person see the log's content now: never in a draft (the content shows
    once the new consent is on file), and for staff only as readable_by says."""
    return shows_content(log) and readable_by(user, log)


def shows_content(log: Log) -> bool:
    """A draft shows none of the log's content, also one reopened or taken over with
    content from before: it shows once the new consent is on file."""
    return log.status != DRAFT


def holds_meetings(log: Log) -> bool:
    """Meetings are to come only in a log that is not ended: in a closed or passive one
    (consent withdrawn, the needs met) none is held, whatever was planned before it ended.
    The family's «Neste møter» and the invitations (letter, calendar file) ask it."""
    return log.status not in ENDED


def unreadable_reason(user: User | None, log: Log):
    """Why the consent does not let this staff member read the log (a Message in the
    reader's language), or None when it does."""
    if log.status not in (ACTIVE,) + ENDED or user is None or not getattr(user, "is_staff", False):
        return None
    if log.status == ACTIVE:
        consent = current_consent(log)
        if consent_covers_unit(consent, user.unit):  # the unit is loaded with the user (auth.load_user)
            return None
        # no gap of the log's own: a consent on file that leaves out this person's unit
        if consent is not None and log.holder_id == user.id and waiting_message(log) is None:
            return msg(  # a holder moved to another unit: the log does not wait, they hand it on
                "Du arbeider nå ved %(unit)s, og samtykket omfatter ikke den enheten. Du kan ikke lese innholdet, men du er stafettholder til noen andre tar over. Velg «Bytt stafettholder» og gi loggen videre til en ansatt ved en enhet samtykket omfatter, eller last opp et nytt samtykke som omfatter enheten din.",
                unit=user.unit.name if user.unit is not None else "",
            )
        outside = (GAP_MISSING, None) if consent is None else (GAP_HOLDER_UNIT, user.unit)
        return waiting_message(log) or waiting_message(log, outside)
    if log.sealed:
        return msg(
            "Stafettloggen ble overtatt og avsluttet før familien ga et nytt samtykke. Innholdet fra før vises bare hvis loggen gjenåpnes med et nytt samtykke."
        )
    consent = last_consent(log)
    if not consent_covers_unit(consent, user.unit):
        return msg(
            "Samtykket familien ga, omfatter ikke %(unit)s. Innholdet vises når stafettloggen er gjenåpnet med et samtykke som omfatter enheten.",
            unit=user.unit.name if user.unit is not None else "",
        )
    if consent.withdrawn_at is not None and not log_tokens(user, log) & {"holder", "unit_leader"}:
        return msg(
            "Familien har trukket tilbake samtykket. Innholdet vises nå bare for stafettholderen og enhetslederen."
        )
    return None


def earlier_consent_reason(user: User | None, log: Log, endpoint: str = ""):
    """Why the consents a draft keeps from before are not for this staff member (a Message
    in the reader's language), or None: the last of them must cover their unit. For a
    route in GIVES_FAMILY_ACCESS, it says when access can be given instead."""
    consent = last_consent(log)
    if consent is None or user is None or consent_covers_unit(consent, user.unit):
        return None
    unit = user.unit.name if user.unit is not None else ""
    if endpoint in GIVES_FAMILY_ACCESS:
        return msg(
            "Samtykket familien ga tidligere, omfatter ikke %(unit)s. Du kan gi foresatte tilgang når det nye samtykket er lastet opp.",
            unit=unit,
        )
    return msg(
        "Samtykket familien ga tidligere, omfatter ikke %(unit)s. Det vises når det nye samtykket er lastet opp.",
        unit=unit,
    )


def consent_files_readable_by(user: User | None, log: Log) -> bool:
    """May this staff member open the log's consent files now: as its content
    (readable_by), and in a draft as earlier_consent_reason says."""
    if shows_content(log):
        return readable_by(user, log)
    return earlier_consent_reason(user, log) is None


def last_consent(log: Log):
    """The consent an ended log was kept under: the newest not replaced by another, in
    force or withdrawn."""
    return remembered(("last_consent", log.id), lambda: _last_consent.first(log.id))


@prepared
def _last_consent(log_id: int):
    return (
        Consent.select()
        .where(Consent.log == log_id, Consent.replaced_at.is_null())
        .order_by(Consent.id.desc())
        .limit(1)
    )
