"""Statistics are counted at most once every few minutes for the same units and day, and
kept in the database (overview/stats.py kept_statistics): an area's counts read most of
its logs, measures and evaluations. The page says when they were counted; counts older
than SNAPSHOT_SECONDS are counted again; a kept count is the same as a fresh one."""

import datetime as dt

import pytest

from stafettlogg.db import db
from stafettlogg.models import Log, LogStatus, StatisticsSnapshot, Unit, utcnow
from stafettlogg.overview import stats
from tests.conftest import a_log

pytestmark = pytest.mark.db


def unit(name) -> Unit:
    return Unit.get(Unit.name == name)


def _get(client, path="/statistikk"):
    from bench.run import counting

    with counting(db) as counter:
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), [" ".join(sql.split()) for sql, _p in counter["sql"]]


def _counting_queries(texts):
    return [t for t in texts if 'FROM "log"' in t and "GROUP BY" in t]


def test_a_second_look_within_minutes_reads_the_kept_counts(auth, db_conn):
    leader = auth.persona("area_leader")
    html, texts = _get(leader)
    assert _counting_queries(texts)  # counted the first time
    assert "Tallene ble talt opp kl." in html
    html_again, texts = _get(leader)
    assert not _counting_queries(texts)  # read from the kept snapshot
    assert html_again == html
    assert StatisticsSnapshot.select().count() == 1


def test_counts_older_than_the_limit_are_counted_again(auth, db_conn):
    leader = auth.persona("area_leader")
    _get(leader)
    for i in range(6):  # in the holder's unit; enough to be shown, not hidden as a small number
        a_log(name=f"Barn Nummer{i}")
    html, texts = _get(leader)
    assert not _counting_queries(texts)  # still within the limit: the kept counts
    StatisticsSnapshot.update(computed_at=utcnow() - dt.timedelta(seconds=stats.SNAPSHOT_SECONDS + 1)).execute()
    html_later, texts = _get(leader)
    assert _counting_queries(texts)
    assert html_later != html  # the new logs are counted
    assert StatisticsSnapshot.select().count() == 1  # replaced, not added


def test_a_kept_count_is_the_same_as_a_fresh_one(app, db_conn):
    units = [unit("Nordbyen skole"), unit("Sørbyen skole")]
    today = utcnow().date()
    with app.test_request_context("/"):
        fresh = stats.protect(stats.statistics(units, today))
        first, counted_at = stats.kept_statistics(units, today)
        kept, kept_at = stats.kept_statistics(units, today)
    assert kept_at == counted_at
    assert stats.protect(first) == fresh
    assert stats.protect(kept) == fresh


def test_each_choice_of_units_and_day_is_kept_apart(app, db_conn):
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    today = utcnow().date()
    keys = {
        stats.snapshot_key([nord, sor], today),
        stats.snapshot_key([sor, nord], today),
        stats.snapshot_key([nord], today),
        stats.snapshot_key([nord, sor], today - dt.timedelta(days=1)),
    }
    assert len(keys) == 3  # the order of the units does not matter, the units and day do
    with app.test_request_context("/"):
        stats.kept_statistics([nord, sor], today)
        only_nord, _at = stats.kept_statistics([nord], today)
    assert [row.unit.name for row in only_nord["units"]] == ["Nordbyen skole"]
    assert StatisticsSnapshot.select().count() == 2


def test_snapshots_from_earlier_days_are_removed(app, db_conn):
    nord = unit("Nordbyen skole")
    today = utcnow().date()
    with app.test_request_context("/"):
        stats.kept_statistics([nord], today - dt.timedelta(days=2))
        StatisticsSnapshot.update(computed_at=utcnow() - dt.timedelta(days=2)).execute()
        stats.kept_statistics([nord], today)
    assert [s.key.split(":")[0] for s in StatisticsSnapshot.select()] == [today.isoformat()]
    assert Log.select().where(Log.status == LogStatus.ACTIVE).count() >= 1
