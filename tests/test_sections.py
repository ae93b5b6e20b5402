"""Writing in the log: sections via htmx and plain POST, Markdown sanitising, locking,
who may write what, audit of every read and write."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.logs.sections import SECTIONS
from stafettlogg.models import (
    AuditEvent,
    Concern,
    Entry,
    Evaluation,
    Highlight,
    Log,
    LogStatus,
    Measure,
    Participant,
    User,
)
from stafettlogg.textformat import render_markdown
from tests.conftest import a_log, a_measure, an_item, chosen_in, fails, options_of, refused, user

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}

VALID = {
    "concerns": {"title": "Emma gruer seg til gymtimene", "body": "Hun sier det er *skummelt*."},
    "highlights": {"body": "Emma lo høyt i storefri."},
    "goals": {"body": "Emma deltar i gymtimene etter vinterferien.", "concern": ""},
    "measures": {
        "what": "Gymlærer lar Emma velge aktivitet først.",
        "responsible": "Gymlærer Ola",
        "evaluation_date": "",  # today: _dated_today
        "status": "planned",
    },
    "meetings": {"kind": "samarbeidsmote", "starts_at": "2026-12-01T14:00", "place": "Teams"},
    "entries": {"entry_date": "", "body": "Telefonsamtale med far."},  # today: _dated_today
}


@pytest.fixture(autouse=True)
def _dated_today():
    """The forms' dates are today in Norway when the test runs (a run may pass midnight)."""
    VALID["measures"]["evaluation_date"] = VALID["entries"]["entry_date"] = local_today().isoformat()


@pytest.fixture
def log(db_conn):
    """A log held by Kari Ottesen ("stafettholder") that the nurse ("aktor") takes part in:
    a note by the holder, a highlight by the nurse and a measure for each of them."""
    log = a_log()
    an_item(log, "entries", entry_date=local_today(), body="Samtale med mor.")
    an_item(log, "highlights", by="aktor", body="Barnet lo høyt i storefri.")
    a_measure(log, responsible_user=user("stafettholder").id)
    a_measure(log, responsible_user=user("aktor").id)
    return log


@pytest.mark.parametrize("key", list(VALID))
def test_create_with_htmx_returns_only_that_section(auth, db_conn, key, log):
    model = SECTIONS[key].model
    before = model.select().where(model.log == log).count()
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/{key}", data=VALID[key], headers=HX)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<section id="section-{key}"')
    assert "<html" not in html and "site-header" not in html
    assert r.headers["HX-Trigger"] == "log-changed"
    assert model.select().where(model.log == log).count() == before + 1
    item = model.select().where(model.log == log).order_by(model.id.desc()).first()
    assert item.author.username == "stafettholder"
    assert "Kari Ottesen" in html  # who wrote it is shown


@pytest.mark.parametrize("key", list(VALID))
def test_create_without_javascript_redirects_to_the_section(auth, db_conn, key, log):
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/{key}", data=VALID[key])
    assert r.status_code == 303
    assert r.headers["Location"] == f"/logger/{log.id}#{key}"


def test_validation_error_with_htmx_rerenders_section_with_text(auth, db_conn, log):
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/measures",
        headers=HX,
        data={"what": "Noe viktig", "responsible": "", "evaluation_date": "01.01", "status": "planned"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Fyll ut «Hvem har ansvaret?»" in html and "Skriv datoen som dd.mm.åååå." in html
    assert "Noe viktig" in html
    assert Measure.select().where(Measure.what == "Noe viktig").count() == 0


def test_validation_error_without_javascript_renders_whole_page(auth, db_conn, log):
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/entries", data={"entry_date": "", "body": "Mitt notat"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "<html" in html and "Mitt notat" in html and "Fyll ut «Dato»" in html


def test_measure_evaluation_date_not_before_start(auth, db_conn, log):
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/measures",
        headers=HX,
        data=dict(VALID["measures"], start_date="2026-05-01", evaluation_date="2026-04-01"),
    )
    assert r.status_code == 422 and "kan ikke være før startdatoen" in r.get_data(as_text=True)


def test_edit_in_place_and_update(auth, db_conn, log):
    entry = Entry.get(Entry.log == log)
    c = auth.persona("holder")
    form = c.get(f"/logger/{log.id}/seksjon/entries/{entry.id}/endre", headers=HX)
    assert form.status_code == 200 and form.get_data(as_text=True).lstrip().startswith("<li")
    r = c.post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        headers=HX,
        data={"entry_date": local_today().isoformat(), "body": "Oppdatert tekst", "version": entry.version},
    )
    assert r.status_code == 200 and "Oppdatert tekst" in r.get_data(as_text=True)
    updated = Entry.get_by_id(entry.id)
    assert updated.body == "Oppdatert tekst" and updated.version == entry.version + 1


def test_stale_save_is_a_conflict_and_hands_text_back(auth, db_conn, log):
    entry = Entry.get(Entry.log == log)
    c = auth.persona("holder")
    c.post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        data={"entry_date": local_today().isoformat(), "body": "Først lagret", "version": entry.version},
    )
    r = c.post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        headers=HX,
        data={"entry_date": local_today().isoformat(), "body": "Min egen tekst", "version": entry.version},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Min egen tekst" in html and "Først lagret" in html
    assert "Noen andre har lagret en endring" in html
    # when the stored version was saved, not whose the note first was (the saver may be another)
    assert "Lagret nå (" in html and "(av " not in html
    assert Entry.get_by_id(entry.id).body == "Først lagret"


def test_delete_item(auth, db_conn, log):
    entry = Entry.get(Entry.log == log)
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/entries/{entry.id}/slett", headers=HX)
    assert r.status_code == 200
    assert not Entry.select().where(Entry.id == entry.id).exists()
    assert AuditEvent.select().where(AuditEvent.action == "entries_deleted", AuditEvent.object_id == entry.id).exists()


def test_items_of_another_log_are_not_found(auth, db_conn, log):
    other = a_log().concerns[0]
    c = auth.persona("holder")
    assert c.get(f"/logger/{log.id}/seksjon/concerns/{other.id}/endre").status_code == 404
    assert c.post(f"/logger/{log.id}/seksjon/concerns/{other.id}/slett").status_code == 404
    assert Concern.select().where(Concern.id == other.id).exists()


def test_unknown_section_is_404(auth, log):
    assert auth.persona("holder").post(f"/logger/{log.id}/seksjon/hemmelig", data={}).status_code == 404


# ------------------------------------------------------------------ who may write what


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("entries", True),
        ("highlights", True),
        ("concerns", False),
        ("goals", False),
        ("measures", False),
        ("meetings", False),
    ],
)
def test_participant_writes_entries_and_highlights_only(auth, db_conn, key, allowed, log):
    model = SECTIONS[key].model
    before = model.select().count()
    r = auth.persona("participant").post(f"/logger/{log.id}/seksjon/{key}", data=VALID[key], headers=HX)
    assert (r.status_code == 200) is allowed
    if not allowed:
        assert r.status_code == 403
    assert model.select().count() == before + (1 if allowed else 0)


def test_participant_changes_only_own_items(auth, db_conn, log):
    holders_entry = Entry.get(Entry.log == log, Entry.author == user("stafettholder"))
    c = auth.persona("participant")
    r = c.post(
        f"/logger/{log.id}/seksjon/entries/{holders_entry.id}",
        data={"entry_date": local_today().isoformat(), "body": "X", "version": 1},
    )
    assert r.status_code == 403
    assert c.post(f"/logger/{log.id}/seksjon/entries/{holders_entry.id}/slett").status_code == 403
    own = Highlight.get(Highlight.log == log, Highlight.author == user("aktor"))
    r = c.post(f"/logger/{log.id}/seksjon/highlights/{own.id}", data={"body": "Endret av meg", "version": own.version})
    assert r.status_code == 303
    assert Highlight.get_by_id(own.id).body == "Endret av meg"


def test_participant_evaluates_only_own_measures(auth, db_conn, log):
    own = Measure.get(Measure.log == log, Measure.responsible_user == user("aktor"))
    other = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("participant")
    data = {"evaluated_on": local_today().isoformat(), "what_worked": "Samtalene hjelper.", "decision": "continue"}
    assert c.post(f"/logger/{log.id}/tiltak/{own.id}/evaluering", data=data, headers=HX).status_code == 200
    assert c.post(f"/logger/{log.id}/tiltak/{other.id}/evaluering", data=data, headers=HX).status_code == 403
    assert Evaluation.select().where(Evaluation.measure == own).count() == 1
    assert Evaluation.select().where(Evaluation.measure == other).count() == 0


def test_evaluation_end_closes_measure_and_bad_input_is_kept(auth, db_conn, log):
    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("holder")
    r = c.post(
        f"/logger/{log.id}/tiltak/{m.id}/evaluering",
        headers=HX,
        data={"evaluated_on": local_today().isoformat(), "what_worked": "Mitt svar"},
    )
    assert (
        r.status_code == 422
        and "Mitt svar" in r.get_data(as_text=True)
        and "Velg om tiltaket" in r.get_data(as_text=True)
    )
    r = c.post(
        f"/logger/{log.id}/tiltak/{m.id}/evaluering",
        headers=HX,
        data={"evaluated_on": local_today().isoformat(), "what_worked": "Målet er nådd.", "decision": "end"},
    )
    assert r.status_code == 200
    assert Measure.get_by_id(m.id).status == "ended"


@pytest.mark.parametrize(
    "persona", ["same_unit_staff", "unit_leader", "other_unit_staff", "guardian", "coordinating_unit"]
)
def test_non_members_write_nothing(auth, db_conn, persona, log):
    before = Entry.select().count()
    r = auth.persona(persona).post(f"/logger/{log.id}/seksjon/entries", data=VALID["entries"], headers=HX)
    assert refused(r)  # 404 for those with no role on the log, as for a log that does not exist
    assert Entry.select().count() == before


def test_closed_log_is_read_only_for_everyone(auth, db_conn, log):
    Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
    before = Entry.select().count()
    for persona in ("holder", "participant"):
        r = auth.persona(persona).post(f"/logger/{log.id}/seksjon/entries", data=VALID["entries"], headers=HX)
        assert r.status_code == 409 and "avsluttet" in r.get_data(as_text=True)
    assert Entry.select().count() == before
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "ingen skriver i den lenger" in html and "Skriv notat" not in html
    assert "Du kan fortsatt fjerne en foresatt" in html  # the one thing the holder still does
    html = auth.persona("participant").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "kan bare leses" in html and "Skriv notat" not in html


def test_draft_log_takes_no_content(auth, db_conn):
    draft = a_log(consent=False, participants=())
    assert draft.status == LogStatus.DRAFT
    r = auth.persona("holder").post(f"/logger/{draft.id}/seksjon/entries", data=VALID["entries"])
    assert r.status_code == 409
    assert "Last opp samtykket" in r.get_data(as_text=True)


# ------------------------------------------------------------------ Markdown


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klikk](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<p style="color:red">rød</p>',
        "<style>body{display:none}</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<svg onload="alert(1)"></svg>',
        '<a href="#" onclick="alert(1)">x</a>',
        "[x](JaVaScRiPt:alert(1))",
    ],
)
def test_markdown_is_sanitised(evil):
    html = str(render_markdown(evil)).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "style=", "<style", "<iframe", "<svg"):
        assert bad not in html


def test_markdown_keeps_formatting():
    html = str(render_markdown("**Viktig**\n\n- én\n- to\n\n[Udir](https://udir.no)"))
    assert "<strong>Viktig</strong>" in html and "<li>én</li>" in html
    assert 'href="https://udir.no"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_stored_script_is_not_rendered_on_the_page(auth, db_conn, log):
    auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/entries",
        data={"entry_date": local_today().isoformat(), "body": "<script>alert('x')</script>Hei"},
    )
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "hx-disable" in html  # rendered text cannot trigger htmx


# ------------------------------------------------------------------ audit


def test_every_read_and_write_is_audited(auth, db_conn, log):
    count = lambda action: AuditEvent.select().where(AuditEvent.action == action, AuditEvent.log_id == log.id).count()  # noqa: E731
    reads = count("view:logs.show")
    auth.persona("participant").get(f"/logger/{log.id}")
    assert count("view:logs.show") == reads + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.username, event.role) == ("aktor", "participant")
    frag = count("view:logs.section")
    auth.persona("participant").get(f"/logger/{log.id}/seksjon/measures", headers=HX)
    assert count("view:logs.section") == frag + 1
    writes = count("entries_created")
    auth.persona("participant").post(f"/logger/{log.id}/seksjon/entries", data=VALID["entries"])
    assert count("entries_created") == writes + 1


def test_refused_reads_are_not_content_reads(auth, db_conn, log):
    before = AuditEvent.select().where(AuditEvent.action == "view:logs.show").count()
    auth.persona("same_unit_staff").get(f"/logger/{log.id}")
    assert AuditEvent.select().where(AuditEvent.action == "view:logs.show").count() == before


def test_read_fails_when_audit_cannot_be_written(auth, app, monkeypatch, log):
    from stafettlogg import audit

    fails(monkeypatch, app, audit, "record", RuntimeError("audit table unavailable"))
    r = auth.persona("holder").get(f"/logger/{log.id}")
    assert r.status_code == 500
    assert log.subject.name not in r.get_data(as_text=True)


# ------------------------------------------------------------------ start page and speed


def test_start_page_lists_logs_due_measures_and_drafts(auth, db_conn):
    """A teacher ("larer") who holds one log with a measure past its evaluation date, and a draft."""
    active = a_log("larer", participants=(), name="Emma Hansen")
    overdue = local_today() - dt.timedelta(days=2)
    a_measure(active, "Lekegrupper i storefri.", responsible_user=user("larer").id, by="larer", evaluation_date=overdue)
    a_log("larer", participants=(), consent=False, name="Noah Berg")
    html = auth.persona("same_unit_staff").get("/").get_data(as_text=True)
    assert "Emma Hansen" in html and "Noah Berg" in html
    assert "Tiltak som skal evalueres" in html and "Forfalt" in html and "Lekegrupper i storefri." in html
    assert "Last opp samtykke for Noah Berg" in html


def test_start_page_empty_state(auth, db_conn):
    html = auth.persona("other_unit_staff").get("/").get_data(as_text=True)
    assert "Du har ingen stafettlogger ennå" in html
    # one way to a new log and one to the consent form, not one more in the empty state
    main = html.split("<main", 1)[1]
    assert main.count('href="/logger/ny"') == 1 and main.count("Samtykkeskjema til utskrift") == 1


def count_queries(client, url):
    executed = []
    original = db.obj.execute_sql

    def spy(sql, params=None, *a, **k):
        executed.append(sql)
        return original(sql, params, *a, **k)

    db.obj.execute_sql = spy
    try:
        assert client.get(url).status_code == 200
    finally:
        db.obj.execute_sql = original
    return len(executed)


def test_query_count_of_log_page_does_not_grow_with_content(auth, db_conn, log):
    c = auth.persona("holder")
    few = count_queries(c, f"/logger/{log.id}")
    text = {"entries": "body", "measures": "what", "goals": "body", "highlights": "body", "concerns": "title"}
    for i in range(15):
        for key in ("entries", "measures", "goals", "highlights", "concerns"):
            form = dict(VALID[key], concern=Concern.get(Concern.log == log).id)
            form[text[key]] = f"{form.get(text[key], 'Tekst')} ({i})"  # a new item each time, not the same sent twice
            c.post(f"/logger/{log.id}/seksjon/{key}", data=form)
    m = Measure.get(Measure.log == log)
    for i in range(5):
        c.post(
            f"/logger/{log.id}/tiltak/{m.id}/evaluering",
            data={"evaluated_on": local_today().isoformat(), "what_worked": "ok", "decision": "continue"},
        )
    many = count_queries(c, f"/logger/{log.id}")
    assert many == few, (few, many)


def test_query_count_of_start_page_does_not_grow_with_logs(auth, db_conn):
    c = auth.persona("holder")
    few = count_queries(c, "/")
    from tests.conftest import NEW_CHILD

    for i in range(10):
        c.post("/logger/ny", data=dict(NEW_CHILD, name=f"Barn {i}", national_id=""))
    many = count_queries(c, "/")
    assert many == few, (few, many)


def test_each_log_gets_its_own_add_forms(auth, db_conn, log):
    """The empty add forms are rendered once and kept (logs/add_forms.py): every log still
    gets its own URLs and its own options, and a new option shows at once."""
    other = a_log()
    an_item(log, "concerns", title="Emma gruer seg til gymtimene")
    an_item(other, "concerns", title="Ali sover dårlig")
    c = auth.persona("holder")

    def goals_form(of):
        html = c.get(f"/logger/{of.id}").get_data(as_text=True)
        return html.split('id="section-goals"', 1)[1].split("</section>", 1)[0]

    for _round in range(2):  # rendered, then kept
        mine, theirs = goals_form(log), goals_form(other)
        assert "Emma gruer seg" in mine and "Ali sover" not in mine
        assert "Ali sover" in theirs and "Emma gruer seg" not in theirs
        assert f"/logger/{log.id}/" in mine and f"/logger/{other.id}/" not in mine
        assert f"/logger/{other.id}/" in theirs and f"/logger/{log.id}/" not in theirs
    an_item(log, "concerns", title="Emma spiser lite")
    assert "Emma spiser lite" in goals_form(log)


def test_each_measure_gets_its_own_evaluation_form(auth, db_conn, log):
    """The empty evaluation form is rendered once per list and filled in per measure."""
    from stafettlogg.web import PLACEHOLDER

    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    measures = list(Measure.select().where(Measure.log == log))
    assert len(measures) == 2
    for m in measures:
        assert f'action="/logger/{log.id}/tiltak/{m.id}/evaluering"' in html
        assert f'id="eval-{m.id}-what_worked"' in html and f'for="eval-{m.id}-decision' not in html
        assert f"target:#eval-{m.id}-what_worked" in html  # its own plain-language hints
    assert str(PLACEHOLDER) not in html


DATED = {  # a section with a date or time field, and that field
    "measures": "evaluation_date",
    "meetings": "starts_at",
    "entries": "entry_date",
    "talk_agreements": "start_date",
    "talks": "talked_on",
}
TALK_FORMS = {
    "talk_agreements": {"adult": "Kari", "every_days": "7", "start_date": "", "status": "ongoing"},
    "talks": {"talked_on": "", "who": "Kari", "how_it_goes": "Bra"},
}


@pytest.mark.parametrize("key", list(DATED))
@pytest.mark.parametrize("year", ["0001", "1066", "2999", "9999"])
def test_a_date_with_a_mistyped_year_is_asked_about_and_stores_nothing(auth, db_conn, log, key, year):
    """A year no log means (a typo, or the calendar's last days) gets a clear message and
    keeps the text; stored, 9999 made every page that counts a day from it (the next talk
    with the child) a server error, and year 1 in Oslo time has no UTC time."""
    name = DATED[key]
    form = dict(VALID.get(key) or TALK_FORMS[key])
    text = {"measures": "what", "meetings": "place", "talk_agreements": "how", "talks": "how_it_goes"}.get(key, "body")
    form[text] = "Skrevet med feil år"
    form[name] = f"{year}-12-30T23:30" if name == "starts_at" else f"{year}-12-30"
    model = SECTIONS[key].model
    before = model.select().count()
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/seksjon/{key}", data=form, headers=HX)
    assert r.status_code == 422, r.status_code
    html = r.get_data(as_text=True)
    assert "Sjekk årstallet" in html and "Skrevet med feil år" in html
    assert model.select().count() == before
    assert c.get(f"/logger/{log.id}").status_code == 200 and c.get("/").status_code == 200


def test_an_evaluation_dated_ahead_is_refused(auth, db_conn, log):
    """An evaluation tells what happened; dated ahead (2062 for 2026) it would take the
    measure off every list of measures due until that day, without anyone noticing."""
    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    ahead = (local_today() + dt.timedelta(days=1)).isoformat()
    r = auth.persona("holder").post(
        f"/logger/{log.id}/tiltak/{m.id}/evaluering",
        headers=HX,
        data={"evaluated_on": ahead, "what_worked": "Skrevet for tidlig", "decision": "continue"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Evalueringen kan ikke ha en dato fram i tid." in html and "Skrevet for tidlig" in html
    assert Evaluation.select().where(Evaluation.measure == m).count() == 0
    assert Measure.get_by_id(m.id).last_evaluated_on is None
    # a year typed wrong is asked about as everywhere else (sections.FIRST_YEAR–LAST_YEAR)
    r = auth.persona("holder").post(
        f"/logger/{log.id}/tiltak/{m.id}/evaluering",
        headers=HX,
        data={"evaluated_on": "0026-11-02", "what_worked": "Skrevet med feil år", "decision": "continue"},
    )
    assert r.status_code == 422 and "Sjekk årstallet" in r.get_data(as_text=True)
    assert Evaluation.select().where(Evaluation.measure == m).count() == 0


@pytest.mark.parametrize("stale", [False, True])
def test_an_edit_refused_with_htmx_replaces_only_its_own_item(auth, db_conn, log, stale):
    """The edit form posts with the section as its target (a save answers with the whole
    section); refused (422, or 409 on a stale version), it answers with the form alone,
    which must take the place of its own item: swapped over the section it left the
    page with the form only, and the next save found no section to swap and went nowhere."""
    entry = Entry.get(Entry.log == log)
    body = "Min egen tekst" if stale else ""
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        headers=HX,
        data={"entry_date": local_today().isoformat(), "body": body, "version": entry.version - stale},
    )
    assert r.status_code == (409 if stale else 422)
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="item item--editing" id="entries-{entry.id}"')
    assert r.headers.get("HX-Retarget") == f"#entries-{entry.id}"
    assert r.headers.get("HX-Reswap") == "outerHTML"


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_save_of_an_item_deleted_meanwhile_hands_the_text_back_to_save_as_new(auth, db_conn, log, headers):
    """Two tabs (or two people): the note is deleted in one while it is edited in the other.
    The save is a stale one (SECURITY.md): 409 with the person's own text, never a bare 404
    that throws the text away (with htmx nothing happened at all)."""
    entry = Entry.get(Entry.log == log)
    c = auth.persona("holder")
    assert c.post(f"/logger/{log.id}/seksjon/entries/{entry.id}/slett").status_code == 303
    r = c.post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        headers=headers,
        data={"entry_date": local_today().isoformat(), "body": "Teksten jeg skrev", "version": entry.version},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Dette er slettet i mellomtiden" in html and "Teksten jeg skrev" in html
    assert f'action="/logger/{log.id}/seksjon/entries"' in html  # saved again, it is a new note
    if headers:
        assert r.headers["HX-Retarget"] == f"#entries-{entry.id}"
    assert not Entry.select().where(Entry.body == "Teksten jeg skrev").exists()
    again = c.post(
        f"/logger/{log.id}/seksjon/entries",
        headers=headers,
        data={"entry_date": local_today().isoformat(), "body": "Teksten jeg skrev"},
    )
    assert again.status_code in (200, 303)
    assert Entry.select().where(Entry.log == log, Entry.body == "Teksten jeg skrev").count() == 1


def test_a_save_that_finds_its_item_deleted_inside_the_transaction_hands_the_text_back(auth, db_conn, log, monkeypatch):
    """The same when the delete lands between the request's read and its write: the
    conflict found no row to show as «theirs» and was a server error."""
    entry = Entry.get(Entry.log == log)
    real = SECTIONS["entries"].model.update

    def deleted_first(*args, **kwargs):
        Entry.delete().where(Entry.id == entry.id).execute()
        return real(*args, **kwargs)

    monkeypatch.setattr(SECTIONS["entries"].model, "update", deleted_first)
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/entries/{entry.id}",
        headers=HX,
        data={"entry_date": local_today().isoformat(), "body": "Teksten jeg skrev", "version": entry.version},
    )
    assert r.status_code == 409
    assert "Dette er slettet i mellomtiden" in r.get_data(as_text=True)


def _evaluate(c, log, measure, decision="end", headers=HX):
    data = {"evaluated_on": local_today().isoformat(), "what_worked": "Målet er nådd.", "decision": decision}
    return c.post(f"/logger/{log.id}/tiltak/{measure.id}/evaluering", data=data, headers=headers)


def test_evaluating_a_measure_ended_meanwhile_says_so(auth, db_conn, log):
    """Two tabs: the measure was ended by the first evaluation. The second, another text,
    is told why (409 with a message in the section), not a bare 403 that htmx shows
    nothing of. The same evaluation sent again (a double click) is the one stored."""
    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("holder")
    assert _evaluate(c, log, m).status_code == 200
    assert _evaluate(c, log, m).status_code == 200  # the same one again: answered as saved
    data = {"evaluated_on": local_today().isoformat(), "what_worked": "Fra den andre fanen.", "decision": "end"}
    r = c.post(f"/logger/{log.id}/tiltak/{m.id}/evaluering", data=data, headers=HX)
    assert r.status_code == 409
    assert "Tiltaket er avsluttet og evalueres ikke mer." in r.get_data(as_text=True)
    assert Evaluation.select().where(Evaluation.measure == m).count() == 1


def test_an_evaluation_racing_one_that_ended_the_measure_is_refused(auth, db_conn, log, monkeypatch):
    """Both read the measure as ongoing before either wrote: the rule is asked again
    inside the write, so an ended measure gets no second evaluation."""
    from stafettlogg.logs import sections

    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    real = sections.writing_to

    def ended_first(*args, **kwargs):
        Measure.update(status="ended").where(Measure.id == m.id).execute()
        return real(*args, **kwargs)

    monkeypatch.setattr(sections, "writing_to", ended_first)
    r = _evaluate(auth.persona("holder"), log, m)
    assert r.status_code == 409
    assert Evaluation.select().where(Evaluation.measure == m).count() == 0


@pytest.mark.parametrize("deleted", ["before", "inside"])
def test_evaluating_a_measure_deleted_meanwhile_says_so(auth, db_conn, log, monkeypatch, deleted):
    """A bare 404 (htmx showed nothing), or, deleted between the read and the write, a
    server error from the evaluation's reference to a measure that is gone."""
    from stafettlogg.logs import sections

    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    if deleted == "before":
        Measure.delete().where(Measure.id == m.id).execute()
    else:
        real = sections.writing_to

        def deleted_first(*args, **kwargs):
            Measure.delete().where(Measure.id == m.id).execute()
            return real(*args, **kwargs)

        monkeypatch.setattr(sections, "writing_to", deleted_first)
    r = _evaluate(auth.persona("holder"), log, m, decision="continue")
    assert r.status_code == 409
    assert "Tiltaket er slettet i mellomtiden." in r.get_data(as_text=True)
    assert Evaluation.select().where(Evaluation.measure == m.id).count() == 0


@pytest.mark.parametrize("key", list(VALID))
def test_a_create_sent_twice_stores_one_item(auth, db_conn, log, key):
    """A double click on «Lagre» without JavaScript (htmx drops a second request while the
    first is under way; a plain form sends both): the same text by the same person in the
    same section moments later is the same item, not a copy in the child's log."""
    model = SECTIONS[key].model
    created = AuditEvent.select().where(AuditEvent.action == f"{key}_created", AuditEvent.log_id == log.id)
    before = (model.select().where(model.log == log).count(), created.count())
    c = auth.persona("holder")
    for _ in range(2):
        assert c.post(f"/logger/{log.id}/seksjon/{key}", data=VALID[key]).status_code == 303
    assert (model.select().where(model.log == log).count(), created.count()) == (before[0] + 1, before[1] + 1)


def test_the_same_text_written_again_by_another_person_or_changed_is_a_new_item(auth, db_conn, log):
    form = {"body": "Emma lo høyt i storefri."}
    assert auth.persona("holder").post(f"/logger/{log.id}/seksjon/highlights", data=form).status_code == 303
    assert auth.persona("participant").post(f"/logger/{log.id}/seksjon/highlights", data=form).status_code == 303
    changed = {"body": "Emma lo høyt i storefri igjen."}
    assert auth.persona("participant").post(f"/logger/{log.id}/seksjon/highlights", data=changed).status_code == 303
    assert Highlight.select().where(Highlight.log == log, Highlight.body.startswith("Emma lo høyt")).count() == 3


def test_an_evaluation_sent_twice_is_stored_once(auth, db_conn, log):
    """The double click on «Lagre evaluering» without JavaScript, for a measure that goes on."""
    m = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("holder")
    for _ in range(2):
        assert _evaluate(c, log, m, decision="continue", headers={}).status_code == 303
    assert Evaluation.select().where(Evaluation.measure == m).count() == 1
    other = {"evaluated_on": local_today().isoformat(), "what_worked": "Noe annet virket.", "decision": "continue"}
    assert c.post(f"/logger/{log.id}/tiltak/{m.id}/evaluering", data=other).status_code == 303
    assert Evaluation.select().where(Evaluation.measure == m).count() == 2


# ------------------------------------------------------------------ who may be responsible for a measure


def _leaves(username: str) -> User:
    """The person's account is deactivated (they left), as a unit leader does it."""
    User.update(active=False).where(User.username == username).execute()
    return user(username)


def test_someone_who_has_left_is_not_offered_as_responsible_for_a_measure(auth, db_conn, log):
    c = auth.persona("holder")
    nurse, holder = user("aktor"), user("stafettholder")
    offered = options_of(c.get(f"/logger/{log.id}").get_data(as_text=True), "new-measures-responsible_user")
    assert offered[str(nurse.id)] == "Karianne Petrusen (Helsesykepleier)"  # offered while she works here
    _leaves("aktor")
    page = c.get(f"/logger/{log.id}").get_data(as_text=True)
    fragment = c.get(f"/logger/{log.id}/seksjon/measures", headers=HX).get_data(as_text=True)
    for html in (page, fragment):
        offered = options_of(html, "new-measures-responsible_user")
        assert str(holder.id) in offered and str(nurse.id) not in offered


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_a_new_measure_naming_someone_who_has_left_is_refused_and_stores_nothing(auth, db_conn, log, headers):
    nurse = _leaves("aktor")
    before = Measure.select().count()
    data = {**VALID["measures"], "what": "Helsesykepleier snakker med Emma.", "responsible_user": nurse.id}
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/measures", data=data, headers=headers)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Karianne Petrusen har sluttet og kan ikke få ansvar for tiltak. Velg en annen." in html
    assert "Helsesykepleier snakker med Emma." in html and "Gymlærer Ola" in html  # what was typed is kept
    assert str(nurse.id) not in options_of(html, "new-measures-responsible_user")
    assert Measure.select().count() == before
    # someone who is not in the log at all: refused too, without being named
    stranger = user("larer")
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/measures", data={**data, "responsible_user": stranger.id}, headers=headers
    )
    assert r.status_code == 422 and "Velg et av alternativene for «Ansvarlig deltaker i loggen»." in r.get_data(
        as_text=True
    )
    assert stranger.name not in r.get_data(as_text=True) and Measure.select().count() == before


def test_editing_a_measure_keeps_its_responsible_who_has_left_marked_and_refuses_naming_them_anew(auth, db_conn, log):
    """Inline edit (htmx): the measure the nurse answers for still shows her, marked
    «Har sluttet:», and saves with her unchanged; another measure cannot be given to her."""
    nurse = _leaves("aktor")
    hers = Measure.get(Measure.log == log, Measure.responsible_user == nurse)
    other = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("holder")
    select = f"edit-measures-{hers.id}-responsible_user"
    form = c.get(f"/logger/{log.id}/seksjon/measures/{hers.id}/endre", headers=HX).get_data(as_text=True)
    assert options_of(form, select)[str(nurse.id)] == "Har sluttet: Karianne Petrusen (Helsesykepleier)"
    assert chosen_in(form, select) == str(nurse.id)
    c.set_cookie("lang", "nn")
    form = c.get(f"/logger/{log.id}/seksjon/measures/{hers.id}/endre", headers=HX).get_data(as_text=True)
    assert options_of(form, select)[str(nurse.id)] == "Har slutta: Karianne Petrusen (Helsesykepleier)"
    c.set_cookie("lang", "nb")
    # the other measure's form does not offer her
    assert str(nurse.id) not in options_of(
        c.get(f"/logger/{log.id}/seksjon/measures/{other.id}/endre", headers=HX).get_data(as_text=True),
        f"edit-measures-{other.id}-responsible_user",
    )
    # saved with her unchanged: the change is stored, she stays
    values = {**VALID["measures"], "what": "Endret tekst.", "responsible_user": nurse.id, "version": hers.version}
    r = c.post(f"/logger/{log.id}/seksjon/measures/{hers.id}", data=values, headers=HX)
    assert r.status_code == 200
    assert (
        Measure.get_by_id(hers.id).what == "Endret tekst."
        and Measure.get_by_id(hers.id).responsible_user_id == nurse.id
    )
    # the other measure given to her: refused, the text kept, nothing stored
    values = {**VALID["measures"], "what": "Gitt til en som har sluttet.", "responsible_user": nurse.id}
    r = c.post(f"/logger/{log.id}/seksjon/measures/{other.id}", data={**values, "version": other.version}, headers=HX)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert (
        "Karianne Petrusen har sluttet og kan ikke få ansvar for tiltak." in html
        and "Gitt til en som har sluttet." in html
    )
    stored = Measure.get_by_id(other.id)
    assert stored.version == other.version and stored.responsible_user_id == user("stafettholder").id


def test_a_measure_keeps_its_responsible_who_no_longer_takes_part_until_someone_chooses_another(auth, db_conn, log):
    """A participant removed from the log (still working) stays on the measures they
    answer for, marked, instead of being dropped unseen by the next edit."""
    nurse = user("aktor")
    hers = Measure.get(Measure.log == log, Measure.responsible_user == nurse)
    Participant.delete().where(Participant.log == log, Participant.user == nurse).execute()
    c = auth.persona("holder")
    select = f"edit-measures-{hers.id}-responsible_user"
    form = c.get(f"/logger/{log.id}/seksjon/measures/{hers.id}/endre", headers=HX).get_data(as_text=True)
    assert options_of(form, select)[str(nurse.id)] == "Ikke lenger med i loggen: Karianne Petrusen (Helsesykepleier)"
    assert chosen_in(form, select) == str(nurse.id)
    assert str(nurse.id) not in options_of(
        c.get(f"/logger/{log.id}").get_data(as_text=True), "new-measures-responsible_user"
    )
    values = {**VALID["measures"], "what": "Endret tekst.", "responsible_user": nurse.id, "version": hers.version}
    assert c.post(f"/logger/{log.id}/seksjon/measures/{hers.id}", data=values, headers=HX).status_code == 200
    assert Measure.get_by_id(hers.id).responsible_user_id == nurse.id


def test_a_conflict_shows_the_other_save_in_words_not_ids(auth, db_conn, log):
    """Beside a conflicting edit the other person's save is shown as they chose it: the
    responsible person's name and the status's words, the date as dd.mm.åååå."""
    measure = Measure.get(Measure.log == log, Measure.responsible_user == user("stafettholder"))
    c = auth.persona("holder")
    form = {
        "what": "Først lagret tiltak",
        "responsible": "Kontaktlærer",
        "responsible_user": str(user("aktor").id),
        "status": "ongoing",
        "evaluation_date": "2027-01-15",
        "version": measure.version,
    }
    assert c.post(f"/logger/{log.id}/seksjon/measures/{measure.id}", data=form).status_code in (200, 303)
    r = c.post(f"/logger/{log.id}/seksjon/measures/{measure.id}", headers=HX, data={**form, "what": "Min tekst"})
    assert r.status_code == 409
    shown = r.get_data(as_text=True).split('class="conflict"')[1].split("</div>")[0]
    assert "Karianne Petrusen (Helsesykepleier)" in shown and "15.01.2027" in shown and "Pågår" in shown
    assert f"<dd>{user('aktor').id}</dd>" not in shown and "ongoing" not in shown and "2027-01-15" not in shown
