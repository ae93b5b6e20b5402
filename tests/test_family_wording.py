"""What a family reads, said as their language says it: a count in the plural form the
language gives that number, a sentence made of parts translated as one sentence (not
glued with a Norwegian comma), a date written as the language writes it, and a refused
document page that is the family's own page."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from flask import render_template, render_template_string
from flask_babel import force_locale
from markupsafe import Markup

from stafettlogg import dates
from tests.conftest import a_log, a_meeting

pytestmark = pytest.mark.db


def test_a_long_date_in_north_sami_is_written_as_sami_write_it(app):
    """Babel's CLDR data for North Sámi has no date pattern of its own: the filter wrote
    «2026 njukčamánnu 5» (the root's year-month-day). Sámi write the month in the
    genitive before the day: «njukčamánu 5. b. 2026»."""
    page = "{{ day|longdate }}"
    with app.test_request_context("/"), force_locale("se"):
        assert render_template_string(page, day=dt.date(2026, 3, 5)) == "njukčamánu 5. b. 2026"
        assert dates.format_long_date(dt.date(2026, 1, 31)) == "ođđajagemánu 31. b. 2026"
        assert dates.format_long_date(dt.datetime(2026, 12, 31, 23, 30)) == "ođđajagemánu 1. b. 2027"  # Oslo time
    with app.test_request_context("/"), force_locale("nn"):
        assert render_template_string(page, day=dt.date(2026, 3, 5)) == "5. mars 2026"


def _rendered(app, code: str, template: str, **context) -> str:
    with app.test_request_context("/"), force_locale(code):
        return " ".join(re.sub(r"<[^>]+>", " ", render_template(template, **context)).split())


def _access_row(count: int) -> dict:
    return {
        "at": dt.datetime(2026, 3, 5, 9, 0),
        "role": "holder",
        "job_title": "",
        "unit": "",
        "text": "Leste loggen",
        "count": count,
        "you": False,
    }


# How many times someone read the log (the access history shows a count from 2): the
# form each language gives that number, not one form for every count.
TIMES = {
    "nb": {2: "(2 ganger)", 5: "(5 ganger)"},
    "nn": {2: "(2 gonger)", 5: "(5 gonger)"},
    "en": {2: "(2 times)", 21: "(21 times)"},
    "pl": {2: "(2 razy)", 5: "(5 razy)", 22: "(22 razy)"},
    "uk": {2: "(2 рази)", 5: "(5 разів)", 21: "(21 раз)", 11: "(11 разів)"},
    "lt": {2: "(2 kartus)", 10: "(10 kartų)", 21: "(21 kartą)", 12: "(12 kartų)"},
    "ar": {2: "(مرتان)", 3: "(3 مرات)", 11: "(11 مرة)", 100: "(100 مرة)"},
    "se": {2: "(2 geardde)", 7: "(7 geardde)"},
}


@pytest.mark.parametrize("code", TIMES)
def test_the_access_history_counts_reads_in_the_languages_plural_form(app, code):
    for count, expected in TIMES[code].items():
        window = SimpleNamespace(items=[_access_row(count)], next_cursor=None)
        html = _rendered(app, code, "guardians/_access_rows.html", only_rows=True, log=None, window=window)
        assert expected in html, (code, count, html)


def _measure(shown: int, **dates) -> SimpleNamespace:
    evaluation = SimpleNamespace(evaluated_on=dt.date(2026, 2, 1), what_worked="Det gikk fint.", decision="continue")
    return SimpleNamespace(
        id=1,
        what_html=Markup("<p>Lekegrupper i storefri.</p>"),
        responsible="Kontaktlærer",
        status="ongoing",
        evaluations=[evaluation] * shown,
        evaluation_count=shown + 4,
        start_date=dates.get("start"),
        evaluation_date=dates.get("evaluation"),
    )


def _measures_html(app, code: str, measure) -> str:
    window = SimpleNamespace(items=[measure], cursor=None, next_cursor=None)
    return _rendered(
        app, code, "guardians/_measures.html", measures=window, log=SimpleNamespace(id=1), only_items=False
    )


@pytest.mark.parametrize(
    ("code", "shown", "expected"),
    [
        ("nb", 1, "Her står den siste gangen vi så på hvordan det gikk."),
        ("nb", 3, "Her står de 3 siste gangene vi så på hvordan det gikk."),
        ("en", 1, "Here is the last time we looked at how it went."),
        ("pl", 3, "Oto ostatnie 3 razy, gdy sprawdzaliśmy, jak poszło."),
        ("pl", 5, "Oto ostatnich 5 razy, gdy sprawdzaliśmy, jak poszło."),
        ("uk", 3, "Тут останні 3 рази, коли ми дивилися, як усе йшло."),
        ("uk", 5, "Тут останні 5 разів, коли ми дивилися, як усе йшло."),
        ("ar", 2, "هنا آخر مرتين نظرنا فيهما في كيف سارت الأمور."),
        ("se", 2, "Dás leaba maŋimuš 2 háve go geahččaimet movt manai."),
        ("lt", 3, "Čia – paskutiniai 3 kartai, kai aptarėme, kaip sekėsi."),
    ],
)
def test_the_latest_evaluations_are_counted_in_the_languages_plural_form(app, code, shown, expected):
    assert expected in _measures_html(app, code, _measure(shown))


START, EVALUATION = dt.date(2026, 3, 2), dt.date(2026, 4, 20)


@pytest.mark.parametrize(
    ("code", "when", "expected"),
    [
        (
            "nb",
            {"start": START, "evaluation": EVALUATION},
            "Når: fra 2. mars 2026, vi ser på hvordan det går 20. april 2026",
        ),
        ("nb", {"start": START}, "Når: fra 2. mars 2026 "),
        ("nb", {"evaluation": EVALUATION}, "Når: vi ser på hvordan det går 20. april 2026 "),
        ("nb", {}, "Når: ikke bestemt ennå "),
        (
            "nn",
            {"start": START, "evaluation": EVALUATION},
            "frå 2. mars 2026, vi ser på korleis det går 20. april 2026",
        ),
        ("ar", {"start": START, "evaluation": EVALUATION}, "، وسننظر في سير الأمور في"),
        (
            "uk",
            {"start": START, "evaluation": EVALUATION},
            "з 2 березня 2026 р., а 20 квітня 2026 р. ми подивимося, як усе йде",
        ),
        (
            "se",
            {"start": START, "evaluation": EVALUATION},
            "njukčamánu 2. b. 2026 rájes, mii geahččat movt manná cuoŋománu 20. b. 2026",
        ),
    ],
)
def test_when_a_measure_runs_is_one_sentence_in_the_family_s_language(app, code, when, expected):
    """The start and the evaluation were two phrases glued by a Norwegian «, » in the
    template: an Arabic reader got a Latin comma, and no language could order the two."""
    html = _measures_html(app, code, _measure(1, **when))
    assert expected in html, html
    if code == "ar":
        line = html.split("متى:")[1].split("الحالة:")[0]
        assert "،" in line and "," not in line  # the Arabic comma, no Latin one


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("nb", " kl. 14:00, Møterom 2"),
        ("lt", " d., 14:00 val., Møterom 2"),  # the hour, then «val.»
        ("ar", " الساعة 14:00، \u2068Møterom 2\u2069"),
        ("pl", ", godz. 14:00, Møterom 2"),
    ],
)
def test_a_meeting_s_time_and_place_are_one_phrase_in_the_family_s_language(auth, code, expected):
    """The family view's next meetings glued «kl.», the time and «, place» in the
    template: Lithuanian puts «val.» after the hour, Arabic writes «،»."""
    from stafettlogg.db import db
    from stafettlogg.models import User

    log = a_log()
    a_meeting(log, place="Møterom 2")
    parent = auth.persona("guardian")
    with db.connection_context():
        User.update(language=code).where(User.username == "foresatt").execute()
    page = " ".join(parent.get(f"/mine/{log.id}").get_data(as_text=True).split())
    assert expected in page


def test_a_meeting_invitation_says_its_hours_in_the_family_s_language(auth):
    """The invitation letter glued «kl.» before the hours: Lithuanian writes «val.» after
    them, Arabic «from … to …» (a dash between digits runs the wrong way)."""
    log = a_log()
    meeting = a_meeting(log, place="Møterom 2")
    holder = auth.persona("holder")
    url = f"/logger/{log.id}/moter/{meeting.id}/invitasjon"
    lithuanian = " ".join(holder.get(url + "?lang=lt").get_data(as_text=True).split())
    assert re.search(r"d\., 14:00–\d\d:\d\d val\.</td>", lithuanian), lithuanian
    arabic = " ".join(holder.get(url + "?lang=ar").get_data(as_text=True).split())
    assert re.search(r"، من الساعة 14:00 إلى الساعة \d\d:\d\d</td>", arabic)


def test_a_unit_leader_is_told_how_many_logs_in_the_right_form(app, db_conn):
    """Staff texts too: «for 1 aktive stafettlogger» when the person leaving holds one."""
    from stafettlogg.org.domain import OrganisationError, deactivate_staff
    from tests.conftest import user

    a_log(holder="larer")
    with app.test_request_context("/"), pytest.raises(OrganisationError) as refused:
        deactivate_staff(user("enhetsleder"), user("larer"))
    assert "er stafettholder for 1 aktiv stafettlogg. Velg ny stafettholder først." in str(refused.value)


def _without_token(page: str) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'(name="csrf[-_]token"[^>]*?)(content|value)="[^"]*"', r"\1", page)


def test_a_guardian_refused_a_staff_document_gets_the_family_s_error_page(auth, db_conn):
    """The holder's family print, the consent form and the meeting invitation are staff
    pages in the family's language; a guardian who opens one was refused on a page with
    the staff's frame: no language menu, the staff's bokmål/nynorsk switch («Målform»).
    Now the family's own page, in their language, and a log that is not theirs reads as
    one that does not exist."""
    from stafettlogg.models import User

    log = a_log()
    meeting = a_meeting(log)
    other = a_log(guardian=None)
    User.update(language="pl").where(User.username == "foresatt").execute()
    parent = auth.persona("guardian")
    for url, status in (
        (f"/logger/{log.id}/familieversjon", 403),
        (f"/logger/{log.id}/moter/{meeting.id}/invitasjon", 403),
        ("/logger/samtykkeskjema/ar", 403),
        (f"/logger/{other.id}/familieversjon", 404),
        ("/logger/999999/familieversjon", 404),
    ):
        r = parent.get(url)
        page = r.get_data(as_text=True)
        assert r.status_code == status, url
        assert '<html lang="pl" dir="ltr">' in page, url
        assert "Målform" not in page and 'aria-label="Wybierz język"' in page, url  # the family's language menu
        assert 'lang="ar"' in page and 'lang="se"' in page, url
        assert "Coś poszło nie tak po naszej stronie." in page, url  # the family's notices, not the staff's
        assert "Ny stafettlogg" not in page and "Veileder" not in page, url
    pages = {}
    for url in (f"/logger/{other.id}/familieversjon", "/logger/999999/familieversjon", "/mine/999999"):
        pages[url] = _without_token(parent.get(url).get_data(as_text=True)).replace(url, "URL")
    assert len(set(pages.values())) == 1  # the same page as for any log one cannot read


def test_staff_refused_a_family_document_get_their_own_error_page(auth, db_conn):
    """Staff asking for a document in Polish (?lang=pl) on a log they are not on: the
    refusal is their page, in bokmål with their menu, not Polish with no menu."""
    log = a_log()
    page = auth.persona("other_unit_staff").get(f"/logger/{log.id}/familieversjon?lang=pl").get_data(as_text=True)
    assert '<html lang="nb" dir="ltr">' in page
    assert "Ny stafettlogg" in page and "Målform" in page
