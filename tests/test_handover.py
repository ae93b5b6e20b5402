"""Issue 5: handover of the holder role, staff leaving, the holder invariant, notifications
and the daily reminders (seed 001 "Rutine for å opprette og endre stafettholder", seed 002
"held i stafettpinnen til han er motteken og akseptert av ein ny stafetthaldar")."""

import datetime as dt
import re
from pathlib import Path

import pytest

from stafettlogg.handover import domain as ho
from stafettlogg.invariants import check_invariants
from stafettlogg.logs import sections
from stafettlogg.models import (
    AuditEvent,
    Consent,
    Handover,
    Log,
    LogStatus,
    Measure,
    Meeting,
    Notification,
    OutboxEmail,
    Participant,
    User,
    utcnow,
)
from stafettlogg.org.domain import OrganisationError, deactivate_staff
from stafettlogg.reminders import send_reminders
from tests.conftest import a_log, user

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def log(app) -> Log:
    """Kari Ottesen's log at Nordbyen skole; the nurse and the PP adviser take part."""
    return a_log(participants=("aktor", "ppt"))


def fresh(log) -> Log:
    return Log.get_by_id(log.id)


def first_name(log) -> str:
    return log.subject.name.split()[0]


def closed_log() -> Log:
    log = a_log(participants=())
    Log.update(status=LogStatus.CLOSED, closed_at=utcnow()).where(Log.id == log.id).execute()
    return fresh(log)


def notes(username: str, kind: str) -> list[Notification]:
    return list(Notification.select().where(Notification.user == user(username), Notification.kind == kind))


def deactivate(username: str) -> None:
    User.update(active=False).where(User.username == username).execute()


# ------------------------------------------------------------------ the state machine


def _second_proposal(log):
    ho.propose_handover(user("stafettholder"), log, user("kontaktlaerer"))
    return "stafettholder", log, "larer"


def _deactivated_target(log):
    deactivate("kontaktlaerer")
    return "stafettholder", log, "kontaktlaerer"


PROPOSALS = [
    # (case, arrange(log) -> (proposer, log, target username or None), expected message part or None)
    ("holder to staff of another unit", lambda log: ("stafettholder", log, "kontaktlaerer"), None),
    ("holder to a unit leader", lambda log: ("stafettholder", log, "enhetsleder2"), None),
    (
        "holder to a draft's new holder",
        lambda log: ("stafettholder", a_log(consent=False, participants=()), "larer"),
        None,
    ),
    ("to yourself", lambda log: ("stafettholder", log, "stafettholder"), "deg selv"),
    ("to a deactivated user", _deactivated_target, "deaktivert"),
    ("to a guardian", lambda log: ("stafettholder", log, "foresatt"), "Bare ansatte"),
    ("to an area leader", lambda log: ("stafettholder", log, "omradeleder"), "Bare ansatte"),
    ("to nobody", lambda log: ("stafettholder", log, None), "Velg hvem"),
    ("a participant proposes", lambda log: ("aktor", log, "kontaktlaerer"), "Bare stafettholderen"),
    # seed 001: the unit leader may change the holder too (writing why; test_a_unit_leader_changes_the_holder...)
    ("the unit leader proposes", lambda log: ("enhetsleder", log, "kontaktlaerer"), None),
    ("the unit leader proposes themselves", lambda log: ("enhetsleder", log, "enhetsleder"), "deg selv"),
    ("another unit's leader proposes", lambda log: ("enhetsleder2", log, "kontaktlaerer"), "Bare stafettholderen"),
    ("second proposal while one is pending", _second_proposal, "allerede et forslag"),
    ("on a closed log", lambda log: ("stafettholder", closed_log(), "kontaktlaerer"), "avsluttet"),
]


@pytest.mark.parametrize("case,arrange,expected", PROPOSALS, ids=[p[0] for p in PROPOSALS])
def test_propose_handover(db_conn, log, case, arrange, expected):
    proposer, log, target = arrange(log)
    before = Handover.select().where(Handover.status == "pending").count()
    to_user = user(target) if target else None
    if expected is None:
        handover = ho.propose_handover(user(proposer), log, to_user, "Barnet begynner på ny skole")
        assert handover.status == "pending"
        assert Log.get_by_id(log.id).holder_id == log.holder_id  # the old holder keeps the role
        assert len(notes(target, "handover_proposed")) == 1
        assert AuditEvent.select().where(AuditEvent.action == "handover_proposed", AuditEvent.log_id == log.id).exists()
    else:
        with pytest.raises(ho.HandoverError, match=expected):
            ho.propose_handover(user(proposer), log, to_user)
        assert Handover.select().where(Handover.status == "pending").count() == before
    assert check_invariants() == []


def test_a_unit_leader_changes_the_holder_when_the_family_wishes_it(auth, db_conn, log):
    """seed 001 «Rutine for å opprette og endre stafettholder»: the holder is changed when
    the family wishes it; responsible: the unit leader and the holder. The leader finds
    «Bytt stafettholder» on the unit's overview, writes why, the proposed person accepts
    (seed 002), and the holder is told at once."""
    from stafettlogg.overview.domain import current_school_year

    leader = auth.persona("unit_leader")
    overview = leader.get(f"/enheter/{log.unit_id}/oversikt/{current_school_year()}").get_data(as_text=True)
    assert f"/logger/{log.id}/stafettholder" in overview
    page = leader.get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "Som enhetsleder kan du foreslå en ny" in page and "Hvorfor byttes stafettholder?" in page
    form = {"to_user_id": str(user("larer").id), "note": ""}
    refused = leader.post(f"/logger/{log.id}/stafettholder", data=form)
    assert refused.status_code == 422 and "Skriv hvorfor stafettholderen byttes" in refused.get_data(as_text=True)
    assert not Handover.select().where(Handover.log == log.id).exists()
    form["note"] = "Familien ønsker en annen stafettholder."
    assert leader.post(f"/logger/{log.id}/stafettholder", data=form).status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert handover.created_by_id == user("enhetsleder").id and fresh(log).holder_id == user("stafettholder").id
    assert len(notes("stafettholder", "handover_proposed_by_leader")) == 1
    assert len(notes("larer", "handover_proposed")) == 1
    event = AuditEvent.get(AuditEvent.action == "handover_proposed", AuditEvent.log_id == log.id)
    assert (event.user_id, event.role) == (user("enhetsleder").id, "unit_leader")
    # what holders wrote about the child when handing over is the log's content: not the leader's
    Handover.create(log=log, from_user=user("kontaktlaerer"), to_user=user("stafettholder"),
                    created_by=user("kontaktlaerer"), status="accepted", decided_at=utcnow(),
                    note="Mor ønsker kontakt på telefon etter klokka 15.")  # fmt: skip
    leaders_page = auth.persona("unit_leader").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "Mor ønsker kontakt" not in leaders_page and "Familien ønsker en annen" in leaders_page
    holders_page = auth.persona("holder").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "Mor ønsker kontakt" in holders_page
    # the family's wish is not the holder's to undo: only the unit's leader withdraws it
    assert not ho.may_withdraw(user("stafettholder"), handover, fresh(log))
    assert auth.persona("holder").post(f"/logger/{log.id}/stafettholder/trekk-tilbake").status_code == 409
    assert Handover.get_by_id(handover.id).status == "pending"
    assert "Eva" in holders_page or user("enhetsleder").name in holders_page
    ho.accept_handover(user("larer"), handover)
    assert fresh(log).holder_id == user("larer").id
    # the ITO coordinator, who also sees the overview, changes no holder
    from stafettlogg.models import ItoDelegation

    ItoDelegation.create(unit=log.unit_id, user=user("larer"), granted_by=user("enhetsleder"))
    ito = auth.login_as("larer").get(f"/enheter/{log.unit_id}/oversikt/{current_school_year()}")
    assert "Bytt stafettholder" not in ito.get_data(as_text=True)


def _pending(log, target="kontaktlaerer") -> Handover:
    return ho.propose_handover(user("stafettholder"), log, user(target), f"{first_name(log)} flytter til Sørbyen")


def test_accept_moves_the_log_and_tells_the_new_unit(db_conn, log):
    handover = _pending(log)
    log = ho.accept_handover(user("kontaktlaerer"), handover)
    assert log.holder_id == user("kontaktlaerer").id
    assert log.unit_id == user("kontaktlaerer").unit_id  # Sørbyen skole
    assert Handover.get_by_id(handover.id).status == "accepted"
    history = list(Handover.select().where(Handover.log == log, Handover.status == "accepted"))
    assert [(h.from_user_id, h.to_user_id, h.note) for h in history] == [
        (user("stafettholder").id, user("kontaktlaerer").id, f"{first_name(log)} flytter til Sørbyen")
    ]
    assert history[0].decided_at is not None and not history[0].direct_assignment
    # the old holder stays a participant; the new holder is not also a participant
    members = {p.user_id for p in Participant.select().where(Participant.log == log)}
    assert user("stafettholder").id in members and user("kontaktlaerer").id not in members
    # seed 001: the new unit's leader is told; the old holder is told it was accepted
    arrived = notes("enhetsleder2", "child_arrived")
    assert len(arrived) == 1 and "Sørbyen skole" in arrived[0].text and "Jonas Berg" in arrived[0].text
    assert first_name(log) not in arrived[0].text  # no child data in what also goes out by e-mail
    assert notes("enhetsleder", "child_arrived") == []
    assert len(notes("stafettholder", "handover_accepted")) == 1
    assert check_invariants() == []


def test_accept_within_the_same_unit_does_not_announce_an_arrival(db_conn, log):
    ho.accept_handover(user("larer"), _pending(log, "larer"))
    assert fresh(log).unit_id == user("larer").unit_id
    assert Notification.select().where(Notification.kind == "child_arrived").count() == 0


def test_a_participant_who_becomes_holder_is_no_longer_listed_twice(db_conn, log):
    log = ho.accept_handover(user("aktor"), _pending(log, "aktor"))
    assert log.holder_id == user("aktor").id
    assert not Participant.select().where(Participant.log == log, Participant.user == user("aktor")).exists()


DECISIONS = [
    # (case, action, expected message part or None, status afterwards)
    ("someone else accepts", lambda h: ho.accept_handover(user("larer"), h), "Bare den som er foreslått", "pending"),
    ("the holder accepts", lambda h: ho.accept_handover(user("stafettholder"), h), "Bare den", "pending"),
    (
        "decline without reason",
        lambda h: ho.decline_handover(user("kontaktlaerer"), h, "  "),
        "Skriv hvorfor",
        "pending",
    ),
    ("someone else declines", lambda h: ho.decline_handover(user("larer"), h, "Nei"), "Bare den", "pending"),
    ("a participant cancels", lambda h: ho.cancel_handover(user("aktor"), h), "Bare stafettholderen", "pending"),
    (
        "the proposed person declines",
        lambda h: ho.decline_handover(user("kontaktlaerer"), h, "Jeg slutter"),
        None,
        "declined",
    ),
    ("the holder cancels", lambda h: ho.cancel_handover(user("stafettholder"), h), None, "cancelled"),
    ("the proposed person accepts", lambda h: ho.accept_handover(user("kontaktlaerer"), h), None, "accepted"),
]


@pytest.mark.parametrize("case,action,expected,status", DECISIONS, ids=[d[0] for d in DECISIONS])
def test_decisions_on_a_pending_proposal(db_conn, log, case, action, expected, status):
    handover = _pending(log)
    if expected is None:
        action(handover)
    else:
        with pytest.raises(ho.HandoverError, match=expected):
            action(handover)
    assert Handover.get_by_id(handover.id).status == status
    holder = "kontaktlaerer" if status == "accepted" else "stafettholder"
    assert fresh(log).holder_id == user(holder).id
    assert check_invariants() == []


@pytest.mark.parametrize("first", ["accept", "decline", "cancel"])
@pytest.mark.parametrize("second", ["accept", "decline", "cancel"])
def test_a_decided_proposal_cannot_be_decided_again(db_conn, log, first, second):
    actions = {
        "accept": lambda h: ho.accept_handover(user("kontaktlaerer"), h),
        "decline": lambda h: ho.decline_handover(user("kontaktlaerer"), h, "Har ikke kapasitet"),
        "cancel": lambda h: ho.cancel_handover(user("stafettholder"), h),
    }
    handover = _pending(log)
    actions[first](handover)
    with pytest.raises(ho.HandoverError, match="ikke lenger aktivt"):
        actions[second](handover)


def test_decline_keeps_the_holder_and_tells_them_why(db_conn, log):
    handover = _pending(log)
    ho.decline_handover(user("kontaktlaerer"), handover, "Jeg har permisjon fra august")
    assert Handover.get_by_id(handover.id).decline_reason == "Jeg har permisjon fra august"
    told = notes("stafettholder", "handover_declined")
    assert len(told) == 1 and "fortsatt stafettholder" in told[0].text
    # a new proposal is possible after a decline
    ho.propose_handover(user("stafettholder"), fresh(log), user("larer"))


def test_the_reason_for_declining_is_the_proposers_to_read(auth, db_conn, log):
    """Why someone declines may be about the child and the family («jeg kjenner familien
    privat»): the holder who proposed reads it, and the unit leader who made a proposal
    reads the reason given to them; a leader who made none sees only that it was declined."""
    reason = "Jeg kjenner familien privat fra fotballen."
    ho.decline_handover(user("kontaktlaerer"), _pending(log), reason)
    page = auth.persona("holder").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert reason in page
    page = auth.persona("unit_leader").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "avslo" in page and reason not in page
    leaders = ho.propose_handover(user("enhetsleder"), fresh(log), user("larer"), "Familien ønsker det.")
    ho.decline_handover(user("larer"), leaders, reason)
    page = auth.persona("unit_leader").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert reason in page


def test_cancel_tells_the_proposed_person(db_conn, log):
    ho.cancel_handover(user("stafettholder"), _pending(log))
    assert len(notes("kontaktlaerer", "handover_cancelled")) == 1


def test_accept_on_a_log_closed_meanwhile_is_refused(db_conn, log):
    handover = _pending(log)
    Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
    with pytest.raises(ho.HandoverError, match="avsluttet"):
        ho.accept_handover(user("kontaktlaerer"), handover)
    assert fresh(log).holder_id == user("stafettholder").id


def test_accept_by_a_person_deactivated_meanwhile_is_refused(db_conn, log):
    handover = _pending(log)
    deactivate("kontaktlaerer")  # bypassing deactivate_staff, which would cancel it
    with pytest.raises(ho.HandoverError, match="deaktivert"):
        ho.accept_handover(User.get(User.username == "kontaktlaerer"), handover)
    assert fresh(log).holder_id == user("stafettholder").id


def test_an_accept_that_loses_a_race_with_a_withdrawal_changes_nothing(db_conn, log, monkeypatch):
    """On PostgreSQL the proposal is read before the log's row lock is granted: the holder's
    withdrawal may commit in between. The accept then finds it no longer pending and
    stops, instead of making the proposed person holder of a withdrawn proposal."""
    handover = _pending(log)
    asked = ho._from_request

    def withdrawn_meanwhile(h):
        Handover.update(status="cancelled", decided_at=utcnow()).where(Handover.id == h.id).execute()
        return asked(h)

    monkeypatch.setattr(ho, "_from_request", withdrawn_meanwhile)
    with pytest.raises(ho.HandoverError, match="ikke lenger aktivt"):
        ho.accept_handover(user("kontaktlaerer"), handover)
    assert fresh(log).holder_id == user("stafettholder").id
    assert not AuditEvent.select().where(AuditEvent.action == "handover_accepted", AuditEvent.log_id == log.id).exists()


def test_leaving_goes_through_when_a_proposal_to_the_person_was_answered_meanwhile(db_conn, log, monkeypatch):
    """The proposals to a leaving person are listed, then one is declined before it is
    cancelled (PostgreSQL: another request committed in between). The person still
    leaves; the declined proposal stays declined."""
    handover = _pending(log)
    cancel = ho.cancel_handover

    def declined_first(by, h, **kwargs):
        Handover.update(status="declined", decline_reason="Nei", decided_at=utcnow()).where(
            Handover.id == h.id
        ).execute()
        return cancel(by, h, **kwargs)

    monkeypatch.setattr(ho, "cancel_handover", declined_first)
    deactivate_staff(user("enhetsleder2"), user("kontaktlaerer"))
    assert not User.get(User.username == "kontaktlaerer").active
    assert Handover.get_by_id(handover.id).status == "declined"
    assert fresh(log).holder_id == user("stafettholder").id


def test_proposed_person_deactivated_while_pending_cancels_the_proposal(db_conn, log):
    handover = _pending(log)
    deactivate_staff(user("enhetsleder2"), user("kontaktlaerer"))
    assert Handover.get_by_id(handover.id).status == "cancelled"
    told = notes("stafettholder", "handover_cancelled")
    assert len(told) == 1 and "deaktivert" in told[0].text
    assert notes("kontaktlaerer", "handover_cancelled") == []
    with pytest.raises(ho.HandoverError):
        ho.accept_handover(user("kontaktlaerer"), handover)
    assert check_invariants() == []


# ------------------------------------------------------------------ direct assignment


ASSIGNMENTS = [
    ("leader of the log's unit", "enhetsleder", "larer", None),
    ("to someone in another unit", "enhetsleder", "kontaktlaerer", "arbeider ikke i enheten din"),
    ("leader of another unit", "enhetsleder2", "kontaktlaerer", "Bare enhetslederen"),
    ("the holder", "stafettholder", "larer", "Bare enhetslederen"),
    ("to the current holder", "enhetsleder", "stafettholder", "allerede stafettholder"),
    ("to a guardian", "enhetsleder", "foresatt", "Bare ansatte"),
]


REASON = "Kari har sluttet brått, og familien trenger en kontakt nå."


@pytest.mark.parametrize("case,by,target,expected", ASSIGNMENTS, ids=[a[0] for a in ASSIGNMENTS])
def test_assign_holder_directly(db_conn, log, case, by, target, expected):
    pending = _pending(log, "aktor")
    User.update(active=False).where(User.username == "stafettholder").execute()  # the holder has left
    if expected is None:
        handover = ho.assign_holder_directly(user(by), fresh(log), user(target), REASON)
        assert handover.note == REASON
        assert handover.direct_assignment and handover.status == "accepted"
        assert handover.created_by_id == user(by).id
        assert fresh(log).holder_id == user(target).id
        assert Handover.get_by_id(pending.id).status == "cancelled"  # never two ways at once
        assert len(notes(target, "holder_assigned")) == 1
        assert AuditEvent.select().where(AuditEvent.action == "holder_assigned").exists()
    else:
        with pytest.raises(ho.HandoverError, match=expected):
            ho.assign_holder_directly(user(by), fresh(log), user(target), REASON)
        assert fresh(log).holder_id == user("stafettholder").id
    User.update(active=True).where(User.username == "stafettholder").execute()
    assert check_invariants() == []


# ------------------------------------------------------------------ choosing oneself

CHOOSE_ONESELF = "Du kan ikke velge deg selv som ny stafettholder."


def _leaving_holder(log):
    deactivate("stafettholder")  # the holder has left: the leader's emergency forms open
    return fresh(log)


ONESELF = [
    (
        "the holder proposes themselves",
        lambda log: ho.propose_handover(user("stafettholder"), log, user("stafettholder")),
    ),
    (
        "the unit leader proposes themselves",
        lambda log: ho.propose_handover(user("enhetsleder"), log, user("enhetsleder"), "Familien ønsker det."),
    ),
    (
        "the unit leader proposes themselves for a leaving holder",
        lambda log: ho.propose_for_leaving_holder(
            user("enhetsleder"), log, user("enhetsleder"), leaving=user("stafettholder")
        ),
    ),
    (
        "the unit leader assigns themselves directly",
        lambda log: ho.assign_holder_directly(user("enhetsleder"), _leaving_holder(log), user("enhetsleder"), REASON),
    ),
]


@pytest.mark.parametrize("case,choose", ONESELF, ids=[o[0] for o in ONESELF])
def test_every_way_to_a_new_holder_refuses_oneself_in_the_same_words(db_conn, log, case, choose):
    """Finding: proposing oneself was refused in other words («foreslå deg selv») than a
    leader making themselves holder («gjøre deg selv til stafettholder»). One check
    (_check_new_holder), one refusal, whichever way the person is chosen."""
    with pytest.raises(ho.HandoverError) as refused:
        choose(log)
    assert (str(refused.value), refused.value.field) == (CHOOSE_ONESELF, "to_user")
    assert not Handover.select().where(Handover.log == log.id).exists()


def test_the_rule_against_choosing_oneself_is_said_once():
    """The refusal is written in one place: a second check in its own words (as
    propose_handover once had: «Du kan ikke foreslå deg selv.») fails here. Refusing
    oneself anything else (deactivating, moving oneself) is another rule."""
    said = re.compile(r"[\"']([^\"']*deg selv[^\"']*)[\"']")
    other_rules = {"Du kan ikke deaktivere deg selv.", "Du kan ikke flytte deg selv."}
    found = [
        (path.relative_to(ROOT).as_posix(), text)
        for path in [*ROOT.glob("stafettlogg/**/*.py"), *ROOT.glob("templates/**/*.html")]
        for text in said.findall(path.read_text(encoding="utf-8"))
        if text not in other_rules
    ]
    assert found == [("stafettlogg/handover/domain.py", CHOOSE_ONESELF)]


# ------------------------------------------------------------------ staff leaving


def held_by(username: str) -> list[Log]:
    return list(Log.select().where(Log.holder == user(username), Log.status.in_([LogStatus.DRAFT, LogStatus.ACTIVE])))


def test_deactivating_a_holder_without_new_holders_is_refused(db_conn, log):
    with pytest.raises(OrganisationError) as error:
        deactivate_staff(user("enhetsleder"), user("stafettholder"))
    assert {log.id for log in error.value.logs} == {log.id for log in held_by("stafettholder")}
    assert user("stafettholder").active


def test_deactivating_with_direct_assignment_for_every_log(db_conn, log):
    jonas_log = a_log("kontaktlaerer", participants=())
    ho.propose_handover(user("kontaktlaerer"), jonas_log, user("stafettholder"))
    logs = held_by("stafettholder")
    choices = {log.id: ("direct", user("larer").id, REASON) for log in logs}
    deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert not user("stafettholder").active
    for log in logs:
        assert Log.get_by_id(log.id).holder_id == user("larer").id
        h = Handover.get(Handover.log == log, Handover.status == "accepted")
        assert h.direct_assignment and h.created_by_id == user("enhetsleder").id
    # the pending proposal to «stafettholder» is cancelled and its holder told
    assert not Handover.select().where(Handover.log == jonas_log, Handover.status == "pending").exists()
    assert len(notes("kontaktlaerer", "handover_cancelled")) == 1
    assert check_invariants() == []


def test_a_leaving_holders_log_waiting_for_consent_is_assigned_not_proposed(db_conn, log):
    """A proposal could not be accepted before a new consent is on file (accept_handover
    is from a log in use only, as hand_over): the unit leader is told to assign directly,
    and that goes through; the new holder uploads the family's new consent."""
    Consent.update(expires_on=dt.date.today() - dt.timedelta(days=1)).where(Consent.log == log.id).execute()
    logs = held_by("stafettholder")
    proposals = Handover.select().count()
    choices = {held.id: ("propose", user("larer").id) for held in logs}
    with pytest.raises(OrganisationError, match="venter på nytt samtykke.*Velg direkte tildeling"):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert Handover.select().count() == proposals and fresh(log).holder_id == user("stafettholder").id
    choices = {held.id: ("direct", user("larer").id, REASON) for held in logs}
    deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert fresh(log).holder_id == user("larer").id and not user("stafettholder").active


def test_deactivating_with_a_missing_choice_changes_nothing(db_conn, log):
    logs = held_by("stafettholder")
    choices = {logs[0].id: ("direct", user("larer").id, REASON)}  # the other log has no new holder
    with pytest.raises(OrganisationError):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert user("stafettholder").active
    assert check_invariants() == []


def test_a_bad_choice_rolls_back_every_choice(db_conn, log):
    logs = held_by("stafettholder")
    choices = {
        logs[0].id: ("direct", user("larer").id, REASON),
        logs[1].id: ("direct", user("stafettholder").id, REASON),
    }
    with pytest.raises(OrganisationError, match="Velg en annen"):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert {log.holder_id for log in held_by("stafettholder")} == {user("stafettholder").id}
    assert len(held_by("stafettholder")) == len(logs)


def test_deactivating_with_proposals_waits_for_acceptance(db_conn, log):
    logs = held_by("stafettholder")
    choices = {log.id: ("propose", user("larer").id) for log in logs}
    with pytest.raises(OrganisationError):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert user("stafettholder").active  # keeps the role until the new holder accepts
    pending = list(Handover.select().where(Handover.to_user == user("larer"), Handover.status == "pending"))
    assert len(pending) == len(logs)
    assert all(h.created_by_id == user("enhetsleder").id for h in pending)
    for h in pending:
        ho.accept_handover(user("larer"), h)
    assert len(notes("enhetsleder", "handover_accepted")) == len(logs)
    deactivate_staff(user("enhetsleder"), user("stafettholder"))
    assert not user("stafettholder").active
    assert check_invariants() == []


def test_unit_page_lets_the_leader_choose_new_holders(auth, db_conn, log):
    client = auth.persona("unit_leader")
    staff = user("stafettholder")
    r = client.post(f"/ansatte/{staff.id}/deaktiver")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Velg ny stafettholder før" in html and log.subject.name in html
    form = {}
    for held in held_by("stafettholder"):
        form[f"holder_{held.id}"] = str(user("larer").id)
        form[f"mode_{held.id}"] = "direct"
    r = client.post(f"/ansatte/{staff.id}/deaktiver", data=form)
    assert r.status_code == 409 and "Skriv hvorfor" in r.get_data(as_text=True)  # an emergency needs a reason
    assert user("stafettholder").active and fresh(log).holder_id == staff.id
    form.update({f"reason_{held.id}": REASON for held in held_by("stafettholder")})
    r = client.post(f"/ansatte/{staff.id}/deaktiver", data=form)
    assert r.status_code == 303
    assert not user("stafettholder").active
    assert fresh(log).holder_id == user("larer").id
    history = auth.persona("same_unit_staff").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "tildelt direkte av enhetsleder" in history


def test_the_leaving_holders_logs_named_on_the_unit_page_are_audited(auth, db_conn, log):
    """Refusing to deactivate someone who holds active logs lists those logs with the
    children's names (409): a read of each log's child, audited on each log."""
    staff = user("stafettholder")
    listed = AuditEvent.select().where(AuditEvent.action == "view:org.staff_deactivate")
    before = {held.id: listed.where(AuditEvent.log_id == held.id).count() for held in held_by("stafettholder")}
    r = auth.persona("unit_leader").post(f"/ansatte/{staff.id}/deaktiver")
    assert r.status_code == 409 and log.subject.name in r.get_data(as_text=True)
    for held in held_by("stafettholder"):
        assert listed.where(AuditEvent.log_id == held.id).count() == before[held.id] + 1, held.id
    event = listed.where(AuditEvent.log_id == log.id).order_by(AuditEvent.id.desc()).first()
    assert (event.user_id, event.role, event.object_id) == (user("enhetsleder").id, "unit_leader", staff.id)


def test_unit_leader_cannot_reassign_logs_the_person_does_not_hold(auth, db_conn, log):
    # extra fields naming someone else's log change nothing (SECURITY.md "Forms accept only …")
    sofie = a_log("pedleder", participants=())  # a kindergarten's log
    client = auth.persona("unit_leader")
    r = client.post(
        f"/ansatte/{user('larer').id}/deaktiver",
        data={f"holder_{sofie.id}": str(user("larer").id), f"mode_{sofie.id}": "direct"},
    )
    assert r.status_code == 303  # larer holds nothing: deactivated
    assert Log.get_by_id(sofie.id).holder_id == user("pedleder").id


# ------------------------------------------------------------------ routes


def test_holder_proposes_through_the_page_and_the_new_holder_accepts(auth, db_conn, log):
    client = auth.persona("holder")
    page = client.get(f"/logger/{log.id}/stafettholder?q=Jonas")
    assert page.status_code == 200 and "Jonas Berg" in page.get_data(as_text=True)
    fragment = client.get(f"/logger/{log.id}/stafettholder/sok?q=Berg", headers={"HX-Request": "true"})
    assert "Jonas Berg" in fragment.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    r = client.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("kontaktlaerer").id, "note": "Flytter"})
    assert r.status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    # an extra holder_id or unit_id in the POST changes nothing
    assert fresh(log).holder_id == user("stafettholder").id
    new = auth.login_as("kontaktlaerer")
    start = new.get("/").get_data(as_text=True)
    assert f"/stafettholder/{handover.id}" in start and log.subject.name in start
    assert new.get(f"/stafettholder/{handover.id}").status_code == 200
    seen = AuditEvent.get(AuditEvent.action == "view:handover.respond")
    assert (seen.log_id, seen.user_id, seen.object_id) == (log.id, user("kontaktlaerer").id, handover.id)
    r = new.post(f"/stafettholder/{handover.id}/godta")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/logger/{log.id}")
    assert fresh(log).holder_id == user("kontaktlaerer").id
    # the guardian's start page shows the new holder at once
    guardian = auth.persona("guardian").get("/").get_data(as_text=True)
    card = next(c for c in guardian.split('<li class="log-card">') if f'href="/mine/{log.id}"' in c).split("</li>")[0]
    assert "Jonas Berg" in card and "Kari Ottesen" not in card
    # the new unit's leader sees the arrival among the notifications
    leader = auth.persona("other_unit_leader").get("/varsler").get_data(as_text=True)
    assert "Et barn med stafettlogg har kommet til Sørbyen skole" in leader


def test_bad_proposal_is_re_rendered_with_422_and_the_note_kept(auth, db_conn, log):
    client = auth.persona("holder")
    r = client.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": "", "note": "Viktig notat"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Velg hvem som skal bli ny stafettholder" in html and "Viktig notat" in html
    assert not Handover.select().where(Handover.log == log.id).exists()


def test_decline_without_reason_is_422_with_a_message(auth, db_conn, log):
    handover = _pending(log)
    r = auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": ""})
    assert r.status_code == 422 and "Skriv hvorfor" in r.get_data(as_text=True)
    r = auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Permisjon"})
    assert r.status_code == 303 and Handover.get_by_id(handover.id).status == "declined"


def test_the_holder_reads_why_the_proposal_was_declined(auth, db_conn, log):
    """The form promises «Stafettholderen får se begrunnelsen»: the notice leads to the
    handover page, which shows the reason until the next proposal."""
    handover = _pending(log)
    auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Permisjon fra august"})
    told = notes("stafettholder", "handover_declined")
    assert len(told) == 1 and told[0].url == f"/logger/{log.id}/stafettholder"
    holder = auth.persona("holder")
    html = holder.get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "Permisjon fra august" in html and user("kontaktlaerer").name in html
    holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("larer").id})
    assert "Permisjon fra august" not in holder.get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)


def test_the_proposal_re_rendered_with_a_refusal_is_audited(auth, db_conn, log):
    """The proposal page names the child and the log's unit: shown again with a 422 (no
    reason), it is a read like the GET (SECURITY.md "Audit"); withdrawn meanwhile, the 409
    names no child and reads nothing."""
    handover = _pending(log)
    proposed = auth.login_as("kontaktlaerer")
    seen = AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action.startswith("view:handover."))
    before = seen.count()
    r = proposed.post(f"/stafettholder/{handover.id}/avsla", data={"reason": ""})
    assert r.status_code == 422 and log.subject.name in r.get_data(as_text=True)
    assert seen.count() == before + 1
    event = seen.order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.user_id, event.object_id) == (
        "view:handover.decline",
        user("kontaktlaerer").id,
        handover.id,
    )
    ho.cancel_handover(user("stafettholder"), Handover.get_by_id(handover.id))
    r = proposed.post(f"/stafettholder/{handover.id}/godta")  # withdrawn meanwhile: the child is no longer named
    assert r.status_code == 409 and log.subject.name not in r.get_data(as_text=True)
    assert "Forslaget er trukket tilbake." in r.get_data(as_text=True) and seen.count() == before + 1


def test_cancel_through_the_page(auth, db_conn, log):
    handover = _pending(log)
    r = auth.persona("holder").post(f"/logger/{log.id}/stafettholder/trekk-tilbake")
    assert r.status_code == 303 and Handover.get_by_id(handover.id).status == "cancelled"


HOLDER_ROUTES = [
    ("GET", "/logger/{log}/stafettholder"),
    ("GET", "/logger/{log}/stafettholder/sok?q=Berg"),
    ("POST", "/logger/{log}/stafettholder"),
    ("POST", "/logger/{log}/stafettholder/trekk-tilbake"),
]
ADDRESSEE_ROUTES = [
    ("GET", "/stafettholder/{handover}"),
    ("POST", "/stafettholder/{handover}/avsla"),
    ("POST", "/stafettholder/{handover}/godta"),
]
EVERYONE = [
    "anonymous",
    "holder",
    "participant",
    "same_unit_staff",
    "unit_leader",
    "other_unit_staff",
    "other_unit_leader",
    "guardian",
    "coordinating_unit",
    "area_leader",
    "admin",
]


def _refused(response) -> bool:
    return response.status_code in (403, 404) or "/login?next=" in response.headers.get("Location", "")


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("method,path", HOLDER_ROUTES)
def test_holder_routes_by_persona(auth, db_conn, log, persona, method, path):
    """Only the holder and the leader of the log's unit may open or use the handover page
    of the log (the leader cannot withdraw the holder's own proposal)."""
    handover = _pending(log, "larer")
    response = auth.persona(persona).open(path.format(log=log.id), method=method, data={})
    if persona in ("holder", "unit_leader"):
        assert not _refused(response) and response.status_code < 500
        if persona == "unit_leader" and method == "POST":
            assert Handover.get_by_id(handover.id).status == "pending"
    else:
        assert _refused(response), response.status_code
        assert Handover.get_by_id(handover.id).status == "pending"


@pytest.mark.parametrize("persona", [*EVERYONE, "addressee"])
@pytest.mark.parametrize("method,path", ADDRESSEE_ROUTES)
def test_addressee_routes_by_persona(auth, db_conn, log, persona, method, path):
    """Only the proposed person sees or answers the proposal; everyone else gets 404
    (or 403/login for non-staff), never the child's name."""
    handover = _pending(log, "kontaktlaerer") if persona != "other_unit_staff" else _pending(log, "larer")
    client = auth.login_as(handover.to_user.username) if persona == "addressee" else auth.persona(persona)
    response = client.open(path.format(handover=handover.id), method=method, data={"reason": "Har ikke tid"})
    if persona == "addressee":
        assert not _refused(response) and response.status_code < 500
    else:
        assert _refused(response), response.status_code
        assert first_name(log) not in response.get_data(as_text=True)
        assert Handover.get_by_id(handover.id).status == "pending"


def test_respond_is_404_for_a_proposal_to_someone_else_with_the_holders_own_id(auth, db_conn, log):
    handover = _pending(log)
    assert auth.persona("holder").get(f"/stafettholder/{handover.id}").status_code == 404


# ------------------------------------------------------------------ the invariant from every route


def test_no_route_can_break_the_holder_invariant(auth, db_conn, log, app):
    """Try every way to leave a log without exactly one active holder; the checker must
    still report nothing."""
    assert check_invariants() == []
    holder = user("stafettholder")
    leader = auth.persona("unit_leader")
    # deactivate the holder without choosing new holders
    assert leader.post(f"/ansatte/{holder.id}/deaktiver").status_code == 409
    # ... or choosing the leaving person, or a deactivated person, as new holder
    deactivate("larer")
    for target in (holder.id, user("larer").id, 999999):
        form = {f"holder_{log.id}": str(target) for log in held_by("stafettholder")}
        form.update({f"mode_{log.id}": "direct" for log in held_by("stafettholder")})
        assert leader.post(f"/ansatte/{holder.id}/deaktiver", data=form).status_code == 409
    User.update(active=True).where(User.username == "larer").execute()
    # two proposals at once; a proposal to yourself; to the guardian
    client = auth.persona("holder")
    assert client.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("aktor").id}).status_code == 303
    for target in ("kontaktlaerer", "stafettholder", "foresatt"):
        r = client.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user(target).id})
        assert r.status_code == 422
    # the proposed person is deactivated, then tries to accept (their session is gone)
    pending = Handover.get(Handover.log == log.id, Handover.status == "pending")
    # aktor works at Helsestasjonen: Nordbyen's leader may not deactivate her
    assert auth.persona("unit_leader").post(f"/ansatte/{user('aktor').id}/deaktiver").status_code == 403
    hs_leader = User.create(
        username="hsleder", name="Helse Leder", role="unit_leader", unit=user("aktor").unit_id, session_token="x" * 64
    )
    deactivate_staff(hs_leader, user("aktor"))
    assert Handover.get_by_id(pending.id).status == "cancelled"
    r = auth.login_as("aktor").post(f"/stafettholder/{pending.id}/godta")
    assert r.status_code in (302, 303, 401, 403, 404, 409)
    assert fresh(log).holder_id == holder.id
    # a closed log cannot be handed over
    closed = closed_log()
    client = auth.persona("holder")
    assert client.get(f"/logger/{closed.id}/stafettholder").status_code == 200
    assert client.post(f"/logger/{closed.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 422
    assert check_invariants() == []


INVARIANT_BREAKS = [
    ("holder deactivated", lambda log: deactivate("stafettholder"), "er deaktivert"),
    (
        "two pending handovers",
        lambda log: [
            Handover.create(log=log, from_user=user("stafettholder"), to_user=user(u), created_by=user("stafettholder"))
            for u in ("larer", "aktor")
        ],
        "2 ventende forslag",
    ),
    (
        "pending handover to a deactivated user",
        lambda log: (_pending(log, "larer"), deactivate("larer")),
        "til deaktivert bruker",
    ),
    (
        "holder changed without history",
        lambda log: (
            ho.accept_handover(user("larer"), _pending(log, "larer")),
            Log.update(holder=user("stafettholder")).where(Log.id == log.id).execute(),
        ),
        "sist godtok et forslag",
    ),
]


@pytest.mark.parametrize("case,arrange,expected", INVARIANT_BREAKS, ids=[b[0] for b in INVARIANT_BREAKS])
def test_check_invariants_reports_each_violation_and_the_cli_exits_1(app, db_conn, log, case, arrange, expected):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check-invariants"]).exit_code == 0
    arrange(log)
    problems = check_invariants()
    assert any(expected in str(p) for p in problems), problems
    result = runner.invoke(args=["check-invariants"])
    assert result.exit_code == 1 and expected in result.output


# ------------------------------------------------------------------ notifications and e-mail


def test_each_handover_event_is_notified_once_and_mailed_without_child_data(db_conn, log):
    User.update(email="jonas.berg@example.no").where(User.username == "kontaktlaerer").execute()
    handover = _pending(log)
    assert Notification.select().where(Notification.dedupe_key == f"handover_proposed:{handover.id}").count() == 1
    mail = OutboxEmail.get(OutboxEmail.to == "jonas.berg@example.no")
    assert first_name(log) not in mail.subject + mail.body and f"/stafettholder/{handover.id}" in mail.body
    ho.accept_handover(user("kontaktlaerer"), handover)
    kinds = [n.kind for n in Notification.select().where(Notification.log_id == log.id).order_by(Notification.id)]
    assert kinds.count("handover_proposed") == 1
    assert kinds.count("handover_accepted") == 1
    assert kinds.count("child_arrived") == 1


def test_notifications_page_lists_and_marks_read(auth, db_conn, log):
    _pending(log)
    client = auth.login_as("kontaktlaerer")
    page = client.get("/varsler").get_data(as_text=True)
    assert "foreslår deg som ny stafettholder" in page
    note = Notification.get(Notification.user == user("kontaktlaerer"), Notification.kind == "handover_proposed")
    r = client.post(f"/varsler/{note.id}/les")
    assert r.status_code == 303 and r.headers["Location"].endswith(note.url)
    assert Notification.get_by_id(note.id).read_at is not None


# ------------------------------------------------------------------ reminders


def _measure(log, days: int, responsible=None) -> Measure:
    return Measure.create(
        log=log,
        what="Lesekurs to ganger i uka",
        responsible="Kontaktlærer",
        responsible_user=responsible,
        evaluation_date=TODAY + dt.timedelta(days=days),
        author=log.holder_id,
    )


TODAY = dt.date(2031, 3, 10)


def test_reminders_for_measures_are_sent_once(app, db_conn, log, monkeypatch):
    Measure.update(evaluation_date=None).execute()  # the demo's own dates are relative to the real today
    monkeypatch.setattr(sections, "local_today", lambda: TODAY)  # the evaluation is written on TODAY, not ahead

    Consent.update(expires_on=None).execute()  # consents' reminders: tests/test_consent_gate.py
    Meeting.update(finalised_at=dt.datetime(2020, 1, 1)).execute()
    soon = _measure(log, 7, responsible=user("aktor"))
    later = _measure(log, 8)
    overdue = _measure(log, -3)
    evaluated = _measure(log, -5)
    _evaluation, errors = sections.add_evaluation(
        user("stafettholder"),
        log,
        evaluated,
        {"evaluated_on": f"{TODAY - dt.timedelta(days=4):%d.%m.%Y}", "what_worked": "Bra", "decision": "continue"},
    )
    assert not errors, errors
    counts = send_reminders(TODAY)
    assert counts == {
        "measures": 3,
        "meetings": 0,
        "consents": 0,
        "keep_answers": 0,
    }  # soon → holder and aktor; overdue → holder
    assert notes("aktor", "measure_due")[0].url == f"/logger/{log.id}#measures"
    assert Notification.select().where(Notification.dedupe_key.contains(f"measure_due:{soon.id}:")).count() == 2
    assert len(notes("stafettholder", "measure_due")) == 1
    assert len(notes("stafettholder", "measure_overdue")) == 1
    assert Notification.select().where(Notification.dedupe_key.contains(f":{later.id}:")).count() == 0
    assert Notification.select().where(Notification.dedupe_key.contains(f":{evaluated.id}:")).count() == 0
    # idempotent: the same day again, and the CLI the next day, send nothing twice
    assert send_reminders(TODAY) == {"measures": 0, "meetings": 0, "consents": 0, "keep_answers": 0}
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", TODAY.isoformat()])
    assert result.exit_code == 0 and "Sendt: 0" in result.output
    # a new evaluation date is a new reminder
    Measure.update(evaluation_date=TODAY + dt.timedelta(days=2)).where(Measure.id == overdue.id).execute()
    assert send_reminders(TODAY)["measures"] == 1
    # closed logs and deactivated people get nothing
    Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
    _measure(log, 1)
    assert send_reminders(TODAY)["measures"] == 0


def test_reminder_for_a_meeting_tomorrow_in_oslo_time(app, db_conn, log):
    Measure.update(evaluation_date=None).execute()
    Consent.update(expires_on=None).execute()  # in force in 2031
    Meeting.update(finalised_at=dt.datetime(2020, 1, 1)).execute()
    # 23:30 UTC on the 10th is 00:30 in Oslo on the 11th: tomorrow
    late = Meeting.create(
        log=log, kind="samarbeidsmote", starts_at=dt.datetime(2031, 3, 10, 23, 30), author=log.holder_id
    )
    # 12:00 UTC on the 11th, tomorrow too; the day after is not
    Meeting.create(log=log, kind="evalueringsmote", starts_at=dt.datetime(2031, 3, 11, 12, 0), author=log.holder_id)
    Meeting.create(log=log, kind="evalueringsmote", starts_at=dt.datetime(2031, 3, 12, 12, 0), author=log.holder_id)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders", "--today", "2031-03-10"])
    assert result.exit_code == 0, result.output
    people = 1 + Participant.select().where(Participant.log == log).count()
    assert Notification.select().where(Notification.kind == "meeting_tomorrow").count() == 2 * people
    texts = [n.text for n in notes("stafettholder", "meeting_tomorrow")]
    assert any("kl. 00:30" in t for t in texts) and any("kl. 13:00" in t for t in texts)
    again = runner.invoke(args=["send-reminders", "--today", "2031-03-10"]).output
    assert again.startswith("Påminnelser sendt om tiltak: 0, om møter: 0, om samtykker: 0.")
    # a moved meeting is reminded again
    Meeting.update(starts_at=dt.datetime(2031, 3, 11, 8, 0)).where(Meeting.id == late.id).execute()
    assert send_reminders(TODAY)["meetings"] == people
    assert runner.invoke(args=["send-reminders", "--today", "10.03.2031"]).exit_code == 2


def test_a_reminder_reads_its_recipients_once_not_again_per_notice(app, db_conn, log):
    """notify's rule is asked once per reminder: the recipients are picked by
    notify.reached in SQL (notify.reached_among), in the transaction that writes their
    notices, and notify does not read each account again. A measure due, told to the
    holder and the responsible nurse, both with an address, costs one read and two notices
    with their e-mails: five statements (before: seven, a read of the account per notice,
    in a transaction of its own). The same for ten measures as for one."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.reminders import measure_reminders

    Measure.update(evaluation_date=None).execute()
    Consent.update(expires_on=None).execute()  # in force in 2031
    User.update(email="kari@example.no").where(User.id == log.holder_id).execute()
    User.update(email="helse@example.no").where(User.username == "aktor").execute()

    def statements(measures: int) -> int:
        made = [_measure(log, 3, responsible=user("aktor")).id for _ in range(measures)]
        with counting(db) as counter:
            assert measure_reminders(TODAY) == 2 * measures
        Measure.update(evaluation_date=None).where(Measure.id.in_(made)).execute()
        return len(counter["sql"])

    one, eleven = statements(1), statements(11)
    assert (eleven - one) / 10 == 1 + 2 * 2


def test_the_guardians_of_a_new_holder_are_read_once(app, db_conn, log):
    """The guardians told of a new holder (a direct assignment) are read with their
    accounts in one query, and the rule is asked once per account, by notify: the
    handover no longer asks `reaches` itself and then notify again, and no write needs a
    savepoint. The mother with an account and an address on the log, the father with an
    address: seven statements (before: fifteen, three of them reads of her account)."""
    from bench.run import counting
    from stafettlogg.db import db, write_transaction
    from stafettlogg.models import Guardian

    User.update(email="mor.konto@example.no").where(User.username == "foresatt").execute()
    Guardian.update(email="far@example.org").where(Guardian.log == log.id, Guardian.relation == "far").execute()
    deactivate("stafettholder")
    with app.test_request_context():
        handover = ho.assign_holder_directly(user("enhetsleder"), fresh(log), user("larer"), REASON)
        Notification.delete().where(Notification.kind == "holder_assigned").execute()
        OutboxEmail.delete().execute()
        now, holder = fresh(log), user("larer")
        with write_transaction(), counting(db) as counter:
            ho._tell_guardians_of_new_holder(now, holder, handover)
    assert sorted(m.to for m in OutboxEmail.select()) == ["far@example.org", "mor.konto@example.no", "mor@example.no"]
    accounts_read = [sql for sql, _ in counter["sql"] if 'FROM "user"' in sql]
    assert len(accounts_read) == 1  # notify's own rule, for the mother's account
    # the child (its age), the guardians with their accounts, the rule for the mother's
    # account, her notice and its e-mail, and the e-mails to the addresses on the log
    assert len(counter["sql"]) == 7


def test_the_guardians_address_is_mailed_when_notify_does_not_reach_her_account(app, db_conn, log):
    """A guard for the handover's branch on notify's answer. Told through her account (or
    told of this handover before: ALREADY_TOLD), the mother gets no second e-mail at the
    same address on the log; her account deactivated (NOT_REACHED), the address on the
    log, the family's, gets it."""
    from stafettlogg.db import write_transaction
    from stafettlogg.models import Guardian

    same = "mor@example.no"
    User.update(email=same).where(User.username == "foresatt").execute()
    Guardian.update(email=same).where(Guardian.log == log.id, Guardian.relation == "mor").execute()
    Guardian.update(email="").where(Guardian.log == log.id, Guardian.relation == "far").execute()
    deactivate("stafettholder")

    def mails() -> list[tuple]:
        return [(m.to, m.recipient_id) for m in OutboxEmail.select().where(OutboxEmail.to == same)]

    with app.test_request_context():
        handover = ho.assign_holder_directly(user("enhetsleder"), fresh(log), user("larer"), REASON)
        assert mails() == [(same, user("foresatt").id)]  # her account's notice, once
        OutboxEmail.delete().execute()
        with write_transaction():
            ho._tell_guardians_of_new_holder(fresh(log), user("larer"), handover)
        assert mails() == []  # told before
        deactivate("foresatt")
        Notification.delete().where(Notification.kind == "holder_assigned").execute()
        with write_transaction():
            ho._tell_guardians_of_new_holder(fresh(log), user("larer"), handover)
        assert mails() == [(same, None)]  # the address on the log
    assert not notes("foresatt", "holder_assigned")


def test_no_reminders_while_the_log_waits_for_consent_or_to_people_no_longer_on_it(app, db_conn, log):
    """A log whose consent ran out, or does not cover a participant's service, waits for
    a new consent: no one may evaluate or meet in it, so no one is reminded to. Someone
    removed from the log is not reminded of a measure they were responsible for."""
    Measure.update(evaluation_date=None).execute()
    Meeting.update(finalised_at=dt.datetime(2020, 1, 1)).execute()
    Consent.update(expires_on=None).execute()
    _measure(log, 3, responsible=user("aktor"))
    Meeting.create(log=log, kind="evalueringsmote", starts_at=dt.datetime(2031, 3, 11, 12, 0), author=log.holder_id)

    Consent.update(expires_on=TODAY - dt.timedelta(days=1)).where(Consent.log == log).execute()
    sent = send_reminders(TODAY)
    assert (sent["measures"], sent["meetings"]) == (0, 0) and sent["consents"] == 2  # the holder: a new consent
    # participants whose services the consent does not name (the family named only the school)
    Consent.update(expires_on=None, services="").where(Consent.log == log).execute()
    assert send_reminders(TODAY)["measures"] == 0 and not notes("aktor", "meeting_tomorrow")

    Consent.update(services="kind:helsestasjon,kind:ppt").where(Consent.log == log).execute()
    from stafettlogg.logs import domain as log_domain

    with app.test_request_context():
        aktor = Participant.get(Participant.log == log, Participant.user == user("aktor"))
        log_domain.remove_participant(user("stafettholder"), log, aktor)
    sent = send_reminders(TODAY)
    assert (sent["measures"], sent["meetings"]) == (1, 2)  # the meeting: the holder and the PP adviser
    assert notes("stafettholder", "measure_due") and not notes("aktor", "measure_due")
    assert not notes("aktor", "meeting_tomorrow")


def test_a_proposal_no_longer_open_does_not_say_where_the_log_is_now(auth, db_conn, log):
    """Someone who declined (or whose proposal was withdrawn) has no role on the log: their
    old proposal's page must not follow the child to the unit that holds the log later."""
    declined = _pending(log)
    ho.decline_handover(user("kontaktlaerer"), declined, "Jeg har permisjon.")
    ho.accept_handover(user("pedleder"), ho.propose_handover(user("stafettholder"), fresh(log), user("pedleder")))
    assert fresh(log).unit.name == "Solsiden barnehage"
    r = auth.login_as("kontaktlaerer").get(f"/stafettholder/{declined.id}")
    assert r.status_code == 200 and "Du har avslått forslaget." in r.get_data(as_text=True)
    assert "Solsiden barnehage" not in r.get_data(as_text=True)
    # while it is open, the proposed person sees the unit the log is in; withdrawn, not
    other = a_log(participants=())
    withdrawn = ho.propose_handover(user("stafettholder"), other, user("larer"))
    assert "Nordbyen skole" in auth.login_as("larer").get(f"/stafettholder/{withdrawn.id}").get_data(as_text=True)
    ho.cancel_handover(user("stafettholder"), withdrawn)
    ho.accept_handover(
        user("kontaktlaerer"), ho.propose_handover(user("stafettholder"), fresh(other), user("kontaktlaerer"))
    )
    html = auth.login_as("larer").get(f"/stafettholder/{withdrawn.id}").get_data(as_text=True)
    assert "Forslaget er trukket tilbake." in html and "Sørbyen skole" not in html


def test_the_holder_reads_who_proposed_a_new_holder_on_their_behalf(auth, db_conn, log):
    """The unit leader proposes a new holder for a holder who is leaving: the holder's
    page says the unit leader proposed it, not «Du har foreslått»."""
    leader, colleague = user("enhetsleder"), user("larer")
    with auth.app.test_request_context():
        ho.propose_for_leaving_holder(leader, Log.get_by_id(log.id), colleague)
    page = auth.persona("holder").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert f"{leader.name} har foreslått {colleague.name}" in page
    assert "Du har foreslått" not in page


@pytest.mark.parametrize("how", ["declined", "withdrawn"])
def test_a_closed_proposal_no_longer_names_the_child_nor_shows_the_note(auth, db_conn, log, how):
    """Declined, or withdrawn by the holder: the proposed person has no role on the log, so
    the proposal's page says what became of it, not which child it was about nor the
    holder's note, and it is no read of the log."""
    handover = _pending(log)
    if how == "declined":
        auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Permisjon"})
    else:
        ho.cancel_handover(user("stafettholder"), handover)
    reads = AuditEvent.select().where(AuditEvent.action == "view:handover.respond").count()
    r = auth.login_as("kontaktlaerer").get(f"/stafettholder/{handover.id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and ("Du har avslått forslaget." in html or "Forslaget er trukket tilbake." in html)
    assert log.subject.name not in html and first_name(log) not in html and "flytter til Sørbyen" not in html
    assert AuditEvent.select().where(AuditEvent.action == "view:handover.respond").count() == reads


def test_a_former_holder_with_no_role_left_reads_neither_the_child_nor_the_note(auth, db_conn, log):
    """Larer accepted the log once, handed it back and was taken off it: the proposal they
    once accepted names no child and no note any more, and reads nothing of the log."""
    first = ho.propose_handover(user("stafettholder"), log, user("larer"), note="Mor er syk, snakk med far.")
    ho.accept_handover(user("larer"), first)
    back = ho.propose_handover(user("larer"), fresh(log), user("stafettholder"))
    ho.accept_handover(user("stafettholder"), back)
    larer = auth.persona("same_unit_staff")
    page = larer.get(f"/stafettholder/{first.id}").get_data(as_text=True)
    assert log.subject.name in page and "Mor er syk" in page  # still a participant: the log is theirs to read
    removed = Participant.get(Participant.log == log.id, Participant.user == user("larer"))
    auth.persona("holder").post(f"/logger/{log.id}/deltakere/{removed.id}/fjern")
    assert not Participant.select().where(Participant.id == removed.id).exists()
    before = AuditEvent.select().where(AuditEvent.user_id == user("larer").id, AuditEvent.log_id == log.id).count()
    larer = auth.persona("same_unit_staff")
    response = larer.get(f"/stafettholder/{first.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Forslaget er godtatt" in page
    assert log.subject.name not in page and "Mor er syk" not in page
    assert (
        AuditEvent.select().where(AuditEvent.user_id == user("larer").id, AuditEvent.log_id == log.id).count() == before
    )
    assert larer.get(f"/logger/{log.id}").status_code == 404


def test_the_holders_notes_in_the_history_are_content_the_consent_gates(auth, db_conn, log):
    """The notes holders wrote at a handover are about the child: the log page and the
    handover page show them to whom the consent lets read the log, not to a new holder
    from a unit the consent leaves out (nor in a draft)."""
    handover = ho.propose_handover(user("stafettholder"), log, user("larer"), note="Mor er syk, snakk med far.")
    ho.accept_handover(user("larer"), handover)
    larer = auth.persona("same_unit_staff")
    for url in (f"/logger/{log.id}", f"/logger/{log.id}/stafettholder"):
        assert "Mor er syk" in larer.get(url).get_data(as_text=True), url
    # larer moves to Sørbyen skole, which the consent leaves out: they hold the log until
    # someone takes it over, reading none of its content (states.unreadable_reason)
    User.update(unit=user("kontaktlaerer").unit_id).where(User.id == user("larer").id).execute()
    larer = auth.persona("same_unit_staff")
    for url in (f"/logger/{log.id}", f"/logger/{log.id}/stafettholder"):
        page = larer.get(url).get_data(as_text=True)
        assert f"{user('stafettholder').name} → {user('larer').name}" in page, url  # the log's frame
        assert "Mor er syk" not in page, url


def test_a_proposal_made_before_the_consent_ran_out_is_not_accepted_while_the_log_waits(auth, db_conn, log):
    """Handing over waits for the new consent (states: hand_over), and so does accepting a
    proposal sent before it ran out: the log keeps its holder, who renews the consent."""
    handover = ho.propose_handover(user("stafettholder"), log, user("larer"))
    Consent.update(expires_on=dt.date.today() - dt.timedelta(days=1)).where(Consent.log == log.id).execute()
    response = auth.persona("same_unit_staff").post(f"/stafettholder/{handover.id}/godta")
    assert response.status_code == 409 and "samtykke" in response.get_data(as_text=True)
    assert fresh(log).holder_id == user("stafettholder").id
    assert Handover.get_by_id(handover.id).status == "pending"
    Consent.update(expires_on=dt.date.today() + dt.timedelta(days=300)).where(Consent.log == log.id).execute()
    assert auth.persona("same_unit_staff").post(f"/stafettholder/{handover.id}/godta").status_code == 303
    assert fresh(log).holder_id == user("larer").id


@pytest.mark.parametrize("how", ["deactivate, propose", "deactivate, direct", "move, propose"])
def test_a_unit_leader_makes_themselves_holder_by_no_route(auth, db_conn, log, how):
    """Finding: a leader who proposes themselves as holder is refused (accepting would
    make them holder with no one else agreeing, reading the whole log), but the forms for
    a leaving or moving holder's logs took the leader's own id, and a proposal made on a
    refused deactivation stood. Every route refuses it, stores nothing, and the forms do
    not offer the leader."""
    holder, leader = user("stafettholder"), user("enhetsleder")
    client = auth.persona("unit_leader")
    held = held_by("stafettholder")
    mode = how.split(", ")[1]
    form = {f"holder_{h.id}": str(leader.id) for h in held}
    form.update({f"mode_{h.id}": mode for h in held})
    form.update({f"reason_{h.id}": "Akutt" for h in held})
    handovers = Handover.select().count()
    if how.startswith("move"):
        other_unit = user("kontaktlaerer").unit_id
        page = client.get(f"/ansatte/{holder.id}/flytt?unit_id={other_unit}").get_data(as_text=True)
        response = client.post(f"/ansatte/{holder.id}/flytt", data={"unit_id": str(other_unit), **form})
    else:
        page = client.post(f"/ansatte/{holder.id}/deaktiver").get_data(as_text=True)  # asks who takes over
        response = client.post(f"/ansatte/{holder.id}/deaktiver", data=form)
    assert response.status_code in (409, 422)
    assert CHOOSE_ONESELF in response.get_data(as_text=True)
    assert Handover.select().count() == handovers
    assert all(fresh(h).holder_id == holder.id for h in held) and User.get_by_id(holder.id).active
    choices = re.findall(r'<select[^>]*name="holder_\d+"[^>]*>(.*?)</select>', page, re.S)
    assert choices and all(f'value="{leader.id}"' not in c for c in choices)  # not offered
    assert client.get(f"/logger/{log.id}").status_code == 403  # reads no content
