"""Taking over an earlier log without an oracle: a request to the log's holder or unit
leader, accepted as a handover the requester accepts or declined with a reason; an open
deletion request blocks the whole path; searches by fødselsnummer are rate-limited; the
date the guardians were told who the holder is belongs to that holder."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.guardians.queries import access_history
from stafettlogg.logs.errors import LogError
from stafettlogg.models import (
    AuditEvent,
    Consent,
    DeletionRequest,
    Guardian,
    GuardianInvitation,
    Handover,
    Log,
    LogRequest,
    LogStatus,
    NationalIdLookup,
    Notification,
    Participant,
    Role,
    User,
)
from stafettlogg.takeover import domain as requests
from tests.conftest import NEW_CHILD, a_log, an_ended_log, child_form, second_waits_for_first, user

pytestmark = pytest.mark.db


@pytest.fixture
def closed(app) -> Log:
    """A closed log at Nordbyen skole (the holder persona's) with a fødselsnummer."""
    return an_ended_log(nid9="140316510")


@pytest.fixture
def log(app) -> Log:
    """An active log with a fødselsnummer, held by the holder persona."""
    return a_log(nid9="140316520")


def leader_of(log: Log) -> User:
    return User.get(User.role == Role.UNIT_LEADER, User.unit == log.unit_id, User.active)


def ask(auth, log: Log, persona="other_unit_staff"):
    return auth.persona(persona).post("/logger/ny", data=child_form(log))


def taken_over(auth, log: Log, persona: str = "other_unit_staff"):
    """The persona asks for the ended log, its unit leader accepts the request and the
    persona accepts the proposal: the log is a draft they hold (their client)."""
    ask(auth, log, persona)
    request = LogRequest.get(LogRequest.log == log.id)
    auth.login_as(leader_of(log).username).post(f"/foresporsler/{request.id}/godta")
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    new = auth.persona(persona)
    assert new.post(f"/stafettholder/{handover.id}/godta").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    return new


# ------------------------------------------------------------------ findings 1 and 3


def test_another_units_staff_asks_and_learns_nothing_more(closed, auth, db_conn):
    log = closed
    holder_id, unit_id = log.holder_id, log.unit_id
    r = ask(auth, log)
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "Det finnes allerede en stafettlogg" in page
    alert = page[
        page.index('class="alert alert--warning"') : page.index("</div>", page.index('class="alert alert--warning"'))
    ]
    assert log.holder.name not in page and log.unit.name not in alert and f"nr. {log.id}" not in page
    request = LogRequest.get(LogRequest.log == log.id)
    assert request.requester_id == user("kontaktlaerer").id and request.status == "pending"
    # the unit leader is asked with a link to the request; the log has not moved
    note = Notification.get(Notification.kind == "log_requested", Notification.user == leader_of(log))
    assert note.url == f"/foresporsler/{request.id}"
    assert (Log.get_by_id(log.id).holder_id, Log.get_by_id(log.id).unit_id) == (holder_id, unit_id)
    # the lookup and the request are in the guardians' access history, in words
    with auth.app.test_request_context():
        texts = {row["text"] for row in access_history(log).items}
    assert "Søkte på barnets fødselsnummer og fant stafettloggen" in texts
    assert "Ba om å overta stafettloggen" in texts
    # asking again does not make a second request
    ask(auth, log)
    assert LogRequest.select().where(LogRequest.log == log.id).count() == 1
    # the requester's start page says a request waits, with nothing about the log
    start = auth.persona("other_unit_staff").get("/").get_data(as_text=True)
    assert "Venter på svar" in start and log.subject.name not in start and log.holder.name not in start


def test_unit_leader_accepts_and_the_requester_takes_over_without_content(closed, auth, db_conn):
    log = closed
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    leader = auth.login_as(leader_of(log).username)
    page = leader.get(f"/foresporsler/{request.id}").get_data(as_text=True)
    assert "ber om å overta stafettloggen" in page and "Godta og foreslå" in page
    r = leader.post(f"/foresporsler/{request.id}/godta")
    assert r.status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert handover.to_user_id == user("kontaktlaerer").id
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED  # nothing happens before the requester accepts
    requester = auth.persona("other_unit_staff")
    assert requester.get(f"/logger/{log.id}").status_code == 404  # no role on the log yet
    r = requester.post(f"/stafettholder/{handover.id}/godta")
    assert r.status_code == 303
    after = Log.get_by_id(log.id)
    assert after.status == LogStatus.DRAFT and after.holder_id == user("kontaktlaerer").id
    assert after.unit_id == user("kontaktlaerer").unit_id and after.closed_at is None
    # a draft: the content waits for a new consent on file
    page = requester.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Last opp" in page and "samtykke" in page
    for concern in log.concerns:
        assert concern.title not in page


def test_the_unit_leader_who_accepted_a_request_can_take_the_proposal_back(closed, auth, db_conn):
    """The closed log's holder has left, so its unit leader answers requests. Once she has
    accepted one, the log waits on that requester: no other request can be accepted
    (the message says who may take it back: whoever proposed it). She can take the proposal
    back; the requester is told."""
    log = closed
    User.update(active=False).where(User.id == log.holder_id).execute()
    ask(auth, log)
    first = LogRequest.get(LogRequest.log == log.id)
    leader = auth.login_as(leader_of(log).username)
    assert leader.post(f"/foresporsler/{first.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    ask(auth, log, "other_unit_leader")
    second = LogRequest.get(LogRequest.log == log.id, LogRequest.id != first.id)
    leader = auth.login_as(leader_of(log).username)
    refused = leader.post(f"/foresporsler/{second.id}/godta")
    assert refused.status_code == 409
    assert "trekkes tilbake av den som foreslo det" in refused.get_data(as_text=True)
    # nobody else takes it back: the requesters are not responders (404)
    for persona in ("other_unit_staff", "other_unit_leader"):
        assert auth.persona(persona).post(f"/foresporsler/{first.id}/trekk-tilbake").status_code == 404
    assert Handover.get_by_id(handover.id).status == "pending"
    leader = auth.login_as(leader_of(log).username)
    assert "Trekk tilbake forslaget" in leader.get(f"/foresporsler/{first.id}").get_data(as_text=True)
    assert leader.post(f"/foresporsler/{first.id}/trekk-tilbake").status_code == 303
    assert Handover.get_by_id(handover.id).status == "cancelled"
    told = Notification.select().where(
        Notification.kind == "handover_cancelled", Notification.user == user("kontaktlaerer")
    )
    assert told.exists()
    assert auth.persona("other_unit_staff").post(f"/stafettholder/{handover.id}/godta").status_code == 409
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED
    # taken back once: nothing more to take back, and the other request can be accepted now
    leader = auth.login_as(leader_of(log).username)
    page = leader.get(f"/foresporsler/{first.id}").get_data(as_text=True)
    assert "Trekk tilbake forslaget" not in page and "Forslaget er trukket tilbake." in page  # not just «godtatt»
    assert leader.post(f"/foresporsler/{first.id}/trekk-tilbake").status_code == 409
    assert leader.post(f"/foresporsler/{second.id}/godta").status_code == 303


def test_another_leader_of_the_unit_can_take_back_a_proposal_for_a_log_whose_holder_left(closed, auth, db_conn):
    """The leader who accepted the request is away (or has left herself): her colleague
    leading the same unit stands in for the closed log's former holder and takes it back."""
    from stafettlogg.org.domain import create_user

    log = closed
    User.update(active=False).where(User.id == log.holder_id).execute()
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    first = leader_of(log)
    assert auth.login_as(first.username).post(f"/foresporsler/{request.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    create_user(Role.UNIT_LEADER, "enhetsleder-b", "Berit Leder", unit=log.unit, password="et langt nok passord 42")
    User.update(active=False).where(User.id == first.id).execute()
    c = auth.login_as("enhetsleder-b")
    assert "Trekk tilbake forslaget" in c.get(f"/foresporsler/{request.id}").get_data(as_text=True)
    assert c.post(f"/foresporsler/{request.id}/trekk-tilbake").status_code == 303
    assert Handover.get_by_id(handover.id).status == "cancelled"


def test_a_former_holder_who_has_left_is_not_told_of_the_takeover(closed, auth, db_conn):
    """The closed log's holder left the municipality: when a requester takes the log over
    (or declines it), she gets no notice and no e-mail about it."""
    from stafettlogg.models import OutboxEmail

    log = closed
    former = User.get_by_id(log.holder_id)
    assert former.email
    User.update(active=False).where(User.id == former.id).execute()
    for answer in ("avsla", "godta"):
        ask(auth, log)
        request = LogRequest.get(LogRequest.log == log.id, LogRequest.status == "pending")
        assert auth.login_as(leader_of(log).username).post(f"/foresporsler/{request.id}/godta").status_code == 303
        handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
        r = auth.persona("other_unit_staff").post(f"/stafettholder/{handover.id}/{answer}", data={"reason": "Nei"})
        assert r.status_code == 303
    assert Log.get_by_id(log.id).holder_id == user("kontaktlaerer").id
    assert not Notification.select().where(Notification.user == former.id, Notification.log_id == log.id).exists()
    assert not OutboxEmail.select().where(OutboxEmail.to == former.email, OutboxEmail.log_id == log.id).exists()


def test_a_holder_who_reopens_the_log_withdraws_the_proposal_a_request_made(closed, auth, db_conn):
    """The unit leader accepted a request for the closed log, so a handover to the
    requester waits; then its holder reopens it to work in it again. The log no longer
    hands itself on: the proposal is withdrawn, the requester is told, and accepting it
    afterwards changes nothing (as when a log closes)."""
    log = closed
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.login_as(leader_of(log).username).post(f"/foresporsler/{request.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert auth.persona("holder").post(f"/logger/{log.id}/gjenapne").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    assert Handover.get_by_id(handover.id).status == "cancelled"
    assert Handover.get_by_id(handover.id).decline_reason == "log_reopened"  # a code, not text in one language
    told = Notification.select().where(
        Notification.kind == "handover_cancelled", Notification.user == user("kontaktlaerer")
    )
    assert told.exists()
    response = auth.persona("other_unit_staff").post(f"/stafettholder/{handover.id}/godta")
    assert response.status_code in (404, 409)
    after = Log.get_by_id(log.id)
    assert after.holder_id == user("stafettholder").id and after.unit_id == log.unit_id
    # the withdrawn proposal no longer says who holds the log now, nor where
    page = auth.persona("other_unit_staff").get(f"/stafettholder/{handover.id}").get_data(as_text=True)
    assert "trukket tilbake" in page
    assert user("stafettholder").name not in page and log.unit.name not in page


def test_the_requester_reads_that_the_proposal_was_withdrawn_not_that_it_waits(closed, auth, db_conn):
    """Once the proposal the request made is withdrawn (here: the former holder reopened
    the log), the requester's list no longer says a proposal waits for them."""
    log = closed
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.login_as(leader_of(log).username).post(f"/foresporsler/{request.id}/godta").status_code == 303
    start = auth.persona("other_unit_staff").get("/").get_data(as_text=True)
    assert "Du har fått et forslag om å bli stafettholder." in start
    assert auth.persona("holder").post(f"/logger/{log.id}/gjenapne").status_code == 303
    start = auth.persona("other_unit_staff").get("/").get_data(as_text=True)
    assert "Du har fått et forslag om å bli stafettholder." not in start
    assert "Forslaget er trukket tilbake." in start


def test_the_holder_is_told_when_the_unit_leader_accepts_a_request_for_her_log(log, auth, db_conn):
    """The log is in use: its unit leader may answer a request for it too. The holder, who
    keeps the role until the requester accepts, learns of it at once and where to withdraw."""
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.persona("unit_leader").post(f"/foresporsler/{request.id}/godta").status_code == 303
    told = Notification.get(Notification.user == log.holder_id, Notification.kind == "log_request_accepted")
    assert told.url == f"/logger/{log.id}/stafettholder"
    assert user("kontaktlaerer").name in told.text and user("enhetsleder").name in told.text
    page = auth.persona("holder").get(told.url).get_data(as_text=True)
    assert "Trekk tilbake forslaget" in page


def test_holder_of_an_active_log_is_asked_and_declines_with_a_reason(log, auth, db_conn):
    ask(auth, log, "other_unit_leader")
    request = LogRequest.get(LogRequest.log == log.id)
    assert Notification.select().where(Notification.kind == "log_requested", Notification.user == log.holder).exists()
    # the unit leader is not asked while the log is in use; only the holder sees the task
    assert (
        not Notification.select()
        .where(Notification.kind == "log_requested", Notification.user == user("enhetsleder"))
        .exists()
    )
    holder = auth.persona("holder")
    assert "ber om å overta stafettloggen for" in holder.get("/").get_data(as_text=True)
    r = holder.post(f"/foresporsler/{request.id}/avsla", data={"reason": "  "})
    assert r.status_code == 422 and "Skriv hvorfor du avslår" in r.get_data(as_text=True)
    assert LogRequest.get_by_id(request.id).status == "pending"
    r = holder.post(f"/foresporsler/{request.id}/avsla", data={"reason": "Barnet går fortsatt her. Ring meg."})
    assert r.status_code == 303
    assert LogRequest.get_by_id(request.id).status == "declined"
    assert AuditEvent.select().where(AuditEvent.action == "log_request_declined").exists()
    start = auth.persona("other_unit_leader").get("/").get_data(as_text=True)
    assert "Avslått" in start and "Barnet går fortsatt her. Ring meg." in start
    # a decided request cannot be answered again
    r = auth.persona("holder").post(f"/foresporsler/{request.id}/godta")
    assert (
        r.status_code == 409
        and Handover.select().where(Handover.log == log.id, Handover.status == "pending").count() == 0
    )


def test_a_requester_who_has_left_is_not_told_the_request_was_declined(log, auth, db_conn):
    """Another unit's leader asked for the log and then left (her account deactivated):
    the holder still declines the request, but she gets no notice and no e-mail of it."""
    from stafettlogg.models import OutboxEmail

    ask(auth, log, "other_unit_leader")
    request = LogRequest.get(LogRequest.log == log.id)
    User.update(active=False, email="left@example.no").where(User.id == request.requester_id).execute()
    r = auth.persona("holder").post(f"/foresporsler/{request.id}/avsla", data={"reason": "Barnet går fortsatt her."})
    assert r.status_code == 303 and LogRequest.get_by_id(request.id).status == "declined"
    assert not Notification.select().where(Notification.user == request.requester_id).exists()
    assert not OutboxEmail.select().where(OutboxEmail.to == "left@example.no").exists()


def test_an_accept_that_loses_a_race_with_a_decline_changes_nothing(log, app, db_conn, monkeypatch):
    """The holder and the unit leader answer the same request at once: the decline commits
    while the accept is on its way. The accept then proposes no handover and leaves the
    decline as it is, instead of overwriting it as accepted."""
    from stafettlogg.handover import domain as handovers

    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    create = handovers.create_handover

    def declined_meanwhile(*args, **kwargs):
        LogRequest.update(status="declined", decline_reason="Nei").where(LogRequest.id == request.id).execute()
        return create(*args, **kwargs)

    monkeypatch.setattr(handovers, "create_handover", declined_meanwhile)
    with app.test_request_context(), pytest.raises(requests.LogError, match="allerede besvart"):
        requests.accept(user("stafettholder"), request)
    assert not Handover.select().where(Handover.log == log.id, Handover.status == "pending").exists()
    assert not AuditEvent.select().where(AuditEvent.action == "log_request_accepted").exists()


def test_an_accept_by_a_holder_who_handed_the_log_on_meanwhile_proposes_nothing(log, app, db_conn, monkeypatch):
    """The request and its log are read, then the log passes to another holder before the
    accept takes the log's row lock (another request committed in between). The accept
    judges who holds the log under the lock: the former holder may no longer answer."""
    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    load = requests._load_pending

    def handed_on_meanwhile(req):
        loaded = load(req)
        Log.update(holder=user("larer").id).where(Log.id == log.id).execute()
        return loaded

    monkeypatch.setattr(requests, "_load_pending", handed_on_meanwhile)
    with app.test_request_context(), pytest.raises(requests.LogError, match="Bare stafettholderen"):
        requests.accept(user("stafettholder"), request)
    assert not Handover.select().where(Handover.log == log.id).exists()
    assert LogRequest.get_by_id(request.id).status == "pending"


def test_a_deactivation_that_waits_for_an_accepted_request_withdraws_its_proposal(log, auth, db_conn, monkeypatch):
    """The holder accepts Sørbyen's request while Sørbyen's leader deactivates the requester.
    The accept holds the requester's row (db.locked, before the log's, as every proposal
    does); the deactivation waits for it (PostgreSQL: the row lock; SQLite: the write
    lock) and then cancels the proposal: no proposal to someone who has left is left
    waiting. Without the requester's lock the deactivation ran past the uncommitted
    proposal, which then waited for an answer from a deactivated account."""
    from stafettlogg.handover import domain as handovers
    from stafettlogg.org import domain as org

    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    accepted, deactivated = second_waits_for_first(
        auth.app,
        monkeypatch,
        lambda: requests.accept(user("stafettholder"), request),
        lambda: org.deactivate_staff(user("enhetsleder2"), user("kontaktlaerer")),
        held_after=(handovers, "create_handover"),
    )
    assert not isinstance(accepted, Exception), accepted
    assert deactivated is None
    assert not user("kontaktlaerer").active
    assert Handover.get_by_id(accepted.id).status == "cancelled"
    assert not Handover.select().where(Handover.log == log.id, Handover.status == "pending").exists()


@pytest.mark.parametrize(
    "persona",
    [
        "participant",
        "same_unit_staff",
        "other_unit_staff",
        "other_unit_leader",
        "area_leader",
        "coordinating_unit",
        "guardian",
        "admin",
        "anonymous",
    ],
)
def test_only_the_holder_or_unit_leader_reads_or_answers_a_request(log, auth, db_conn, persona):
    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    c = auth.persona(persona)
    for method, path in (("get", ""), ("post", "/godta"), ("post", "/avsla"), ("post", "/trekk-tilbake")):
        r = getattr(c, method)(f"/foresporsler/{request.id}{path}", data={"reason": "nei"})
        assert r.status_code in (302, 303, 401, 403, 404), (persona, path, r.status_code)
        assert log.subject.name not in r.get_data(as_text=True)
    assert LogRequest.get_by_id(request.id).status == "pending"
    assert auth.persona("unit_leader").get(f"/foresporsler/{request.id}").status_code == 200
    assert auth.persona("holder").get(f"/foresporsler/{request.id}").status_code == 200
    for bad in (0, 999999, 2**70):
        assert auth.persona("holder").get(f"/foresporsler/{bad}").status_code == 404


# ------------------------------------------------------------------ finding 2


def test_an_open_deletion_request_blocks_the_whole_path(closed, auth, db_conn):
    log = closed
    DeletionRequest.create(log=log.id, requested_by=user("foresatt"), reason="")
    r = ask(auth, log)
    assert r.status_code == 409 and "kan ikke overtas nå" in r.get_data(as_text=True)
    assert not LogRequest.select().exists()
    # a request made before the family asked cannot be accepted, nor its handover
    DeletionRequest.delete().execute()
    ask(auth, log)
    request = LogRequest.get()
    DeletionRequest.create(log=log.id, requested_by=user("foresatt"), reason="")
    leader = auth.login_as(leader_of(log).username)
    r = leader.post(f"/foresporsler/{request.id}/godta")
    assert r.status_code == 409 and "bedt om at loggen slettes" in r.get_data(as_text=True)
    DeletionRequest.delete().execute()
    leader.post(f"/foresporsler/{request.id}/godta")
    handover = Handover.get(Handover.status == "pending", Handover.log == log.id)
    DeletionRequest.create(log=log.id, requested_by=user("foresatt"), reason="")
    r = auth.persona("other_unit_staff").post(f"/stafettholder/{handover.id}/godta")
    assert r.status_code == 409
    after = Log.get_by_id(log.id)
    assert after.status == LogStatus.CLOSED and after.holder_id == log.holder_id and after.unit_id == log.unit_id
    assert DeletionRequest.get(DeletionRequest.log == log.id).handled_at is None  # still in the leader's queue


# ------------------------------------------------------------------ rate limit


def test_searches_by_national_id_are_limited_per_user_in_the_database(closed, auth, app, db_conn):
    app.config["LOOKUP_LIMIT"] = 3
    c = auth.persona("other_unit_staff")
    r = c.post("/logger/ny", data=dict(NEW_CHILD, name=""))
    assert r.status_code == 422  # a form with errors searches nothing and counts nothing
    for _ in range(3):
        assert c.post("/logger/ny", data=child_form(closed)).status_code == 409
    r = c.post("/logger/ny", data=child_form(closed))
    page = r.get_data(as_text=True)
    assert r.status_code == 429 and "Prøv igjen i morgen" in page
    assert closed.subject.national_id in page  # what was typed is kept
    assert AuditEvent.select().where(AuditEvent.action == "log_lookup_matched").count() == 3
    assert c.post("/logger/gjenapne", data=child_form(closed)).status_code == 429
    assert NationalIdLookup.select().where(NationalIdLookup.user == user("kontaktlaerer")).count() == 3
    # another person is not limited by it
    assert auth.persona("other_unit_leader").post("/logger/ny", data=child_form(closed)).status_code == 409


# ------------------------------------------------------------------ finding 6


def test_informed_date_belongs_to_the_holder_who_recorded_it(log, auth, db_conn):
    from stafettlogg.handover import domain as ho

    Log.update(guardians_informed_on=dt.date(2026, 1, 5)).where(Log.id == log.id).execute()
    proposal = ho.propose_handover(log.holder, log, user("larer"))
    ho.accept_handover(user("larer"), proposal)
    assert Log.get_by_id(log.id).guardians_informed_on is None
    c = auth.persona("same_unit_staff")
    start = c.get("/").get_data(as_text=True)
    assert f"Fortell foresatte at du er ny stafettholder for {log.subject.name}" in start
    r = c.post(f"/logger/{log.id}/foresatte-informert", data={"informed_on": "2999-01-01"})
    assert r.status_code == 422 and Log.get_by_id(log.id).guardians_informed_on is None
    # the start page again: the date as typed, marked, and why beside it; not a read of the log
    page = r.get_data(as_text=True)
    field = page[page.index(f'id="informed-{log.id}"') :].split(">", 1)[0]
    assert 'value="2999-01-01"' in field and 'aria-invalid="true"' in field
    assert f'id="informed-{log.id}-error"' in page and "Mine stafettlogger" in page
    assert not AuditEvent.select().where(AuditEvent.action == "view:logs.guardians_informed").exists()
    r = c.post(f"/logger/{log.id}/foresatte-informert", data={"informed_on": local_today().isoformat()})
    assert Log.get_by_id(log.id).guardians_informed_on == local_today()
    assert f"Fortell foresatte at du er ny stafettholder for {log.subject.name}" not in c.get("/").get_data(
        as_text=True
    )
    # the former holder (now a participant) may not record it
    r = auth.persona("holder").post(f"/logger/{log.id}/foresatte-informert", data={"informed_on": "2026-01-01"})
    assert r.status_code == 403


def test_overview_and_csv_show_the_date_of_the_current_holder(log, auth, db_conn):
    from stafettlogg.dates import school_year_of
    from stafettlogg.handover import domain as ho

    year = school_year_of(local_today())
    Log.update(guardians_informed_on=dt.date(2026, 1, 5)).where(Log.id == log.id).execute()
    leader = auth.persona("unit_leader")
    before = leader.get(f"/enheter/{log.unit_id}/oversikt/{year}/csv").get_data(as_text=True)
    assert "05.01.2026" in before  # the old holder's date, while they hold the log
    proposal = ho.propose_handover(log.holder, log, user("larer"))
    ho.accept_handover(user("larer"), proposal)
    new_holder = user("larer").name
    for path in (f"/enheter/{log.unit_id}/oversikt/{year}", f"/enheter/{log.unit_id}/oversikt/{year}/csv"):
        body = leader.get(path).get_data(as_text=True)
        assert new_holder in body and "05.01.2026" not in body and "5. januar 2026" not in body
    ho_client = auth.persona("same_unit_staff")
    ho_client.post(f"/logger/{log.id}/foresatte-informert", data={"informed_on": "2026-02-03"})
    body = auth.persona("unit_leader").get(f"/enheter/{log.unit_id}/oversikt/{year}/csv").get_data(as_text=True)
    assert "03.02.2026" in body


def test_guardian_rows_are_untouched_by_the_request(closed, auth, db_conn):
    log = closed
    before = list(Guardian.select().where(Guardian.log == log.id).dicts())
    ask(auth, log)
    assert list(Guardian.select().where(Guardian.log == log.id).dicts()) == before
    assert requests.lookups_left(user("kontaktlaerer")) == requests.DEFAULT_LOOKUP_LIMIT - 1


# ------------------------------------------------------------------ emergency direct assignment


def test_direct_assignment_only_when_the_holder_has_left(log, db_conn):
    from stafettlogg.handover import domain as ho

    with pytest.raises(ho.HandoverError, match="nødstilfeller"):
        ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), "Kari er syk i dag.")
    assert Log.get_by_id(log.id).holder_id == log.holder_id
    assert not Handover.select().where(Handover.direct_assignment).exists()
    User.update(active=False).where(User.id == log.holder_id).execute()
    with pytest.raises(ho.HandoverError, match="Skriv hvorfor"):
        ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), "   ")
    assert Log.get_by_id(log.id).holder_id == log.holder_id


def test_the_youth_is_told_of_a_new_holder_as_the_youth_not_as_a_parent(log, app, db_conn):
    """The youth with own access reads about their own holder: «Stafettholderen din»,
    never «Stafettholderen for barnet ditt», which is the guardians' wording."""
    from stafettlogg.handover import domain as ho
    from stafettlogg.models import YOUTH_RELATION, OutboxEmail, Subject

    Subject.update(birth_date=local_today() - dt.timedelta(days=17 * 366)).where(Subject.id == log.subject_id).execute()
    Guardian.create(log=log, name=log.subject.name, relation=YOUTH_RELATION, email="ung@example.org")
    Guardian.update(email="far@example.org").where(Guardian.log == log.id, Guardian.relation == "far").execute()
    User.update(active=False).where(User.id == log.holder_id).execute()
    with app.test_request_context():
        ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), "Kari sluttet i går.")
    youth = OutboxEmail.get(OutboxEmail.to == "ung@example.org").body
    assert "barnet ditt" not in youth and "Stafettholderen din har sluttet" in youth
    assert "Stafettholderen for barnet ditt" in OutboxEmail.get(OutboxEmail.to == "far@example.org").body


def test_emergency_assignment_is_recorded_and_the_guardians_are_told(log, app, db_conn):
    from stafettlogg.handover import domain as ho
    from stafettlogg.models import OutboxEmail

    Guardian.update(email="far@example.org").where(Guardian.log == log.id, Guardian.user.is_null()).execute()
    mails_before = OutboxEmail.select().count()
    User.update(active=False).where(User.id == log.holder_id).execute()
    with app.test_request_context():
        handover = ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), "Kari sluttet i går.")
    assert handover.direct_assignment and handover.note == "Kari sluttet i går."
    assert AuditEvent.get(AuditEvent.action == "holder_assigned", AuditEvent.log_id == log.id).role == "unit_leader"
    guardian_user = Guardian.get(Guardian.log == log.id, Guardian.user.is_null(False)).user
    told = Notification.get(Notification.user == guardian_user, Notification.kind == "holder_assigned")
    assert user("larer").name in told.text and "Kari sluttet" not in told.text  # the reason stays with the staff
    mails = list(OutboxEmail.select().where(OutboxEmail.id > 0).order_by(OutboxEmail.id))[mails_before:]
    assert {m.to for m in mails} >= {"far@example.org"}
    assert len(mails) == len({m.to for m in mails})  # one e-mail per address
    # the new holder gets the task to tell the guardians, and the old date is gone
    assert Log.get_by_id(log.id).guardians_informed_on is None
    from stafettlogg.logs.domain import guardians_to_tell

    assert [log.id for log in guardians_to_tell(user("larer"))] == [log.id]


def test_a_holder_moved_to_another_unit_has_left_it(log, db_conn):
    from stafettlogg.handover import domain as ho

    User.update(unit=user("kontaktlaerer").unit_id).where(User.id == log.holder_id).execute()
    assert ho.holder_has_left(Log.get_by_id(log.id))
    handover = ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), "Kari jobber nå ved Sørbyen.")
    assert Log.get_by_id(log.id).holder_id == user("larer").id and handover.direct_assignment


# ------------------------------------------------------------------ the migration


def test_migration_clears_informed_dates_carried_over_by_a_handover(empty_url):  # noqa: F811
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, open_database

    old = open_database(empty_url)
    Runner(old, directory=str(MIGRATIONS_DIR)).up("0013_seed_duties")
    sql = [
        "INSERT INTO area (name, created_at) VALUES ('Område', '2024-01-01 00:00:00')",
        "INSERT INTO unit (area_id, name, kind, active, created_at, document_language) "
        "VALUES (1, 'Skole', 'skole', true, '2024-01-01', 'nb')",
    ]
    for n in (1, 2):
        sql.append(
            'INSERT INTO "user" (username, password_hash, name, role, job_title, email, phone, unit_id, active, '
            f"session_token, must_change_password, created_at, language) VALUES ('u{n}', '', 'Bruker {n}', 'staff', "
            f"'Lærer', '', '1', 1, true, 'tok{n}', false, '2024-01-01', 'nb')"
        )
    for n in (1, 2, 3):
        sql.append(f"INSERT INTO subject (kind, name, created_at) VALUES ('barn', 'Barn {n}', '2024-01-01')")
        sql.append(
            "INSERT INTO log (subject_id, unit_id, holder_id, status, level, class_group, guardians_informed_on, "
            "records_kept_in, close_reason, close_note, coordinator_name, coordinator_service, "
            "guardian_agreed_to_keep, created_by_id, created_at, version, keep_agreed_by, archive_reference, keep_answer) "
            f"VALUES ({n}, 1, {2 if n < 3 else 1}, 'active', 1, '', '2024-02-01', 'stafettlogg', '', '', '', '', "
            "false, 1, '2024-01-01', 1, '', '', '')"
        )
    for log_id in (1, 2):  # both came to u2 by a handover on 1 March
        sql.append(
            "INSERT INTO handover (log_id, from_user_id, to_user_id, note, status, decline_reason, direct_assignment, "
            f"created_by_id, created_at, decided_at) VALUES ({log_id}, 1, 2, '', 'accepted', '', false, 1, "
            "'2024-03-01', '2024-03-01 10:00:00')"
        )
    # on log 2 the new holder saved the header (where the date is recorded) after the handover
    sql.append(
        "INSERT INTO audit_event (at, user_id, username, role, action, log_id, object_type, object_id, ip) "
        "VALUES ('2024-03-05 09:00:00', 2, 'u2', 'holder', 'log_header_updated', 2, 'log', 2, '')"
    )
    for statement in sql:
        old.execute_sql(statement)
    Runner(old, directory=str(MIGRATIONS_DIR)).up("0015_log_requests")
    dates = dict(old.execute_sql("SELECT id, guardians_informed_on FROM log ORDER BY id").fetchall())
    old.close()
    assert dates[1] is None  # carried over from the former holder
    assert str(dates[2]) == "2024-02-01"  # recorded again by the holder after the handover
    assert str(dates[3]) == "2024-02-01"  # never handed over


def test_a_taken_over_draft_lets_the_new_holder_remove_the_former_school_before_the_new_consent(closed, auth, db_conn):
    """The family consents to the new school, not the former one: the former holder,
    now a participant, is removed while the log is a draft, and the consent goes on file
    (else the log could not open without the family consenting to the old school)."""
    from tests.conftest import consent_form

    log = closed
    new = taken_over(auth, log)
    former = Participant.get(Participant.log == log.id, Participant.user == user("stafettholder"))
    without_old_school = consent_form(services=["kind:helsestasjon"])
    response = new.post(f"/logger/{log.id}/samtykke", data=without_old_school, content_type="multipart/form-data")
    assert response.status_code == 422 and "der deltakeren Kari Ottesen" in response.get_data(as_text=True)

    assert f"/deltakere/{former.id}/fjern" in new.get(f"/logger/{log.id}").get_data(as_text=True)
    new.post(f"/logger/{log.id}/deltakere/{former.id}/fjern")
    assert not Participant.select().where(Participant.id == former.id).exists()
    assert AuditEvent.select().where(AuditEvent.action == "participant_removed", AuditEvent.log_id == log.id).exists()
    response = new.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=["kind:helsestasjon"]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE


def test_a_taken_over_draft_keeps_the_familys_earlier_consent_file_from_the_new_unit(closed, auth, db_conn):
    """The family signed the earlier consent for Nordbyen skole: the requester from Sørbyen
    who takes the log over opens it only once the new consent covers his school, as when
    an active log is handed over out of its scope. The former holder who reopens it sees it."""
    from tests.conftest import consent_form

    log = closed
    earlier = Consent.get(Consent.log == log.id)
    ask(auth, log)
    request = LogRequest.get(LogRequest.log == log.id)
    auth.login_as(leader_of(log).username).post(f"/foresporsler/{request.id}/godta")
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    new = auth.persona("other_unit_staff")
    new.post(f"/stafettholder/{handover.id}/godta")
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    file_url = f"/logger/{log.id}/samtykke/{earlier.id}/fil"
    response = new.get(file_url)
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert file_url not in new.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)

    new.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=["kind:skole", "kind:helsestasjon"]),
        content_type="multipart/form-data",
    )
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert new.get(file_url).status_code == 200
    assert file_url in new.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)


def test_a_new_holder_the_earlier_consent_leaves_out_gives_no_one_the_familys_access(closed, auth, db_conn):
    """A teacher at another school takes over a closed log: nothing of its old content
    opens to him until the family consents to his school. He may not make himself, nor
    anyone, a guardian (by adding one with a national identity number, by inviting one,
    or the youth's own access): the family's pages show that content. Refused (409),
    nothing stored, and not offered; once the new consent covers his school he may.
    Before, his own address as a new guardian's read everything on /mine/<id>."""
    from tests.conftest import consent_form

    log = closed
    new = taken_over(auth, log)
    guardians = list(Guardian.select().where(Guardian.log == log.id).dicts())
    invitations = GuardianInvitation.select().count()
    himself = {"name": "Hjelper Hansen", "relation": "far", "phone": "40000000", "email": "hjelper@example.no"}
    existing = Guardian.get(Guardian.log == log.id)
    attempts = [
        (f"/logger/{log.id}/foresatte", himself),
        (f"/logger/{log.id}/foresatte", {**himself, "national_id": "01010012356"}),
        (f"/logger/{log.id}/tilgang-foresatte", {"guardian_id": existing.id}),
        (f"/logger/{log.id}/tilgang-foresatte/ungdom", {"phone": "40000001", "email": "ung@example.no"}),
    ]
    for url, form in attempts:
        response = new.post(url, data=form)
        assert response.status_code == 409, url
        assert "omfatter ikke Sørbyen skole" in response.get_data(as_text=True), url
    assert list(Guardian.select().where(Guardian.log == log.id).dicts()) == guardians
    assert GuardianInvitation.select().count() == invitations
    assert f'/logger/{log.id}/foresatte"' not in new.get(f"/logger/{log.id}").get_data(as_text=True)
    page = new.get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    assert "omfatter ikke Sørbyen skole. Du kan gi foresatte tilgang når det nye samtykket er lastet opp" in page
    assert f'action="/logger/{log.id}/tilgang-foresatte' not in page

    new.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=["kind:skole", "kind:helsestasjon"]),
        content_type="multipart/form-data",
    )
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert new.post(f"/logger/{log.id}/foresatte", data=himself).status_code == 303
    assert Guardian.select().where(Guardian.log == log.id, Guardian.name == "Hjelper Hansen").exists()


def test_the_familys_access_history_names_the_new_holder_in_words(closed, auth, db_conn):
    """Every role an audit event of the state table names has words in the family's
    language; after a takeover the family read «proposed_holder» in every language."""
    from stafettlogg import labels
    from stafettlogg.logs import states

    for transition in states.TRANSITIONS.values():
        for role in transition.roles:
            assert states._acting_as(transition, {role}) in labels.ROLES, (transition.action, role)
    log = closed
    taken_over(auth, log)
    guardian = auth.persona("guardian")
    guardian.post("/sprak", data={"lang": "en", "next": "/"})
    page = guardian.get(f"/mine/{log.id}/innsyn").get_data(as_text=True)
    assert "proposed_holder" not in page and "New relay log holder" in page


def test_the_former_holder_who_reopens_a_log_adds_and_invites_guardians_before_the_new_consent(closed, auth, db_conn):
    log = closed
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/gjenapne").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    form = {"name": "Mor Testesen", "relation": "mor", "phone": "40000002", "email": "mor@example.no"}
    assert holder.post(f"/logger/{log.id}/foresatte", data=form).status_code == 303
    added = Guardian.get(Guardian.log == log.id, Guardian.name == "Mor Testesen")
    assert holder.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": added.id}).status_code == 200
    assert GuardianInvitation.select().where(GuardianInvitation.guardian == added.id).exists()


def test_the_former_holder_who_reopens_a_log_opens_the_consent_she_took(closed, auth, db_conn):
    log = closed
    earlier = Consent.get(Consent.log == log.id)
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/gjenapne").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    assert holder.get(f"/logger/{log.id}/samtykke/{earlier.id}/fil").status_code == 200
    # the consent on file is the one the family gave before, not one in force
    page = holder.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    assert "Samtykket familien ga tidligere" in page and "Samtykket som gjelder nå" not in page


@pytest.mark.parametrize("how", ["taken over as a draft", "handed over outside the consent"])
def test_the_new_holder_records_telling_the_guardians_before_the_new_consent(closed, log, auth, db_conn, how):
    """The start page asks the new holder to tell the family and record the date; telling
    them comes first when the family is to give a new consent, so the date is taken while
    the log waits for it (the date is the log's frame, not its content)."""
    from stafettlogg.handover import domain as ho

    if how == "taken over as a draft":
        target = closed
        ask(auth, target)
        request = LogRequest.get(LogRequest.log == target.id)
        auth.login_as(leader_of(target).username).post(f"/foresporsler/{request.id}/godta")
    else:
        target = log
        ho.propose_handover(log.holder, log, user("kontaktlaerer"))
    handover = Handover.get(Handover.log == target.id, Handover.status == "pending")
    new = auth.persona("other_unit_staff")
    new.post(f"/stafettholder/{handover.id}/godta")
    task = f"Fortell foresatte at du er ny stafettholder for {target.subject.name}"
    assert task in new.get("/").get_data(as_text=True)
    response = new.post(f"/logger/{target.id}/foresatte-informert", data={"informed_on": local_today().isoformat()})
    assert response.status_code == 303
    assert Log.get_by_id(target.id).guardians_informed_on == local_today()
    assert task not in new.get("/").get_data(as_text=True)


@pytest.mark.parametrize("ended_by", ["the new holder closes it", "the family withdraws", "the family asks to delete"])
def test_a_taken_over_draft_that_ends_before_a_new_consent_opens_its_old_content_to_no_one(
    closed, auth, db_conn, ended_by
):
    """The family consented before for other people. A colleague in the same school takes
    the log over; it ends again before the family gives a new consent: by the new holder's
    close, or by the family's no. Nothing of the content from before opens to the new
    holder (nor the unit leader): the consent was not given for them."""
    from tests.conftest import consent_form

    log = closed
    concern = log.concerns[0].title
    new = taken_over(auth, log, "same_unit_staff")  # whom the consent covers by unit
    assert concern not in new.get(f"/logger/{log.id}").get_data(as_text=True)
    if ended_by == "the new holder closes it":
        response = new.post(f"/logger/{log.id}/avslutt", data={"reason": "other", "keep": "no"})
    elif ended_by == "the family withdraws":
        response = auth.persona("guardian").post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"})
    else:
        response = auth.persona("guardian").post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes"})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED
    new = auth.persona("same_unit_staff")  # the test's clients share one session
    page = new.get(f"/logger/{log.id}").get_data(as_text=True)
    assert concern not in page and "overtatt og avsluttet før familien ga et nytt samtykke" in page
    from stafettlogg.archive import domain as archive

    with auth.app.test_request_context():  # the package is the log's content: not for them either
        assert not archive.may_archive(user("larer"), Log.get_by_id(log.id))
        with pytest.raises(LogError):
            archive.prepare(user("larer"), Log.get_by_id(log.id))
    for reader in (new, auth.login_as(leader_of(log).username)):
        for url in (f"/logger/{log.id}/arkivutskrift", f"/logger/{log.id}/familieversjon"):
            response = reader.get(url)
            assert response.status_code in (403, 409) and concern not in response.get_data(as_text=True), url
    if ended_by == "the family asks to delete":
        return  # an open deletion request: the log is not reopened
    # reopened with the family's new consent, the content opens again
    new = auth.persona("same_unit_staff")
    assert new.post(f"/logger/{log.id}/gjenapne").status_code == 303
    upload = new.post(f"/logger/{log.id}/samtykke", data=consent_form(), content_type="multipart/form-data")
    assert upload.status_code == 303 and Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert concern in new.get(f"/logger/{log.id}").get_data(as_text=True)


def test_a_log_its_own_holder_reopens_and_closes_again_stays_readable(closed, auth, db_conn):
    """Reopening is no takeover: the holder reads the content the family's consent was
    given for, before and after a reopening the family said no to."""
    log = closed
    concern = log.concerns[0].title
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/gjenapne").status_code == 303
    response = holder.post(f"/logger/{log.id}/avslutt", data={"reason": "other", "keep": "no"})
    assert response.status_code == 303 and Log.get_by_id(log.id).status == LogStatus.CLOSED
    assert concern in holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert concern in holder.get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)


def test_a_log_in_use_taken_over_by_request_stays_readable_to_its_holder_once_closed(log, auth, db_conn):
    """A request for a log in use is a handover of it, under the consent it has (which
    covers the requester's school): the new holder reads it, and reads it still once it
    is closed. Only a log that reopened as a draft to the requester is sealed."""
    ask(auth, log, "same_unit_staff")
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.persona("holder").post(f"/foresporsler/{request.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    new = auth.persona("same_unit_staff")
    assert new.post(f"/stafettholder/{handover.id}/godta").status_code == 303
    concern = log.concerns[0].title
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert concern in new.get(f"/logger/{log.id}").get_data(as_text=True)
    response = new.post(f"/logger/{log.id}/avslutt", data={"reason": "other", "keep": "no"})
    assert response.status_code == 303 and Log.get_by_id(log.id).status == LogStatus.CLOSED
    assert concern in new.get(f"/logger/{log.id}").get_data(as_text=True)


def test_the_migration_seals_the_logs_taken_over_before_it_with_no_consent_since(database_url, db_conn):
    """0038: a log the audit shows was taken over (log_reopened naming a handover), with no
    consent uploaded after, is sealed; one with a consent since, or reopened by its own
    holder (log_reopened naming the log), is not."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db

    taken, consented, own = an_ended_log(), an_ended_log(), an_ended_log()
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0038_log_sealed")
    mark = db.obj.param
    for log, at, kind in (
        (taken, "2099-01-01", "handover"),
        (consented, "2001-01-01", "handover"),
        (own, "2099-01-01", "log"),
    ):
        db.execute_sql(
            "INSERT INTO audit_event (at, user_id, username, role, action, log_id, object_type, object_id, ip) "
            f"VALUES ({mark}, 1, 'u', 'proposed_holder', 'log_reopened', {mark}, {mark}, 1, '')",
            (f"{at} 10:00:00", log.id, kind),
        )
    runner.up()
    sealed = {log.id: Log.get_by_id(log.id).sealed for log in (taken, consented, own)}
    assert sealed == {taken.id: True, consented.id: False, own.id: False}


def test_two_requests_by_one_person_at_once_make_one(auth, db_conn, monkeypatch):
    """Finding (PostgreSQL): the same person's form sent twice at once (a double click,
    two tabs) stored two pending requests and told the leader twice. The request locks
    the log's row: the second waits for the first and finds its request."""
    log = an_ended_log(nid9="140316550")
    asker = user("kontaktlaerer")
    first, second = second_waits_for_first(
        auth.app,
        monkeypatch,
        lambda: requests.ask_for_log(asker, log),
        lambda: requests.ask_for_log(asker, log),
        held_after=(requests, "open_request"),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert first.id == second.id
    assert LogRequest.select().where(LogRequest.log == log.id).count() == 1
    assert Notification.select().where(Notification.kind == "log_requested").count() == 1


def test_a_request_no_one_can_answer_is_not_said_to_be_sent(auth, db_conn):
    """Finding: for an ended log whose unit has no active leader the request reached no
    one, no start page listed it, and the asker was told a message was sent. Now nothing
    is stored and the asker learns only that the log cannot be taken over now."""
    log = an_ended_log(nid9="140316530")
    User.update(active=False).where(User.role == Role.UNIT_LEADER, User.unit == log.unit_id).execute()
    page = ask(auth, log).get_data(as_text=True)
    assert "Vi har sendt beskjed" not in page and "loggen kan ikke overtas nå" in page
    assert not LogRequest.select().where(LogRequest.log == log.id).exists()


def test_the_leader_s_start_page_names_a_requested_log_by_its_number(auth, db_conn):
    """Finding: the unit leader's task list named the child of an ended log with no event
    in the family's access history. The leader reads the log's number there and the
    child's name on the request's page, which is audited; the holder, on the log, reads
    the child's name."""
    log = an_ended_log(nid9="140316540")
    ask(auth, log)
    leader = leader_of(log)
    page = auth.login_as(leader.username).get("/").get_data(as_text=True)
    assert f"ber om å overta stafettlogg nr. {log.id}" in page and log.subject.name not in page
