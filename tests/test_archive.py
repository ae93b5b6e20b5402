"""Filing a log in the archive (seed 003): the history in words, PDF/A documents, the
Fiks Arkiv arkivmelding package, its transports and the deletion gate."""

import datetime as dt
import re
from pathlib import Path

import pytest

from stafettlogg import audit
from stafettlogg.archive import events
from stafettlogg.models import AuditEvent, Log, Subject, User
from tests.conftest import EMMA_LOG_ID, user

pytestmark = pytest.mark.db

SOURCE = Path(__file__).parent.parent / "stafettlogg"
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # log_created, consent_uploaded, view:…


def log_of(name: str) -> Log:
    return Log.select().join(Subject).where(Subject.name == name).get()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])


@pytest.fixture
def ctx(app, db_conn):
    with app.test_request_context():
        yield


def test_every_audited_change_to_a_log_has_a_sentence():
    recorded = set()
    for path in SOURCE.rglob("*.py"):
        for m in re.finditer(r'audit\.record\(\s*"([a-z_]+)",\s*log=', path.read_text()):
            recorded.add(m.group(1))
    for m in re.finditer(r'audit\.record\(f"\{section\.key\}_([a-z]+)"', (SOURCE / "logs/sections.py").read_text()):
        recorded |= {
            f"{key}_{m.group(1)}" for key in ("concerns", "highlights", "goals", "measures", "meetings", "entries")
        }
    assert len(recorded) > 20
    assert recorded <= set(events.SENTENCES), sorted(recorded - set(events.SENTENCES))


def test_an_event_reads_as_a_sentence_with_name_job_and_long_date(ctx):
    kari = user("stafettholder")
    event = AuditEvent(action="consent_uploaded", user_id=kari.id, role="holder", at=dt.datetime(2027, 3, 3, 9, 0))
    assert events.describe(event, {kari.id: kari}) == f"{kari.name} (kontaktlærer) lastet opp samtykke 3. mars 2027"
    unknown = AuditEvent(action="something_new", user_id=None, role="system", at=dt.datetime(2027, 3, 3, 9, 0))
    assert events.describe(unknown, {}) == "Systemet gjorde en endring i stafettloggen 3. mars 2027"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_archive_print_has_the_history_in_words_without_codes_or_login_names(auth, db_conn, lang):
    # A login name that is no Norwegian word, so finding it anywhere means it leaked.
    kn = User.create(username="kn4821x", name="Kari Nordmann", role="staff", job_title="Kontaktlærer", unit=1)
    log = Log.get_by_id(EMMA_LOG_ID)
    audit.record("consent_uploaded", log=log, obj=log, user=kn, role="participant")
    c = auth.persona("holder")
    c.set_cookie("lang", lang)
    page = text_of(c.get(f"/logger/{EMMA_LOG_ID}/arkivutskrift").get_data(as_text=True))
    expected = "lastet opp samtykke" if lang == "nb" else "lasta opp samtykke"
    assert f"Kari Nordmann (kontaktlærer) {expected}" in page
    assert "kn4821x" not in page
    for u in User.select().where(User.role != "guardian"):
        assert not re.search(rf"\({re.escape(u.username)}\b", page)
    assert not CODE.findall(page), CODE.findall(page)
    assert "accepted" not in page and "pending" not in page
