"""«Varsler» grows with every year a person uses the service: it comes in windows of
PAGE_SIZE notices, newest first, continued by «Vis flere» (a link to the next window as a
whole page without JavaScript, notices appended by htmx), with a keyset cursor so a later
window reads as many rows and queries as the first. Each person sees only their own."""

import re

import pytest

from stafettlogg.db import write_transaction
from stafettlogg.messages import Message, dumps
from stafettlogg.models import Notification
from tests.conftest import PERSONAS, hourly_notices, user
from tests.windowed import MADE_UP_CURSORS, PAST_THE_OLDEST, Listed

pytestmark = pytest.mark.db

SIZE = 4
COUNT = 3 * SIZE + 1


LISTED = Listed("/varsler", r"Varsel nummer (\d+)")


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


def test_the_page_shows_the_newest_window_and_vis_flere(auth, notices):
    html = auth.persona("holder").get("/varsler").get_data(as_text=True)
    assert LISTED.numbers(html) == [12, 11, 10, 9]
    assert "Vis flere" in html and LISTED.more(html, "href") and LISTED.more(html, "hx-get")
    assert "Til de nyeste" not in html
    assert "Deltakerens eget varsel" not in html  # only one's own notices


def test_without_javascript_the_link_walks_every_notice_once(auth, notices):
    seen, pages, _html = LISTED.walk(auth.persona("holder"))
    assert pages == -(-COUNT // SIZE)
    assert seen == list(range(COUNT))[::-1]  # each notice once, newest first


def test_with_htmx_the_next_window_replaces_the_link_with_notices(auth, notices):
    fragment = LISTED.next_window(auth.persona("holder"))
    assert LISTED.numbers(fragment) == [8, 7, 6, 5] and LISTED.more(fragment, "hx-get")
    # each notice can still be opened or marked as read
    assert len(re.findall(r'action="/varsler/\d+/les"', fragment)) == SIZE


def test_a_later_window_costs_what_the_first_does_and_rows_are_bounded(auth, notices):
    # one window (and one more to know if there are more) and a few rows of the request
    LISTED.costs(auth.persona("holder"), "notification", rows=SIZE + 1 + 5)


@pytest.mark.parametrize("cursor", MADE_UP_CURSORS)
def test_a_made_up_cursor_starts_from_the_newest(auth, notices, cursor):
    html = auth.persona("holder").get(f"/varsler?etter={cursor}").get_data(as_text=True)
    assert LISTED.numbers(html) == [12, 11, 10, 9]


def test_a_cursor_past_the_oldest_says_there_are_no_older_ones(auth, notices):
    html = auth.persona("holder").get(f"/varsler?etter={PAST_THE_OLDEST}").get_data(as_text=True)
    assert LISTED.numbers(html) == [] and "Det er ingen eldre varsler." in html and "Til de nyeste" in html


def test_no_notices_at_all_says_what_will_come_here(auth, notices):
    Notification.delete().execute()
    html = auth.persona("holder").get("/varsler").get_data(as_text=True)
    assert "Du har ingen varsler." in html and "Vis flere" not in html


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"holder", "participant"}))
def test_every_role_sees_only_their_own_notices(auth, notices, persona):
    client = auth.persona(persona)
    response = client.get("/varsler")
    assert response.status_code == 200
    assert LISTED.numbers(response.get_data(as_text=True)) == []
    assert "Deltakerens eget varsel" not in response.get_data(as_text=True)
    # a cursor from someone else's list shows nothing of theirs either
    assert LISTED.numbers(client.get("/varsler?etter=2026-01-01T20:00:00_13").get_data(as_text=True)) == []


def test_the_participant_sees_their_one_notice(auth, notices):
    html = auth.persona("participant").get("/varsler").get_data(as_text=True)
    assert "Deltakerens eget varsel" in html and LISTED.numbers(html) == [] and "Vis flere" not in html


def test_anonymous_is_sent_to_sign_in(auth, notices):
    response = auth.persona("anonymous").get("/varsler?etter=2026-01-01T20:00:00_13")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_a_family_reads_it_in_their_language(auth, notices):
    client = auth.persona("guardian")
    assert "You have no notifications." in client.get("/varsler?lang=en").get_data(as_text=True)
    older = client.get(f"/varsler?etter={PAST_THE_OLDEST}&lang=en").get_data(as_text=True)
    assert "There are no older notifications." in older and "Back to the newest" in older
