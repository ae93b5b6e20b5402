"""The start page's "Mine stafettlogger" grows with the logs a person holds or takes part
in: it comes in windows of PAGE_SIZE (active first, then by the child's name), continued
by «Vis flere» (a link without JavaScript, cards appended by htmx); the to-do lists are
read by their own conditions, and the measures to evaluate show the most urgent."""

import datetime as dt
import re

import pytest

from stafettlogg.dates import local_today
from stafettlogg.models import Log, Participant
from tests.conftest import PERSONAS, a_log, a_measure, an_item, user

pytestmark = pytest.mark.db

SIZE = 3


@pytest.fixture
def mine(app, db_conn):
    """The holder's logs: the demo's and six more, in a window of SIZE."""
    app.config["PAGE_SIZE"] = SIZE
    for n in range(6):
        a_log(name=f"Vindu {n} Barnesen", participants=())
    holder = user("stafettholder")
    held = Log.select(Log.id).where(Log.holder == holder)
    joined = Participant.select(Participant.log).where(Participant.user == holder)
    return {log.id for log in held} | {p.log_id for p in joined}


def _cards(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="log-card__link" href="/logger/(\d+)"', html)]


def _more(html: str, attribute: str) -> str | None:
    found = re.search(attribute + r'="(/\?etter=\d+)"', html)
    return found.group(1) if found else None


def test_the_start_page_shows_one_window_and_how_many_in_all(auth, mine):
    html = auth.persona("holder").get("/").get_data(as_text=True)
    assert len(_cards(html)) == SIZE
    assert f"{len(mine)} stafettlogger" in html and "Vis flere" in html


def test_vis_flere_without_javascript_walks_every_log_once(auth, mine):
    client = auth.persona("holder")
    seen, path = [], "/"
    while path:
        html = client.get(path).get_data(as_text=True)
        assert "<html" in html  # a whole page
        seen += _cards(html)
        if path != "/":
            assert "Til starten av listen" in html
        path = _more(html, "href")
    assert len(seen) == len(set(seen)) and set(seen) == mine


def test_vis_flere_with_htmx_appends_only_the_cards(auth, mine):
    client = auth.persona("holder")
    link = _more(client.get("/").get_data(as_text=True), "hx-get")
    fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Venter på deg" not in fragment
    assert len(_cards(fragment)) == SIZE and "data-focus-on-load" in fragment


def test_active_logs_come_first_then_drafts(auth, mine):
    a_log(name="Aaa Utkastesen", consent=False, participants=())
    client = auth.persona("holder")
    seen, path = [], "/"
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += _cards(html)
        path = _more(html, "href")
    statuses = [Log.get_by_id(i).status for i in seen]
    rank = {"active": 0, "draft": 1}
    assert [rank.get(s, 2) for s in statuses] == sorted(rank.get(s, 2) for s in statuses)


@pytest.mark.parametrize("cursor", ["999999999", "abc", "", "-1", "9" * 30])
def test_a_made_up_cursor_starts_from_the_top(auth, mine, cursor):
    client = auth.persona("holder")
    first = _cards(client.get("/").get_data(as_text=True))
    assert _cards(client.get(f"/?etter={cursor}").get_data(as_text=True)) == first


def test_another_persons_log_as_cursor_reveals_nothing(auth, mine):
    """A log the holder has no part in, as cursor, is ignored: the answer is the first
    window, the same as for a log that does not exist."""
    other = a_log("kontaktlaerer", participants=())
    client = auth.persona("holder")
    made_up = client.get("/?etter=999999999").get_data(as_text=True)
    foreign = client.get(f"/?etter={other.id}").get_data(as_text=True)
    assert _cards(foreign) == _cards(made_up) and other.id not in _cards(foreign)


def test_the_drafts_to_do_lists_every_draft_whatever_the_window(auth, mine):
    drafts = [a_log(name=f"Zulu {n} Utkast", consent=False, participants=()) for n in range(SIZE + 1)]
    html = auth.persona("holder").get("/").get_data(as_text=True)
    todo = html.split('id="waiting-h"', 1)[1].split("</section>", 1)[0]
    for log in drafts:
        assert f"/logger/{log.id}/samtykke" in todo


def test_measures_to_evaluate_show_the_most_urgent_and_how_many(auth, mine):
    log = a_log(name="Tiltak Barnesen", participants=())
    today = local_today()
    for n in range(SIZE + 2):
        an_item(
            log,
            "measures",
            what=f"Tiltak nummer {n}",
            responsible="Kontaktlærer",
            start_date=today - dt.timedelta(days=60),
            evaluation_date=today - dt.timedelta(days=30 - n),
            status="ongoing",
        )
    html = auth.persona("holder").get("/").get_data(as_text=True)
    due = html.split('id="due-h"', 1)[1].split('id="talks-due-h"', 1)[0]
    assert due.count("<li") == SIZE
    assert "Tiltak nummer 0" in due  # the oldest date first
    assert "som haster mest av" in due


def test_the_consents_of_every_log_the_page_names_are_read_once(auth, mine):
    """Whether a log waits for consent decides its card («Venter på nytt samtykke») and
    whether its measures and talks are on the to-do lists: the consents of the window's
    logs and of the to-dos' logs are read in one query, not once per list."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.models import ChildTalkAgreement

    # beyond the first window of cards (by the child's name)
    a_measure(a_log(name="Zz Frist Barnesen", participants=()), evaluation_date=local_today())
    log = a_log(name="Zz Samtale Barnesen", participants=())
    ChildTalkAgreement.create(log=log, adult="Kari", every_days=7, start_date=local_today(), author=log.holder)
    client = auth.persona("holder")
    client.get("/")
    with counting(db) as counter:
        html = client.get("/").get_data(as_text=True)
    assert "Zz " not in html.split('id="due-h"')[0]  # not among the cards
    assert "Kari snakker med barnet" in html and "Kontaktlærer setter opp faste lekegrupper" in html
    consents = [sql for sql, _params in counter["sql"] if 'FROM "consent"' in sql and '"log_id" IN (' in sql]
    assert len(consents) == 1, consents


def test_the_measures_shown_are_a_read_of_each_log_in_its_access_history(auth, db_conn):
    """«Tiltak som skal evalueres» shows what each measure is: one read of each log it
    names, in the reader's role, in the family's access history («Leste i stafettloggen»);
    the next window of cards (htmx) shows no measure and reads nothing."""
    from stafettlogg.models import AuditEvent

    log = a_log(name="Tiltak Barnesen", participants=("aktor",))
    a_measure(log, "Faste lekegrupper i storefri", evaluation_date=local_today() + dt.timedelta(days=2))
    quiet = a_log(name="Uten Tiltak", participants=("aktor",))
    reads = AuditEvent.select().where(AuditEvent.action == "view:main.index")
    for persona, role in (("holder", "holder"), ("participant", "participant")):
        page = auth.persona(persona).get("/").get_data(as_text=True)
        assert "Faste lekegrupper i storefri" in page
        mine = reads.where(AuditEvent.role == role, AuditEvent.username == user(PERSONAS[persona]).username)
        assert [e.log_id for e in mine.where(AuditEvent.log_id == log.id)] == [log.id]
    assert not reads.where(AuditEvent.log_id == quiet.id).exists()

    before = reads.count()
    cards = auth.persona("holder").get("/?etter=x", headers={"HX-Request": "true"})
    assert cards.status_code == 200 and reads.count() == before
    history = auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True)
    assert "Leste i stafettloggen" in history
