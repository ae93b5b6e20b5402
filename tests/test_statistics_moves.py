"""The statistics count each month of a log for the unit that had it then (seed 001: a
child who moves school takes the log along by a handover): the school it left keeps its
months, the new school's begin at the handover; a reopened log is counted once for its
first start and once for each close, each in the unit that had it then."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from stafettlogg.dates import local_today, school_year_of
from stafettlogg.handover import domain as ho
from stafettlogg.logs import lifecycle as life
from stafettlogg.models import Handover, Log, LogPeriod
from stafettlogg.overview import domain as ov
from stafettlogg.overview import stats
from tests.conftest import a_consent, a_log, user

pytestmark = pytest.mark.db

NAME = "Tora Flyttesen"


def month_ago(n: int) -> tuple[int, int]:
    """The month ``n`` months before this one (one of the statistics' twelve)."""
    return stats.months_back(local_today())[-1 - n]


def in_month(month: tuple[int, int], day: int = 15) -> dt.datetime:
    return dt.datetime(*month, day, 10)


def counts() -> dict:
    """Each unit's months and handovers (every count not 0), of the three units a log
    passes through here, counted together as an area leader's are."""
    units = [user(name).unit for name in ("stafettholder", "kontaktlaerer", "aktor")]
    data = stats.statistics(units, local_today())
    found = {
        (unit_id, month, key): count
        for unit_id, months in data["unit_months"].items()
        for month, month_counts in months.items()
        for key, count in month_counts.items()
        if count
    }
    found.update({(row.unit.id, "handovers"): row.handovers for row in data["units"] if row.handovers})
    return found


def added(before: dict, after: dict) -> dict:
    return {
        key: after.get(key, 0) - before.get(key, 0)
        for key in {*before, *after}
        if after.get(key, 0) != before.get(key, 0)
    }


def handed_over(log: Log, to: str, by: str, at: dt.datetime) -> Log:
    handover = ho.propose_handover(user(by), log, user(to), "Barnet flytter")
    log = ho.accept_handover(user(to), handover)
    Handover.update(created_at=at, decided_at=at).where(Handover.id == handover.id).execute()
    return log


def test_a_log_handed_over_to_another_school_leaves_the_months_before_with_the_first(app, auth, db_conn):
    """Started at Nordbyen eight months ago, handed over to Jonas at Sørbyen four months
    ago, closed there last month: Nordbyen keeps the start and the handover, Sørbyen has
    the close only; the unit overview's export of the year agrees (moved out of
    Nordbyen on the day of the handover)."""
    nord, sor = user("stafettholder").unit_id, user("kontaktlaerer").unit_id
    before = counts()
    log = a_log(name=NAME)
    started, moved, closed = in_month(month_ago(8)), in_month(month_ago(4)), in_month(month_ago(1))
    Log.update(activated_at=started, created_at=started).where(Log.id == log.id).execute()
    log = handed_over(log, "kontaktlaerer", "stafettholder", moved)
    assert log.unit_id == sor
    with app.test_request_context():
        life.close_log(user("kontaktlaerer"), log, reason="needs_met", keep="undecided")
    Log.update(closed_at=closed).where(Log.id == log.id).execute()

    assert added(before, counts()) == {
        (nord, month_ago(8), "started"): 1,
        (nord, month_ago(4), "handovers"): 1,
        (nord, "handovers"): 1,
        (sor, month_ago(1), "closed"): 1,
    }

    year = school_year_of(moved.date())
    export = auth.persona("unit_leader").get(f"/enheter/{nord}/oversikt/{year}/xlsx")
    rows = [row[0] for row in load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)]
    assert f"{NAME} (flyttet ut {moved:%d.%m.%Y})" in rows


def test_a_handover_is_the_log_units_not_the_unit_its_holder_held_it_from(app, db_conn):
    """Nordbyen's log held for a while by the public-health nurse (the log stays at the
    school: Helsestasjonen is where she works, not where the child is), who hands it to
    Jonas at Sørbyen when the child moves: that handover is Nordbyen's, the school the
    child left, not Helsestasjonen's."""
    nord, nurse_unit = user("stafettholder").unit_id, user("aktor").unit_id
    before = counts()
    log = a_log(name=NAME)
    started = in_month(month_ago(6))
    Log.update(activated_at=started, created_at=started).where(Log.id == log.id).execute()
    log = handed_over(log, "aktor", "stafettholder", in_month(month_ago(5)))
    assert log.unit_id == nord and log.held_from_unit_id == nurse_unit
    log = handed_over(log, "kontaktlaerer", "aktor", in_month(month_ago(3)))
    assert log.unit_id == user("kontaktlaerer").unit_id

    assert added(before, counts()) == {
        (nord, month_ago(6), "started"): 1,
        (nord, month_ago(5), "handovers"): 1,
        (nord, month_ago(3), "handovers"): 1,
        (nord, "handovers"): 2,
    }


def test_a_reopened_log_handed_over_is_counted_once_for_each_start_and_close_where_it_was(app, db_conn):
    """In use at Nordbyen from ten to eight months ago, reopened with a new consent seven
    months ago, handed over to Sørbyen four months ago and closed there last month: the
    first start and the first close are Nordbyen's, the second close Sørbyen's; the
    reopening starts no second log and no month is counted twice or lost."""
    nord, sor = user("stafettholder").unit_id, user("kontaktlaerer").unit_id
    before = counts()
    log = a_log(name=NAME)
    with app.test_request_context():
        life.close_log(user("stafettholder"), log, reason="needs_met", keep="undecided")
        log = life.reopen(user("stafettholder"), Log.get_by_id(log.id))
    a_consent(log)
    LogPeriod.update(started_at=in_month(month_ago(10)), ended_at=in_month(month_ago(8))).where(
        LogPeriod.log == log.id
    ).execute()
    Log.update(activated_at=in_month(month_ago(7))).where(Log.id == log.id).execute()
    log = handed_over(Log.get_by_id(log.id), "kontaktlaerer", "stafettholder", in_month(month_ago(4)))
    with app.test_request_context():
        life.close_log(user("kontaktlaerer"), log, reason="needs_met", keep="undecided")
    Log.update(closed_at=in_month(month_ago(1))).where(Log.id == log.id).execute()

    assert added(before, counts()) == {
        (nord, month_ago(10), "started"): 1,
        (nord, month_ago(8), "closed"): 1,
        (nord, month_ago(4), "handovers"): 1,
        (nord, "handovers"): 1,
        (sor, month_ago(1), "closed"): 1,
    }


def test_the_page_shows_the_new_school_no_start_from_before_the_log_came(app, auth, db_conn):
    """Sørbyen's leader's page: in the month the log was started at Nordbyen, before it
    came to Sørbyen, no log was started at Sørbyen (0, where «<5» would say one was)."""
    sor = user("kontaktlaerer").unit
    month = month_ago(9)
    assert stats.statistics([sor], local_today())["months"][month]["started"] == 0  # a quiet month there
    log = a_log(name=NAME)
    Log.update(activated_at=in_month(month), created_at=in_month(month)).where(Log.id == log.id).execute()
    handed_over(log, "kontaktlaerer", "stafettholder", in_month(month_ago(2)))
    page = auth.persona("other_unit_leader").get("/statistikk").get_data(as_text=True)
    with app.test_request_context():
        label = f"{stats.month_abbr()[month[1] - 1]} {month[0]}"
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td>', page)
    assert found is not None and found.group(1) == "0", label


def test_the_migration_rebuilds_the_units_the_log_had_from_what_is_recorded(database_url, db_conn):
    """0048: a handover made before the log's unit was kept on it is given the unit the
    log had then, walked back from its unit now by the rule of when a handover moves a
    log, not the unit its giver held it from: a school's log held by the nurse stays the
    school's (handed back within the school, or on to another school), a baby's log the
    health station hands to the kindergarten is the health station's, and a move a
    notice or a consent records is the school's the child left."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db
    from stafettlogg.models import Consent, Unit

    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    kari, mari, nurse, jonas, lise = (user(n) for n in ("stafettholder", "larer", "aktor", "kontaktlaerer", "pedleder"))
    leader = user("enhetsleder")
    nord, sor, health, kindergarten = kari.unit_id, jonas.unit_id, nurse.unit_id, lise.unit_id
    assert [Unit.get_by_id(u).kind for u in (nord, sor, health, kindergarten)] == [
        "skole",
        "skole",
        "helsestasjon",
        "barnehage",
    ]
    mark = db.obj.param
    false = "false" if mark == "%s" else "0"
    cases = {
        # log: (its unit and holder now, [(giver, receiver, from_unit)], the units expected)
        "nurse_back_to_school": ((nord, mari), [(kari, nurse, nord), (nurse, mari, health)], [nord, nord]),
        "nurse_on_to_school_b": ((sor, jonas), [(kari, nurse, nord), (nurse, jonas, health)], [nord, nord]),
        "school_a_to_b": ((sor, jonas), [(kari, jonas, nord)], [nord]),
        "school_a_to_b_told": ((sor, jonas), [(kari, jonas, None)], [nord]),
        "baby_to_kindergarten": ((kindergarten, lise), [(nurse, lise, health)], [health]),
        "baby_with_consent": ((kindergarten, lise), [(nurse, lise, None)], [health]),
    }
    logs = {name: a_log() for name in cases}
    db.close()
    db.connect()
    runner.down("0048_handover_log_unit")
    for name, ((unit, holder), handovers, _expected) in cases.items():
        log = logs[name]
        Log.update(unit=unit, holder=holder.id, holder_unit_id=holder.unit_id).where(Log.id == log.id).execute()
        # the consent on file was renewed by the unit that has the log now, after the handovers
        Consent.update(unit=unit, uploaded_at=dt.datetime(2026, 3, 1)).where(Consent.log == log.id).execute()
        for day, (giver, receiver, from_unit) in enumerate(handovers, start=10):
            db.execute_sql(
                "INSERT INTO handover (log_id, from_user_id, to_user_id, note, system_note, status, decline_reason, "
                "direct_assignment, created_by_id, created_at, decided_at, from_unit_id) "
                f"VALUES ({mark}, {mark}, {mark}, '', '', 'accepted', '', {false}, "
                f"{mark}, '2026-01-{day} 08:00:00', '2026-01-{day} 09:00:00', {mark})",
                (log.id, giver.id, receiver.id, giver.id, from_unit),
            )
    # Nordbyen's leader was told the child moved out; the health station's consent
    a_b = logs["school_a_to_b_told"].id
    db.execute_sql(
        "INSERT INTO notification (user_id, kind, message, url, log_id, dedupe_key, created_at) "
        f"VALUES ({mark}, 'child_moved_out', '', '', {mark}, {mark}, '2026-01-10 09:00:01')",
        (leader.id, a_b, f"child_moved_out:{a_b}:{nord}:7:{leader.id}"),
    )
    Consent.update(unit=health, uploaded_at=dt.datetime(2025, 12, 1)).where(
        Consent.log == logs["baby_with_consent"].id
    ).execute()
    runner.up()

    found = {
        name: [row.log_unit_id for row in Handover.select().where(Handover.log == log.id).order_by(Handover.id)]
        for name, log in logs.items()
    }
    assert found == {name: expected for name, (_now, _handovers, expected) in cases.items()}


def test_the_unit_overview_keeps_a_school_log_held_by_the_nurse_at_the_school(app, auth, db_conn):
    """Nordbyen's log handed by Kari to the public-health nurse, who holds it for the
    school, and by her to Jonas when the child moves to Sørbyen: Nordbyen's overview (and
    its export) lists the child until the move, held last by the nurse, and moved out on
    the day of the move, not of the handover to the nurse; Helsestasjonen lists no child
    who never was its; Sørbyen lists the child moved in on the day of the move."""
    from stafettlogg.overview import domain

    kari, nurse, jonas = user("stafettholder"), user("aktor"), user("kontaktlaerer")
    year = domain.current_school_year() - 1  # a whole year in the past
    started, to_nurse, moved = dt.datetime(year, 9, 1, 8), dt.datetime(year, 11, 10, 9), dt.datetime(year + 1, 1, 15, 9)
    log = a_log(name=NAME)
    Log.update(activated_at=started, created_at=started).where(Log.id == log.id).execute()
    log = handed_over(log, "aktor", "stafettholder", to_nurse)
    assert log.unit_id == kari.unit_id and log.held_from_unit_id == nurse.unit_id
    log = handed_over(log, "kontaktlaerer", "aktor", moved)
    assert log.unit_id == jonas.unit_id

    def rows(unit):
        return [row for row in domain.unit_overview(unit, year) if row.child_name == NAME]

    [at_school] = rows(kari.unit)
    assert (at_school.moved_in_on, at_school.moved_out_on) == (None, moved.date())
    assert at_school.holder.startswith(nurse.name)
    assert rows(nurse.unit) == []
    [moved_in] = rows(jonas.unit)
    assert (moved_in.moved_in_on, moved_in.moved_out_on) == (moved.date(), None)

    export = auth.persona("unit_leader").get(f"/enheter/{kari.unit_id}/oversikt/{year}/csv").get_data(as_text=True)
    assert f"{NAME} (flyttet ut {moved:%d.%m.%Y})" in export


def test_the_statistics_and_the_unit_overview_say_the_same_unit_had_the_log(app, db_conn):
    """One rule of whose a log was when (stats.where_held in SQL for the statistics,
    stats.units_held in Python for the unit overview's periods): for a log handed from
    Nordbyen to Sørbyen, on to the nurse (the log stays Sørbyen's) and back to
    Nordbyen, both name the same unit before, at and after each handover. At the instant
    of a handover the count is the unit it left (the handover is that unit's); the
    overview's period of the next unit begins then."""
    nord, sor = user("stafettholder").unit_id, user("kontaktlaerer").unit_id
    log = a_log(name=NAME)
    started = in_month(month_ago(9))
    Log.update(activated_at=started, created_at=started).where(Log.id == log.id).execute()
    times = [in_month(month_ago(n)) for n in (7, 5, 3)]
    log = handed_over(log, "kontaktlaerer", "stafettholder", times[0])
    a_consent(log, "kontaktlaerer")  # the family's consent for the new school
    log = handed_over(log, "aktor", "kontaktlaerer", times[1])
    assert log.unit_id == sor
    log = handed_over(log, "stafettholder", "aktor", times[2])
    assert log.unit_id == nord
    accepted = list(Handover.select().where(Handover.log == log.id).order_by(Handover.decided_at, Handover.id))
    assert [h.log_unit_id for h in accepted] == [nord, sor, sor]
    units = stats.units_held(accepted, log.unit_id)
    assert units == [nord, sor, sor, nord]

    def in_sql(at: dt.datetime) -> int | None:
        held, unit = stats.where_held(Log.select().where(Log.id == log.id), at, lambda column: column.in_([nord, sor]))
        return held.select(unit).scalar()

    def in_python(at: dt.datetime) -> int:
        # the first handover at or after the instant: the unit before it had the log then
        return units[next((i for i, h in enumerate(accepted) if h.decided_at >= at), len(accepted))]

    day = dt.timedelta(days=1)
    instants = [started, *(t + d for t in times for d in (-day, dt.timedelta(0), day)), times[-1] + 40 * day]
    assert [in_sql(at) for at in instants] == [in_python(at) for at in instants]
    assert [in_sql(at) for at in instants] == [nord, nord, nord, sor, sor, sor, sor, sor, sor, nord, nord]

    # the unit overview's periods (overview.domain.holder_periods) cover the same stretches
    periods = ov.holder_periods(Log.get_by_id(log.id), accepted)
    for at in instants:
        if at in times:
            continue  # the instant itself: a period starts there, the count is the unit left
        (held,) = [p for p in periods if p.start <= at and (p.end is None or at < p.end)]
        assert held.unit_id == in_sql(at), at
