"""A request reads the log when it begins; another request may close it, or the family
withdraw consent, before the first one writes. Every write to a log's guardians,
participants and content checks the log as it is inside its write transaction
(logs.domain.writing_to), and a test below fails if a write function checks the state
only outside it. Also: the ordinary guardian form gives no one a youth's own access (only
add_youth does, after checking the age), and an account made at ID-porten sign-in gets
the language the holder recorded for the guardian."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from stafettlogg import demo
from stafettlogg.dates import local_today
from stafettlogg.logs import domain, lifecycle, sections
from stafettlogg.logs.ip_prompt import record_guide_answer
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.meetings import domain as meetings
from stafettlogg.models import (
    YOUTH_RELATION,
    Entry,
    Evaluation,
    Guardian,
    GuideAnswer,
    Log,
    LogStatus,
    Meeting,
    MinutesCorrection,
    Participant,
    Subject,
    User,
)
from stafettlogg.oidc import domain as oidc
from tests.conftest import a_log, a_measure, a_meeting, user

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
HOLDER = "stafettholder"


def _guide_answers():
    from stafettlogg.guide.domain import paths

    return paths()[0][0]  # a path through the guide that reaches a result


# what each write does, given the log as the request read it; and how to count its rows
WRITES = {
    "add a guardian": (
        lambda log: domain.add_guardian(user(HOLDER), log, name="Ny Far", relation="far", phone="900", email=""),
        lambda log: Guardian.select().where(Guardian.log == log).count(),
    ),
    "set a guardian's language": (
        lambda log: domain.set_guardian_language(
            user(HOLDER), log, Guardian.get(Guardian.log == log), language="en", needs_interpreter=False
        ),
        lambda log: Guardian.select().where(Guardian.log == log, Guardian.language == "en").count(),
    ),
    "add a participant": (
        lambda log: domain.add_participant(user(HOLDER), log, user("larer")),
        lambda log: Participant.select().where(Participant.log == log).count(),
    ),
    "write an entry": (
        lambda log: sections.create_item(
            user(HOLDER),
            log,
            sections.SECTIONS["entries"],
            demo.form_values(entry_date=local_today(), body="Skrevet etter at loggen ble avsluttet"),
        ),
        lambda log: Entry.select().where(Entry.log == log).count(),
    ),
    "evaluate a measure": (
        lambda log: sections.add_evaluation(
            user(HOLDER),
            log,
            a_measure_of(log),
            demo.form_values(evaluated_on=local_today(), what_worked="Det virket.", decision="continue"),
        ),
        lambda log: Evaluation.select().count(),
    ),
    "save the minutes": (
        lambda log: meetings.save_texts(
            user(HOLDER),
            log,
            a_meeting_of(log),
            {"minutes": "Skrevet etter lukking", "version": str(a_meeting_of(log).version)},
        ),
        lambda log: Meeting.select().where(Meeting.minutes.contains("etter lukking")).count(),
    ),
    "correct approved minutes": (
        lambda log: meetings.add_correction(user(HOLDER), log, approved_meeting_of(log), "Rettelse etter lukking"),
        lambda log: MinutesCorrection.select().count(),
    ),
    "answer the decision guide": (
        lambda log: record_guide_answer(user(HOLDER), log, _guide_answers()),
        lambda log: GuideAnswer.select().where(GuideAnswer.log == log).count(),
    ),
}


def a_measure_of(log):
    return sections.Measure.get(sections.Measure.log == log)


def a_meeting_of(log):
    return Meeting.get(Meeting.log == log, Meeting.finalised_at.is_null())


def approved_meeting_of(log):
    return Meeting.get(Meeting.log == log, Meeting.finalised_at.is_null(False))


@pytest.fixture
def busy_log(app, db_conn):
    """An active log with a measure, a meeting and one with approved minutes."""
    log = a_log()
    a_measure(log)
    a_meeting(log)
    approved = a_meeting(log, days=-3, minutes="Vi ble enige.")
    Meeting.update(finalised_at=dt.datetime(2026, 1, 1), finalised_by=log.holder).where(
        Meeting.id == approved.id
    ).execute()
    return log


@pytest.mark.parametrize("ending", ["closed by the holder", "consent withdrawn by the family"])
@pytest.mark.parametrize("write", WRITES)
def test_a_write_to_a_log_that_ended_a_moment_ago_is_refused_and_stores_nothing(app, busy_log, write, ending):
    do, count = WRITES[write]
    stale = Log.get_by_id(busy_log.id)  # as the request read it when it began
    with app.test_request_context():
        if ending == "closed by the holder":
            lifecycle.close_log(user(HOLDER), busy_log, keep="undecided")
        else:
            lifecycle.withdraw_consent(user("foresatt"), busy_log)
        before = count(busy_log)
        with pytest.raises(domain.LogError):
            do(stale)
    assert Log.get_by_id(busy_log.id).status == LogStatus.CLOSED
    assert count(busy_log) == before


@pytest.mark.parametrize("write", WRITES)
def test_the_same_write_to_an_active_log_is_stored(app, busy_log, write):
    """The check inside the transaction lets a write through while the log is in use."""
    do, count = WRITES[write]
    before = count(busy_log)
    with app.test_request_context():
        result = do(Log.get_by_id(busy_log.id))
    if isinstance(result, tuple) and isinstance(result[1], dict):  # sections answer (item, errors)
        assert not result[1], result[1]
    assert count(busy_log) != before


def test_a_guardian_is_removed_from_a_log_that_ended_a_moment_ago(app, busy_log):
    """Not among the refused writes: a guardian whose parental responsibility has ended is
    removed in every state of the log, an ended one too (domain.guardian_removable)."""
    stale = Log.get_by_id(busy_log.id)
    with app.test_request_context():
        lifecycle.close_log(user(HOLDER), busy_log, keep="undecided")
        domain.remove_guardian(user(HOLDER), stale, Guardian.get(Guardian.log == busy_log))
    assert Guardian.select().where(Guardian.log == busy_log).count() == 1


def test_removing_a_participant_from_a_log_closed_meanwhile_is_refused(app, busy_log):
    stale = Log.get_by_id(busy_log.id)
    with app.test_request_context():
        lifecycle.close_log(user(HOLDER), busy_log, keep="undecided")
        with pytest.raises(domain.LogError):
            domain.remove_participant(user(HOLDER), stale, Participant.get(Participant.log == busy_log))
    assert Participant.select().where(Participant.log == busy_log).exists()


def _calls(node, name: str) -> bool:
    return any(
        isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) == name for n in ast.walk(node)
    )


def test_no_write_to_a_log_checks_its_state_only_before_its_transaction():
    """A function that checks whether a log may be written (ensure_writable,
    ensure_in_use) and writes in a plain write_transaction checked a log that may have
    ended since: it must write through logs.domain.writing_to."""
    offenders = []
    for path in sorted((ROOT / "stafettlogg").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or node.name in ("writing_to", "ensure_writable"):
                continue
            checks = _calls(node, "ensure_writable") or _calls(node, "ensure_in_use")
            if checks and _calls(node, "write_transaction"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.name}")
    # the header's update is a conditional UPDATE on the log's own version (a close bumps it)
    assert offenders == ["stafettlogg/logs/domain.py:update_header"], offenders


# ------------------------------------------------------------------ a youth's own access


def test_the_guardian_form_gives_no_one_a_youth_s_own_access(auth, db_conn):
    """«ungdom» is not among the form's relations: posted anyway, for a child of nine, the
    form says so, keeps what was typed and stores nothing; the child's own ID-porten
    sign-in opens nothing."""
    log = a_log(nid9="140316123")  # born 14.03.2016
    before = Guardian.select().where(Guardian.log == log).count()
    response = auth.persona("holder").post(
        f"/logger/{log.id}/foresatte", data={"name": "Kim Testesen", "relation": YOUTH_RELATION, "phone": "90000000"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Velg relasjon fra listen." in html and "Kim Testesen" in html
    assert Guardian.select().where(Guardian.log == log).count() == before
    with auth.app.test_request_context():
        assert oidc.sign_in_by_pid(log.subject.national_id) is None


def test_a_child_s_number_is_no_guardian_s_even_when_the_log_has_no_number_of_the_child(auth, db_conn):
    """Finding: with no fødselsnummer of the child on the log, the holder could type the
    child's own number as «mor»'s, and the child of ten read the family's view by
    ID-porten (and could withdraw the consent). A number of someone under the consent age
    is refused on the form, keeping what was typed; a row with one opens nothing at sign-in."""
    log = a_log()  # no number of the child
    child = with_control_digits("140316523")  # born 14.03.2016 (individual number 500–999: 2000s)
    before = Guardian.select().where(Guardian.log == log).count()
    form = {"name": "Mor Testesen", "relation": "mor", "phone": "90000000", "national_id": child}
    response = auth.persona("holder").post(f"/logger/{log.id}/foresatte", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "tilhører et barn under 16 år" in html and "Mor Testesen" in html
    assert Guardian.select().where(Guardian.log == log).count() == before
    # a row written before this check, or by other means, opens nothing to the child
    Guardian.create(log=log, name="Mor Testesen", relation="mor", national_id=child)
    with auth.app.test_request_context():
        assert oidc.sign_in_by_pid(child) is None
    adult = with_control_digits("010180123")
    form = {**form, "national_id": adult}
    assert auth.persona("holder").post(f"/logger/{log.id}/foresatte", data=form).status_code == 303


def test_the_new_log_form_takes_only_the_list_s_relations(auth, db_conn):
    from tests.conftest import NEW_CHILD

    logs = Log.select().count()
    response = auth.persona("holder").post(
        "/logger/ny", data=dict(NEW_CHILD, **{"guardian-1-relation": YOUTH_RELATION, "national_id": ""})
    )
    assert response.status_code == 422 and "Velg relasjon fra listen." in response.get_data(as_text=True)
    assert Log.select().count() == logs


def test_a_youth_of_age_still_gets_their_own_access(auth, db_conn):
    log = a_log()
    Subject.update(birth_date=dt.date(2008, 1, 1)).where(Subject.id == log.subject_id).execute()  # 18
    with auth.app.test_request_context():
        from stafettlogg.guardians import domain as family

        youth = family.add_youth(user(HOLDER), log, phone="91234567", email="")
    assert youth.relation == YOUTH_RELATION and youth.name == log.subject.name


# ------------------------------------------------------------------ the language at ID-porten


def test_an_account_made_at_id_porten_sign_in_is_in_the_language_the_holder_recorded(auth, db_conn):
    log = a_log(guardian=None)
    father = Guardian.get(Guardian.log == log, Guardian.relation == "far")
    pid = with_control_digits("010180123")
    Guardian.update(national_id=pid).where(Guardian.id == father.id).execute()
    response = auth.persona("holder").post(f"/logger/{log.id}/foresatte/{father.id}/sprak", data={"language": "en"})
    assert response.status_code == 303
    with auth.app.test_request_context():
        account = oidc.sign_in_by_pid(pid)
    assert account is not None and User.get_by_id(account.id).language == "en"
    from stafettlogg.auth import rotate_session_token

    rotate_session_token(account)
    page = auth.login_as(account.username).get(f"/mine/{log.id}").get_data(as_text=True)
    assert '<html lang="en"' in page


# ------------------------------------------------------------------ a participant added twice, or out of scope


def _meanwhile(monkeypatch, happen):
    """Another request commits `happen(log)` after this one's checks read the log and
    before its write transaction begins."""
    real = domain.writing_to

    def late(log, *args, **kwargs):
        happen(log)
        return real(log, *args, **kwargs)

    monkeypatch.setattr(domain, "writing_to", late)


def test_a_participant_added_twice_at_once_is_refused_with_a_message(app, busy_log, monkeypatch):
    larer = user("larer")
    _meanwhile(monkeypatch, lambda log: Participant.create(log=log, user=larer, added_by=user(HOLDER)))
    with app.test_request_context(), pytest.raises(domain.LogError, match="allerede deltaker"):
        domain.add_participant(user(HOLDER), Log.get_by_id(busy_log.id), larer)
    assert Participant.select().where(Participant.log == busy_log, Participant.user == larer).count() == 1


def test_a_participant_is_not_added_when_a_narrower_consent_came_meanwhile(app, busy_log, monkeypatch):
    from stafettlogg.models import Consent

    kontaktlaerer = user("kontaktlaerer")  # Sørbyen skole, named by the consent in force
    Consent.update(services=f"unit:{kontaktlaerer.unit_id},kind:helsestasjon").where(Consent.log == busy_log).execute()
    narrower = lambda log: Consent.update(services="kind:helsestasjon").where(Consent.log == log).execute()  # noqa: E731
    _meanwhile(monkeypatch, narrower)
    with app.test_request_context(), pytest.raises(domain.LogError, match="Samtykket omfatter ikke"):
        domain.add_participant(user(HOLDER), Log.get_by_id(busy_log.id), kontaktlaerer)
    assert not Participant.select().where(Participant.log == busy_log, Participant.user == kontaktlaerer).exists()
