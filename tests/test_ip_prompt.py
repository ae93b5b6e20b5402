"""The individual-plan prompt (seed 002/003): from the rule (three or more services in
the log's measures over time) and from the decision guide answered inside the log;
advice with the guide's recommendation and a way to close with "IP opprettet", never a
block."""

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import ip_prompt
from stafettlogg.models import GuideAnswer, Log, LogStatus, Measure
from tests.conftest import PERSONAS, a_log, refused, user

pytestmark = pytest.mark.db

PROMPT = "Familien kan ha rett til individuell plan (IP)"
IP_PATH = {"services": "ja", "needs_services": "ja", "over_time": "ja"}


@pytest.fixture
def log(app):
    """Kari Ottesen's log at Nordbyen skole, the nurse taking part, without measures."""
    return a_log(participants=("aktor",))


def _measures(log, *usernames, status="ongoing"):
    Measure.delete().where(Measure.log == log).execute()
    for name in usernames:
        responsible = user(name)
        Measure.create(
            log=log,
            what="Tiltak",
            responsible=responsible.name,
            responsible_user=responsible,
            evaluation_date=local_today(),
            status=status,
            author=log.holder,
        )
    return Log.get_by_id(log.id)


def _ip_answers(app):
    """A path through the guide that ends in IP with koordinator (found, not assumed)."""
    from stafettlogg.guide.domain import paths

    with app.test_request_context():
        return next(answers for answers, result in paths() if result == "ip_koordinator")


def test_three_services_over_time_prompt_two_do_not(app, db_conn, log):
    # Nordbyen skole, Helsestasjonen sentrum, Sørbyen skole: three units
    assert ip_prompt.ip_prompt(_measures(log, "stafettholder", "aktor")) is None
    log = _measures(log, "stafettholder", "aktor", "kontaktlaerer")
    prompt = ip_prompt.ip_prompt(log)
    assert prompt is not None and prompt.services == 3 and not prompt.from_guide
    # over time: ended measures still count; two people of one unit are one service
    log = _measures(log, "stafettholder", "larer", "aktor", "kontaktlaerer", status="ended")
    assert ip_prompt.ip_prompt(log).services == 3


def test_only_an_open_log_prompts(app, db_conn, log):
    log = _measures(log, "stafettholder", "aktor", "kontaktlaerer")
    Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
    assert ip_prompt.ip_prompt(Log.get_by_id(log.id)) is None


def test_the_guide_answered_in_the_log_prompts_and_a_later_other_answer_ends_it(app, db_conn, log):
    log = _measures(log)
    with app.test_request_context():
        ip_prompt.record_guide_answer(log.holder, log, _ip_answers(app))
    prompt = ip_prompt.ip_prompt(log)
    assert prompt is not None and prompt.guide_result == "ip_koordinator" and prompt.services == 0
    GuideAnswer.create(log=log, result_id="stafettlogg", answered_by=log.holder)
    assert ip_prompt.ip_prompt(log) is None


def test_the_page_follows_the_rule_not_a_copy_of_it(auth, db_conn, log, monkeypatch):
    _measures(log, "stafettholder", "aktor")
    holder = auth.persona("holder")
    assert PROMPT not in holder.get(f"/logger/{log.id}").get_data(as_text=True)
    monkeypatch.setattr(ip_prompt, "SERVICES_FOR_IP", 2)
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert PROMPT in page and "involvert 2 ulike tjenester" in page
    assert "Individuell plan med koordinator" in page  # the guide's recommendation
    assert f"/logger/{log.id}/avslutt?reason=ip_created" in page
    close = holder.get(f"/logger/{log.id}/avslutt?reason=ip_created").get_data(as_text=True)
    assert 'value="ip_created" checked' in close
    # advice, never a block: the log is still written in
    r = holder.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Bra dag"})
    assert r.status_code == 303


def test_holder_answers_the_guide_from_the_log(auth, app, db_conn, log):
    _measures(log)
    holder = auth.persona("holder")
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert f"/veileder?logg={log.id}" in page
    answers = _ip_answers(app)
    result = holder.get("/veileder", query_string={"logg": log.id, **answers}).get_data(as_text=True)
    assert f"/logger/{log.id}/veileder" in result and "Lagre anbefalingen i stafettloggen" in result
    r = holder.post(f"/logger/{log.id}/veileder", data={**answers, "made_up": "ja"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/logger/{log.id}#ip")
    answer = GuideAnswer.get(GuideAnswer.log == log)
    assert answer.result_id == "ip_koordinator" and "made_up" not in answer.answers
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert PROMPT in page and "Veilederen ble besvart for denne loggen" in page


def test_starting_the_guide_again_keeps_it_for_the_log(auth, app, db_conn, log):
    """Opened from a log, every «start again» on the result page stays with that log, so
    the new answers can still be saved in it."""
    result = auth.persona("holder").get("/veileder", query_string={"logg": log.id, **_ip_answers(app)})
    html = result.get_data(as_text=True)
    assert "Start veilederen på nytt" in html and "Lagre anbefalingen i stafettloggen" in html
    assert html.count(f'href="/veileder?logg={log.id}"') == 2  # «Start på nytt» and «Start veilederen på nytt»


def test_an_unfinished_guide_stores_nothing(auth, db_conn, log):
    r = auth.persona("holder").post(f"/logger/{log.id}/veileder", data={"services": "ja"})
    assert r.status_code == 303 and "/veileder?" in r.headers["Location"] and "csrf" not in r.headers["Location"]
    assert not GuideAnswer.select().exists()


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_only_the_holder_saves_the_guides_answer(auth, app, db_conn, log, persona):
    r = auth.persona(persona).post(f"/logger/{log.id}/veileder", data=_ip_answers(app))
    if persona == "holder":
        assert r.status_code == 303 and GuideAnswer.select().count() == 1
    else:
        assert refused(r) or r.status_code == 404
        assert not GuideAnswer.select().exists()


def test_a_made_up_log_reveals_nothing(auth, app, db_conn):
    for log_id in (999999, 2**70):
        r = auth.persona("holder").post(f"/logger/{log_id}/veileder", data=_ip_answers(app))
        assert r.status_code == 404
