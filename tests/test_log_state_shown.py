"""A log's state is shown one way everywhere: state_badge(log_state(log)), the stored
status or "Venter på nytt samtykke" for an active log whose consent has a gap
(logs/states.py). The family sees it too: an expired consent is not "Aktiv, i bruk" on
their page, in their language; a list of logs reads the states at once."""

import datetime as dt
import re
from pathlib import Path

import pytest

from bench.run import counting
from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.models import Consent, Guardian, Log
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
WAITING_TEXT = "Loggen venter på et nytt samtykke fra dere."


def expire(log, days_ago: int = 1) -> None:
    Consent.update(expires_on=local_today() - dt.timedelta(days=days_ago)).where(Consent.log == log).execute()


def badge(html: str) -> list[str]:
    return re.findall(r'<span class="status status--([\w-]+)">([^<]+)</span>', html)


def test_the_family_sees_that_the_log_waits_for_a_new_consent(auth, db_conn):
    log = a_log()
    guardian = auth.persona("guardian")
    html = guardian.get(f"/mine/{log.id}").get_data(as_text=True)
    assert ("active", "Aktiv") in badge(html)
    assert "Loggen er i bruk." in html and WAITING_TEXT not in html
    assert "Det gjelder til" in html

    expire(log, 3)
    html = guardian.get(f"/mine/{log.id}").get_data(as_text=True)
    assert badge(html) == [("waiting", "Venter på nytt samtykke")]
    assert WAITING_TEXT in html and "Loggen er i bruk." not in html
    gone = local_today() - dt.timedelta(days=3)
    assert "Det gikk ut" in html and "Det gjelder til" not in html
    assert str(gone.year) in html
    # the family's own start page says it too
    assert ("waiting", "Venter på nytt samtykke") in badge(guardian.get("/").get_data(as_text=True))


def test_the_family_reads_the_waiting_state_in_their_language(auth, db_conn):
    log = a_log()
    expire(log, 3)
    guardian = auth.persona("guardian")
    html = guardian.get(f"/mine/{log.id}?lang=so").get_data(as_text=True)
    assert ("waiting", "Waxaa la sugayaa oggolaansho cusub") in badge(html)
    assert "Diiwaanku wuxuu idinka sugayaa oggolaansho cusub." in html
    assert "Wuxuu dhacay" in html
    Guardian.update(language="en").where(Guardian.log == log).execute()
    html = guardian.get(f"/mine/{log.id}?lang=en").get_data(as_text=True)
    assert ("waiting", "Waiting for a new consent") in badge(html)
    assert "The log is waiting for a new consent from you." in html


def test_staff_pages_show_the_same_state(auth, db_conn):
    log = a_log()
    expire(log)
    holder = auth.persona("holder")
    assert ("waiting", "Venter på nytt samtykke") in badge(holder.get(f"/logger/{log.id}").get_data(as_text=True))
    assert ("waiting", "Venter på nytt samtykke") in badge(holder.get("/").get_data(as_text=True))


def test_the_guardians_list_reads_its_logs_states_at_once(auth, db_conn):
    """No query per log: the family's start page asks the same number with one log
    waiting as with three logs, two of them waiting."""
    guardian = auth.persona("guardian")

    def queries() -> int:
        guardian.get("/")
        with counting(db) as counter:
            assert guardian.get("/").status_code == 200
        return len(counter["sql"])

    mine = Guardian.select().where(Guardian.user == user("foresatt"))
    expire(a_log())
    one, before = queries(), mine.count()
    for _ in range(2):
        expire(a_log())
    a_log()
    assert mine.count() == before + 3
    assert queries() == one


def test_no_template_shows_a_logs_stored_status_as_its_state():
    """The stored status hides the derived state (an active log may wait for consent):
    a template that labels or colours a log by it would say "Aktiv" of a log no one may
    write in. state_badge / state_label of log_state(log) are the one way."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        patterns = (
            r"(?<![\w.])status_label\(",
            r"status--\{\{\s*\w*\.?log\.status",
            r"LOG_STATUSES",
            r"status--waiting",  # the badge of the derived state, written by hand
        )
        for pattern in patterns:
            if re.search(pattern, text):
                offenders.append((path.relative_to(TEMPLATES).as_posix(), pattern))
    assert offenders == []
    assert Log.status.default not in (None, "")  # the stored status exists; templates just do not show it
