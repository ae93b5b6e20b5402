"""Content a municipality adapts without code: the decision guide, the consent form, the
close reasons and the contact text come from the package's defaults unless the instance
folder's content/ holds a replacement. A bad replacement is reported with its file and
line at start-up, and the default stays in use."""

import logging

import pytest

from stafettlogg import content, languages
from stafettlogg.guide import domain as guide_domain
from tests.conftest import _make_app, a_log

pytestmark = pytest.mark.db


@pytest.fixture
def override(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    return folder


def _app(database_url, folder):
    return _make_app(database_url, CONTENT_FOLDER=str(folder))


def _login(app, username):
    from stafettlogg.db import db
    from stafettlogg.models import User

    client = app.test_client()
    with db.connection_context():
        session_id = User.get(User.username == username).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        import time

        session["last_seen"] = time.time()
    return client


def test_every_family_language_has_its_texts_and_every_default_is_valid():
    for language in languages.FAMILY_LANGUAGES:
        for kind in ("consent", "close_reasons", "contact"):
            assert content.default(kind, language) is not None, (kind, language)
    for language in ("nb", "nn"):
        assert content.default("guide", language) is not None
    assert content.default("guide", "nb") == guide_domain.default_guide()


def test_the_override_folder_replaces_the_decision_guide(database_url, override):
    text = guide_domain.GUIDE_FILE.read_text(encoding="utf-8")
    assert "Mottar barnet/familien tjenester fra andre tjenesteytere?" in text
    (override / "guide.nb.toml").write_text(
        text.replace("Mottar barnet/familien tjenester fra andre tjenesteytere?", "Får barnet hjelp fra andre?"),
        encoding="utf-8",
    )
    app = _app(database_url, override)
    assert app.extensions["content"]["problems"] == []
    html = _login(app, "stafettholder").get("/veileder").get_data(as_text=True)
    assert "Får barnet hjelp fra andre?" in html and "Mottar barnet/familien" not in html


@pytest.mark.parametrize(
    "broken, line, says",
    [
        ('start = "services"\n\n[questions.services\ntext = "x"\n', 3, "line 3"),
        (None, None, "nowhere"),  # an answer leading nowhere: the line of that answer
    ],
)
def test_a_broken_guide_override_is_reported_and_the_default_kept(database_url, override, caplog, broken, line, says):
    if broken is None:
        text = guide_domain.GUIDE_FILE.read_text(encoding="utf-8")
        broken = text.replace('no = "result:no_plan"', 'no = "result:nowhere"', 1)
        line = next(n for n, row in enumerate(broken.splitlines(), 1) if "result:nowhere" in row)
    (override / "guide.nb.toml").write_text(broken, encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        app = _app(database_url, override)
    problems = app.extensions["content"]["problems"]
    assert len(problems) == 1 and "guide.nb.toml" in problems[0] and f"line {line}" in problems[0]
    assert says in problems[0] and "default" in problems[0]
    assert any("guide.nb.toml" in r.getMessage() and f"line {line}" in r.getMessage() for r in caplog.records)
    html = _login(app, "stafettholder").get("/veileder").get_data(as_text=True)
    assert "Mottar barnet/familien tjenester fra andre tjenesteytere?" in html


@pytest.mark.parametrize(
    "old, new",
    [
        ('start = "services"', 'start = "service"'),  # a typo in where the guide starts
        ('roles = ["koordinator"]\nstart_log = false', "start_log = false"),  # a result that names no role
        ('role = "Stafettholder"\nroles = ["stafettholder"]', 'role = "Stafettholder"'),  # a service without roles
        ("[agreement]", "[agreements]"),  # the section on agreeing who coordinates, misnamed
        ('section = 1\ntext = "Mottar', 'section = 1\ntexts = "Mottar'),  # a question without its text
    ],
)
def test_a_guide_override_without_what_the_guide_reads_is_reported_and_the_default_kept(
    database_url, override, old, new
):
    text = guide_domain.GUIDE_FILE.read_text(encoding="utf-8")
    assert old in text
    (override / "guide.nb.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    app = _app(database_url, override)
    problems = app.extensions["content"]["problems"]
    assert len(problems) == 1 and "guide.nb.toml" in problems[0] and "default" in problems[0], problems
    holder = _login(app, "stafettholder")
    with app.test_request_context():
        every_path = guide_domain.paths()
    for answers, _result in [({}, None), *every_path]:  # every question and every recommendation opens
        assert holder.get("/veileder", query_string=answers).status_code == 200, answers
    assert "Mottar barnet/familien tjenester fra andre tjenesteytere?" in holder.get("/veileder").get_data(as_text=True)


def test_consent_form_close_reasons_and_contact_from_the_override(database_url, override):
    consent = (content.DEFAULTS / "consent.nn.toml").read_text(encoding="utf-8")
    (override / "consent.nn.toml").write_text(
        consent.replace('title = "Samtykke til bruk av stafettlogg"', 'title = "Samtykke til stafettlogg i Fjellbygd"'),
        encoding="utf-8",
    )
    (override / "contact.nb.toml").write_text(
        'heading = "Spørsmål?"\ntext = "Ring servicetorget på 77 00 00 00."\n', encoding="utf-8"
    )
    (override / "close_reasons.nb.toml").write_text(
        'needs_met = "Barnet har fått hjelpen det trengte"\nip_created = "IP"\n'
        'consent_withdrawn = "Trukket"\nother = "Annet"\n',
        encoding="utf-8",
    )
    app = _app(database_url, override)
    assert app.extensions["content"]["problems"] == []
    log = a_log()  # held by "stafettholder", read by "foresatt"
    holder = _login(app, "stafettholder")
    assert "Samtykke til stafettlogg i Fjellbygd" in holder.get("/logger/samtykkeskjema/nn").get_data(as_text=True)
    assert "Samtykke til stafettlogg i Fjellbygd" not in holder.get("/logger/samtykkeskjema/nb").get_data(as_text=True)
    assert "Barnet har fått hjelpen det trengte" in holder.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)
    parent = _login(app, "foresatt")
    assert "Ring servicetorget på 77 00 00 00." in parent.get(f"/mine/{log.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "name, text, says",
    [
        ("close_reasons.nb.toml", 'needs_met = "x"\nsolved = "y"\n', "unknown close reason «solved»"),
        ("contact.nb.toml", 'heading = "Spørsmål?"\n', "«text» must be a text"),
        ("consent.pl.toml", 'title = "x"\nintro = \n', "line 2"),
        ("guide.xx.toml", 'start = "a"\n', "not used"),
    ],
)
def test_malformed_overrides_name_file_and_line(database_url, override, name, text, says):
    (override / name).write_text(text, encoding="utf-8")
    app = _app(database_url, override)
    problems = app.extensions["content"]["problems"]
    assert len(problems) == 1 and name in problems[0] and says in problems[0], problems
    with app.app_context():
        assert content.close_reasons("nb")["needs_met"] == "Behovet for tverrfaglig innsats er dekket"
        assert content.get("contact", "nb")["text"].startswith("Ta kontakt med stafettholderen")


def test_the_guide_in_nynorsk_for_a_nynorsk_reader(auth):
    client = auth.persona("holder")
    client.set_cookie("lang", "nn")
    html = client.get("/veileder?services=ja&over_time=ja&only_ppt=nei&child_coordinator=nei&individual_plan=nei")
    text = html.get_data(as_text=True)
    assert "Stafettlogg med stafetthaldar" in text and "Skule/barnehage" in text and "Skole/barnehage" not in text


@pytest.mark.parametrize("age", [15, 16])
def test_the_consent_form_and_the_start_page_say_the_municipalitys_consent_age(database_url, age):
    """seed 001: the youth consents themselves from 16; a municipality may use 15
    (CONSENT_AGE), and the product then takes a 15-year-old's own consent: the form the
    family signs, in every language, and the start page say the same age."""
    from stafettlogg.models import Log

    app = _make_app(database_url, CONSENT_AGE=age)
    holder = _login(app, "stafettholder")
    other = 31 - age  # 16 when the setting is 15, 15 when it is 16
    for form in languages.FAMILY_LANGUAGES:
        html = holder.get(f"/logger/samtykkeskjema/{form}").get_data(as_text=True)
        assert f"{age}" in html and f"{other}" not in html and "%(age)s" not in html, form
    with app.app_context():
        from stafettlogg.db import db

        with db.connection_context():
            Log.delete().execute()  # a holder without logs sees the empty start page
    start = _login(app, "larer").get("/").get_data(as_text=True)
    assert f"ungdommen fra {age} år" in start
