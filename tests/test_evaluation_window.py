"""A measure shows its latest evaluations (queries.EVALUATIONS_SHOWN) and how many it has;
«Vis alle» shows all of one measure's, with htmx and as a plain link, on the log page and
in the guardians' view. The archive copy and the family print have them all. A measure
evaluated every six weeks for years costs the page no more than one evaluated three times."""

import datetime as dt
import re

import pytest

from bench.run import counting
from stafettlogg.db import db
from stafettlogg.logs import queries
from stafettlogg.logs.queries import EVALUATIONS_SHOWN
from stafettlogg.models import Evaluation, Measure
from tests.conftest import a_log, a_measure, user

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}


@pytest.fixture
def log(db_conn):
    return a_log()


def evaluated(log, times: int, start=dt.date(2025, 1, 6)) -> Measure:
    """A measure of the log evaluated `times` times, two evaluations on each day (ties
    are broken by the id), the newest last."""
    measure = a_measure(log)
    for i in range(times):
        Evaluation.create(
            measure=measure, evaluated_on=start + dt.timedelta(weeks=6 * (i // 2)), what_worked=f"Evaluering nummer {i}",
            decision="continue", author=user("stafettholder"),
        )  # fmt: skip
    return measure


def texts(html: str, measure: Measure | None = None) -> list[str]:
    """The evaluations' texts shown (of one measure: from its item to the next)."""
    if measure is not None:
        html = html[html.index(f'id="measures-{measure.id}"') :]
        html = html[: html.index("</li>\n    <li", 1) if "</li>\n    <li" in html[1:] else len(html)]
    return re.findall(r"Evaluering nummer (\d+)", html)


def test_a_measure_shows_its_latest_evaluations_oldest_first_and_counts_all(app, log):
    busy, quiet = evaluated(log, 7), evaluated(log, 2)
    measures = list(Measure.select().where(Measure.id.in_([busy.id, quiet.id])).order_by(Measure.id))
    with counting(db) as counter:
        queries.with_evaluations(measures, "family")
    assert len(counter["sql"]) == 1
    busy_read, quiet_read = measures
    assert [e.what_worked for e in busy_read.evaluations] == [f"Evaluering nummer {i}" for i in (4, 5, 6)]
    assert busy_read.evaluation_count == 7 and len(busy_read.evaluations) == EVALUATIONS_SHOWN
    assert (quiet_read.evaluation_count, len(quiet_read.evaluations)) == (2, 2)
    queries.with_evaluations(measures, "family", expanded=busy.id)
    assert [e.what_worked for e in measures[0].evaluations] == [f"Evaluering nummer {i}" for i in range(7)]
    assert len(measures[1].evaluations) == 2
    whole = queries.with_evaluations([Measure.get_by_id(busy.id)], "family", whole=True)
    assert [e.what_worked for e in whole[0].evaluations] == [f"Evaluering nummer {i}" for i in range(7)]


def test_the_log_page_shows_the_latest_and_all_on_asking(auth, log):
    measure = evaluated(log, 7)
    client = auth.persona("holder")
    html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert sorted(texts(html)) == ["4", "5", "6"]
    assert "Evalueringer (7)" in html and "Vis alle 7 evalueringene" in html
    plain = re.search(rf'href="([^"]+evalueringer={measure.id}[^"]*)"\s+hx-get="([^"]+)"', html)
    href, hx_get = (plain.group(1).replace("&amp;", "&"), plain.group(2).replace("&amp;", "&"))
    # without JavaScript: the log page with all of them, scrolled to the measure
    page = client.get(href.split("#")[0]).get_data(as_text=True)
    assert href.endswith(f"#measures-{measure.id}") and sorted(texts(page), key=int) == [str(i) for i in range(7)]
    # with htmx: the measures section, with all of them and the focus on the list
    fragment = client.get(hx_get, headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="section-measures"')
    assert sorted(texts(fragment), key=int) == [str(i) for i in range(7)]
    assert "data-focus-on-load" in fragment and "Vis alle 7 evalueringene" not in fragment


def test_the_guardians_see_the_latest_and_all_on_asking_and_the_print_has_all(auth, log):
    measure = evaluated(log, 7)
    guardian = auth.persona("guardian")
    html = guardian.get(f"/mine/{log.id}").get_data(as_text=True)
    assert sorted(texts(html)) == ["4", "5", "6"] and "Vis alle 7" in html
    html = guardian.get(f"/mine/{log.id}?evalueringer={measure.id}").get_data(as_text=True)
    assert sorted(texts(html), key=int) == [str(i) for i in range(7)]
    printed = auth.persona("holder").get(f"/logger/{log.id}/familieversjon").get_data(as_text=True)
    assert sorted(texts(printed), key=int) == [str(i) for i in range(7)] and "Vis alle" not in printed


def test_the_archive_copy_has_every_evaluation(app, log):
    from stafettlogg.archive.content import whole_log

    evaluated(log, 7)
    with app.test_request_context():
        measures = whole_log(log)["items"]["measures"]
    assert [e.what_worked for e in measures[-1].evaluations] == [f"Evaluering nummer {i}" for i in range(7)]


def test_the_pages_cost_the_same_however_often_a_measure_was_evaluated(auth, log):
    measure = evaluated(log, EVALUATIONS_SHOWN + 1)

    def cost(persona, url):
        client = auth.persona(persona)  # one client: signed in as each persona in turn
        with counting(db) as counter:
            assert client.get(url).status_code == 200
        return len(counter["sql"]), counter["rows"]

    pages = [("holder", f"/logger/{log.id}"), ("guardian", f"/mine/{log.id}")]
    before = [cost(persona, url) for persona, url in pages]
    for i in range(20):
        Evaluation.create(
            measure=measure, evaluated_on=dt.date(2024, 1, 1), what_worked=f"Eldre {i}", decision="continue",
            author=user("stafettholder"),
        )  # fmt: skip
    assert [cost(persona, url) for persona, url in pages] == before


@pytest.mark.parametrize("value", ["", "x", "-1", "0", "9" * 30, "1.5"])
def test_a_made_up_measure_is_harmless(auth, log, value):
    evaluated(log, 5)
    for persona, url in (
        ("holder", f"/logger/{log.id}?evalueringer={value}"),
        ("holder", f"/logger/{log.id}/seksjon/measures?evalueringer={value}"),
        ("guardian", f"/mine/{log.id}?evalueringer={value}"),
    ):
        response = auth.persona(persona).get(url, headers=HX if "seksjon" in url else {})
        assert response.status_code == 200
        assert len(texts(response.get_data(as_text=True))) == EVALUATIONS_SHOWN


def test_another_log_s_measure_reveals_nothing(auth, log):
    """A measure id of another child's log, asked for on this log's pages, shows nothing of it."""
    other = a_log(guardian=None)
    theirs = evaluated(other, 5)
    evaluated(log, 5)
    for persona, url in (
        ("holder", f"/logger/{log.id}?evalueringer={theirs.id}"),
        ("guardian", f"/mine/{log.id}?evalueringer={theirs.id}"),
    ):
        html = auth.persona(persona).get(url).get_data(as_text=True)
        assert len(texts(html)) == EVALUATIONS_SHOWN  # this log's latest, none of the other's


@pytest.mark.parametrize("persona", ["same_unit_staff", "other_unit_staff", "coordinating_unit", "anonymous"])
def test_outsiders_get_no_evaluations(auth, log, persona):
    measure = evaluated(log, 5)
    client = auth.persona(persona)
    if persona == "anonymous":
        with client.session_transaction() as session:
            session.clear()
    for url, headers in (
        (f"/logger/{log.id}?evalueringer={measure.id}", {}),
        (f"/logger/{log.id}/seksjon/measures?evalueringer={measure.id}", HX),
        (f"/mine/{log.id}?evalueringer={measure.id}", {}),
    ):
        response = client.get(url, headers=headers)
        refused = response.status_code in (302, 303, 403, 404) or "/login" in response.headers.get("HX-Redirect", "")
        assert refused, (persona, url, response.status_code)
        assert not texts(response.get_data(as_text=True))
