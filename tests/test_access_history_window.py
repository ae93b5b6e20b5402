"""The guardians' access history grows with the log's age: it comes in windows of
PAGE_SIZE events, newest first, continued by «Vis flere» (a link to the next window as a
whole page without JavaScript, rows appended by htmx), with a keyset cursor so a later
window reads as many rows and queries as the first."""

import datetime as dt
import re

import pytest

from bench.run import counting
from stafettlogg.dates import format_datetime
from stafettlogg.db import db, write_transaction
from stafettlogg.models import AuditEvent, User
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

SIZE = 4


@pytest.fixture
def history(app, db_conn):
    """A log with 3 × SIZE + 1 events, each a different person's kind of act an hour
    apart (so no two are shown as one line), the newest first in `history`."""
    app.config["PAGE_SIZE"] = SIZE
    log = a_log()
    holder = user("stafettholder")
    start = dt.datetime(2026, 1, 1, 8, 0)
    with write_transaction():
        AuditEvent.insert_many(
            [
                {
                    "at": start + dt.timedelta(hours=n),
                    "user_id": holder.id,
                    "username": holder.username,
                    "role": "holder",
                    "action": "view:logs.show" if n % 2 else "log_created",
                    "log_id": log.id,
                    "actor_title": holder.job_title,
                    "actor_unit_id": holder.unit_id,
                }
                for n in range(3 * SIZE + 1)
            ]
        ).execute()
    return log


def _times(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>\s*<td[^>]*>([^<]+)</td>", html)


def _more(html: str, attribute: str) -> str | None:
    found = re.search(attribute + r'="(/mine/\d+/innsyn\?etter=[^"&]+)"', html)
    return found.group(1) if found else None


def _events(log) -> int:
    with db.connection_context():
        return AuditEvent.select().where(AuditEvent.log_id == log.id).count()


def test_the_history_shows_one_window_and_vis_flere(auth, history):
    html = auth.persona("guardian").get(f"/mine/{history.id}/innsyn").get_data(as_text=True)
    assert len(_times(html)) == SIZE
    assert "Vis flere" in html and _more(html, "href") and _more(html, "hx-get")
    assert "Til starten av listen" not in html


def test_without_javascript_the_link_walks_the_whole_history_once(app, auth, history):
    events = _events(history)
    client = auth.persona("guardian")
    seen, path, pages = [], f"/mine/{history.id}/innsyn", 0
    while path:
        html = client.get(path).get_data(as_text=True)
        assert "<html" in html  # a whole page
        pages += 1
        seen += _times(html)
        if pages > 1:
            assert "Til starten av listen" in html
        path = _more(html, "href")
    # the reads the walk adds go on top: they do not move the windows (a keyset, no OFFSET)
    assert pages == -(-events // SIZE)
    with app.test_request_context():
        ours = [format_datetime(dt.datetime(2026, 1, 1, 8, 0) + dt.timedelta(hours=n)) for n in range(3 * SIZE + 1)]
    assert [t.strip() for t in seen if t.strip() in ours] == ours[::-1]  # each event once, newest first


def test_with_htmx_the_next_window_replaces_the_link_with_rows(auth, history):
    client = auth.persona("guardian")
    link = _more(client.get(f"/mine/{history.id}/innsyn").get_data(as_text=True), "hx-get")
    fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<table" not in fragment and "<h1" not in fragment
    assert fragment.lstrip().startswith("<tr") and len(_times(fragment)) == SIZE
    assert "data-focus-on-load" in fragment and _more(fragment, "hx-get")


def test_a_later_window_costs_what_the_first_does_and_rows_are_bounded(auth, history):
    client = auth.persona("guardian")
    client.get(f"/mine/{history.id}/innsyn")  # the first request of a client signs it in
    with counting(db) as first:
        html = client.get(f"/mine/{history.id}/innsyn").get_data(as_text=True)
    with counting(db) as later:
        client.get(_more(html, "href"))
    assert len(later["sql"]) == len(first["sql"])
    history_reads = [sql for sql, _params in first["sql"] if 'FROM "audit_event"' in sql]
    assert len(history_reads) == 1 and "LIMIT" in history_reads[0] and "OFFSET" not in history_reads[0]
    # the events of one window (and one more to know if there are more), and a few rows of
    # the request (the user, the log, the role, the people named): not the whole history
    assert first["rows"] <= SIZE + 1 + 10 and later["rows"] <= SIZE + 1 + 10


def test_every_window_is_audited(auth, history):
    client = auth.persona("guardian")
    link = _more(client.get(f"/mine/{history.id}/innsyn").get_data(as_text=True), "hx-get")
    before = _events(history)
    client.get(link, headers={"HX-Request": "true"})
    with db.connection_context():
        newest = AuditEvent.select().where(AuditEvent.log_id == history.id).order_by(AuditEvent.id.desc()).get()
    assert _events(history) == before + 1 and newest.action == "view:guardian.access_log"


@pytest.mark.parametrize("cursor", ["abc", "", "2026-01-01", "_", "2026-99-01T00:00:00_1", "x_y"])
def test_a_made_up_cursor_starts_from_the_newest(auth, history, cursor):
    response = auth.persona("guardian").get(f"/mine/{history.id}/innsyn?etter={cursor}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Til starten av listen" not in html
    assert len(_times(html)) == SIZE and _more(html, "href")


def test_repeated_reads_in_the_same_hour_are_one_line_with_a_count(auth, history):
    participant = User.get(User.username == "aktor")
    at = dt.datetime(2027, 1, 1, 9, 0)
    with write_transaction():
        AuditEvent.insert_many(
            [
                {
                    "at": at + dt.timedelta(minutes=n),
                    "user_id": participant.id,
                    "username": participant.username,
                    "role": "participant",
                    "action": "view:logs.show",
                    "log_id": history.id,
                }
                for n in range(3)
            ]
        ).execute()
    html = auth.persona("guardian").get(f"/mine/{history.id}/innsyn").get_data(as_text=True)
    assert "(3 ganger)" in html and "aktor" not in html


def test_others_get_no_history(auth, history):
    for persona in ("other_unit_staff", "same_unit_staff"):
        assert auth.persona(persona).get(f"/mine/{history.id}/innsyn").status_code == 404  # as if no log
