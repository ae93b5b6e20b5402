"""The KE register grows with the municipality: it comes in windows of PAGE_SIZE, newest
decisions first, continued by «Vis flere» (a link without JavaScript, rows appended by
htmx), with the filters kept."""

import datetime as dt

import pytest

from stafettlogg.models import CoordinatorRecord, Unit
from tests.conftest import user

pytestmark = pytest.mark.db


@pytest.fixture
def many(app, db_conn):
    app.config["PAGE_SIZE"] = 5
    unit = Unit.get(Unit.name == "Nordbyen skole")
    ke = user("ke")
    for i in range(12):
        CoordinatorRecord.create(
            child_name=f"Vindu Barn {i:02d}",
            kind="koordinator",
            decision="granted",
            decided_on=dt.date(2026, 1, 1) + dt.timedelta(days=i // 2),
            person_name="Kari Koordinator",
            unit=unit,
            created_by=ke,
        )
    return CoordinatorRecord.select().count()


def _more(html: str, attribute: str) -> str:
    """The «Vis flere» link's href or hx-get."""
    return html.split(f'{attribute}="/ke?etter=', 1)[1].split('"', 1)[0].replace("&amp;", "&").join(["/ke?etter=", ""])


def _names(html: str) -> list[str]:
    return [part.split("<", 1)[0] for part in html.split(">Vindu Barn ")[1:]]


def test_the_register_shows_one_window_and_says_how_many_in_all(auth, many):
    html = auth.persona("coordinating_unit").get("/ke?q=Vindu").get_data(as_text=True)
    assert _names(html) == ["11", "10", "09", "08", "07"]  # newest decisions first
    assert "Vedtak (12)" in html and "Vis flere" in html


def test_vis_flere_without_javascript_is_the_next_window_as_a_page(auth, many):
    client = auth.persona("coordinating_unit")
    first = client.get("/ke?q=Vindu").get_data(as_text=True)
    link = _more(first, "href")
    assert "q=Vindu" in link  # the filter is kept
    second = client.get(link).get_data(as_text=True)
    assert _names(second) == ["06", "05", "04", "03", "02"]
    assert "Til de nyeste" in second and "<html" in second


def test_vis_flere_with_htmx_appends_only_the_rows(auth, many):
    client = auth.persona("coordinating_unit")
    first = client.get("/ke?q=Vindu").get_data(as_text=True)
    link = _more(first, "hx-get")
    rows = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in rows and "<table" not in rows and "<h2" not in rows
    assert _names(rows) == ["06", "05", "04", "03", "02"]
    last = client.get(_more(rows, "hx-get"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _names(last) == ["01", "00"] and "Vis flere" not in last


def test_a_made_up_cursor_starts_from_the_newest(auth, many):
    html = auth.persona("coordinating_unit").get("/ke?q=Vindu&etter=not-a-cursor").get_data(as_text=True)
    assert _names(html)[0] == "11"


def test_others_get_no_window(auth, many):
    for persona in ("holder", "unit_leader", "guardian"):
        assert auth.persona(persona).get("/ke?q=Vindu&etter=2026-01-03_5").status_code == 403


def test_the_unit_filter_is_a_search_by_name_and_lists_no_units(auth, many):
    from bench.run import counting
    from stafettlogg.db import db

    client = auth.persona("coordinating_unit")
    with counting(db) as counter:
        html = client.get("/ke?q=Vindu&unit=nordbyen").get_data(as_text=True)
    assert _names(html) == ["11", "10", "09", "08", "07"] and "Vedtak (12)" in html
    assert 'name="unit" type="search" value="nordbyen"' in html
    assert "<option" not in html.split('id="f-unit"', 1)[1].split("</div>", 1)[0]
    # no query reads the municipality's units (the only unit read is the decisions' own)
    assert not [sql for sql, _p in counter["sql"] if sql.startswith('SELECT "t1"."id", "t1"."area_id"')]
    html = client.get("/ke?q=Vindu&unit=sørbyen").get_data(as_text=True)
    assert _names(html) == [] and "Ingen vedtak passer med filteret" in html


def test_a_unit_given_by_its_id_is_shown_by_its_name(auth, many):
    unit = Unit.get(Unit.name == "Nordbyen skole")
    html = auth.persona("coordinating_unit").get(f"/ke?q=Vindu&unit={unit.id}").get_data(as_text=True)
    assert "Vedtak (12)" in html and 'value="Nordbyen skole"' in html
    assert f"unit={unit.id}" in html  # «Vis flere» keeps the filter as given
