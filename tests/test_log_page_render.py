"""The log page's per-item work is done once per request or list, not once per item: the
dates' formatter (the locale and the translated "kl." looked up once), the items' Endre and
Slett links, the languages of the guardians' forms; the meetings' interpreter note names the
guardians the page already read. Same text as before (stafettlogg.dates)."""

import datetime as dt
import re

import pytest
from flask import render_template_string
from flask_babel import force_locale

from stafettlogg import dates, languages, templating
from stafettlogg.dates import format_datetime, format_long_date
from stafettlogg.models import ChildTalk, Entry, Guardian, Highlight, Meeting
from tests.conftest import a_log, user

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}

DAYS = [
    None,
    dt.date(2026, 1, 5),
    dt.date(2026, 12, 31),
    dt.datetime(2026, 3, 29, 0, 59),  # the night summer time starts: 01:59 in Oslo
    dt.datetime(2026, 3, 29, 1, 0),  # 03:00 in Oslo
    dt.datetime(2026, 10, 25, 0, 30),  # 02:30 summer time, before the clocks go back
    dt.datetime(2026, 7, 1, 22, 15),  # 00:15 the next day in Oslo
]


@pytest.mark.parametrize("code", languages.FAMILY_LANGUAGES)
def test_the_request_s_date_filters_write_what_stafettlogg_dates_writes(app, code):
    with app.test_request_context("/"), force_locale(code):
        for value in DAYS:
            assert dates.long_date(value) == format_long_date(value), (code, value)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                assert dates.date_time(value) == format_datetime(value), (code, value)


def test_the_date_filters_follow_a_forced_locale_inside_the_request(app):
    at = dt.datetime(2026, 5, 3, 10, 0)
    page = "{{ day|longdate }} / {{ at|datetime }}"
    with app.test_request_context("/"):
        assert render_template_string(page, day=at, at=at) == "3. mai 2026 / 03.05.2026 kl. 12:00"
        with force_locale("en"):
            english = render_template_string(page, day=at, at=at)
            expected = f"{format_long_date(at)} / {format_datetime(at)}"
        assert english == expected == "May 3, 2026 / 03.05.2026 at 12:00"
        assert render_template_string(page, day=at, at=at) == "3. mai 2026 / 03.05.2026 kl. 12:00"


def test_the_date_filters_work_outside_a_request(app):
    at = dt.datetime(2026, 5, 3, 10, 0)
    with app.app_context():
        assert dates.long_date(at) == "3. mai 2026"
        assert dates.date_time(at) == "03.05.2026 kl. 12:00"


def test_dates_are_prepared_once_per_request_not_per_item(app, auth, db_conn, monkeypatch):
    """The log page and the section fragment make the dates' formatter once, and ask for
    the locale as often, whether the window shows 5 items or 15."""
    log = a_log()
    holder = user("stafettholder")
    for i in range(15):
        Entry.create(log=log, entry_date=dt.date(2026, 1, 1) + dt.timedelta(days=i), body=f"Notat {i}", author=holder)
    made, locales = [], []

    class Counted(dates.DateFormats):
        def __init__(self, locale):
            made.append(locale)
            super().__init__(locale)

    monkeypatch.setattr(dates, "DateFormats", Counted)
    real_get_locale = dates.get_locale
    monkeypatch.setattr(dates, "get_locale", lambda: locales.append(1) or real_get_locale())
    client = auth.persona("holder")

    def work(path, size, headers):
        app.config["PAGE_SIZE"] = size
        made.clear()
        locales.clear()
        html = client.get(path, headers=headers).get_data(as_text=True)
        assert html.count('<li class="item" id="entries-') == size
        assert "15. januar 2026" in html  # the newest entry's date, written by the formatter
        return len(made), len(locales)

    for path, headers in ((f"/logger/{log.id}", {}), (f"/logger/{log.id}/seksjon/entries", HX)):
        work(path, 5, headers)  # forms a page keeps are kept from the first request
        few = work(path, 5, headers)
        many = work(path, 15, headers)
        assert few == many and few[0] == 1, (path, few, many)


def test_the_item_controls_are_one_call_per_list(app, auth, db_conn, monkeypatch):
    """Endre and Slett of every item the person may change come from one call per list;
    an empty list prepares no controls at all."""
    from stafettlogg import web
    from stafettlogg.logs import controls

    log = a_log()  # "aktor" takes part: may change their own notes only
    participant, holder = user("aktor"), user("stafettholder")
    mine = [
        Entry.create(log=log, entry_date=dt.date(2026, 2, i + 1), body=f"Mitt {i}", author=participant)
        for i in range(3)
    ]
    theirs = Entry.create(log=log, entry_date=dt.date(2026, 2, 9), body="Ikke mitt", author=holder)
    prepared, asked = [], []
    real_actions = controls.ItemControls.actions
    monkeypatch.setattr(
        controls.ItemControls,
        "actions",
        lambda self, items: prepared.append(self.section_key) or real_actions(self, items),
    )
    real_may_change = controls.ItemControls.may_change
    monkeypatch.setattr(
        controls.ItemControls, "may_change", lambda self, item: asked.append(item) or real_may_change(self, item)
    )

    rendered = []
    real_attribute = controls.get_template_attribute
    monkeypatch.setattr(
        controls, "get_template_attribute", lambda name, attr: rendered.append(name) or real_attribute(name, attr)
    )

    html = auth.persona("participant").get(f"/logger/{log.id}").get_data(as_text=True)
    assert prepared.count("entries") == 1 and not asked
    assert "talks" not in prepared  # an empty section: no controls prepared
    assert rendered == ["logs/_item_actions.html"]  # the markup once, for the one list with the person's items
    items = {m.group(1): m.group(2) for m in re.finditer(r'<li class="item" id="entries-(\d+)"(.*?)</li>', html, re.S)}
    for entry in mine:
        own = items[str(entry.id)]  # each item's Endre and Slett point at that item, and only at it
        assert own.count(f"/logger/{log.id}/seksjon/entries/{entry.id}/endre") == 2  # href and hx-get
        assert own.count(f"/logger/{log.id}/seksjon/entries/{entry.id}/slett") == 2  # action and hx-post
        assert len(re.findall(r"/seksjon/entries/\d+/", own)) == 4
        assert 'name="csrf_token" value="' in own and 'hx-target="#section-entries"' in own
        assert 'Slett<span class="visually-hidden"> notat</span>' in own
    assert f"/seksjon/entries/{theirs.id}/endre" not in items[str(theirs.id)]  # the holder's note: no Endre
    assert str(web.PLACEHOLDER) not in html and controls.EDIT_SLOT not in html and controls.DELETE_SLOT not in html


def test_the_byline_names_the_author_and_the_times_escaped(app, auth, db_conn):
    """Who wrote an item and when, and when it was changed (version 2 and later), with the
    author's name escaped; the same dates as the |datetime filter."""
    log = a_log()
    holder = user("stafettholder")
    holder.job_title = "Lærer <b>"
    holder.save()
    first = Entry.create(log=log, entry_date=dt.date(2026, 2, 1), body="Ny", author=holder)
    changed = Entry.create(
        log=log,
        entry_date=dt.date(2026, 2, 2),
        body="Endret",
        author=holder,
        created_at=dt.datetime(2026, 2, 2, 8, 0),
        updated_at=dt.datetime(2026, 2, 3, 13, 5),
        version=2,
    )
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    bylines = dict(re.findall(r'<li class="item" id="entries-(\d+)".*?<p class="byline">(.*?)</p>', html, re.S))
    name = f"{holder.name}, Lærer &lt;b&gt;"
    assert bylines[str(first.id)] == f"{name} · {format_datetime(first.created_at)}"
    assert bylines[str(changed.id)] == f"{name} · 02.02.2026 kl. 09:00 · endret 03.02.2026 kl. 14:05"


def test_the_meetings_interpreter_note_names_the_guardians_the_page_read(app, auth, db_conn):
    """The meetings' add form says who needs an interpreter from the guardians the page
    already read: the guardians are read once, the note as before (in the page's language)."""
    from bench.run import counting
    from stafettlogg.db import db

    log = a_log()
    Guardian.create(log=log, name="Amira Hassan", relation="mor", language="ar", needs_interpreter=True)
    Guardian.create(log=log, name="Ola Hassan", relation="far", language="pl", needs_interpreter=False)
    client = auth.persona("holder")
    client.get(f"/logger/{log.id}")
    with counting(db) as counter:
        html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "<strong>Tolk:</strong> arabisk (Amira Hassan)</p>" in html
    assert "Ola Hassan)" not in html.split("<strong>Tolk:</strong>", 1)[1].split("</p>", 1)[0]
    reads = [sql for sql, _params in counter["sql"] if 'FROM "guardian"' in sql and sql.lstrip().startswith("SELECT")]
    assert len(reads) == 1, reads
    # the section fragment (no guardians read) names them as before
    fragment = client.get(f"/logger/{log.id}/seksjon/meetings", headers=HX).get_data(as_text=True)
    assert "<strong>Tolk:</strong> arabisk (Amira Hassan)</p>" in fragment


def test_the_guardians_forms_name_the_languages_once(app, auth, db_conn, monkeypatch):
    log = a_log()
    for n in range(3):
        Guardian.create(log=log, name=f"Foresatt {n}", relation="annen", phone=f"9000000{n}", language="pl")
    named = []
    real = templating._language_options
    monkeypatch.setitem(app.jinja_env.globals, "language_options", lambda: named.append(1) or real())
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert len(named) == 1
    # every guardian's form and the add form still offer every language, the guardian's chosen
    guardians = list(Guardian.select().where(Guardian.log == log))
    assert html.count('<option value="ar">') == len(guardians) + 1
    assert html.count('<option value="pl" selected>') == sum(g.language == "pl" for g in guardians) >= 3


@pytest.mark.parametrize("key", ["entries", "meetings", "highlights", "talks"])
def test_a_window_translates_its_texts_once_per_list(app, auth, db_conn, monkeypatch, key):
    """The section fragment translates as many texts for 15 items as for 5: the labels of
    an item (Utkast, Sted, Les høyt …) are translated once per list, not once per item.
    (Not yet: meetings/_holder_line.html, included for each meeting with minutes.)"""
    log = a_log()
    author = user("stafettholder")
    for i in range(17):  # «Vis flere» after 5 and after 15
        day = dt.date(2026, 1, 1) + dt.timedelta(days=i)
        {
            "entries": lambda: Entry.create(log=log, entry_date=day, body=f"Notat {i}", author=author),
            "meetings": lambda: Meeting.create(
                log=log,
                kind="evalueringsmote",
                starts_at=dt.datetime.combine(day, dt.time(9)),
                place="Skolen",
                agenda="Status",
                author=author,
            ),
            "highlights": lambda: Highlight.create(log=log, body=f"Lysglimt {i}", author=author),
            "talks": lambda: ChildTalk.create(log=log, talked_on=day, who="Kari", how_it_goes="Bra", author=author),
        }[key]()
    texts = []
    real = languages.translations
    monkeypatch.setattr(languages, "translations", lambda: texts.append(1) or real())
    client = auth.persona("holder")

    def work(size):
        app.config["PAGE_SIZE"] = size
        texts.clear()
        html = client.get(f"/logger/{log.id}/seksjon/{key}", headers=HX).get_data(as_text=True)
        assert html.count(f'<li class="item" id="{key}-') == size
        return len(texts)

    work(5)
    assert work(5) == work(15)


def test_the_holder_history_is_a_prepared_read_of_the_same_rows(app, auth, db_conn):
    """The accepted handovers, oldest first, with the giver's and receiver's names: the same
    from the prepared read (SQL built once per process) as from the query built afresh, for
    a log and for its id; the page names them."""
    from stafettlogg.logs import queries
    from stafettlogg.models import Handover

    log, other = a_log(), a_log()
    holder, aktor, larer = user("stafettholder"), user("aktor"), user("larer")
    at = dt.datetime(2026, 2, 1, 9, 0)
    for n, (giver, receiver, status) in enumerate(
        [(larer, aktor, "accepted"), (aktor, holder, "accepted"), (holder, larer, "pending")]
    ):
        Handover.create(
            log=log,
            from_user=giver,
            to_user=receiver,
            status=status,
            created_by=giver,
            decided_at=at + dt.timedelta(days=n),
            note=f"Overlevering {n}",
        )
    Handover.create(log=other, from_user=holder, to_user=aktor, status="accepted", created_by=holder, decided_at=at)
    fresh = list(
        Handover.select().where(Handover.log == log, Handover.status == "accepted").order_by(Handover.decided_at)
    )
    for asked in (log, log.id, log):  # the second and third time from the kept SQL
        history = queries.holder_history(asked)
        assert [h.id for h in history] == [h.id for h in fresh]
        assert [(h.from_user.name, h.to_user.name) for h in history] == [
            (larer.name, aktor.name),
            (aktor.name, holder.name),
        ]
    assert queries.holder_history(other)[0].to_user.name == aktor.name
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert f"{larer.name} → {aktor.name}" in html and f"{aktor.name} → {holder.name}" in html


def test_the_bylines_are_one_call_per_list(app, auth, db_conn, monkeypatch):
    """Who wrote each item and when comes from one call per list (not a template call per
    item), each author's name escaped once; an empty list asks for none."""
    from stafettlogg.logs import controls

    log = a_log()
    holder, participant = user("stafettholder"), user("aktor")
    for i in range(6):
        Entry.create(
            log=log, entry_date=dt.date(2026, 3, i + 1), body=f"Notat {i}", author=holder if i % 2 else participant
        )
    asked = []
    real = controls.ItemControls.bylines
    monkeypatch.setattr(
        controls.ItemControls, "bylines", lambda self, items: asked.append(self.section_key) or real(self, items)
    )
    escaped = []
    real_escape = controls.escape
    monkeypatch.setattr(controls, "escape", lambda text: escaped.append(text) or real_escape(text))
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert asked.count("entries") == 1 and "talks" not in asked
    assert escaped.count(participant.name) == 1  # three of their notes in the list
    bylines = re.findall(r'<li class="item" id="entries-\d+".*?<p class="byline">(.*?)</p>', html, re.S)
    assert len(bylines) == 6
    assert sum(line.startswith(f"{participant.name}, {participant.job_title} · ") for line in bylines) == 3


def test_the_first_window_of_a_section_builds_no_query_and_counts_nothing_more(app, auth, db_conn, monkeypatch):
    """A section's newest window is a prepared read: the query a later window is cut from
    is not built for it, and an empty newest window means no items (no count of its own)."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.logs import queries

    log = a_log()
    holder = user("stafettholder")
    for i in range(3):
        Entry.create(log=log, entry_date=dt.date(2026, 1, i + 1), body=f"Notat {i}", author=holder)
    built = []
    real = queries._windowed
    monkeypatch.setattr(queries, "_windowed", lambda key, log_id: built.append(key) or real(key, log_id))
    client = auth.persona("holder")
    client.get(f"/logger/{log.id}")
    with counting(db) as counter:
        html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert not built
    counts = [sql for sql, _params in counter["sql"] if sql.startswith("SELECT COUNT") and 'FROM "child_talk"' in sql]
    assert not counts, counts  # no talks: the empty window says so
    assert '<h2 id="talks-h"><a id="talks"></a>Samtaler med barnet <span class="count">(0)</span></h2>' in html
    assert '<h2 id="entries-h"><a id="entries"></a>Logg <span class="count">(3)</span></h2>' in html
    app.config["PAGE_SIZE"] = 2  # a later window is still cut from the query, and counted
    later = re.search(r'seksjon=entries&amp;etter=([^"#&]+)', client.get(f"/logger/{log.id}").get_data(as_text=True))
    built.clear()  # (the first window of another size was prepared, once)
    page = client.get(f"/logger/{log.id}?seksjon=entries&etter={later.group(1)}").get_data(as_text=True)
    assert built == ["entries"]
    assert '<span class="count">(3)</span>' in page and page.count('<li class="item" id="entries-') == 1
