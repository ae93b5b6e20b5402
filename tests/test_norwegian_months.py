"""The statistics' months and the unit overview's school years begin at midnight in
Norway, not in UTC: 00:30 on 1 March in Norway is 23:30 UTC on 28 February (winter time),
00:30 on 1 August 22:30 UTC on 31 July (summer time). The same on SQLite and PostgreSQL."""

import datetime as dt

import pytest

from bench.run import counting
from stafettlogg.dates import local_today, utc_start_of
from stafettlogg.db import db
from stafettlogg.logs import lifecycle as life
from stafettlogg.models import Log
from stafettlogg.overview import domain, stats
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

NAME = "Mari Midnattsen"
HALF_AN_HOUR = dt.timedelta(minutes=30)


def months_shown() -> list[tuple[int, int]]:
    return stats.months_back(local_today())


def a_month(summer: bool) -> tuple[int, int]:
    """One of the statistics' months, not the first, that begins in summer time (April to
    October) or in winter time (November to March) in Norway."""
    return next(month for month in months_shown()[1:] if (4 <= month[1] <= 10) == summer)


def month_before(month: tuple[int, int]) -> tuple[int, int]:
    months = months_shown()
    return months[months.index(month) - 1]


def counts() -> dict:
    """Nordbyen's months (every count not 0)."""
    nord = user("stafettholder").unit
    data = stats.statistics([nord, user("kontaktlaerer").unit], local_today())
    return {
        (month, key): count
        for month, month_counts in data["unit_months"][nord.id].items()
        for key, count in month_counts.items()
        if count
    }


def added(before: dict, after: dict) -> dict:
    return {
        key: after.get(key, 0) - before.get(key, 0) for key in {*before, *after} if after.get(key) != before.get(key)
    }


@pytest.mark.parametrize("summer", [False, True], ids=["winter", "summer"])
def test_a_log_started_half_past_midnight_on_the_first_in_norway_is_that_months(app, db_conn, summer):
    """Started at 00:30 on the first of the month in Norway (the evening before in UTC,
    23:30 in winter time, 22:30 in summer time): that month's; one started at 23:30 the
    evening before in Norway is the month before's. Closed the same way, likewise."""
    month = a_month(summer)
    midnight = utc_start_of(dt.date(*month, 1))
    assert midnight.day != 1 and midnight.hour == (22 if summer else 23)  # the evening before in UTC
    before = counts()
    for at in (midnight + HALF_AN_HOUR, midnight - HALF_AN_HOUR):
        log = a_log(name=NAME, participants=())
        with app.test_request_context():
            life.close_log(user("stafettholder"), log, reason="needs_met", keep="undecided")
        Log.update(created_at=at, activated_at=at, closed_at=at).where(Log.id == log.id).execute()
    assert added(before, counts()) == {
        (month, "started"): 1,
        (month, "closed"): 1,
        (month_before(month), "started"): 1,
        (month_before(month), "closed"): 1,
    }


def test_the_statistics_read_the_months_in_a_constant_number_of_queries(app, db_conn):
    """The months are worked out in Python and compared in SQL: no query per log or month."""
    month = a_month(summer=False)
    nord = [user("stafettholder").unit]
    a_log(name=NAME)
    with counting(db) as one:
        stats.statistics(nord, local_today())
    for n in range(3):
        log = a_log(name=NAME)
        at = utc_start_of(dt.date(*month, 1)) + dt.timedelta(days=n)
        Log.update(activated_at=at, created_at=at).where(Log.id == log.id).execute()
    with counting(db) as more:
        stats.statistics(nord, local_today())
    assert len(more["sql"]) == len(one["sql"])


def rows_named(year: int) -> list:
    nord = user("stafettholder").unit
    return [row for row in domain.unit_overview(nord, year) if row.child_name == NAME]


def test_the_school_year_begins_at_midnight_on_1_august_in_norway(app, db_conn):
    """A log made active at 00:30 on 1 August in Norway (22:30 UTC on 31 July, summer
    time) is the new school year's only; one closed then was in use in the new year too,
    closed on 1 August."""
    year = domain.current_school_year()
    just_after = utc_start_of(dt.date(year, 8, 1)) + HALF_AN_HOUR
    assert (just_after.month, just_after.day, just_after.hour) == (7, 31, 22)
    log = a_log(name=NAME, participants=())
    Log.update(created_at=just_after, activated_at=just_after).where(Log.id == log.id).execute()
    assert rows_named(year - 1) == []
    assert len(rows_named(year)) == 1

    Log.update(created_at=just_after - dt.timedelta(days=60), activated_at=just_after - dt.timedelta(days=60)).where(
        Log.id == log.id
    ).execute()
    with app.test_request_context():
        life.close_log(user("stafettholder"), Log.get_by_id(log.id), reason="needs_met", keep="undecided")
    Log.update(closed_at=just_after).where(Log.id == log.id).execute()
    [last_year] = rows_named(year - 1)
    [this_year] = rows_named(year)
    assert last_year.closed_on is None  # it was still in use when that year ended
    assert this_year.closed_on == dt.date(year, 8, 1)
