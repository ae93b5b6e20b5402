"""The administrator's «Utboks» grows with every e-mail the municipality's service writes:
it comes in windows of PAGE_SIZE e-mails, newest first, continued by «Vis flere» (a link
to the next window as a whole page without JavaScript, e-mails appended by htmx), with a
keyset cursor so a later window reads as many rows and queries as the first. Only the
administrator sees it."""

import re

import pytest

from stafettlogg.models import OutboxEmail
from tests.conftest import PERSONAS, hourly_mails
from tests.windowed import MADE_UP_CURSORS, PAST_THE_OLDEST, Listed

pytestmark = pytest.mark.db

SIZE = 4
COUNT = 3 * SIZE + 1
LISTED = Listed("/admin/utboks", r"E-post nummer (\d+)")


@pytest.fixture
def mails(app, db_conn):
    """COUNT e-mails an hour apart, "E-post nummer 0" the oldest; number 1 failed."""
    app.config["PAGE_SIZE"] = SIZE
    OutboxEmail.delete().execute()
    hourly_mails(COUNT, failed=1)


def test_the_page_shows_the_newest_window_and_vis_flere(auth, mails):
    html = auth.persona("admin").get("/admin/utboks").get_data(as_text=True)
    assert LISTED.numbers(html) == [12, 11, 10, 9]
    assert "Vis flere" in html and LISTED.more(html, "href") and LISTED.more(html, "hx-get")
    assert "Til de nyeste" not in html


def test_without_javascript_the_link_walks_every_mail_once(auth, mails):
    seen, pages, walked = LISTED.walk(auth.persona("admin"))
    assert pages == -(-COUNT // SIZE)
    assert seen == list(range(COUNT))[::-1]  # each e-mail once, newest first
    # the failed one, in a later window, can still be sent again
    assert len(re.findall(r'action="/admin/utboks/\d+/prov-igjen"', walked)) == 1
    assert "ga opp etter 3 forsøk" in walked


def test_with_htmx_the_next_window_replaces_the_link_with_mails(auth, mails):
    fragment = LISTED.next_window(auth.persona("admin"))
    assert LISTED.numbers(fragment) == [8, 7, 6, 5] and LISTED.more(fragment, "hx-get")


def test_a_later_window_costs_what_the_first_does_and_rows_are_bounded(auth, mails):
    LISTED.costs(auth.persona("admin"), "outbox_email", rows=SIZE + 1 + 5)


@pytest.mark.parametrize("cursor", MADE_UP_CURSORS)
def test_a_made_up_cursor_starts_from_the_newest(auth, mails, cursor):
    html = auth.persona("admin").get(f"/admin/utboks?etter={cursor}").get_data(as_text=True)
    assert LISTED.numbers(html) == [12, 11, 10, 9]


def test_a_cursor_past_the_oldest_says_there_are_no_older_ones(auth, mails):
    html = auth.persona("admin").get(f"/admin/utboks?etter={PAST_THE_OLDEST}").get_data(as_text=True)
    assert LISTED.numbers(html) == [] and "Det er ingen eldre e-poster." in html and "Til de nyeste" in html


def test_an_empty_outbox_says_so(auth, mails):
    OutboxEmail.delete().execute()
    html = auth.persona("admin").get("/admin/utboks").get_data(as_text=True)
    assert "Ingen e-post er skrevet ennå." in html and "Vis flere" not in html


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"admin"}))
def test_no_one_else_sees_any_window(auth, mails, persona):
    client = auth.persona(persona)
    for path in ("/admin/utboks", "/admin/utboks?etter=2026-01-01T20:00:00_13"):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 403 and not LISTED.numbers(response.get_data(as_text=True))


def test_anonymous_is_sent_to_sign_in(auth, mails):
    response = auth.persona("anonymous").get("/admin/utboks?etter=2026-01-01T20:00:00_13")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_in_nynorsk_the_empty_window_reads_in_nynorsk(auth, mails):
    client = auth.persona("admin")
    client.set_cookie("lang", "nn")
    html = client.get(f"/admin/utboks?etter={PAST_THE_OLDEST}").get_data(as_text=True)
    assert "Det er ingen eldre e-postar." in html
