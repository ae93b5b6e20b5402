"""«Varsler» grows with every year a person uses the service: it comes in windows of
PAGE_SIZE notices, newest first, continued by «Vis flere» (a link to the next window as a
whole page without JavaScript, notices appended by htmx), with a keyset cursor so a later
window reads as many rows and queries as the first. Each person sees only their own."""

import re

import pytest

from bench.run import counting
from stafettlogg.db import db, write_transaction
from stafettlogg.messages import Message, dumps
from stafettlogg.models import Notification
from tests.conftest import PERSONAS, hourly_notices, user

pytestmark = pytest.mark.db

SIZE = 4
COUNT = 3 * SIZE + 1


@pytest.fixture
def notices(app, db_conn):
    """The holder's COUNT notices, an hour apart, "Varsel nummer 0" the oldest; and one
    for the participant. The demo's own notices out of the way."""
    app.config["PAGE_SIZE"] = SIZE
    Notification.delete().execute()
    hourly_notices("stafettholder", COUNT, read_every=2)
    with write_transaction():
        Notification.create(
            user=user("aktor"),
            kind="test",
            message=dumps(Message("Deltakerens eget varsel")),
            dedupe_key="test-participant",
        )


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Varsel nummer (\d+)", html)]


def _more(html: str, attribute: str) -> str | None:
    found = re.search(attribute + r'="(/varsler\?etter=[^"&]+)"', html)
    return found.group(1).replace("&#43;", "+") if found else None


def test_the_page_shows_the_newest_window_and_vis_flere(auth, notices):
    html = auth.persona("holder").get("/varsler").get_data(as_text=True)
    assert _numbers(html) == [12, 11, 10, 9]
    assert "Vis flere" in html and _more(html, "href") and _more(html, "hx-get")
    assert "Til de nyeste" not in html
    assert "Deltakerens eget varsel" not in html  # only one's own notices


def test_without_javascript_the_link_walks_every_notice_once(auth, notices):
    client = auth.persona("holder")
    seen, path, pages = [], "/varsler", 0
    while path:
        html = client.get(path).get_data(as_text=True)
        assert "<html" in html and "<h1" in html  # a whole page
        pages += 1
        seen += _numbers(html)
        if pages > 1:
            assert "Til de nyeste" in html
        path = _more(html, "href")
    assert pages == -(-COUNT // SIZE)
    assert seen == list(range(COUNT))[::-1]  # each notice once, newest first


def test_with_htmx_the_next_window_replaces_the_link_with_notices(auth, notices):
    client = auth.persona("holder")
    link = _more(client.get("/varsler").get_data(as_text=True), "hx-get")
    fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<ul" not in fragment and "<h1" not in fragment
    assert fragment.lstrip().startswith("<li") and _numbers(fragment) == [8, 7, 6, 5]
    assert "data-focus-on-load" in fragment and _more(fragment, "hx-get")
    # each notice can still be opened or marked as read
    assert len(re.findall(r'action="/varsler/\d+/les"', fragment)) == SIZE


def test_a_later_window_costs_what_the_first_does_and_rows_are_bounded(auth, notices):
    client = auth.persona("holder")
    client.get("/varsler")  # the first request of a client signs it in
    with counting(db) as first:
        html = client.get("/varsler").get_data(as_text=True)
    with counting(db) as later:
        client.get(_more(html, "href"))
    assert len(later["sql"]) == len(first["sql"])
    reads = [sql for sql, _params in first["sql"] if 'FROM "notification"' in sql and "COUNT" not in sql]
    assert len(reads) == 1 and "LIMIT" in reads[0] and "OFFSET" not in reads[0]
    # one window (and one more to know if there are more) and a few rows of the request
    assert first["rows"] <= SIZE + 1 + 5 and later["rows"] <= SIZE + 1 + 5


@pytest.mark.parametrize("cursor", ["", "tull", "2026-01-01T08:00:00_99999999999999999999999999", "2026-13-01_1"])
def test_a_made_up_cursor_starts_from_the_newest(auth, notices, cursor):
    html = auth.persona("holder").get(f"/varsler?etter={cursor}").get_data(as_text=True)
    assert _numbers(html) == [12, 11, 10, 9]


def test_a_cursor_past_the_oldest_says_there_are_no_older_ones(auth, notices):
    html = auth.persona("holder").get("/varsler?etter=2025-01-01T00:00:00_1").get_data(as_text=True)
    assert _numbers(html) == [] and "Det er ingen eldre varsler." in html and "Til de nyeste" in html


def test_no_notices_at_all_says_what_will_come_here(auth, notices):
    Notification.delete().execute()
    html = auth.persona("holder").get("/varsler").get_data(as_text=True)
    assert "Du har ingen varsler." in html and "Vis flere" not in html


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"holder", "participant"}))
def test_every_role_sees_only_their_own_notices(auth, notices, persona):
    client = auth.persona(persona)
    html = client.get("/varsler").get_data(as_text=True)
    assert client.get("/varsler").status_code == 200
    assert _numbers(html) == [] and "Deltakerens eget varsel" not in html
    # a cursor from someone else's list shows nothing of theirs either
    assert _numbers(client.get("/varsler?etter=2026-01-01T20:00:00_13").get_data(as_text=True)) == []


def test_the_participant_sees_their_one_notice(auth, notices):
    html = auth.persona("participant").get("/varsler").get_data(as_text=True)
    assert "Deltakerens eget varsel" in html and _numbers(html) == [] and "Vis flere" not in html


def test_anonymous_is_sent_to_sign_in(auth, notices):
    response = auth.persona("anonymous").get("/varsler?etter=2026-01-01T20:00:00_13")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_a_family_reads_it_in_their_language(auth, notices):
    client = auth.persona("guardian")
    assert "You have no notifications." in client.get("/varsler?lang=en").get_data(as_text=True)
    older = client.get("/varsler?etter=2025-01-01T00:00:00_1&lang=en").get_data(as_text=True)
    assert "There are no older notifications." in older and "Back to the newest" in older
