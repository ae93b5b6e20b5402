"""A log reopened with a new consent (seed 001) is the same log: the school years it was
in use before keep it in their overview (seed 000), exports and KE's June reconciliation
as it was then, while it waits for the new consent and after; the statistics count its
first start and its close; the archive dates the case from its first activation."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest

from stafettlogg.dates import local, local_today
from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.logs import lifecycle as life
from stafettlogg.models import Handover, Log, LogPeriod, LogStatus, Unit, utcnow
from stafettlogg.overview import domain, stats
from tests.conftest import a_consent, a_log, user

pytestmark = pytest.mark.db

NAME = "Lea Gjenåpnesen"


def nordbyen() -> Unit:
    return Unit.get(Unit.name == "Nordbyen skole")


def rows_named(year: int, unit: Unit | None = None) -> list:
    return [row for row in domain.unit_overview(unit or nordbyen(), year) if row.child_name == NAME]


def used_and_closed(app, started: dt.datetime, closed: dt.datetime, **close) -> Log:
    """A log of the holder's, closed by the holder (with a koordinator by default), as if
    it had been in use from `started` to `closed`."""
    log = a_log(name=NAME, participants=())
    close = {"reason": "ip_created", "coordinator_name": "Lise Habil", "coordinator_service": "PPT", **close}
    with app.test_request_context():
        life.close_log(user("stafettholder"), log, keep="undecided", **close)
    Log.update(created_at=started - dt.timedelta(days=3), activated_at=started, closed_at=closed).where(
        Log.id == log.id
    ).execute()
    return Log.get_by_id(log.id)


def reopened(app, log: Log) -> Log:
    with app.test_request_context():
        return life.reopen(user("stafettholder"), log)


def test_a_log_reopened_stays_in_the_year_it_was_used_while_draft_and_after_the_new_consent(app, auth, db_conn):
    """In use September to March last school year, closed in March, reopened now: last
    year's overview, its CSV and KE's reconciliation still list it, closed on the day it
    was closed then; this year shows it once the new consent has made it active."""
    year = domain.current_school_year()
    last = year - 1
    closed_at = dt.datetime(year, 3, 16, 10)
    log = reopened(app, used_and_closed(app, dt.datetime(last, 9, 1, 8), closed_at))
    assert log.status == LogStatus.DRAFT
    unit_id = nordbyen().id
    closed_text = local(closed_at).strftime("%d.%m.%Y")

    def last_year_shows_it_as_it_was():
        [row] = rows_named(last)
        assert (row.status, row.closed_on, row.koordinator_shown) == (
            LogStatus.CLOSED,
            local(closed_at).date(),
            "Lise Habil, PPT",
        )
        leader = auth.persona("unit_leader")
        page = leader.get(f"/enheter/{unit_id}/oversikt/{last}").get_data(as_text=True)
        assert NAME in page and f"Avsluttet {closed_text}" in page
        export = leader.get(f"/enheter/{unit_id}/oversikt/{last}/csv")
        rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
        assert any(r and r[0] == NAME and "Lise Habil, PPT" in r for r in rows), rows
        ke = auth.persona("coordinating_unit")
        reconciliation = ke.get(f"/ke/avstemming/{last}/enhet/{unit_id}").get_data(as_text=True)
        assert NAME in reconciliation

    last_year_shows_it_as_it_was()
    assert rows_named(year) == []  # not in use this year until the new consent is on file

    a_consent(log)
    log = Log.get_by_id(log.id)
    assert log.status == LogStatus.ACTIVE
    last_year_shows_it_as_it_was()
    [now] = rows_named(year)
    assert (now.status, now.closed_on, now.moved_in_on) == (LogStatus.ACTIVE, None, None)
    [period] = LogPeriod.select().where(LogPeriod.log == log.id)
    assert (period.started_at, period.ended_at) == (dt.datetime(last, 9, 1, 8), closed_at)

    # closed again now, for another reason: last year keeps the koordinator it had then
    with app.test_request_context():
        life.close_log(user("stafettholder"), log, reason="needs_met", keep="undecided")
    assert Log.get_by_id(log.id).coordinator_name == ""
    last_year_shows_it_as_it_was()


def test_a_log_used_twice_in_one_year_is_listed_once_as_it_is_last(app, db_conn):
    year = domain.current_school_year()
    log = reopened(app, used_and_closed(app, dt.datetime(year, 8, 20, 8), dt.datetime(year, 9, 10, 8)))
    [draft] = rows_named(year)
    assert (draft.status, draft.closed_on) == (LogStatus.CLOSED, dt.date(year, 9, 10))
    a_consent(log)
    [row] = rows_named(year)
    assert (row.status, row.closed_on) == (LogStatus.ACTIVE, None)


def test_a_handover_in_the_first_period_keeps_the_unit_it_was_handed_from(app, db_conn):
    """Handed over from Nordbyen to Sørbyen in the first period of use, closed there,
    reopened: Nordbyen's year lists it as moved out on the day of the handover, Sørbyen's
    as closed on the day it was closed."""
    year = domain.current_school_year()
    last = year - 1
    log = used_and_closed(app, dt.datetime(last, 9, 1, 8), dt.datetime(year, 3, 16, 10))
    kari, jonas = user("stafettholder"), user("kontaktlaerer")
    Handover.create(
        log=log,
        from_user=kari,
        from_unit_id=kari.unit_id,
        to_user=jonas,
        status="accepted",
        created_by=kari,
        created_at=dt.datetime(year, 1, 10, 9),
        decided_at=dt.datetime(year, 1, 15, 9),
    )
    Log.update(unit=jonas.unit, holder=jonas, holder_unit_id=jonas.unit_id).where(Log.id == log.id).execute()
    with app.test_request_context():
        life.reopen(jonas, Log.get_by_id(log.id))
    [left] = rows_named(last)
    [there] = rows_named(last, jonas.unit)
    assert (left.moved_out_on, left.closed_on) == (dt.date(year, 1, 15), None)
    assert (there.moved_in_on, there.closed_on, there.status) == (dt.date(year, 1, 15), dt.date(year, 3, 16), "closed")


def test_the_statistics_keep_the_first_start_and_the_close(app, db_conn):
    """ "Nye" counts a log in the month it was first made active, "Avsluttet" each close:
    reopening and the new consent move neither."""
    started, closed = utcnow() - dt.timedelta(days=200), utcnow() - dt.timedelta(days=100)
    log = used_and_closed(app, started, closed, reason="needs_met", coordinator_name="", coordinator_service="")
    nord, today = nordbyen(), local_today()

    def months():
        return stats.statistics([nord], today)["months"]

    before = months()
    first = (local(started).year, local(started).month)
    assert before[first]["started"] >= 1 and before[(local(closed).year, local(closed).month)]["closed"] >= 1
    log = reopened(app, log)
    assert months() == before
    a_consent(log)
    assert months() == before  # the new consent starts no new log


def test_the_archive_dates_the_case_from_its_first_activation(app, db_conn):
    from stafettlogg.archive import package

    started = dt.datetime(domain.current_school_year() - 1, 9, 1, 8)
    log = reopened(app, used_and_closed(app, started, started + dt.timedelta(days=150)))
    a_consent(log)
    with app.test_request_context():
        message = package.case_message(Log.get_by_id(log.id))
    [saksdato] = [el.text for el in ET.fromstring(message).iter() if el.tag.endswith("saksdato")]
    assert saksdato == local(started).date().isoformat()


def test_the_unit_a_log_left_does_not_see_where_the_new_holder_keeps_the_records(db_conn):
    """What happened after the move is the new unit's: where the new holder keeps the
    invitations and minutes is not shown to the school the child left."""
    year = domain.current_school_year()
    log = a_log(name=NAME, participants=())
    kari, jonas = user("stafettholder"), user("kontaktlaerer")
    Log.update(activated_at=dt.datetime(year, 9, 1, 8)).where(Log.id == log.id).execute()
    Handover.create(
        log=log,
        from_user=kari,
        from_unit_id=kari.unit_id,
        to_user=jonas,
        status="accepted",
        created_by=kari,
        created_at=dt.datetime(year, 10, 10, 9),
        decided_at=dt.datetime(year, 10, 15, 9),
    )
    Log.update(unit=jonas.unit, holder=jonas, records_kept_in="visma").where(Log.id == log.id).execute()
    [left] = rows_named(year)
    [now] = rows_named(year, jonas.unit)
    assert (left.records_kept_in, now.records_kept_in) == ("", "Visma")


def test_the_migration_files_the_periods_the_audit_trail_kept(database_url, db_conn):
    """0047: a log reopened before there were periods gets back the periods it ended
    before its last reopening, from its audit events; one reopened and still waiting for
    its new consent no longer counts as activated."""
    from playhouse.migrations import Runner

    waiting, again = a_log(name="Venter Gjenåpnesen"), a_log(name="Igjen Gjenåpnesen")
    t = [dt.datetime(2025, 9, 1, 8) + dt.timedelta(days=30 * n) for n in range(6)]
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0047_log_periods")
    events = {
        # consent, a renewal while in use (no new period), close, reopen: waits for consent
        waiting.id: [("consent_uploaded", t[0]), ("consent_uploaded", t[1]), ("log_closed", t[2])]
        + [("log_reopened", t[3])],
        # withdrawn, reopened, the new consent on file: in use again since t[4]
        again.id: [("consent_uploaded", t[0]), ("consent_withdrawn", t[1]), ("log_reopened", t[2])]
        + [("consent_uploaded", t[4])],
    }
    mark = db.obj.param
    for log_id, rows in events.items():
        for action, at in rows:
            db.execute_sql(
                "INSERT INTO audit_event (at, username, role, action, log_id, object_type, object_id, ip) "
                f"VALUES ({mark}, '', 'staff', {mark}, {mark}, 'log', {mark}, '')",
                (at.strftime("%Y-%m-%d %H:%M:%S"), action, log_id, log_id),
            )
    # as the code before kept them: a reopened draft kept its first start, the log in use
    # again has the new one
    db.execute_sql(
        f"UPDATE log SET status = 'draft', activated_at = {mark}, closed_at = NULL WHERE id = {mark}",
        (t[0].strftime("%Y-%m-%d %H:%M:%S"), waiting.id),
    )
    db.execute_sql(
        f"UPDATE log SET activated_at = {mark} WHERE id = {mark}", (t[4].strftime("%Y-%m-%d %H:%M:%S"), again.id)
    )
    runner.up()

    def periods(log):
        return [(p.started_at, p.ended_at) for p in LogPeriod.select().where(LogPeriod.log == log.id)]

    assert periods(waiting) == [(t[0], t[2])]
    assert periods(again) == [(t[0], t[1])]
    assert Log.get_by_id(waiting.id).activated_at is None
    assert Log.get_by_id(again.id).activated_at == t[4]
    untouched = a_log(name="Aldri Gjenåpnesen")
    assert periods(untouched) == []
