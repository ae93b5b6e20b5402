"""An ended log whose holder has left (deactivated, or moved to another unit) had nobody
who could record the family's answer to "Skal loggen tas vare på?" (so it could never be
deleted without a request from the family), nor remove a guardian whose parental
responsibility has ended. The leader of the log's unit now stands in for the holder on
the ended log's page (token stand_in, access.holder_left): records the answer, removes
guardians, gets the reminders. They still never see the log's content, and nobody else
gains anything."""

import datetime as dt
import re

import pytest

from stafettlogg.access import log_tokens
from stafettlogg.db import write_transaction
from stafettlogg.logs import states
from stafettlogg.models import AuditEvent, Guardian, Log, LogStatus, Notification, Unit, User
from stafettlogg.reminders import send_reminders
from tests.conftest import an_ended_log, user

pytestmark = pytest.mark.db


def _ended(status="closed", keep_answer="undecided", holder_active=False):
    """An ended log of Nordbyen skole whose family has not answered; the holder left."""
    log = an_ended_log(status)
    with write_transaction():
        if status == LogStatus.CLOSED:
            Log.update(keep_answer=keep_answer).where(Log.id == log.id).execute()
        User.update(active=holder_active).where(User.id == log.holder_id).execute()
    return Log.get_by_id(log.id)


def _mother(log) -> Guardian:
    return Guardian.get(Guardian.log == log, Guardian.user == user("foresatt"))


def _events(log, action):
    return AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action == action)


def test_the_unit_leader_stands_in_only_for_an_ended_log_whose_holder_has_left(db_conn):
    leader = user("enhetsleder")
    log = an_ended_log("closed")
    assert "stand_in" not in log_tokens(leader, Log.get_by_id(log.id))  # the holder is still there
    with write_transaction():
        User.update(active=False).where(User.id == log.holder_id).execute()
    assert "stand_in" in log_tokens(leader, Log.get_by_id(log.id))
    assert {"answer_keep", "make_passive"} <= states.allowed_actions(leader, Log.get_by_id(log.id))
    assert "reopen" not in states.allowed_actions(leader, Log.get_by_id(log.id))  # that needs a holder and a consent
    for other in ("enhetsleder2", "larer", "aktor", "foresatt", "ke", "omradeleder", "admin"):
        assert "stand_in" not in log_tokens(user(other), Log.get_by_id(log.id)), other
    with write_transaction():  # a log in use whose holder left gets a new holder instead (direct assignment)
        Log.update(status=LogStatus.ACTIVE, closed_at=None).where(Log.id == log.id).execute()
    assert "stand_in" not in log_tokens(leader, Log.get_by_id(log.id))


def test_a_holder_who_moved_to_another_unit_has_left_too(db_conn):
    log = an_ended_log("closed")
    with write_transaction():
        other = Unit.get(Unit.name != log.unit.name)
        User.update(unit=other).where(User.id == log.holder_id).execute()
    assert "stand_in" in log_tokens(user("enhetsleder"), Log.get_by_id(log.id))


def test_the_unit_leader_records_the_familys_answer_for_a_holder_who_left(auth, db_conn):
    log = _ended()
    leader = auth.persona("unit_leader")
    page = leader.get(f"/logger/{log.id}/avslutt")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "har sluttet" in html and log.holder.name in html
    assert f'action="/logger/{log.id}/ta-vare-pa"' in html
    assert f"/logger/{log.id}/gjenapne" not in html  # not theirs to reopen
    assert f'href="/logger/{log.id}"' not in html  # nor a way into the log's content
    assert _events(log, "view:lifecycle.close").count() == 1  # the read is audited
    response = leader.post(f"/logger/{log.id}/ta-vare-pa", data={"keep": "no"})
    assert response.status_code == 303
    assert Log.get_by_id(log.id).keep_answer == "no"
    event = _events(log, "keep_answer_recorded").get()
    assert (event.username, event.role) == ("enhetsleder", "unit_leader")
    # now the unit leader may delete it (the family said no), from the deletion page
    assert "Kan slettes" in leader.get(f"/enheter/{log.unit_id}/sletting").get_data(as_text=True)


def test_a_yes_makes_it_passive_and_a_bad_answer_keeps_what_was_typed(auth, db_conn):
    log = _ended()
    leader = auth.persona("unit_leader")
    refused = leader.post(f"/logger/{log.id}/ta-vare-pa", data={"keep": "yes", "agreed_by_name": ""})
    assert refused.status_code == 422 and "Skriv navnet" in refused.get_data(as_text=True)
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED
    leader.post(f"/logger/{log.id}/ta-vare-pa", data={"keep": "yes", "agreed_by_name": "Mor Foresatt"})
    kept = Log.get_by_id(log.id)
    assert (kept.status, kept.keep_agreed_by) == (LogStatus.PASSIVE, "Mor Foresatt")


@pytest.mark.parametrize("status", ["closed", "passive"])
def test_the_unit_leader_removes_a_guardian_for_a_holder_who_left(auth, db_conn, status):
    log = _ended(status)
    mother = _mother(log)
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 200
    leader = auth.persona("unit_leader")
    assert f"/foresatte/{mother.id}/fjern" in leader.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)
    response = leader.post(f"/logger/{log.id}/foresatte/{mother.id}/fjern")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/logger/{log.id}/avslutt#foresatte")  # back to their page
    assert not Guardian.select().where(Guardian.id == mother.id).exists()
    assert _events(log, "guardian_removed").get().username == "enhetsleder"
    assert "er fjernet som foresatt" in leader.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 404  # (one client: signs in again)


ROUTES = [
    ("get", "/logger/{log}/avslutt", {}),
    ("post", "/logger/{log}/ta-vare-pa", {"keep": "no"}),
    ("post", "/logger/{log}/foresatte/{mother}/fjern", {}),
]


@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
@pytest.mark.parametrize(
    "persona", ["participant", "same_unit_staff", "other_unit_staff", "other_unit_leader", "guardian", "anonymous"]
)
def test_nobody_else_stands_in(auth, db_conn, method, path, data, persona):
    log = _ended()
    mother = _mother(log)
    url = path.format(log=log.id, mother=mother.id)
    response = getattr(auth.persona(persona), method)(url, data=data)
    assert response.status_code in (302, 303, 401, 403, 404), (persona, response.status_code)
    assert log.subject.name not in response.get_data(as_text=True)
    fresh = Log.get_by_id(log.id)
    assert (fresh.status, fresh.keep_answer) == (LogStatus.CLOSED, "undecided")
    assert Guardian.select().where(Guardian.id == mother.id).exists()


@pytest.mark.parametrize("case", ["holder_still_there", "log_in_use"])
@pytest.mark.parametrize(("method", "path", "data"), ROUTES)
def test_not_while_the_holder_is_there_or_the_log_is_in_use(auth, db_conn, method, path, data, case):
    """The holder is still there: it is theirs. A log in use whose holder left gets a new
    holder (direct assignment, handover/domain.py), not a stand-in."""
    log = _ended(holder_active=case == "holder_still_there")
    if case == "log_in_use":
        with write_transaction():
            Log.update(status=LogStatus.ACTIVE, closed_at=None).where(Log.id == log.id).execute()
    mother = _mother(log)
    response = getattr(auth.persona("unit_leader"), method)(path.format(log=log.id, mother=mother.id), data=data)
    assert response.status_code == 403, response.status_code
    assert Guardian.select().where(Guardian.id == mother.id).exists()
    assert Log.get_by_id(log.id).keep_answer == "undecided"


def test_a_guardian_of_another_log_is_not_removed_through_this_one(auth, db_conn):
    log, other = _ended(), _ended()
    response = auth.persona("unit_leader").post(f"/logger/{log.id}/foresatte/{_mother(other).id}/fjern")
    assert response.status_code == 404
    assert Guardian.select().where(Guardian.id == _mother(other).id).exists()


def test_the_deletion_page_shows_who_left_and_where_to_answer(auth, db_conn):
    log = _ended()
    html = auth.persona("unit_leader").get(f"/enheter/{log.unit_id}/sletting").get_data(as_text=True)
    assert "har sluttet" in html
    assert f'href="/logger/{log.id}/avslutt"' in html and "Registrer svar" in html


def test_the_reminders_go_to_the_unit_leader_once_the_holder_has_left(db_conn):
    log = _ended()
    with write_transaction():  # closed a week ago, not two months
        Log.update(closed_at=log.closed_at + dt.timedelta(days=60) - dt.timedelta(days=8)).where(
            Log.id == log.id
        ).execute()
    closed_on = Log.get_by_id(log.id).closed_at.date()
    assert send_reminders(closed_on + dt.timedelta(days=8))["keep_answers"] == 1
    note = Notification.get(Notification.kind == "keep_answer_missing")
    assert (note.user_id, note.log_id) == (user("enhetsleder").id, log.id)
    assert (
        not Notification.select()
        .where(Notification.user == log.holder_id, Notification.kind == "keep_answer_missing")
        .exists()
    )


def test_the_keep_answer_reminder_reads_its_recipients_once_not_again_per_notice(db_conn):
    """notify's rule is asked once per log: the leaders standing in for a holder who left
    are picked with notify.reached_among, in the transaction that writes their notices
    (reached_checked), like the measure reminders; notify does not read each account again.
    A second leader with an address costs two statements, the notice and its e-mail
    (before: three, a read of the account per notice too)."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.models import Role
    from stafettlogg.reminders import keep_answer_reminders

    log = _ended()
    with write_transaction():  # closed a week ago, not two months
        Log.update(closed_at=log.closed_at + dt.timedelta(days=60) - dt.timedelta(days=8)).where(
            Log.id == log.id
        ).execute()
    first_week = Log.get_by_id(log.id).closed_at.date() + dt.timedelta(days=8)

    def statements(today: dt.date, told: int) -> int:
        with counting(db) as counter:
            assert keep_answer_reminders(today) == told
        return len(counter["sql"])

    one = statements(first_week, 1)
    assert user("enhetsleder").email
    User.create(
        username="nestleder", name="Nina Nestleder", role=Role.UNIT_LEADER, unit=log.unit_id, email="nina@example.no"
    )
    two = statements(first_week + dt.timedelta(days=7), 2)  # a week later: both leaders
    assert two - one == 2


def test_the_keep_answer_reminders_read_every_logs_keepers_at_once(db_conn):
    """Who stands in for each log (lifecycle.keepers_by_log) and whom notify reaches are
    read once for the whole run, not once per log: a second log waiting for the family's
    answer costs its notice and e-mail, nothing more (before: a read of the unit's
    leaders and of the accounts again per log)."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.reminders import keep_answer_reminders

    def closed_a_week_ago(log):
        with write_transaction():
            Log.update(closed_at=log.closed_at + dt.timedelta(days=52)).where(Log.id == log.id).execute()
        return Log.get_by_id(log.id)

    first = closed_a_week_ago(_ended())
    day = first.closed_at.date() + dt.timedelta(days=8)

    def statements(today: dt.date, told: int) -> int:
        with counting(db) as counter:
            assert keep_answer_reminders(today) == told
        return len(counter["sql"])

    one = statements(day, 1)
    second = closed_a_week_ago(_ended())
    assert second.closed_at.date() == first.closed_at.date()
    two = statements(day + dt.timedelta(days=7), 2)  # a week later: each log's second reminder
    assert two - one == 2
    told = Notification.select().where(
        Notification.kind == "keep_answer_missing", Notification.user == user("enhetsleder")
    )
    assert {n.log_id for n in told} == {first.id, second.id}


def _queue_row(html: str, log_id: int) -> str:
    """The deletion page's row of the log (its number in the «Nr.» cell)."""
    found = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*<td data-label="Nr.">{log_id}</td>(?:(?!</tr>).)*</tr>', html, re.S)
    assert found, f"log {log_id} is not on the deletion page"
    return found.group(0)


@pytest.mark.parametrize(
    ("keep_answer", "holder_active", "moved", "left"),
    [
        ("undecided", True, False, False),  # waiting for the family: the holder answers, still here
        ("no", True, False, False),  # deletable
        ("undecided", False, False, True),  # deactivated
        ("undecided", True, True, True),  # moved to another unit
        ("no", True, True, True),
    ],
)
def test_the_deletion_page_marks_only_a_holder_who_has_left(auth, db_conn, keep_answer, holder_active, moved, left):
    """«har sluttet» and the way to stand in («Registrer svar», «Foresatte») on a row are
    for a holder who has left (access.holder_left), not for every holder the page names."""
    log = _ended(keep_answer=keep_answer, holder_active=holder_active)
    if moved:
        with write_transaction():
            User.update(unit=Unit.get(Unit.id != log.unit_id)).where(User.id == log.holder_id).execute()
    html = auth.persona("unit_leader").get(f"/enheter/{log.unit_id}/sletting").get_data(as_text=True)
    row = _queue_row(html, log.id)
    if keep_answer == "undecided":  # waiting for the family: the row names the holder
        assert log.holder.name in row and ("har sluttet" in row) is left
    assert (f'href="/logger/{log.id}/avslutt' in row) is left
