"""Lists that grow with a log's age come in windows: the log's entries, meetings, highlights,
talks and ended measures show PAGE_SIZE at a time, newest first, with a "Vis flere" link that works as a
plain link (the log page from a cursor) and with htmx (the next window appended in place of
the link); every window read is audited like any read of log content."""

import datetime as dt
import re

import pytest

from stafettlogg.logs.sections import SECTIONS
from stafettlogg.models import AuditEvent, ChildTalk, Entry, Highlight, Log, LogStatus, Measure, Meeting
from tests.conftest import a_log, user

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}
SIZE = 5
WINDOWED = ("entries", "meetings", "highlights", "talks", "measures")


@pytest.fixture
def log(db_conn):
    """A log held by "stafettholder" that "aktor" takes part in."""
    return a_log()


def _item(key: str, log, author, day: dt.date, i: int) -> None:
    """Item number i of the section `key`, on `day` (its date or, at 14:00, its time)."""
    at = dt.datetime.combine(day, dt.time(14, 0))
    text = f"Notat nummer {i}"
    if key == "entries":
        Entry.create(log=log, entry_date=day, body=text, author=author)
    elif key == "meetings":
        Meeting.create(log=log, kind="evalueringsmote", starts_at=at, place="Skolen", agenda=text, author=author)
    elif key == "highlights":
        Highlight.create(log=log, body=text, created_at=at, author=author)
    elif key == "measures":  # ended: the ones that come in windows
        Measure.create(
            log=log, what=text, responsible="Kari", evaluation_date=day, status="ended", created_at=at, author=author
        )
    else:
        ChildTalk.create(log=log, talked_on=day, who="Kari", how_it_goes=text, author=author)


def many(app, log, key: str, count: int = 3 * SIZE + 2, start=dt.date(2026, 1, 1)) -> list[int]:
    """Three windows and a bit of the section, several on the same day (the cursor must
    break ties): their ids newest first."""
    app.config["PAGE_SIZE"] = SIZE
    author = user("stafettholder")
    for i in range(count):
        _item(key, log, author, start + dt.timedelta(days=i // 3), i)
    return many_ids(log, key)


def many_ids(log, key: str) -> list[int]:
    """The ids of the section's items, newest first as its windows show them."""
    model = SECTIONS[key].model
    day = getattr(model, SECTIONS[key].window_by)
    return [item.id for item in model.select(model.id).where(model.log == log).order_by(day.desc(), model.id.desc())]


@pytest.fixture(params=WINDOWED)
def key(request):
    return request.param


@pytest.fixture
def many_items(app, log, key):
    return many(app, log, key)


@pytest.fixture
def many_entries(app, log):
    return many(app, log, "entries")


def shown(html: str, key: str) -> list[int]:
    return [int(i) for i in re.findall(rf'<li class="item" id="{key}-(\d+)"', html)]


def shown_entries(html: str) -> list[int]:
    return shown(html, "entries")


def more_link(html: str, key: str = "entries") -> tuple[str, str] | None:
    """The «Vis flere» link of the section `key`: its href (a whole page) and its hx-get."""
    pattern = rf'<li class="items__more">\s*<a class="button" href="([^"]+#{key})"\s+hx-get="([^"]+)"'
    match = re.search(pattern, html)
    return (match.group(1).replace("&amp;", "&"), match.group(2).replace("&amp;", "&")) if match else None


def test_the_log_page_shows_one_window_and_the_total(auth, many_items, key, log):
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert shown(html, key) == many_items[:SIZE]
    assert f'<a id="{key}"></a>{SECTIONS[key].title} <span class="count">({len(many_items)})</span>' in html
    href, hx_get = more_link(html, key)
    assert href.startswith(f"/logger/{log.id}?seksjon={key}&etter=") and href.endswith(f"#{key}")
    assert hx_get.startswith(f"/logger/{log.id}/seksjon/{key}?etter=")
    assert "Til de nyeste" not in html


def test_without_javascript_the_link_walks_every_item_once(auth, many_items, key, log):
    client = auth.persona("holder")
    seen, url, pages = [], f"/logger/{log.id}", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        window = shown(html, key)
        assert 0 < len(window) <= SIZE
        seen += window
        pages += 1
        if pages > 1:
            assert "Til de nyeste" in html and "<html" in html  # a whole page, a way back
        link = more_link(html, key)
        url = link[0].split("#")[0] if link else None
    assert seen == many_items
    assert pages == 4


def test_current_measures_come_first_on_the_first_window_and_the_deadlines_stay(app, auth, log):
    """The measures being followed are listed whole before the ended ones; a later window of
    ended measures shows those alone, and the deadline list still names the current ones."""
    from tests.conftest import a_measure

    ended = many(app, log, "measures")
    current = [a_measure(log, what=f"Pågående tiltak {i}").id for i in range(2)]
    client = auth.persona("holder")
    html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert shown(html, "measures") == current + ended[:SIZE]
    assert f"({len(current) + len(ended)})</span>" in html
    href, _hx_get = more_link(html, "measures")
    later = client.get(href.split("#")[0]).get_data(as_text=True)
    assert shown(later, "measures") == ended[SIZE : 2 * SIZE]
    deadlines = later[later.index('class="deadlines"') : later.index('id="section-concerns"')]
    assert "Pågående tiltak 0" in deadlines and "Pågående tiltak 1" in deadlines


def test_a_later_window_of_one_section_leaves_the_others_at_their_newest(app, auth, log):
    entries, meetings = many(app, log, "entries"), many(app, log, "meetings")
    client = auth.persona("holder")
    href, _hx_get = more_link(client.get(f"/logger/{log.id}").get_data(as_text=True), "meetings")
    html = client.get(href.split("#")[0]).get_data(as_text=True)
    assert shown(html, "meetings") == meetings[SIZE : 2 * SIZE]
    assert shown(html, "entries") == entries[:SIZE]


def test_with_htmx_the_next_window_replaces_the_link(auth, many_items, key, log):
    client = auth.persona("holder")
    html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    seen = shown(html, key)
    link = more_link(html, key)
    while link:
        response = client.get(link[1], headers=HX)
        assert response.status_code == 200
        fragment = response.get_data(as_text=True)
        assert "<section" not in fragment and "<html" not in fragment and "<ul" not in fragment
        window = shown(fragment, key)
        assert 0 < len(window) <= SIZE
        seen += window
        link = more_link(fragment, key)
    assert seen == many_items


def test_a_window_is_as_costly_as_the_first_and_rows_are_bounded(auth, many_entries, db_conn, log):
    from stafettlogg.db import db

    client = auth.persona("holder")
    executed = []
    original = db.obj.execute_sql

    def spy(sql, params=None, *args, **kwargs):
        cursor = original(sql, params, *args, **kwargs)
        if sql.lstrip().upper().startswith("SELECT") and '"entry"' in sql:
            executed.append(sql)
        return cursor

    db.obj.execute_sql = spy
    try:
        first = client.get(f"/logger/{log.id}/seksjon/entries", headers=HX).get_data(as_text=True)
        queries_first = len(executed)
        executed.clear()
        later = client.get(more_link(first)[1], headers=HX).get_data(as_text=True)
    finally:
        db.obj.execute_sql = original
    assert len(executed) == queries_first
    assert len(shown_entries(later)) == SIZE
    listing = [sql for sql in executed if "LIMIT" in sql.upper()]
    assert listing and all(re.search(rf"LIMIT\s+(%s|\?|{SIZE + 1})", sql, re.I) for sql in listing)


def test_the_log_page_and_the_fragment_cost_the_same_however_many_items(app, auth, many_items, key, db_conn, log):
    """Queries and rows read per request do not grow with a log's age: the log page and
    the section's fragment read one window (PAGE_SIZE and one more to know if there are more)."""
    from bench.run import counting
    from stafettlogg.db import db

    client = auth.persona("holder")

    def cost():
        measured = []
        for url, headers in ((f"/logger/{log.id}", {}), (f"/logger/{log.id}/seksjon/{key}", HX)):
            with counting(db) as counter:
                html = client.get(url, headers=headers).get_data(as_text=True)
            assert len(shown(html, key)) == SIZE
            measured.append((len(counter["sql"]), counter["rows"]))
        return measured

    before = cost()
    many(app, log, key, count=4 * SIZE, start=dt.date(2025, 1, 1))
    assert cost() == before
    (_page_queries, page_rows), (_fragment_queries, fragment_rows) = before
    assert fragment_rows <= SIZE + 1 + 10  # the window, and the user, the log, the role, the consent gate


def test_window_reads_are_audited(auth, many_entries, log):
    client = auth.persona("participant")
    html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    before = AuditEvent.select().where(AuditEvent.action == "view:logs.section", AuditEvent.log_id == log.id).count()
    client.get(more_link(html)[1], headers=HX)
    after = AuditEvent.select().where(AuditEvent.action == "view:logs.section", AuditEvent.log_id == log.id).count()
    assert after == before + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.username, event.role) == ("aktor", "participant")


@pytest.mark.parametrize(
    "cursor",
    ["", "x", "2026-13-01_4", "2026-01-01_", "9" * 40, "2026-01-01_-1", "2026-01-01_" + "9" * 30, "2026-01-01T25:00_4"],
)
def test_a_made_up_cursor_is_harmless(auth, many_items, key, cursor, log):
    client = auth.persona("holder")
    for seksjon in (key, "ukjent"):
        response = client.get(f"/logger/{log.id}?seksjon={seksjon}&etter={cursor}")
        assert response.status_code == 200
        assert len(shown(response.get_data(as_text=True), key)) <= SIZE
    response = client.get(f"/logger/{log.id}/seksjon/{key}?etter={cursor}", headers=HX)
    assert response.status_code == 200
    assert len(shown(response.get_data(as_text=True), key)) <= SIZE


@pytest.mark.parametrize(
    "persona", ["same_unit_staff", "other_unit_staff", "guardian", "coordinating_unit", "anonymous"]
)
def test_outsiders_get_no_window(auth, many_entries, persona, log):
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    href, hx_get = more_link(html)
    client = auth.persona(persona)
    if persona == "anonymous":
        with client.session_transaction() as session:
            session.clear()
    for url, headers in ((href.split("#")[0], {}), (hx_get, HX)):
        response = client.get(url, headers=headers)
        refused = response.status_code in (302, 303, 403, 404) or "/login" in response.headers.get("HX-Redirect", "")
        assert refused, (persona, url, response.status_code)
        assert "Notat nummer" not in response.get_data(as_text=True)


def test_writing_returns_the_newest_window(auth, many_entries, log):
    response = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/entries",
        data={"entry_date": "2027-01-01", "body": "Det nyeste notatet"},
        headers=HX,
    )
    html = response.get_data(as_text=True)
    assert len(shown_entries(html)) == SIZE and "Det nyeste notatet" in html
    assert more_link(html) is not None


def test_per_item_controls_are_prepared_once_per_list(app, auth, many_entries, monkeypatch, log):
    """url_for, the CSRF token and the labels of the item controls cost the same for 5 items as for 15."""
    from stafettlogg import web
    from stafettlogg.logs import controls

    calls = []
    jinja_url_for = app.jinja_env.globals["url_for"]
    monkeypatch.setitem(app.jinja_env.globals, "url_for", lambda *a, **k: calls.append(a) or jinja_url_for(*a, **k))
    real_web_url_for = web.url_for  # the item controls' URLs are web.urls_by_id's
    monkeypatch.setattr(web, "url_for", lambda *a, **k: calls.append(a) or real_web_url_for(*a, **k))
    real_csrf = controls.generate_csrf
    monkeypatch.setattr(controls, "generate_csrf", lambda: calls.append(("csrf",)) or real_csrf())

    client = auth.persona("holder")

    def work(size):
        app.config["PAGE_SIZE"] = size
        calls.clear()
        html = client.get(f"/logger/{log.id}/seksjon/entries", headers=HX).get_data(as_text=True)
        assert len(shown_entries(html)) == size
        return len(calls), html

    work(SIZE)  # the empty add form is rendered once and then kept (logs/add_forms.py)
    few, _ = work(SIZE)
    many, html = work(3 * SIZE)
    assert few == many
    for item_id in shown_entries(html):  # every item still gets its own links
        assert f"/logger/{log.id}/seksjon/entries/{item_id}/endre" in html
        assert f"/logger/{log.id}/seksjon/entries/{item_id}/slett" in html
    assert str(web.PLACEHOLDER) not in html


# ------------------------------------------------------------------ the guardians' view


def family_lists(app, log, count: int = 3 * SIZE + 2) -> dict[str, list[int]]:
    """Approved minutes and highlights, several on the same day: their ids newest first."""
    app.config["PAGE_SIZE"] = SIZE
    author = user("stafettholder")
    for i in range(count):
        at = dt.datetime(2025, 1, 1, 14) + dt.timedelta(days=i // 3)
        Meeting.create(
            log=log, kind="evalueringsmote", starts_at=at, place="Skolen", minutes=f"Referat nummer {i}",
            finalised_at=at, finalised_by=author, author=author,
        )  # fmt: skip
        Highlight.create(log=log, body=f"Lysglimt nummer {i}", created_at=at, author=author)
        _item("measures", log, author, at.date(), i)
    return {
        "measures": many_ids(log, "measures"),
        "minutes": [
            m.id
            for m in Meeting.select(Meeting.id)
            .where(Meeting.log == log)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        ],
        "highlights": [
            h.id
            for h in Highlight.select(Highlight.id)
            .where(Highlight.log == log)
            .order_by(Highlight.created_at.desc(), Highlight.id.desc())
        ],
    }


FAMILY_ITEM = {
    "measures": r'<li class="plain-measure" id="measure-(\d+)"',
    "minutes": r'<article class="plain-minutes" aria-labelledby="minutes-(\d+)-h"',
    "highlights": r'<li id="highlight-(\d+)"',
}


def family_shown(html: str, listed: str) -> list[int]:
    return [int(i) for i in re.findall(FAMILY_ITEM[listed], html)]


def family_more(html: str, listed: str) -> tuple[str, str] | None:
    match = re.search(rf'<a class="button" href="([^"]+liste={listed}[^"]+)"\s+hx-get="([^"]+)"', html)
    return (match.group(1).replace("&amp;", "&"), match.group(2).replace("&amp;", "&")) if match else None


@pytest.mark.parametrize("listed", ["minutes", "highlights", "measures"])
def test_guardians_walk_minutes_highlights_and_ended_measures_with_and_without_javascript(app, auth, listed, log):
    expected = family_lists(app, log)[listed]
    client = auth.persona("guardian")
    # without JavaScript: each window a whole page, with a way back to the newest
    seen, url, pages = [], f"/mine/{log.id}", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += family_shown(html, listed)
        pages += 1
        assert ("Til de nyeste" in html) == (pages > 1) and "<html" in html
        link = family_more(html, listed)
        url = link[0].split("#")[0] if link else None
    assert seen == expected and pages == 4
    # with htmx: the next window's items alone, in place of the link
    html = client.get(f"/mine/{log.id}").get_data(as_text=True)
    seen, link = family_shown(html, listed), family_more(html, listed)
    while link:
        response = client.get(link[1], headers=HX)
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in fragment and "<section" not in fragment
        assert 0 < len(family_shown(fragment, listed)) <= SIZE
        seen += family_shown(fragment, listed)
        link = family_more(fragment, listed)
    assert seen == expected


def test_the_family_print_shows_every_minute_highlight_and_measure(app, auth, log):
    expected = family_lists(app, log)
    html = auth.persona("holder").get(f"/logger/{log.id}/familieversjon").get_data(as_text=True)
    assert {listed: family_shown(html, listed) for listed in expected} == expected
    assert "Vis flere" not in html


def test_the_guardians_view_reads_the_same_however_many_minutes(app, auth, log):
    from bench.run import counting
    from stafettlogg.db import db

    family_lists(app, log)
    client = auth.persona("guardian")

    def cost():
        with counting(db) as counter:
            html = client.get(f"/mine/{log.id}").get_data(as_text=True)
        assert {len(family_shown(html, listed)) for listed in FAMILY_ITEM} == {SIZE}
        return len(counter["sql"]), counter["rows"]

    before = cost()
    family_lists(app, log, count=4 * SIZE)
    assert cost() == before


@pytest.mark.parametrize(
    "cursor", ["", "x", "2026-13-01_4", "9" * 40, "2025-01-01T14:00:00_" + "9" * 30, "2025-01-01_-1"]
)
def test_a_made_up_family_cursor_is_harmless(app, auth, cursor, log):
    family_lists(app, log)
    client = auth.persona("guardian")
    for listed in ("minutes", "highlights", "measures", "entries", "ukjent"):
        for headers in ({}, HX):
            response = client.get(f"/mine/{log.id}?liste={listed}&etter={cursor}", headers=headers)
            assert response.status_code == 200
            assert len(family_shown(response.get_data(as_text=True), "minutes")) <= SIZE


def test_a_stale_family_link_on_a_reopened_log_shows_the_draft_page(app, auth, log):
    """The family kept «Vis flere» open while the holder reopened the log: the draft
    shows none of its lists, with or without htmx, and nothing fails."""
    family_lists(app, log)
    cursors = {}
    client = auth.persona("guardian")
    html = client.get(f"/mine/{log.id}").get_data(as_text=True)
    for listed in ("minutes", "highlights", "measures"):
        match = re.search(rf'liste={listed}&amp;etter=([^"&]+)', html)
        cursors[listed] = match.group(1) if match else "2025-01-01_1"
    Log.update(status=LogStatus.DRAFT).where(Log.id == log.id).execute()
    for listed, cursor in cursors.items():
        for headers in ({}, HX):
            response = client.get(f"/mine/{log.id}?liste={listed}&etter={cursor}", headers=headers)
            assert response.status_code == 200, (listed, headers)
            text = response.get_data(as_text=True)
            assert "venter på det skriftlige samtykket" in text
            assert not family_shown(text, "minutes")


def test_a_family_window_is_audited_and_shows_no_notes(app, auth, log):
    family_lists(app, log)
    Entry.create(
        log=log, entry_date=dt.date(2025, 1, 1), body="Fagnotat som foreldrene ikke ser", author=user("stafettholder")
    )
    client = auth.persona("guardian")
    href, hx_get = family_more(client.get(f"/mine/{log.id}").get_data(as_text=True), "minutes")
    before = AuditEvent.select().where(AuditEvent.action == "view:guardian.show", AuditEvent.log_id == log.id).count()
    for url, headers in ((href.split("#")[0], {}), (hx_get, HX)):
        assert "Fagnotat" not in client.get(url, headers=headers).get_data(as_text=True)
    after = AuditEvent.select().where(AuditEvent.action == "view:guardian.show", AuditEvent.log_id == log.id).count()
    assert after == before + 2


@pytest.mark.parametrize(
    "persona", ["guardian", "same_unit_staff", "other_unit_staff", "coordinating_unit", "holder", "anonymous"]
)
def test_no_one_else_gets_a_family_window(app, auth, persona):
    """A log the persona is not a guardian of (the mother of another child, staff,
    even the holder: staff read the log page, not the guardians' view)."""
    other = a_log(guardian=None)
    lists = family_lists(app, other)
    cursor = "2025-01-05T14:00:00_" + str(lists["minutes"][SIZE])
    client = auth.persona(persona)
    if persona == "anonymous":
        with client.session_transaction() as session:
            session.clear()
    for url, headers in (
        (f"/mine/{other.id}?liste=minutes&etter={cursor}", {}),
        (f"/mine/{other.id}?liste=highlights&etter={cursor}", HX),
    ):
        response = client.get(url, headers=headers)
        refused = response.status_code in (302, 303, 403, 404) or "/login" in response.headers.get("HX-Redirect", "")
        assert refused, (persona, url, response.status_code)
        assert "Referat nummer" not in response.get_data(as_text=True)
