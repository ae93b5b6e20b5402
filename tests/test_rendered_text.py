"""Markdown is rendered once, when text is saved: every write path stores the sanitised HTML
next to the source, reads never call Markdown, the migration fills existing rows and
`flask rerender-text` renders everything again when the rules change."""

import datetime as dt
import re
import time
from pathlib import Path

import markdown
import pytest
from playhouse.migrations import Runner

from stafettlogg import textformat
from stafettlogg.dates import local_today
from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.models import (
    Concern,
    Entry,
    Evaluation,
    Goal,
    Highlight,
    Measure,
    Meeting,
    MinutesCorrection,
    rendered_text_models,
)
from stafettlogg.textformat import html_column, render_markdown
from tests.conftest import a_log, a_measure, a_meeting, an_item, user

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parent.parent
TEXT = "Emma sa: **jeg vil være med**\n\n- fotball\n- tegning\n\n<script>alert(1)</script>"


@pytest.fixture
def log(db_conn):
    """A log with a Markdown text in each section that stores one: its concern, a
    highlight, a goal, a measure the holder answers for and a note."""
    log = a_log()
    an_item(log, "highlights", body="Emma lo **høyt** i storefri.")
    an_item(log, "goals", body="Emma har en *venn* i friminuttene.")
    a_measure(log, "Faste **lekegrupper** i storefri.", responsible_user=user("stafettholder").id)
    an_item(log, "entries", entry_date=local_today(), body="Samtale med *mor*.")
    return log


def stored_matches_source(model) -> None:
    for row in model.select():
        for name in model.rendered_text:
            assert getattr(row, html_column(name)) == render_markdown(getattr(row, name)), (model, row.id, name)


def test_every_markdown_model_is_listed_and_has_its_html_columns():
    models = {m.__name__ for m in rendered_text_models()}
    assert models == {
        "Concern",
        "Highlight",
        "Goal",
        "Meeting",
        "Measure",
        "Evaluation",
        "MinutesCorrection",
        "Entry",
        "ChildTalkAgreement",
        "ChildTalk",
    }
    for model in rendered_text_models():
        for name in model.rendered_text:
            assert html_column(name) in model._meta.fields


def test_templates_cannot_render_markdown():
    """No template renders Markdown at read time: the filter is gone, and no template asks for it."""
    from stafettlogg.application import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///:memory:", "SECRET_KEY": "x"})
    assert "markdown" not in app.jinja_env.filters
    offenders = [p.name for p in (ROOT / "templates").rglob("*.html") if re.search(r"\|\s*markdown", p.read_text())]
    assert offenders == []


def test_demo_data_has_stored_html(db_conn):
    for model in rendered_text_models():
        stored_matches_source(model)
    entry = Entry.select().first()
    assert "<p>" in entry.body_html


@pytest.mark.parametrize("key", ["concerns", "highlights", "goals", "measures", "entries"])
def test_section_create_and_update_store_the_html(auth, db_conn, key, log):
    from stafettlogg.logs.sections import SECTIONS

    section = SECTIONS[key]
    field = section.model.rendered_text[0]
    data = {
        "concerns": {"title": "Friminutt", "body": TEXT},
        "highlights": {"body": TEXT},
        "goals": {"body": TEXT, "concern": ""},
        "measures": {
            "what": TEXT,
            "responsible": "Lærer",
            "evaluation_date": local_today().isoformat(),
            "status": "planned",
        },
        "entries": {"entry_date": local_today().isoformat(), "body": TEXT},
    }[key]
    client = auth.persona("holder")
    html = client.post(f"/logger/{log.id}/seksjon/{key}", data=data, headers=HX).get_data(as_text=True)
    item = section.model.select().order_by(section.model.id.desc()).first()
    stored = getattr(item, html_column(field))
    assert "<strong>jeg vil være med</strong>" in stored and "<li>fotball</li>" in stored
    assert "<script" not in stored
    assert "<strong>jeg vil være med</strong>" in html  # the answer shows the new item

    changed = dict(data, **{field: "Nå *annerledes*"}, version=item.version)
    client.post(f"/logger/{log.id}/seksjon/{key}/{item.id}", data=changed, headers=HX)
    item = section.model.get_by_id(item.id)
    assert getattr(item, html_column(field)) == "<p>Nå <em>annerledes</em></p>"


def test_meeting_texts_evaluation_and_correction_store_the_html(auth, db_conn, log):
    client = auth.persona("holder")
    meeting = a_meeting(log)
    base = f"/logger/{log.id}/moter/{meeting.id}"
    client.post(
        f"{base}/referat",
        data={"minutes": "Vi ble **enige**.", "agenda": "1. Velkommen", "version": meeting.version, "autosave": "1"},
        headers=HX,
    )
    meeting = Meeting.get_by_id(meeting.id)
    assert meeting.minutes_html == "<p>Vi ble <strong>enige</strong>.</p>"
    assert meeting.agenda_html == "<ol>\n<li>Velkommen</li>\n</ol>"

    measure = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    client.post(
        f"/logger/{log.id}/tiltak/{measure.id}/evaluering",
        data={"evaluated_on": local_today().isoformat(), "what_worked": "Det *virket*.", "decision": "continue"},
        headers=HX,
    )
    evaluation = Evaluation.select().order_by(Evaluation.id.desc()).first()
    assert evaluation.what_worked_html == "<p>Det <em>virket</em>.</p>"

    # minutes are approved once the meeting has started
    Meeting.update(starts_at=dt.datetime.now() - dt.timedelta(hours=1)).where(Meeting.id == meeting.id).execute()
    client.post(f"{base}/godkjenn", data={"version": meeting.version})
    assert Meeting.get_by_id(meeting.id).finalised_at is not None
    client.post(f"{base}/rettelser", data={"body": "Rett: **to** timer."})
    correction = MinutesCorrection.select().order_by(MinutesCorrection.id.desc()).first()
    assert correction.body_html == "<p>Rett: <strong>to</strong> timer.</p>"


def test_writes_render_before_their_transaction(auth, db_conn, monkeypatch, log):
    """Rendering never holds the database's write lock: a new note, an edit, an
    evaluation, an autosave of the minutes and a correction are rendered before their
    transaction begins (textformat.prerender), and the write finds the HTML made."""
    rendered_in_transaction = []
    convert = markdown.Markdown.convert

    def watched(self, source):
        rendered_in_transaction.append(db.in_transaction())
        return convert(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", watched)
    client = auth.persona("holder")
    today = local_today().isoformat()
    assert client.post(
        f"/logger/{log.id}/seksjon/entries", data={"entry_date": today, "body": "Ny **note**."}
    ).status_code in (200, 303)
    entry = Entry.select().order_by(Entry.id.desc()).first()
    assert entry.body_html == "<p>Ny <strong>note</strong>.</p>"
    client.post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        data={"entry_date": today, "body": "Endret *note*.", "version": entry.version},
    )
    assert Entry.get_by_id(entry.id).body_html == "<p>Endret <em>note</em>.</p>"
    measure = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    client.post(
        f"/logger/{log.id}/tiltak/{measure.id}/evaluering",
        data={"evaluated_on": today, "what_worked": "Det *virket* godt.", "decision": "continue"},
        headers=HX,
    )
    meeting = a_meeting(log)
    client.post(
        f"/logger/{log.id}/moter/{meeting.id}/referat",
        data={"minutes": "Vi ble **enige** i dag.", "version": meeting.version, "autosave": "1"},
        headers=HX,
    )
    assert Meeting.get_by_id(meeting.id).minutes_html == "<p>Vi ble <strong>enige</strong> i dag.</p>"
    Meeting.update(finalised_at=dt.datetime(2026, 1, 5)).where(Meeting.id == meeting.id).execute()
    client.post(f"/logger/{log.id}/moter/{meeting.id}/rettelser", data={"body": "Rett: **tre** timer."})
    assert MinutesCorrection.select().order_by(MinutesCorrection.id.desc()).first().body_html == (
        "<p>Rett: <strong>tre</strong> timer.</p>"
    )
    assert len(rendered_in_transaction) >= 5 and not any(rendered_in_transaction)


@pytest.mark.parametrize(
    "text",
    ["[" * 20000, "[x " * 6666, "<a " * 6666, "1. " * 6666, "- " * 500, "> " * 2000, "    - a\n" * 2500],
    ids=["brackets", "unclosed-links", "angle-brackets", "numbers", "nested-list", "nested-quotes", "indented"],
)
def test_no_text_a_person_can_save_takes_the_renderer_long_or_breaks_it(text):
    """Python-Markdown takes quadratic time on some input (20,000 «[» took a minute, with
    the write lock held) and overflows on deep nesting: such a text renders in well under
    a second, shows its characters, and the next text renders as Markdown again."""
    textformat.render_markdown.cache_clear()
    started = time.perf_counter()
    html = str(render_markdown(text))
    assert time.perf_counter() - started < 2.0
    assert html and "<script" not in html
    assert render_markdown("Se [veilederen](https://example.no) og **dette**.") == (
        '<p>Se <a href="https://example.no" rel="noopener noreferrer nofollow">veilederen</a> og '
        "<strong>dette</strong>.</p>"
    )


def test_an_evaluation_is_at_most_5000_characters_and_keeps_what_was_typed(auth, db_conn, log):
    measure = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    before = Evaluation.select().count()
    text = "Det virket. " * 500  # 6,000 characters
    r = auth.persona("holder").post(
        f"/logger/{log.id}/tiltak/{measure.id}/evaluering",
        data={"evaluated_on": local_today().isoformat(), "what_worked": text, "decision": "continue"},
        headers=HX,
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Teksten kan ha høyst 5000 tegn." in page and text.strip() in page
    assert Evaluation.select().count() == before


def test_every_model_write_path_stores_the_html(db_conn, log):
    author = user("stafettholder")
    with db.atomic() as txn:
        concern = Concern.create(log=log, title="t", body="*a*", author=author)
        assert concern.body_html == "<p><em>a</em></p>"  # on the instance too
        assert Concern.get_by_id(concern.id).body_html == "<p><em>a</em></p>"
        concern.body = "**b**"
        concern.save(only=[Concern.body])
        assert Concern.get_by_id(concern.id).body_html == "<p><strong>b</strong></p>"
        Concern.update({Concern.body: "c"}).where(Concern.id == concern.id).execute()
        assert Concern.get_by_id(concern.id).body_html == "<p>c</p>"
        Highlight.insert(log=log, body="d", author=author).execute()
        Goal.insert_many([{"log": log, "body": "e", "author": author}]).execute()
        Goal.insert_many([(log.id, "f", author)], fields=[Goal.log, Goal.body, Goal.author]).execute()
        assert Highlight.select().order_by(Highlight.id.desc()).first().body_html == "<p>d</p>"
        assert [g.body_html for g in Goal.select().order_by(Goal.id.desc()).limit(2)] == ["<p>f</p>", "<p>e</p>"]
        with pytest.raises(TypeError):
            Concern.update(body=Concern.title).execute()  # an expression cannot be rendered
        txn.rollback()


def test_reads_never_render_markdown(auth, db_conn, monkeypatch, log):
    """A full read of every page that shows log text, with the renderer made to fail."""
    meeting = a_meeting(log)
    Meeting.update(minutes="Referat med **uthevet** tekst", finalised_at=dt.datetime(2026, 1, 5)).where(
        Meeting.id == meeting.id
    ).execute()
    MinutesCorrection.create(meeting=meeting, body="*Rettelse*", author=user("stafettholder"))
    upcoming = Meeting.create(
        log=log,
        kind="samarbeidsmote",
        starts_at=dt.datetime(2027, 1, 5, 14),
        agenda="1. **Velkommen**",
        author=user("stafettholder"),
    )

    def boom(*args, **kwargs):
        raise AssertionError("Markdown rendered during a read")

    monkeypatch.setattr(markdown.Markdown, "convert", boom)
    monkeypatch.setattr(markdown, "markdown", boom)
    monkeypatch.setattr(textformat, "render_markdown", boom)

    holder = auth.persona("holder")
    pages = [
        f"/logger/{log.id}",
        f"/logger/{log.id}/moter/{meeting.id}",
        f"/logger/{log.id}/moter/{meeting.id}/les-hoyt",
        f"/logger/{log.id}/moter/{upcoming.id}/invitasjon",
        f"/logger/{log.id}/arkivutskrift",
        f"/logger/{log.id}/familieversjon",
    ]
    seen = ""
    for page in pages:
        response = holder.get(page)
        assert response.status_code == 200, page
        seen += response.get_data(as_text=True)
    for key in ("concerns", "highlights", "goals", "measures", "meetings", "entries"):
        response = holder.get(f"/logger/{log.id}/seksjon/{key}", headers=HX)
        assert response.status_code == 200, key
    assert "<strong>uthevet</strong>" in seen and "<em>Rettelse</em>" in seen

    guardian = auth.persona("guardian")
    response = guardian.get(f"/mine/{log.id}")
    assert response.status_code == 200
    assert "<strong>uthevet</strong>" in response.get_data(as_text=True)


def test_rerender_text_command_renders_again_only_what_changed(app, db_conn, log):
    entry = Entry.get(Entry.log == log)
    Entry.update({Entry.body_html: "<p>gammel regel</p>"}).where(Entry.id == entry.id).execute()
    result = app.test_cli_runner().invoke(args=["rerender-text"])
    assert result.exit_code == 0, result.output
    assert "entry: 1 endret" in result.output and "ferdig: 1 tekst gjengitt på nytt" in result.output
    assert Entry.get_by_id(entry.id).body_html == render_markdown(entry.body)
    again = app.test_cli_runner().invoke(args=["rerender-text"])
    assert "ferdig: 0 tekster gjengitt på nytt" in again.output
    Entry.update({Entry.body_html: "<p>gammel regel</p>"}).where(Entry.id == entry.id).execute()
    nynorsk = app.test_cli_runner().invoke(args=["rerender-text"], env={"STAFETTLOGG_LANG": "nn"})
    assert "ferdig: 1 tekst attgjeven på nytt" in nynorsk.output


def test_migration_fills_the_html_of_existing_rows(database_url, db_conn):
    """Down to before the migration (no html columns), then up: every row gets its HTML."""
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0019_rendered_text")
    columns = {c.name for c in db.get_columns("entry")}
    assert "body_html" not in columns
    runner.up()
    for model in rendered_text_models():
        stored_matches_source(model)
