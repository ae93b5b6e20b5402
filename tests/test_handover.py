"""Issue 5: handover of the holder role, staff leaving, the holder invariant, notifications
and the daily reminders (seed 001 "Rutine for å opprette og endre stafettholder", seed 002
"held i stafettpinnen til han er motteken og akseptert av ein ny stafetthaldar")."""

import datetime as dt

import pytest

from stafettlogg.handover import domain as ho
from stafettlogg.invariants import check_invariants
from stafettlogg.models import (
    AuditEvent,
    Evaluation,
    Handover,
    Log,
    LogStatus,
    Measure,
    Meeting,
    Notification,
    OutboxEmail,
    Participant,
    Subject,
    User,
)
from stafettlogg.org.domain import OrganisationError, deactivate_staff
from stafettlogg.reminders import send_reminders
from tests.conftest import EMMA_LOG_ID, user

pytestmark = pytest.mark.db


def emma() -> Log:
    return Log.get_by_id(EMMA_LOG_ID)


def log_of(name: str) -> Log:
    return Log.select().join(Subject).where(Subject.name == name).get()


def notes(username: str, kind: str) -> list[Notification]:
    return list(Notification.select().where(Notification.user == user(username), Notification.kind == kind))


def deactivate(username: str) -> None:
    User.update(active=False).where(User.username == username).execute()


# ------------------------------------------------------------------ the state machine


def _second_proposal():
    ho.propose_handover(user("stafettholder"), emma(), user("kontaktlaerer"))
    return "stafettholder", emma(), "larer"


def _closed_log():
    return "stafettholder", log_of("Oskar Nilsen"), "kontaktlaerer"


def _deactivated_target():
    deactivate("kontaktlaerer")
    return "stafettholder", emma(), "kontaktlaerer"


PROPOSALS = [
    # (case, arrange -> (proposer, log, target username or None), expected message part or None)
    ("holder to staff of another unit", lambda: ("stafettholder", emma(), "kontaktlaerer"), None),
    ("holder to a unit leader", lambda: ("stafettholder", emma(), "enhetsleder2"), None),
    ("holder to a draft's new holder", lambda: ("stafettholder", log_of("Noah Berg"), "larer"), None),
    ("to yourself", lambda: ("stafettholder", emma(), "stafettholder"), "deg selv"),
    ("to a deactivated user", _deactivated_target, "deaktivert"),
    ("to a guardian", lambda: ("stafettholder", emma(), "foresatt"), "Bare ansatte"),
    ("to an area leader", lambda: ("stafettholder", emma(), "omradeleder"), "Bare ansatte"),
    ("to nobody", lambda: ("stafettholder", emma(), None), "Velg hvem"),
    ("a participant proposes", lambda: ("aktor", emma(), "kontaktlaerer"), "Bare stafettholderen"),
    ("the unit leader proposes", lambda: ("enhetsleder", emma(), "kontaktlaerer"), "Bare stafettholderen"),
    ("second proposal while one is pending", _second_proposal, "allerede et forslag"),
    ("on a closed log", _closed_log, "avsluttet"),
]


@pytest.mark.parametrize("case,arrange,expected", PROPOSALS, ids=[p[0] for p in PROPOSALS])
def test_propose_handover(db_conn, case, arrange, expected):
    proposer, log, target = arrange()
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


def _pending(target="kontaktlaerer") -> Handover:
    return ho.propose_handover(user("stafettholder"), emma(), user(target), "Emma flytter til Sørbyen")


def test_accept_moves_the_log_and_tells_the_new_unit(db_conn):
    handover = _pending()
    log = ho.accept_handover(user("kontaktlaerer"), handover)
    assert log.holder_id == user("kontaktlaerer").id
    assert log.unit_id == user("kontaktlaerer").unit_id  # Sørbyen skole
    assert Handover.get_by_id(handover.id).status == "accepted"
    history = list(Handover.select().where(Handover.log == log, Handover.status == "accepted"))
    assert [(h.from_user_id, h.to_user_id, h.note) for h in history] == [
        (user("stafettholder").id, user("kontaktlaerer").id, "Emma flytter til Sørbyen")
    ]
    assert history[0].decided_at is not None and not history[0].direct_assignment
    # the old holder stays a participant; the new holder is not also a participant
    members = {p.user_id for p in Participant.select().where(Participant.log == log)}
    assert user("stafettholder").id in members and user("kontaktlaerer").id not in members
    # seed 001: the new unit's leader is told; the old holder is told it was accepted
    arrived = notes("enhetsleder2", "child_arrived")
    assert len(arrived) == 1 and "Sørbyen skole" in arrived[0].text and "Jonas Berg" in arrived[0].text
    assert "Emma" not in arrived[0].text  # no child data in what also goes out by e-mail
    assert notes("enhetsleder", "child_arrived") == []
    assert len(notes("stafettholder", "handover_accepted")) == 1
    assert check_invariants() == []


def test_accept_within_the_same_unit_does_not_announce_an_arrival(db_conn):
    ho.accept_handover(user("larer"), _pending("larer"))
    assert emma().unit_id == user("larer").unit_id
    assert Notification.select().where(Notification.kind == "child_arrived").count() == 0


def test_a_participant_who_becomes_holder_is_no_longer_listed_twice(db_conn):
    log = ho.accept_handover(user("aktor"), _pending("aktor"))
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
def test_decisions_on_a_pending_proposal(db_conn, case, action, expected, status):
    handover = _pending()
    if expected is None:
        action(handover)
    else:
        with pytest.raises(ho.HandoverError, match=expected):
            action(handover)
    assert Handover.get_by_id(handover.id).status == status
    holder = "kontaktlaerer" if status == "accepted" else "stafettholder"
    assert emma().holder_id == user(holder).id
    assert check_invariants() == []


@pytest.mark.parametrize("first", ["accept", "decline", "cancel"])
@pytest.mark.parametrize("second", ["accept", "decline", "cancel"])
def test_a_decided_proposal_cannot_be_decided_again(db_conn, first, second):
    actions = {
        "accept": lambda h: ho.accept_handover(user("kontaktlaerer"), h),
        "decline": lambda h: ho.decline_handover(user("kontaktlaerer"), h, "Har ikke kapasitet"),
        "cancel": lambda h: ho.cancel_handover(user("stafettholder"), h),
    }
    handover = _pending()
    actions[first](handover)
    with pytest.raises(ho.HandoverError, match="ikke lenger aktivt"):
        actions[second](handover)


def test_decline_keeps_the_holder_and_tells_them_why(db_conn):
    handover = _pending()
    ho.decline_handover(user("kontaktlaerer"), handover, "Jeg har permisjon fra august")
    assert Handover.get_by_id(handover.id).decline_reason == "Jeg har permisjon fra august"
    told = notes("stafettholder", "handover_declined")
    assert len(told) == 1 and "fortsatt stafettholder" in told[0].text
    # a new proposal is possible after a decline
    ho.propose_handover(user("stafettholder"), emma(), user("larer"))


def test_cancel_tells_the_proposed_person(db_conn):
    ho.cancel_handover(user("stafettholder"), _pending())
    assert len(notes("kontaktlaerer", "handover_cancelled")) == 1


def test_accept_on_a_log_closed_meanwhile_is_refused(db_conn):
    handover = _pending()
    Log.update(status=LogStatus.CLOSED).where(Log.id == EMMA_LOG_ID).execute()
    with pytest.raises(ho.HandoverError, match="avsluttet"):
        ho.accept_handover(user("kontaktlaerer"), handover)
    assert emma().holder_id == user("stafettholder").id


def test_accept_by_a_person_deactivated_meanwhile_is_refused(db_conn):
    handover = _pending()
    deactivate("kontaktlaerer")  # bypassing deactivate_staff, which would cancel it
    with pytest.raises(ho.HandoverError, match="deaktivert"):
        ho.accept_handover(User.get(User.username == "kontaktlaerer"), handover)
    assert emma().holder_id == user("stafettholder").id


def test_proposed_person_deactivated_while_pending_cancels_the_proposal(db_conn):
    handover = _pending()
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
    ("to someone in another unit", "enhetsleder", "kontaktlaerer", None),
    ("leader of another unit", "enhetsleder2", "kontaktlaerer", "Bare enhetslederen"),
    ("the holder", "stafettholder", "larer", "Bare enhetslederen"),
    ("to the current holder", "enhetsleder", "stafettholder", "allerede stafettholder"),
    ("to a guardian", "enhetsleder", "foresatt", "Bare ansatte"),
]


REASON = "Kari har sluttet brått, og familien trenger en kontakt nå."


@pytest.mark.parametrize("case,by,target,expected", ASSIGNMENTS, ids=[a[0] for a in ASSIGNMENTS])
def test_assign_holder_directly(db_conn, case, by, target, expected):
    pending = _pending("aktor")
    User.update(active=False).where(User.username == "stafettholder").execute()  # the holder has left
    if expected is None:
        handover = ho.assign_holder_directly(user(by), emma(), user(target), REASON)
        assert handover.note == REASON
        assert handover.direct_assignment and handover.status == "accepted"
        assert handover.created_by_id == user(by).id
        assert emma().holder_id == user(target).id
        assert Handover.get_by_id(pending.id).status == "cancelled"  # never two ways at once
        assert len(notes(target, "holder_assigned")) == 1
        assert AuditEvent.select().where(AuditEvent.action == "holder_assigned").exists()
    else:
        with pytest.raises(ho.HandoverError, match=expected):
            ho.assign_holder_directly(user(by), emma(), user(target), REASON)
        assert emma().holder_id == user("stafettholder").id
    User.update(active=True).where(User.username == "stafettholder").execute()
    assert check_invariants() == []


# ------------------------------------------------------------------ staff leaving


def held_by(username: str) -> list[Log]:
    return list(Log.select().where(Log.holder == user(username), Log.status.in_([LogStatus.DRAFT, LogStatus.ACTIVE])))


def test_deactivating_a_holder_without_new_holders_is_refused(db_conn):
    with pytest.raises(OrganisationError) as error:
        deactivate_staff(user("enhetsleder"), user("stafettholder"))
    assert {log.id for log in error.value.logs} == {log.id for log in held_by("stafettholder")}
    assert user("stafettholder").active


def test_deactivating_with_direct_assignment_for_every_log(db_conn):
    logs = held_by("stafettholder")
    choices = {log.id: ("direct", user("larer").id, REASON) for log in logs}
    deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert not user("stafettholder").active
    for log in logs:
        assert Log.get_by_id(log.id).holder_id == user("larer").id
        h = Handover.get(Handover.log == log, Handover.status == "accepted")
        assert h.direct_assignment and h.created_by_id == user("enhetsleder").id
    # the pending proposal to «stafettholder» (Sofie, demo data) is cancelled and its holder told
    sofie = log_of("Sofie Lie")
    assert not Handover.select().where(Handover.log == sofie, Handover.status == "pending").exists()
    assert len(notes("pedleder", "handover_cancelled")) == 1
    assert check_invariants() == []


def test_deactivating_with_a_missing_choice_changes_nothing(db_conn):
    logs = held_by("stafettholder")
    choices = {logs[0].id: ("direct", user("larer").id, REASON)}  # the other log has no new holder
    with pytest.raises(OrganisationError):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert user("stafettholder").active
    assert check_invariants() == []


def test_a_bad_choice_rolls_back_every_choice(db_conn):
    logs = held_by("stafettholder")
    choices = {
        logs[0].id: ("direct", user("larer").id, REASON),
        logs[1].id: ("direct", user("stafettholder").id, REASON),
    }
    with pytest.raises(OrganisationError, match="Velg en annen"):
        deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert {log.holder_id for log in held_by("stafettholder")} == {user("stafettholder").id}
    assert len(held_by("stafettholder")) == len(logs)


def test_deactivating_with_proposals_waits_for_acceptance(db_conn):
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


def test_unit_page_lets_the_leader_choose_new_holders(auth, db_conn):
    client = auth.persona("unit_leader")
    staff = user("stafettholder")
    r = client.post(f"/ansatte/{staff.id}/deaktiver")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Velg ny stafettholder før" in html and "Emma Hansen" in html
    form = {}
    for log in held_by("stafettholder"):
        form[f"holder_{log.id}"] = str(user("larer").id)
        form[f"mode_{log.id}"] = "direct"
    r = client.post(f"/ansatte/{staff.id}/deaktiver", data=form)
    assert r.status_code == 409 and "Skriv hvorfor" in r.get_data(as_text=True)  # an emergency needs a reason
    assert user("stafettholder").active and emma().holder_id == staff.id
    form.update({f"reason_{log.id}": REASON for log in held_by("stafettholder")})
    r = client.post(f"/ansatte/{staff.id}/deaktiver", data=form)
    assert r.status_code == 303
    assert not user("stafettholder").active
    assert emma().holder_id == user("larer").id
    history = auth.persona("same_unit_staff").get(f"/logger/{EMMA_LOG_ID}").get_data(as_text=True)
    assert "tildelt direkte av enhetsleder" in history


def test_unit_leader_cannot_reassign_logs_the_person_does_not_hold(auth, db_conn):
    # extra fields naming someone else's log change nothing (SECURITY.md "Forms accept only …")
    sofie = log_of("Sofie Lie")
    client = auth.persona("unit_leader")
    r = client.post(
        f"/ansatte/{user('larer').id}/deaktiver",
        data={f"holder_{sofie.id}": str(user("larer").id), f"mode_{sofie.id}": "direct"},
    )
    assert r.status_code == 303  # larer holds nothing: deactivated
    assert Log.get_by_id(sofie.id).holder_id == user("pedleder").id


# ------------------------------------------------------------------ routes


def test_holder_proposes_through_the_page_and_the_new_holder_accepts(auth, db_conn):
    client = auth.persona("holder")
    page = client.get(f"/logger/{EMMA_LOG_ID}/stafettholder?q=Jonas")
    assert page.status_code == 200 and "Jonas Berg" in page.get_data(as_text=True)
    fragment = client.get(f"/logger/{EMMA_LOG_ID}/stafettholder/sok?q=Berg", headers={"HX-Request": "true"})
    assert "Jonas Berg" in fragment.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    r = client.post(
        f"/logger/{EMMA_LOG_ID}/stafettholder", data={"to_user_id": user("kontaktlaerer").id, "note": "Flytter"}
    )
    assert r.status_code == 303
    handover = Handover.get(Handover.log == EMMA_LOG_ID, Handover.status == "pending")
    # an extra holder_id or unit_id in the POST changes nothing
    assert emma().holder_id == user("stafettholder").id
    new = auth.login_as("kontaktlaerer")
    start = new.get("/").get_data(as_text=True)
    assert f"/stafettholder/{handover.id}" in start and "Emma Hansen" in start
    assert new.get(f"/stafettholder/{handover.id}").status_code == 200
    seen = AuditEvent.get(AuditEvent.action == "view:handover.respond")
    assert (seen.log_id, seen.user_id, seen.object_id) == (EMMA_LOG_ID, user("kontaktlaerer").id, handover.id)
    r = new.post(f"/stafettholder/{handover.id}/godta")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/logger/{EMMA_LOG_ID}")
    assert emma().holder_id == user("kontaktlaerer").id
    # the guardian's start page shows the new holder at once
    guardian = auth.persona("guardian").get("/").get_data(as_text=True)
    assert "Jonas Berg" in guardian and "Kari Ottesen" not in guardian
    # the new unit's leader sees the arrival among the notifications
    leader = auth.persona("other_unit_leader").get("/varsler").get_data(as_text=True)
    assert "Et barn med stafettlogg har kommet til Sørbyen skole" in leader


def test_bad_proposal_is_re_rendered_with_422_and_the_note_kept(auth, db_conn):
    client = auth.persona("holder")
    r = client.post(f"/logger/{EMMA_LOG_ID}/stafettholder", data={"to_user_id": "", "note": "Viktig notat"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Velg hvem som skal bli ny stafettholder" in html and "Viktig notat" in html
    assert not Handover.select().where(Handover.log == EMMA_LOG_ID).exists()


def test_decline_without_reason_is_422_with_a_message(auth, db_conn):
    handover = _pending()
    r = auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": ""})
    assert r.status_code == 422 and "Skriv hvorfor" in r.get_data(as_text=True)
    r = auth.login_as("kontaktlaerer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Permisjon"})
    assert r.status_code == 303 and Handover.get_by_id(handover.id).status == "declined"


def test_cancel_through_the_page(auth, db_conn):
    handover = _pending()
    r = auth.persona("holder").post(f"/logger/{EMMA_LOG_ID}/stafettholder/trekk-tilbake")
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
def test_holder_routes_by_persona(auth, db_conn, persona, method, path):
    """Only Emma's holder may open or use the handover page of her log."""
    handover = _pending("larer")
    response = auth.persona(persona).open(path.format(log=EMMA_LOG_ID), method=method, data={})
    if persona == "holder":
        assert not _refused(response) and response.status_code < 500
    else:
        assert _refused(response), response.status_code
        assert Handover.get_by_id(handover.id).status == "pending"


@pytest.mark.parametrize("persona", [*EVERYONE, "addressee"])
@pytest.mark.parametrize("method,path", ADDRESSEE_ROUTES)
def test_addressee_routes_by_persona(auth, db_conn, persona, method, path):
    """Only the proposed person sees or answers the proposal; everyone else gets 404
    (or 403/login for non-staff), never the child's name."""
    handover = _pending("kontaktlaerer") if persona != "other_unit_staff" else _pending("larer")
    client = auth.login_as(handover.to_user.username) if persona == "addressee" else auth.persona(persona)
    response = client.open(path.format(handover=handover.id), method=method, data={"reason": "Har ikke tid"})
    if persona == "addressee":
        assert not _refused(response) and response.status_code < 500
    else:
        assert _refused(response), response.status_code
        assert "Emma" not in response.get_data(as_text=True)
        assert Handover.get_by_id(handover.id).status == "pending"


def test_respond_is_404_for_a_proposal_to_someone_else_with_the_holders_own_id(auth, db_conn):
    handover = _pending()
    assert auth.persona("holder").get(f"/stafettholder/{handover.id}").status_code == 404


# ------------------------------------------------------------------ the invariant from every route


def test_no_route_can_break_the_holder_invariant(auth, db_conn, app):
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
    assert client.post(f"/logger/{EMMA_LOG_ID}/stafettholder", data={"to_user_id": user("aktor").id}).status_code == 303
    for target in ("kontaktlaerer", "stafettholder", "foresatt"):
        r = client.post(f"/logger/{EMMA_LOG_ID}/stafettholder", data={"to_user_id": user(target).id})
        assert r.status_code == 422
    # the proposed person is deactivated, then tries to accept (their session is gone)
    pending = Handover.get(Handover.log == EMMA_LOG_ID, Handover.status == "pending")
    # aktor works at Helsestasjonen: Nordbyen's leader may not deactivate her
    assert auth.persona("unit_leader").post(f"/ansatte/{user('aktor').id}/deaktiver").status_code == 403
    hs_leader = User.create(
        username="hsleder", name="Helse Leder", role="unit_leader", unit=user("aktor").unit_id, session_token="x" * 64
    )
    deactivate_staff(hs_leader, user("aktor"))
    assert Handover.get_by_id(pending.id).status == "cancelled"
    r = auth.login_as("aktor").post(f"/stafettholder/{pending.id}/godta")
    assert r.status_code in (302, 303, 401, 403, 404, 409)
    assert emma().holder_id == holder.id
    # a closed log cannot be handed over
    oskar = log_of("Oskar Nilsen")
    client = auth.persona("holder")
    assert client.get(f"/logger/{oskar.id}/stafettholder").status_code == 200
    assert client.post(f"/logger/{oskar.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 422
    assert check_invariants() == []


INVARIANT_BREAKS = [
    ("holder deactivated", lambda: deactivate("stafettholder"), "deactivated"),
    (
        "two pending handovers",
        lambda: [
            Handover.create(
                log=EMMA_LOG_ID, from_user=user("stafettholder"), to_user=user(u), created_by=user("stafettholder")
            )
            for u in ("larer", "aktor")
        ],
        "pending handovers",
    ),
    (
        "pending handover to a deactivated user",
        lambda: (_pending("larer"), deactivate("larer")),
        "to deactivated user",
    ),
    (
        "holder changed without history",
        lambda: (
            ho.accept_handover(user("larer"), _pending("larer")),
            Log.update(holder=user("stafettholder")).where(Log.id == EMMA_LOG_ID).execute(),
        ),
        "last accepted handover",
    ),
]


@pytest.mark.parametrize("case,arrange,expected", INVARIANT_BREAKS, ids=[b[0] for b in INVARIANT_BREAKS])
def test_check_invariants_reports_each_violation_and_the_cli_exits_1(app, db_conn, case, arrange, expected):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check-invariants"]).exit_code == 0
    arrange()
    problems = check_invariants()
    assert any(expected in p for p in problems), problems
    result = runner.invoke(args=["check-invariants"])
    assert result.exit_code == 1 and expected in result.output


# ------------------------------------------------------------------ notifications and e-mail


def test_each_handover_event_is_notified_once_and_mailed_without_child_data(db_conn):
    User.update(email="jonas.berg@example.no").where(User.username == "kontaktlaerer").execute()
    handover = _pending()
    assert Notification.select().where(Notification.dedupe_key == f"handover_proposed:{handover.id}").count() == 1
    mail = OutboxEmail.get(OutboxEmail.to == "jonas.berg@example.no")
    assert "Emma" not in mail.subject + mail.body and f"/stafettholder/{handover.id}" in mail.body
    ho.accept_handover(user("kontaktlaerer"), handover)
    kinds = [n.kind for n in Notification.select().where(Notification.log_id == EMMA_LOG_ID).order_by(Notification.id)]
    assert kinds.count("handover_proposed") == 1
    assert kinds.count("handover_accepted") == 1
    assert kinds.count("child_arrived") == 1


def test_notifications_page_lists_and_marks_read(auth, db_conn):
    _pending()
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


def test_reminders_for_measures_are_sent_once(app, db_conn):
    Measure.update(evaluation_date=None).execute()  # the demo's own dates are relative to the real today
    from stafettlogg.models import Consent

    Consent.update(expires_on=None).execute()  # consents' reminders: tests/test_consent_gate.py
    Meeting.update(finalised_at=dt.datetime(2020, 1, 1)).execute()
    log = emma()
    soon = _measure(log, 7, responsible=user("aktor"))
    later = _measure(log, 8)
    overdue = _measure(log, -3)
    evaluated = _measure(log, -5)
    Evaluation.create(
        measure=evaluated,
        evaluated_on=TODAY - dt.timedelta(days=4),
        what_worked="Bra",
        decision="continue",
        author=log.holder_id,
    )
    counts = send_reminders(TODAY)
    assert counts == {
        "measures": 3,
        "meetings": 0,
        "consents": 0,
        "keep_answers": 0,
    }  # soon → holder and aktor; overdue → holder
    assert notes("aktor", "measure_due")[0].url == f"/logger/{EMMA_LOG_ID}#measures"
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
    Log.update(status=LogStatus.CLOSED).where(Log.id == EMMA_LOG_ID).execute()
    _measure(log, 1)
    assert send_reminders(TODAY)["measures"] == 0


def test_reminder_for_a_meeting_tomorrow_in_oslo_time(app, db_conn):
    Measure.update(evaluation_date=None).execute()
    Meeting.update(finalised_at=dt.datetime(2020, 1, 1)).execute()
    log = emma()
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
    assert runner.invoke(args=["send-reminders", "--today", "2031-03-10"]).output.startswith("Sendt: 0")
    # a moved meeting is reminded again
    Meeting.update(starts_at=dt.datetime(2031, 3, 11, 8, 0)).where(Meeting.id == late.id).execute()
    assert send_reminders(TODAY)["meetings"] == people
    assert runner.invoke(args=["send-reminders", "--today", "10.03.2031"]).exit_code == 2
