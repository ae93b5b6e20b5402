"""The request path stays light as the municipality grows: roles are looked up once per
request (and afresh after a write), page query counts do not grow with the data, and
statistics are counted by the database with the same result as counting every row."""

import datetime as dt
import re
from pathlib import Path

import pytest
from peewee import fn

from bench.generate import generate
from bench.run import counting, pages
from stafettlogg import access
from stafettlogg.dates import local, local_today, utc_start_of
from stafettlogg.db import write_transaction
from stafettlogg.logs import states
from stafettlogg.models import (
    AuditEvent,
    Entry,
    Evaluation,
    Handover,
    Log,
    LogStatus,
    Measure,
    Meeting,
    StatisticsSnapshot,
    Unit,
    User,
)
from stafettlogg.overview import stats
from tests.conftest import a_log, a_measure, a_meeting, an_item, user

pytestmark = pytest.mark.db


@pytest.fixture
def log(db_conn):
    """A log held by "stafettholder" and read by the guardian "foresatt", with an item in
    each section: a goal, a highlight, a measure, a note and a meeting."""
    log = a_log()
    an_item(log, "goals", body="Barnet har en venn å være sammen med i friminuttene.")
    an_item(log, "highlights", by="aktor", body="Barnet lo høyt i storefri.")
    a_measure(log)
    an_item(log, "entries", entry_date=local_today(), body="Samtale med mor.")
    a_meeting(log)
    return log


def grow(log) -> None:
    """The log at the size bench/generate.py measures pages at: 100 entries, 8 measures,
    6 meetings and 500 audit events."""
    today = local_today()
    for i in range(100 - Entry.select().where(Entry.log == log).count()):
        an_item(log, "entries", entry_date=today - dt.timedelta(days=i % 300), body=f"Notat nummer {i}.")
    for _ in range(8 - Measure.select().where(Measure.log == log).count()):
        a_measure(log)
    for _ in range(6 - Meeting.select().where(Meeting.log == log).count()):
        a_meeting(log)
    holder = log.holder
    events = 500 - AuditEvent.select().where(AuditEvent.log_id == log.id).count()
    rows = [dict(_read_by(holder), log_id=log.id)] * events
    with write_transaction():
        AuditEvent.insert_many(rows).execute()


def _read_by(holder) -> dict:
    """A read of the log page by its holder, as audit.record writes it."""
    return {
        "user_id": holder.id,
        "username": holder.username,
        "role": "holder",
        "action": "view:logs.show",
        "actor_title": holder.job_title,
        "actor_unit_id": holder.unit_id,
    }


def _info(log):
    meeting = Meeting.select().where(Meeting.log == log).order_by(Meeting.id).first()
    return {"big_log": log.id, "meeting": meeting.id, "unit": log.unit_id}


def _count(auth, page):
    client = auth.login_as(page.persona)
    from stafettlogg.db import db

    StatisticsSnapshot.delete().execute()  # statistics counted, not read from a kept snapshot

    with counting(db) as counter:
        response = client.get(page.path, headers={"HX-Request": "true"} if page.fragment else {})
    assert response.status_code == 200, (page.key, response.status_code)
    return len(counter["sql"]), counter["sql"]


def test_query_count_of_every_measured_page_does_not_grow_with_the_municipality(auth, log):
    measured = [p for p in pages(_info(log), "ansatt") if p.method == "GET"]
    approved = Meeting.update(finalised_at=dt.datetime(2026, 1, 1), finalised_by=user("stafettholder"))
    approved.where(Meeting.log == log).execute()  # the pages show approved minutes from the start
    before = {p.key: _count(auth, p)[0] for p in measured}
    generate(40, report=lambda *a: None)
    grow(log)
    assert Entry.select().where(Entry.log == log).count() == 100
    assert AuditEvent.select().where(AuditEvent.log_id == log.id).count() == 500
    after = {p.key: _count(auth, p)[0] for p in measured}
    assert after == before


def held_meetings(log, count: int, days_ago: int) -> None:
    """Meetings held `days_ago` and before, every other one with approved minutes (the
    guardians read those)."""
    for i in range(count):
        meeting = a_meeting(log, days=-days_ago - i, minutes="Vi ble enige om å fortsette.")
        if i % 2:
            final = {"finalised_at": dt.datetime(2024, 1, 1), "finalised_by": log.holder}
            Meeting.update(final).where(Meeting.id == meeting.id).execute()


def ended_measures(log, count: int, days_ago: int) -> None:
    """Measures made `days_ago` and before, and ended."""
    for i in range(count):
        measure = a_measure(log, what=f"Et avsluttet tiltak {i}.")
        made = dt.datetime.combine(local_today() - dt.timedelta(days=days_ago + i), dt.time(12))
        Measure.update(status="ended", created_at=made).where(Measure.id == measure.id).execute()


def evaluations(log, count: int) -> None:
    """`count` more evaluations of each of the log's measures."""
    rows = [
        {"measure": m.id, "evaluated_on": dt.date(2025, 1, 1), "what_worked": "Det virker.", "decision": "continue",
         "author": log.holder_id}
        for m in Measure.select(Measure.id).where(Measure.log == log)
        for _ in range(count)
    ]  # fmt: skip
    with write_transaction():
        Evaluation.insert_many(rows).execute()


def _rows(auth, page) -> dict[str, int]:
    """The rows each statement of the page fetched, by its place and SQL."""
    client = auth.login_as(page.persona)
    from stafettlogg.db import db

    with counting(db) as counter:
        response = client.get(page.path, headers={"HX-Request": "true"} if page.fragment else {})
    assert response.status_code == 200, (page.key, response.status_code)
    return {f"{i} {sql}": rows for i, ((sql, _params), rows) in enumerate(zip(counter["sql"], counter["sql_rows"]))}


def test_rows_of_a_log_s_pages_do_not_grow_with_its_age(app, auth, log):
    """A log read for years: twice the entries, meetings, highlights, talks, ended
    measures, evaluations and audit events, and its pages read the same rows (windows of PAGE_SIZE, continued by «Vis flere»)."""
    app.config["PAGE_SIZE"] = 5
    grow(log)  # 100 entries, 6 meetings and 500 audit events: more than a window of each
    held_meetings(log, 12, days_ago=30)
    ended_measures(log, 6, days_ago=30)
    evaluations(log, 4)
    for i in range(6):
        an_item(log, "highlights", body=f"Et lysglimt {i}.")
        an_item(log, "talks", talked_on=local_today() - dt.timedelta(days=i), who="Kari", how_it_goes="Det går bedre.")
    scoped = [p for p in pages(_info(log), "ansatt") if p.method == "GET" and p.key in LOG_PAGES]
    before = {p.key: _rows(auth, p) for p in scoped}
    today = local_today()
    for i in range(100):
        an_item(log, "entries", entry_date=today - dt.timedelta(days=400 + i), body=f"Eldre notat {i}.")
    held_meetings(log, 12, days_ago=400)
    ended_measures(log, 10, days_ago=400)
    evaluations(log, 6)
    for i in range(20):
        an_item(log, "highlights", body=f"Et eldre lysglimt {i}.")
        an_item(log, "talks", talked_on=today - dt.timedelta(days=400 + i), who="Kari", how_it_goes="Bra.")
    with write_transaction():
        AuditEvent.insert_many([dict(_read_by(log.holder), log_id=log.id)] * 500).execute()
    after = {p.key: _rows(auth, p) for p in scoped}
    grown = [
        (key, rows, after[key].get(statement), statement[-300:])
        for key in before
        for statement, rows in before[key].items()
        if after[key].get(statement) != rows
    ]
    assert not grown
    assert after == before


LOG_PAGES = ("log", "section", "guardian", "access")


def test_smallest_request_asks_for_the_log_and_the_role_once(auth, log):
    section = next(p for p in pages(_info(log), "ansatt") if p.key == "section")
    total, executed = _count(auth, section)
    texts = [" ".join(sql.split()) for sql, _params in executed]
    # the log, with the caller's place on it as participant in the same query
    logs = [t for t in texts if t.startswith('SELECT "t1"."id", "t1"."subject_id"')]
    assert len(logs) == 1 and 'EXISTS(SELECT 1 FROM "participant"' in logs[0]
    assert not any(t.startswith("SELECT EXISTS") for t in texts)  # no separate role query
    # the consent gate: the consent on file, the participants' services
    assert sum('FROM "consent"' in t for t in texts) == 1
    assert sum('FROM "participant"' in t for t in texts) == 2
    # the signed-in user, with their unit (the gate asks whether the consent covers it)
    users = [t for t in texts if 'FROM "user"' in t]
    assert len(users) == 1 and 'JOIN "unit"' in users[0]
    assert not any(t.startswith('SELECT "t1"."id", "t1"."area_id"') for t in texts), texts
    # no header: the unread count and the ITO task are read with the user, not on their own
    assert not any(('FROM "notification"' in t or 'FROM "ito_delegation"' in t) and t != users[0] for t in texts)
    assert total <= 6, texts  # the count of the entries inside the window's own query


@pytest.mark.parametrize("key", ["log", "guardian", "start"])
def test_the_menus_unread_count_and_ito_task_are_read_with_the_user(auth, log, key):
    """Every page with the menu shows the unread notices and, for an ITO-koordinator, the
    overview: both are columns of the signed-in user's load, not queries of their own."""
    page = next(p for p in pages(_info(log), "ansatt") if p.key == key)
    _total, executed = _count(auth, page)
    texts = [" ".join(sql.split()) for sql, _params in executed]
    users = [t for t in texts if t.startswith('SELECT "t1"."id", "t1"."username"')]
    assert len(users) == 1 and 'FROM "notification"' in users[0] and 'FROM "ito_delegation"' in users[0]
    assert [t for t in texts if 'FROM "notification"' in t or 'FROM "ito_delegation"' in t] == users


def test_the_unread_count_read_with_the_user_is_read_again_after_a_write(app, log):
    from stafettlogg import notify
    from stafettlogg.db import db
    from stafettlogg.models import Notification

    holder = user("stafettholder")
    Notification.update(read_at=dt.datetime(2026, 1, 1)).execute()
    with app.test_request_context("/"):
        notify.remember_unread(holder.id, 7)
        with counting(db) as counter:
            assert notify.unread_count(holder.id) == 7  # as the load read it: no query
        assert counter["sql"] == []
        with write_transaction():
            notify.notify(holder, "test", notify.msg("Ny oppgave"))
        assert notify.unread_count(holder.id) == 1  # the write forgot it: counted afresh


def test_the_ito_task_read_with_the_user_is_asked_again_after_a_write(app, log):
    from stafettlogg.models import ItoDelegation

    staff = user("larer")
    with app.test_request_context("/"):
        access.remember_delegation(staff, True)
        assert access.is_ito_coordinator(staff, staff.unit_id)
        with write_transaction():
            ItoDelegation.update(revoked_at=dt.datetime(2026, 1, 1)).execute()
        assert not access.is_ito_coordinator(staff, staff.unit_id)


def test_roles_are_asked_afresh_inside_and_after_a_write(app, log):
    holder, other = user("stafettholder"), user("larer")
    with app.test_request_context("/"):
        assert access.log_tokens(holder, log.id) == {"holder"}
        from stafettlogg.db import db

        with counting(db) as counter:
            assert access.role_on_log(holder, log.id) == "holder"
        assert counter["sql"] == []  # remembered for this request
        with write_transaction():
            Log.update(holder=other).where(Log.id == log.id).execute()
            assert access.role_on_log(holder, log.id) is None
            assert access.role_on_log(other, log.id) == "holder"
        assert access.log_tokens(holder, log.id) == set()
        assert access.log_tokens(other, log.id) == {"holder"}
    with app.test_request_context("/"):  # a new request knows nothing of the last one
        assert access.role_on_log(other, log.id) == "holder"


def _months_by_row(values, months):
    counts = {m: 0 for m in months}
    for value in values:  # the month in Norway
        if value and (local(value).year, local(value).month) in counts:
            counts[(local(value).year, local(value).month)] += 1
    return counts


def test_statistics_counted_in_the_database_equal_counting_every_row(db_conn):
    generate(60, report=lambda *a: None)
    today = local_today()
    units = list(Unit.select())
    data = stats.statistics(units, today)
    months = list(data["months"])
    first = utc_start_of(dt.date(*months[0], 1))
    ids = [u.id for u in units]
    started = _months_by_row(
        Log.select(Log.activated_at).where(Log.unit.in_(ids), Log.activated_at >= first).scalars(), months
    )
    closed = _months_by_row(
        Log.select(Log.closed_at).where(Log.unit.in_(ids), Log.closed_at >= first).scalars(), months
    )
    handed = _months_by_row(
        Handover.select(Handover.decided_at)
        .join(Log)
        .where(Log.unit.in_(ids), Handover.status == "accepted", Handover.decided_at >= first)
        .scalars(),
        months,
    )
    assert sum(started.values()) > 0 and sum(closed.values()) > 0 and sum(handed.values()) > 0
    for month in months:
        assert data["months"][month] == {"started": started[month], "closed": closed[month], "handovers": handed[month]}
    # overdue: the anti-join counts what a subquery per measure counts, in the logs in use
    # (each log's state asked alone: one waiting for a new consent is left out)
    evaluated = Evaluation.select(Evaluation.id).where(
        Evaluation.measure == Measure.id, Evaluation.evaluated_on >= Measure.evaluation_date
    )
    reference = {}
    for measure in (
        Measure.select(Measure, Log)
        .join(Log)
        .where(
            Log.status == LogStatus.ACTIVE,
            Measure.evaluation_date < today,
            Measure.status != "ended",
            ~fn.EXISTS(evaluated),
        )
    ):
        if states.state_of(measure.log) == states.ACTIVE:
            reference[measure.log.unit_id] = reference.get(measure.log.unit_id, 0) + 1
    assert sum(reference.values()) > 0
    assert {row.unit.id: row.overdue for row in data["units"] if row.overdue} == reference
    # and the small-number protection still hides every count from 1 to 4
    protected = stats.protect(data)
    for row in protected["units"]:
        for name in ("active", "closed", "passive", "handovers", "overdue"):
            cell = getattr(row, name)
            assert not 0 < cell.value < stats.SMALLEST_SHOWN or cell.hidden


def test_start_page_lists_held_and_joined_logs_once(app, auth, db_conn):
    from stafettlogg.logs import queries

    holder = user("stafettholder")
    with app.app_context():
        ids, window = [], queries.my_logs(holder)
        while True:  # every window of "Mine stafettlogger"
            ids += [log.id for log in window.items]
            if not window.next_cursor:
                break
            window = queries.my_logs(holder, window.next_cursor)
    assert len(ids) == len(set(ids))
    expected = {log.id for log in Log.select().where(Log.holder == holder)}
    from stafettlogg.models import Participant

    expected |= {p.log_id for p in Participant.select().join(Log).where(Participant.user == holder)}
    assert set(ids) == expected and expected
    assert User.get_by_id(holder.id)  # unchanged


def test_the_log_page_reads_a_section_once_for_all_its_parts(auth, log):
    """The sections, the navigation's counts, the deadline list and the form's choices
    share one read per request (db.once_per_request): the form's choices (concerns, people,
    ongoing agreements) and the talk schedule come from the sections' and participants' reads.
    Still read twice: the participants (the list, and the consent gate in logs/states.py)."""
    page = next(p for p in pages(_info(log), "ansatt") if p.key == "log")
    total, executed = _count(auth, page)
    texts = [" ".join(sql.split()) for sql, _params in executed]
    items = [t for t in texts if t.startswith('SELECT "t1"."id", "t1"."log_id"')]
    tables = [t.split('FROM "', 1)[1].split('"', 1)[0] for t in items]
    assert {table for table in tables if tables.count(table) > 3} == set(), tables
    assert {table for table in tables if tables.count(table) > 1} <= {"participant"}
    counts = [t for t in texts if "SELECT COUNT" in t and "_wrapped" in t and 'FROM "concern"' in t]
    assert not counts  # every section's count in one query
    assert total <= 21, total


def test_the_request_memo_is_kept_by_one_rule():
    """What a request remembers is asked, told and read through db.remembered, remember
    and known (or once_per_request), which forget it inside and after a write transaction:
    a module that opened the memo itself could keep an answer past a write."""
    root = Path(__file__).resolve().parents[1] / "stafettlogg"
    opened = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "db.py" and re.search(r"request_memo\(|g\._roles|\"_roles\"", path.read_text())
    )
    assert opened == []
