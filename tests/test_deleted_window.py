"""The unit's record of deleted logs («Slettet» on the unit leader's deletion page) grows
with every year the unit uses the service: it comes in windows of PAGE_SIZE, newest first,
continued by «Vis flere» (the page with the next window without JavaScript, rows appended
by htmx), with a keyset cursor so a later window costs what the first does. Only the
unit's own leader sees it, and only the unit's own deletions."""

import pytest

from stafettlogg.models import LogTombstone, Unit
from tests.conftest import PERSONAS, daily_tombstones, user
from tests.windowed import MADE_UP_CURSORS, PAST_THE_OLDEST, Listed

pytestmark = pytest.mark.db

SIZE = 4
COUNT = 3 * SIZE + 1
# numbers no log has: a deleted log keeps its number on the record
FIRST = 900_000


@pytest.fixture
def deleted(app, db_conn):
    """COUNT deleted logs of the unit leader's unit, a day apart, number FIRST the oldest;
    and one of another unit."""
    app.config["PAGE_SIZE"] = SIZE
    daily_tombstones("enhetsleder", COUNT, FIRST)
    daily_tombstones("enhetsleder2", 1, FIRST + 500)
    return Unit.get_by_id(user("enhetsleder").unit_id)


def listed(unit) -> Listed:
    return Listed(f"/enheter/{unit.id}/sletting", r"<tr[^>]*><td[^>]*>(9\d{5})</td>")


def _numbers(unit, html) -> list[int]:
    return [n - FIRST for n in listed(unit).numbers(html)]


def test_the_page_shows_the_newest_window_and_vis_flere(auth, deleted):
    html = auth.persona("unit_leader").get(f"/enheter/{deleted.id}/sletting").get_data(as_text=True)
    assert _numbers(deleted, html) == [12, 11, 10, 9]
    assert listed(deleted).more(html, "href") and listed(deleted).more(html, "hx-get")
    assert "Krav om sletting" in html and "Kan slettes" in html  # the rest of the page is there
    assert str(FIRST + 500) not in html  # another unit's deletions are not


def test_without_javascript_the_link_walks_the_whole_record_once(auth, deleted):
    seen, pages, walked = listed(deleted).walk(auth.persona("unit_leader"))
    assert pages == -(-COUNT // SIZE)
    assert [n - FIRST for n in seen] == list(range(COUNT))[::-1]  # each once, newest first
    assert walked.count("Krav om sletting") == pages  # every window is the whole page
    assert 'href="/enheter/' in walked and "#deleted-h" in walked  # back to the record's place


def test_with_htmx_the_next_window_replaces_the_link_with_rows(auth, deleted):
    client = auth.persona("unit_leader")
    link = listed(deleted).more(client.get(f"/enheter/{deleted.id}/sletting").get_data(as_text=True), "hx-get")
    fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<table" not in fragment and "Krav om sletting" not in fragment
    assert fragment.lstrip().startswith("<tr") and "data-focus-on-load" in fragment
    assert _numbers(deleted, fragment) == [8, 7, 6, 5] and listed(deleted).more(fragment, "hx-get")


def test_a_later_window_reads_one_bounded_window_of_the_record(auth, deleted):
    from bench.run import counting
    from stafettlogg.db import db

    client = auth.persona("unit_leader")
    path = f"/enheter/{deleted.id}/sletting"
    link = listed(deleted).more(client.get(path).get_data(as_text=True), "hx-get")
    with counting(db) as later:
        client.get(link, headers={"HX-Request": "true"})
    reads = [sql for sql, _params in later["sql"] if 'FROM "log_tombstone"' in sql]
    assert len(reads) == 1 and "LIMIT" in reads[0] and "OFFSET" not in reads[0]
    # the rows of the window (and one more) and of the request, not the ended logs
    assert not [sql for sql, _params in later["sql"] if 'FROM "log" ' in sql and "status" in sql]
    assert later["rows"] <= SIZE + 1 + 5


@pytest.mark.parametrize("cursor", MADE_UP_CURSORS)
def test_a_made_up_cursor_starts_from_the_newest(auth, deleted, cursor):
    html = auth.persona("unit_leader").get(f"/enheter/{deleted.id}/sletting?etter={cursor}").get_data(as_text=True)
    assert _numbers(deleted, html) == [12, 11, 10, 9]


def test_a_cursor_past_the_oldest_says_there_are_no_older_ones(auth, deleted):
    client = auth.persona("unit_leader")
    html = client.get(f"/enheter/{deleted.id}/sletting?etter={PAST_THE_OLDEST}").get_data(as_text=True)
    assert _numbers(deleted, html) == [] and "Det er ingen eldre slettede logger." in html
    assert "Til de nyeste" in html


def test_a_unit_that_has_deleted_nothing_says_so(auth, deleted):
    LogTombstone.delete().execute()
    html = auth.persona("unit_leader").get(f"/enheter/{deleted.id}/sletting").get_data(as_text=True)
    assert "Ingen logger er slettet." in html and "Vis flere" not in html


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"unit_leader"}))
def test_no_one_else_sees_any_window_of_the_unit(auth, deleted, persona):
    client = auth.persona(persona)
    for path in (f"/enheter/{deleted.id}/sletting", f"/enheter/{deleted.id}/sletting?etter=2026-01-14T08:00:00_13"):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code in (403, 404) and not _numbers(deleted, response.get_data(as_text=True))


def test_anonymous_is_sent_to_sign_in(auth, deleted):
    response = auth.persona("anonymous").get(f"/enheter/{deleted.id}/sletting?etter={PAST_THE_OLDEST}")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


@pytest.mark.parametrize("unit_id", [0, 999_999, 2**63])
def test_a_made_up_unit_is_not_found(auth, deleted, unit_id):
    response = auth.persona("unit_leader").get(f"/enheter/{unit_id}/sletting", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code in (403, 404) and not _numbers(deleted, html) and str(FIRST) not in html


def test_in_nynorsk_the_empty_window_reads_in_nynorsk(auth, deleted):
    client = auth.persona("unit_leader")
    client.set_cookie("lang", "nn")
    html = client.get(f"/enheter/{deleted.id}/sletting?etter={PAST_THE_OLDEST}").get_data(as_text=True)
    assert "Det er ingen eldre sletta loggar." in html
