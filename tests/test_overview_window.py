"""The unit overview lists every child of the unit in the year: it comes in windows of
PAGE_SIZE rows in the form's order (class/group, then name), continued by «Vis flere» (a
link without JavaScript, rows appended by htmx). The count, the June reconciliation and
the exports still cover the whole unit; the holders' names and the consent states are
read for the rows shown only."""

import base64
import csv
import io
import json
import re
import urllib.parse

import pytest

from bench.run import counting
from stafettlogg.db import Prepared
from stafettlogg.models import Unit
from stafettlogg.overview import domain
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

SIZE = 3


def _unit() -> Unit:
    return user("enhetsleder").unit


@pytest.fixture
def children(app, db_conn):
    """Seven more children in the unit leader's unit, in two class groups; the names of
    every row of the overview in its order."""
    app.config["PAGE_SIZE"] = SIZE
    for n in range(7):
        a_log(name=f"Vindu {n} Barnesen", group="2A" if n % 2 else "1B", participants=())
    return [row.child_name for row in domain.unit_overview(_unit(), domain.current_school_year())]


def _path() -> str:
    return f"/enheter/{_unit().id}/oversikt"


def _names(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[-1]
    return [name.strip() for name in re.findall(r'<th scope="row">([^<]+)', body)]


def _more(html: str, attribute: str) -> str | None:
    found = re.search(attribute + r'="(/enheter/\d+/oversikt/\d+\?etter=[^"#]+)', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_overview_shows_one_window_and_counts_the_whole_unit(auth, children):
    html = auth.persona("unit_leader").get(_path()).get_data(as_text=True)
    assert _names(html) == children[:SIZE]
    assert f"Barn og elever ({len(children)})" in html and "Vis flere" in html


def test_vis_flere_without_javascript_walks_every_child_once_in_order(auth, children):
    client = auth.persona("unit_leader")
    seen, path = [], _path()
    while path:
        html = client.get(path).get_data(as_text=True)
        assert "<html" in html  # a whole page
        page = _names(html)
        assert 0 < len(page) <= SIZE
        seen += page
        if path != _path():
            assert "Til starten av listen" in html and f"Barn og elever ({len(children)})" in html
        path = _more(html, "href")
    assert seen == children


def test_vis_flere_with_htmx_appends_only_the_rows(auth, children):
    client = auth.persona("unit_leader")
    link = _more(client.get(_path()).get_data(as_text=True), "hx-get")
    rows = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in rows and "<table" not in rows and "<h2" not in rows
    assert _names("<tbody>" + rows) == children[SIZE : 2 * SIZE] and "data-focus-on-load" in rows


def test_a_made_up_cursor_starts_from_the_top(auth, children):
    client = auth.persona("unit_leader")
    deep = base64.urlsafe_b64encode(b"[" * 100000).decode()  # json's recursion limit
    readable = base64.urlsafe_b64encode(json.dumps(["4B", "Barn 1", 0, 1]).encode()).decode()  # the former form
    for cursor in ("not-a-cursor", "WzEsMiwzXQ", "eyJhIjogMX0", deep, readable, "gAAAAA" + "x" * 200):
        response = client.get(f"{_path()}?etter={cursor}")
        assert response.status_code == 200, cursor[:20]
        assert _names(response.get_data(as_text=True)) == children[:SIZE], cursor[:20]
        htmx = client.get(f"{_path()}?etter={cursor}", headers={"HX-Request": "true"})
        assert htmx.status_code == 200, cursor[:20]


def test_the_cursor_carries_no_name(auth, children):
    """The overview is ordered by class and name; its «Vis flere» link must not put a
    child's name or class in the URL, where browser history and logs keep it."""
    client = auth.persona("unit_leader")
    link = _more(client.get(_path()).get_data(as_text=True), "href")
    cursor = urllib.parse.unquote(link.split("etter=", 1)[1])
    shown_last = children[SIZE - 1]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    for word in [w for w in shown_last.split() if len(w) >= 4]:
        assert word.encode() not in decoded and word not in cursor
    # the same cursor still continues the list where it left off
    assert _names(client.get(link).get_data(as_text=True))[0] == children[SIZE]


def test_exports_list_every_child(auth, children):
    client = auth.persona("unit_leader")
    year = domain.current_school_year()
    response = client.get(f"{_path()}/{year}/csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))[3:]
    assert len(rows) == len(children)


def _reads(client, path) -> dict:
    from stafettlogg.db import db

    with counting(db) as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter


def test_queries_are_constant_and_details_are_read_for_the_window_only(auth, children):
    client = auth.persona("unit_leader")
    before = _reads(client, _path())
    for n in range(5):
        a_log(name=f"Flere {n} Barnesen", participants=())
    after = _reads(client, _path())
    assert len(after["sql"]) == len(before["sql"])
    for table in ("consent", "participant"):
        reads = [(sql, params) for sql, params in after["sql"] if f'FROM "{table}"' in sql]
        assert len(reads) == 1, table
        # the window's logs only: at most SIZE ids in the query (its only parameters)
        assert len(reads[0][1]) <= SIZE, reads
    holders = [
        params for sql, params in after["sql"] if sql.startswith('SELECT "t1"."id", "t1"."name", "t1"."job_title"')
    ]
    assert len(holders) == 1 and len(holders[0]) <= SIZE


def test_a_child_seen_on_the_overview_or_in_its_export_is_in_the_familys_access_history(auth, children):
    """The overview names the child (and that the child has a log, its class and holder):
    the family's access history says the unit leader saw the child on it, for the children
    of the window shown and of the export, no others."""
    from stafettlogg.guardians.queries import access_history
    from stafettlogg.models import AuditEvent, Log

    def seen(log_id: int) -> list[dict]:
        with auth.app.test_request_context():
            rows = access_history(Log.get_by_id(log_id)).items
        return [row for row in rows if row["text"] == "Så barnet på en oversikt for enheten"]

    logs = [row.log_id for row in domain.unit_overview(_unit(), domain.current_school_year())]
    shown, later = [i for i in logs[:SIZE] if i], [i for i in logs[SIZE:] if i]
    assert shown and later
    leader = auth.persona("unit_leader")
    leader.get(_path())
    assert all(seen(i) for i in shown) and not any(seen(i) for i in later)
    assert seen(shown[0])[0]["role"] == "unit_leader"
    views = AuditEvent.select().where(AuditEvent.action == "view:overview.unit_overview")
    assert views.count() == len(shown)  # one event per child shown, bounded by the window
    leader.get(f"{_path()}/{domain.current_school_year()}/xlsx")
    assert all(seen(i) for i in later)


def test_queries_stay_constant_past_the_ids_one_statement_takes(auth, children, monkeypatch):
    """The reads of the unit's year of logs are one statement each however many logs it
    has, not one per Prepared.MAX_IDS of their ids (here 2 ids to a statement, to see it
    with a few logs: at 10,000 logs the measured unit's 218 logs took two)."""
    monkeypatch.setattr(Prepared, "MAX_IDS", 2)
    client = auth.persona("unit_leader")
    client.get(_path())
    before = _reads(client, _path())
    for n in range(6):
        a_log(name=f"Mange {n} Barnesen", participants=())
    after = _reads(client, _path())
    assert len(after["sql"]) == len(before["sql"])
    assert f"Barn og elever ({len(children) + 6})" in auth.persona("unit_leader").get(_path()).get_data(as_text=True)
