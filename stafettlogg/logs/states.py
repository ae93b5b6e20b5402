"""The log's life as data: which action leads from which states to which state, who
on the log may take it, and what blocks it (seed 001, seed 002, seed 003).

`TRANSITIONS` is the only place these rules are written. `apply` carries out an action
(a conditional update on the current state, version bump, audit event);
`allowed_actions` answers which actions a person may take on a log now, and views and
templates ask it instead of restating states. A new blocker is one entry in `BLOCKERS`
and its name in the transitions it blocks.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from stafettlogg import audit
from stafettlogg.logs.domain import LogError
from stafettlogg.models import DeletionRequest, Handover, Log, LogStatus, User

DRAFT, ACTIVE, CLOSED, PASSIVE, DELETED = (
    LogStatus.DRAFT,
    LogStatus.ACTIVE,
    LogStatus.CLOSED,
    LogStatus.PASSIVE,
    LogStatus.DELETED,
)
OPEN = LogStatus.OPEN  # a log that is in use: it has a holder who works in it
ENDED = LogStatus.ENDED  # a log that is kept read-only until it is reopened or deleted
LIVING = OPEN + ENDED

# Roles on the log (access.log_tokens) that the table names; "proposed_holder" is staff
# a pending handover is addressed to (roles_of adds it).
ROLES = ("holder", "participant", "guardian", "unit_leader", "proposed_holder")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays as it is (the action records something else)
    roles: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    audit_action: str = ""


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # seed 001: a draft becomes active when the written consent is on file.
        Transition("activate", (DRAFT,), ACTIVE, ("holder",), ()),  # audited as consent_uploaded
        Transition("renew_consent", (ACTIVE,), None, ("holder",), ()),  # a new consent replaces the one on file
        Transition("close", OPEN, CLOSED, ("holder",), (), "log_closed"),
        Transition("make_passive", (CLOSED,), PASSIVE, ("holder",), ("deletion_requested",), "log_made_passive"),
        # the family's answer to "Skal loggen tas vare på?" recorded after closing (no or not yet)
        Transition("answer_keep", (CLOSED,), None, ("holder",), ("deletion_requested",), "keep_answer_recorded"),
        Transition("reopen", ENDED, DRAFT, ("holder",), ("deletion_requested",), "log_reopened"),
        Transition("withdraw_consent", OPEN, CLOSED, ("guardian",), (), "consent_withdrawn"),
        Transition("request_deletion", LIVING, None, ("guardian",), ("deletion_requested",), "deletion_requested"),
        Transition("hand_over", OPEN, None, ("holder",), ("pending_handover",), ""),
        Transition(
            "delete",
            ENDED,
            DELETED,
            ("unit_leader",),
            ("kept_by_agreement", "keep_unanswered", "not_archived"),
            "log_deleted",
        ),
        # Someone outside the log asked for it (logs/requests.py): the holder or the unit
        # leader answers. Accepting proposes a handover to the requester.
        Transition(
            "accept_request", LIVING, None, ("holder", "unit_leader"), ("deletion_requested", "pending_handover"), ""
        ),
        Transition("decline_request", LIVING, None, ("holder", "unit_leader"), (), ""),
        # The requester accepts the handover of an ended log: it reopens to them as a
        # draft, so nothing of its content shows before a new consent is on file.
        Transition("take_over", ENDED, DRAFT, ("proposed_holder",), ("deletion_requested",), "log_reopened"),
    )
}


def _open_deletion_request(log: Log) -> bool:
    return DeletionRequest.select().where(DeletionRequest.log == log, DeletionRequest.handled_at.is_null()).exists()


def _pending_handover(log: Log) -> bool:
    return Handover.select().where(Handover.log == log, Handover.status == "pending").exists()


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
    from stafettlogg.archive.domain import not_archived

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
        _l("Det finnes allerede et forslag om ny stafettholder. Trekk det tilbake før du foreslår en annen."),
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

# What reopening a log resets: a later close needs a new agreement with the family.
REOPEN_RESET = {
    "closed_at": None,
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
    "accept_request": _l("Stafettloggen er slettet."),
    "decline_request": _l("Stafettloggen er slettet."),
    "take_over": _l("Forslaget gjelder ikke lenger. Stafettloggen er allerede tatt i bruk igjen."),
}
ROLE_MESSAGES = {
    "activate": _l("Bare stafettholderen kan laste opp samtykke."),
    "renew_consent": _l("Bare stafettholderen kan laste opp samtykke."),
    "close": _l("Bare stafettholderen kan avslutte stafettloggen."),
    "make_passive": _l("Bare stafettholderen kan sette stafettloggen passiv."),
    "answer_keep": _l("Bare stafettholderen kan registrere familiens svar."),
    "reopen": _l("Bare stafettholderen kan gjenåpne stafettloggen her."),
    "withdraw_consent": _l("Bare de foresatte kan trekke samtykket tilbake her."),
    "request_deletion": _l("Bare de foresatte kan be om sletting her."),
    "hand_over": _l("Bare stafettholderen kan foreslå ny stafettholder."),
    "delete": _l("Bare enhetslederen for enheten kan slette stafettloggen."),
    "accept_request": _l("Bare stafettholderen eller enhetslederen for loggens enhet kan svare på forespørselen."),
    "decline_request": _l("Bare stafettholderen eller enhetslederen for loggens enhet kan svare på forespørselen."),
    "take_over": _l("Bare den som er foreslått, kan godta forslaget."),
}


def roles_of(user: User | None, log: Log) -> set[str]:
    from stafettlogg.access import log_tokens

    roles = log_tokens(user, log)
    if (
        user is not None
        and getattr(user, "is_staff", False)
        and Handover.select()
        .where(Handover.log == log, Handover.to_user == user.id, Handover.status == "pending")
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
    user: User | None, log: Log, action: str, roles: set[str] | None = None, waivers: dict | None = None
) -> tuple[object, str] | None:
    """(lazy message, code) for why this person may not take this action now, or None.
    Nothing is translated here, so asking about every action costs no lookups."""
    transition = TRANSITIONS[action]
    roles = roles_of(user, log) if roles is None else roles
    if not roles & set(transition.roles):
        return ROLE_MESSAGES[action], "forbidden"
    if log.status not in transition.sources:
        return STATE_MESSAGES.get(action, CONFLICT_MESSAGE), "state"
    for name in blocking(action, log, waivers):
        return BLOCKERS[name].message, name
    return None


def problem(user: User | None, log: Log, action: str, waivers: dict | None = None) -> LogError | None:
    """Why this person may not take this action on this log now, or None. `waivers`:
    the reasons the action carries; a waivable blocker applies unless its reason is given."""
    refusal = _refusal(user, log, action, waivers={} if waivers is None else waivers)
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
    if log is None or log.status == DELETED:
        return frozenset()
    roles = roles_of(user, log)
    return frozenset(a for a in TRANSITIONS if _refusal(user, log, a, roles) is None)


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
        loses), bump the version and write the audit event. `fields` are further columns
        the action sets; `obj` is the object the audit event names (or a function making it).
    Returns the fresh log."""
    transition = check(user, log, action, waivers)
    values = dict(fields)
    if transition.target is not None:
        values["status"] = transition.target
    changed = (
        Log.update(version=Log.version + 1, **values)
        .where(Log.id == log.id, Log.status.in_(transition.sources))
        .execute()
    )
    if not changed:
        raise LogError(str(CONFLICT_MESSAGE), code="conflict")
    if callable(obj):  # a record the action creates once the change is certain (a deletion request)
        obj = obj()
    if transition.audit_action:
        audit.record(
            transition.audit_action,
            log=log,
            obj=obj if obj is not None else log,
            user=user,
            role=role or next((r for r in transition.roles if r in roles_of(user, log)), None),
        )
    return Log.get_by_id(log.id) if transition.target != DELETED else log
