"""Statistics are counted at most once every few minutes for the same units and day, and
kept in the database (overview/stats.py kept_statistics): an area's counts read most of
its logs, measures and evaluations. The page says when they were counted; counts older
than SNAPSHOT_SECONDS are counted again; a kept count is the same as a fresh one."""

import datetime as dt
import json
import re

import pytest

from stafettlogg.db import db, is_sqlite, open_database, snapshot, write_transaction
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
    assert _without_tokens(html_again) == _without_tokens(html)
    assert StatisticsSnapshot.select().count() == 1


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are signed with the second they are made."""
    return re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', r"\1", html)


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


def scope_of(*units: Unit) -> stats.Scope:
    return stats.Scope("units:" + ",".join(str(u.id) for u in units), [u.id for u in units])


def test_a_kept_count_is_the_same_as_a_fresh_one(app, db_conn):
    units = [unit("Nordbyen skole"), unit("Sørbyen skole")]
    today = utcnow().date()
    with app.test_request_context("/"):
        fresh = stats.protect(stats.statistics(units, today))
        first, counted_at = stats.kept_statistics(scope_of(*units), today)
        kept, kept_at = stats.kept_statistics(scope_of(*units), today)
    assert kept_at == counted_at
    assert first == kept
    # the protected counts, as kept: every unit's id, name and counts, nothing read again
    for name in ("totals", "levels", "months"):
        assert kept[name] == fresh[name], name
    assert [(u.id, u.name) for u in kept["units"]] == [(u.id, u.name) for u in units]
    with app.test_request_context("/"):
        shown = stats.unit_window(kept["units"], None).items
    assert [(row.unit.id, *(getattr(row, c) for c in stats.COLUMNS)) for row in shown] == [
        (row.unit.id, *(getattr(row, c) for c in stats.COLUMNS)) for row in fresh["units"]
    ]


def test_each_scope_and_day_is_kept_apart(app, db_conn):
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    today = utcnow().date()
    both, only = scope_of(nord, sor), scope_of(nord)
    keys = {
        stats.snapshot_key(both, today),
        stats.snapshot_key(only, today),
        stats.snapshot_key(both, today - dt.timedelta(days=1)),
    }
    assert len(keys) == 3
    with app.test_request_context("/"):
        stats.kept_statistics(both, today)
        only_nord, _at = stats.kept_statistics(only, today)
    assert [unit.name for unit in only_nord["units"]] == ["Nordbyen skole"]
    assert StatisticsSnapshot.select().count() == 2


def test_snapshots_from_earlier_days_are_removed(app, db_conn):
    nord = unit("Nordbyen skole")
    today = utcnow().date()
    with app.test_request_context("/"):
        stats.kept_statistics(scope_of(nord), today - dt.timedelta(days=2))
        StatisticsSnapshot.update(computed_at=utcnow() - dt.timedelta(days=2)).execute()
        stats.kept_statistics(scope_of(nord), today)
    assert [s.key.split(":")[0] for s in StatisticsSnapshot.select()] == [today.isoformat()]
    assert Log.select().where(Log.status == LogStatus.ACTIVE).count() >= 1


def _between_the_first_two_counts(monkeypatch, change):
    """Run ``change`` once the statistics have counted the logs by status and before their
    next query (the logs by level): a write by someone else in the meantime."""
    database = db.obj
    execute_sql = database.execute_sql
    steps = []

    def counting(sql, *args, **kwargs):
        if steps == ["counted"]:
            steps.append("changed")
            change()
        if not steps and "SUM(CASE WHEN" in sql:
            steps.append("counted")
        return execute_sql(sql, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counting)
    return steps


def test_a_log_activated_while_counting_is_counted_in_every_line_or_none(app, db_conn, monkeypatch):
    """The counts are read from one snapshot of the database (db.snapshot): a log another
    connection activates between two of the counting queries changes none of the published
    sums, so the levels add up to the active logs, as the units' lines do."""
    draft = a_log(consent=False, level=3)
    units = [unit("Nordbyen skole"), unit("Sørbyen skole")]
    other = open_database(app.config["DATABASE_URL"])

    def activate():
        with other.connection_context():
            other.execute(Log.update(status=LogStatus.ACTIVE, activated_at=utcnow()).where(Log.id == draft.id))

    steps = _between_the_first_two_counts(monkeypatch, activate)
    with app.test_request_context("/"):
        kept, _at = stats.kept_statistics(scope_of(*units), utcnow().date())
    assert steps == ["counted", "changed"]
    assert Log.get_by_id(draft.id).status == LogStatus.ACTIVE  # the change was written meanwhile
    active = kept["totals"].active.value
    assert sum(count.value for count in kept["levels"].values()) == active
    assert sum(stats._counts(row.cells)["active"].value for row in kept["units"]) == active
    for row in kept["units"]:
        levels = kept["unit_levels"][row.id].values()
        assert sum(count.value for count in levels) == stats._counts(row.cells)["active"].value, row.name


def test_a_snapshot_is_one_read_transaction(app, db_conn):
    """Guard: a snapshot inside a snapshot reads the same one; a snapshot does not begin
    inside a write transaction, nor a write transaction inside a snapshot; on PostgreSQL
    a snapshot is REPEATABLE READ and read only."""
    with app.test_request_context("/"):
        with snapshot() as outer, snapshot() as inner:
            assert inner is outer
            if not is_sqlite():
                assert db.execute_sql("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
                assert db.execute_sql("SHOW transaction_read_only").fetchone()[0] == "on"
        with write_transaction(), pytest.raises(RuntimeError), snapshot():
            pass
        with snapshot(), pytest.raises(RuntimeError), write_transaction():
            pass
        assert not db.in_transaction()


def test_units_are_listed_in_the_norwegian_alphabet_on_every_engine():
    names = ["Åsen skole", "Ørsta barnehage", "Zinken barnehage", "Ærfugl skole", "alna skole", "Berg skole"]
    assert sorted(names, key=stats.name_order) == [
        "alna skole",
        "Berg skole",
        "Zinken barnehage",
        "Ærfugl skole",
        "Ørsta barnehage",
        "Åsen skole",
    ]


# ---------------------------------------------------------------- the per-unit table in windows


@pytest.fixture
def area_of_many_units(app, db_conn):
    """The area leader's area with twelve more units (fourteen in all), windows of five."""
    app.config["PAGE_SIZE"] = 5
    area = unit("Nordbyen skole").area
    for i in range(12):
        Unit.create(area=area, name=f"Vindu skole {i:02d}", kind="skole")
    return Unit.select().where(Unit.area == area, Unit.active == True).count()  # noqa: E712


def _unit_names(html: str) -> list[str]:
    """The units' names in the per-unit table, as the rows show them (a link or not)."""
    rows = html.split('id="units"', 1)[-1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell.split("</th>", 1)[0]) for cell in rows.split('<th scope="row">')[1:]]


def _show_more(html: str, attribute: str) -> str:
    """The «Vis flere» link's href or hx-get."""
    row = html.split('class="items__more"', 1)[1]
    return row.split(f'{attribute}="', 1)[1].split('"', 1)[0].replace("&amp;", "&").partition("#")[0]


def test_the_unit_table_shows_a_window_of_units_by_name_and_the_sum_of_all(auth, area_of_many_units):
    html, texts = _get(auth.persona("area_leader"))
    names = _unit_names(html)
    assert len(names) == 5 and names == sorted(names, key=stats.name_order)
    assert f"Per enhet ({area_of_many_units})" in html and "Vis flere" in html
    assert "<tfoot>" in html  # the sum of every unit, not of the window
    # each unit is a link to its own statistics; no list of every unit to choose from
    assert "<option" not in html and html.count("/statistikk?enhet=") == 5
    html, texts = _get(auth.persona("area_leader"))  # kept: no unit is read, only the snapshot
    assert not [t for t in texts if 'FROM "unit"' in t]


def test_vis_flere_without_javascript_is_the_next_window_as_a_page(auth, area_of_many_units):
    client = auth.persona("area_leader")
    html, _texts = _get(client)
    seen = _unit_names(html)
    while 'class="items__more"' in html:
        html, _texts = _get(client, _show_more(html, "href"))
        assert "<html" in html and "Til starten av listen" in html
        seen += _unit_names(html)
    assert len(seen) == area_of_many_units == len(set(seen))  # every unit once
    assert seen == sorted(seen, key=stats.name_order)


def test_vis_flere_with_htmx_appends_only_the_rows(auth, area_of_many_units):
    client = auth.persona("area_leader")
    first, _texts = _get(client)
    response = client.get(_show_more(first, "hx-get"), headers={"HX-Request": "true"})
    rows = response.get_data(as_text=True)
    assert "<html" not in rows and "<table" not in rows and "<tfoot" not in rows
    assert rows.lstrip().startswith("<tr") and len(rows.split('<th scope="row">')) == 6


def test_a_made_up_or_foreign_cursor_starts_from_the_top(auth, area_of_many_units):
    client = auth.persona("area_leader")
    first, _texts = _get(client)
    other_area = Unit.get(Unit.name == "Helsestasjonen sentrum")
    for cursor in ("not-a-unit", "99999999999999999999", str(other_area.id), ""):
        html, _texts = _get(client, f"/statistikk?etter={cursor}")
        assert _unit_names(html) == _unit_names(first), cursor


def test_a_unit_leader_cannot_choose_another_unit(auth, area_of_many_units):
    other = Unit.get(Unit.name == "Vindu skole 03")
    html, _texts = _get(auth.persona("unit_leader"), f"/statistikk?enhet={other.id}")
    assert _unit_names(html) == ["Nordbyen skole"] and "Vindu skole" not in html


def test_the_area_leader_chooses_one_unit(auth, area_of_many_units):
    chosen = Unit.get(Unit.name == "Vindu skole 03")
    html, _texts = _get(auth.persona("area_leader"), f"/statistikk?enhet={chosen.id}")
    assert _unit_names(html) == ["Vindu skole 03"]
    assert "Alle enheter i området" in html and "<tfoot>" not in html


def test_the_area_leader_searches_for_units_by_name(auth, area_of_many_units):
    client = auth.persona("area_leader")
    html, _texts = _get(client, "/statistikk?sok=VINDU skole 0")
    names = _unit_names(html)
    assert len(names) == 5 and all("Vindu skole 0" in name for name in names)  # 00–09, a window of five
    assert "Per enhet (10)" in html and "<tfoot>" not in html  # no sum of the whole area under a search
    assert 'value="VINDU skole 0"' in html and "sok=VINDU" in _show_more(html, "href")
    html, _texts = _get(client, "/statistikk?sok=<b>Nordpolen</b>")
    assert _unit_names(html) == [] and "&lt;b&gt;Nordpolen&lt;/b&gt;" in html and "<b>Nordpolen" not in html
    assert "Ingen enhet i området har et navn med" in html


def test_a_unit_leader_gets_no_search_and_no_links(auth, area_of_many_units):
    html, _texts = _get(auth.persona("unit_leader"), "/statistikk?sok=Vindu")
    assert _unit_names(html) == ["Nordbyen skole"] and 'name="sok"' not in html and "?enhet=" not in html


def test_kept_counts_are_decoded_once_and_a_new_count_is_read_anew(app, db_conn, monkeypatch):
    """A view of kept counts decodes them only the first time a process sees them; counted
    again (other numbers in the row), the next view shows the new numbers."""
    nord = unit("Nordbyen skole")
    today = utcnow().date()
    monkeypatch.setattr(stats, "_DECODED", {})  # as a process that has decoded nothing yet
    decoded = []
    real = stats._from_json
    monkeypatch.setattr(stats, "_from_json", lambda kept: decoded.append(1) or real(kept))
    with app.test_request_context("/"):
        first, _at = stats.kept_statistics(scope_of(nord), today)
        again, _at = stats.kept_statistics(scope_of(nord), today)
        assert again == first and len(decoded) == 2  # counted (1), then decoded once (2)
        stats.kept_statistics(scope_of(nord), today)
        assert len(decoded) == 2
        changed = {**json.loads(StatisticsSnapshot.get().counts), "totals": [[99, None]] * len(stats.COLUMNS)}
        StatisticsSnapshot.update(counts=json.dumps(changed)).execute()
        now, _at = stats.kept_statistics(scope_of(nord), today)
    assert now["totals"].active.value == 99 and len(decoded) == 3
