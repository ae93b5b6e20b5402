"""The guardian view, the meeting page and the autosave read a fixed number of queries
however much the log holds: more measures and evaluations, approved minutes with
corrections, talks, guardians and participants do not add a query (no query per row)."""

import datetime as dt

import pytest

from bench.run import counting
from stafettlogg.dates import local_today
from stafettlogg.db import db, write_transaction
from stafettlogg.logs import domain as log_domain
from stafettlogg.models import (
    AuditEvent,
    ChildTalk,
    ChildTalkAgreement,
    Evaluation,
    Guardian,
    Meeting,
    MinutesCorrection,
)
from tests.conftest import a_log, a_measure, a_meeting, an_item, user

pytestmark = pytest.mark.db


def _count(client, path, **kwargs):
    method = client.post if "data" in kwargs else client.get
    client.get("/")  # the client's first request signs it in (not counted)
    with counting(db) as counter:
        response = method(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return len(counter["sql"]), response.get_data(as_text=True)


def _approved_meeting(log, n: int, corrections: int = 2):
    meeting = a_meeting(log, days=-10 - n, agenda=f"Dagsorden {n}")
    holder = user("stafettholder")
    with write_transaction():
        Meeting.update(
            minutes=f"Referat nummer {n}", finalised_at=dt.datetime(2026, 1, 1, 12, n), finalised_by=holder
        ).where(Meeting.id == meeting.id).execute()
        for c in range(corrections):
            MinutesCorrection.create(meeting=meeting, body=f"Rettelse {n}.{c}", author=holder)
    return meeting


def _more_of_everything(log, n: int):
    """n more of each thing the family pages show."""
    holder = user("stafettholder")
    for i in range(n):
        measure = a_measure(log, what=f"Tiltak ekstra {n}.{i}")
        with write_transaction():
            for e in range(2):
                Evaluation.create(
                    measure=measure,
                    evaluated_on=local_today() - dt.timedelta(days=e + 1),
                    what_worked=f"Evaluering {i}.{e}",
                    decision="continue",
                    author=holder,
                )
        an_item(log, "highlights", by="aktor", body=f"Fint øyeblikk {n}.{i}")
        an_item(log, "goals", body=f"Mål {n}.{i}")
        _approved_meeting(log, 10 * n + i)
        a_meeting(log, days=3 + i, agenda=f"Neste møte {n}.{i}")
        with write_transaction():
            agreement = ChildTalkAgreement.create(
                log=log, adult=f"Voksen {i}", every_days=14, start_date=local_today(), author=holder
            )
            ChildTalk.create(
                log=log, agreement=agreement, talked_on=local_today(), who="Kari", how_it_goes="Bra", author=holder
            )
            Guardian.create(log=log, name=f"Foresatt {n}.{i}", relation="annen", language="ar", needs_interpreter=True)
    log_domain.add_participant(holder, log, user("kontaktlaerer"))


@pytest.fixture
def family_log(app, db_conn):
    log = a_log(services=("kind:skole", "kind:helsestasjon"))
    an_item(log, "goals", body="Barnet har en venn å være sammen med.")
    a_measure(log)
    _approved_meeting(log, 0)
    a_meeting(log)
    return log


def test_the_guardian_view_reads_as_many_queries_however_much_the_log_holds(auth, family_log):
    client = auth.persona("guardian")
    before, page = _count(client, f"/mine/{family_log.id}")
    assert "Rettelse 0.1" in page and "Referat nummer 0" in page
    _more_of_everything(family_log, 3)
    after, page = _count(client, f"/mine/{family_log.id}")
    assert after == before
    # everything is still shown: evaluations, corrections, upcoming meetings, talks
    assert "Evaluering 2.1" in page and "Rettelse 32.1" in page and "Neste møte 3.2" in page
    assert "Antall samtaler så langt: 3." in page and "Voksen 2" in page


def test_the_guardian_view_is_audited_and_offers_withdrawing_consent(auth, family_log):
    client = auth.persona("guardian")
    before = AuditEvent.select().where(AuditEvent.log_id == family_log.id).count()
    page = client.get(f"/mine/{family_log.id}").get_data(as_text=True)
    assert f"/mine/{family_log.id}/trekk-samtykke" in page and f"/mine/{family_log.id}/be-om-sletting" in page
    newest = AuditEvent.select().where(AuditEvent.log_id == family_log.id).order_by(AuditEvent.id.desc()).get()
    assert newest.action == "view:guardian.show"
    assert AuditEvent.select().where(AuditEvent.log_id == family_log.id).count() == before + 1


@pytest.mark.parametrize("approved", [False, True])
def test_the_meeting_page_reads_as_many_queries_however_much_the_log_holds(auth, family_log, approved):
    meeting = Meeting.select().where(Meeting.log == family_log, Meeting.finalised_at.is_null(not approved)).first()
    client = auth.persona("holder")
    path = f"/logger/{family_log.id}/moter/{meeting.id}"
    before, page = _count(client, path)
    for n in range(3):
        a_measure(family_log, what=f"Tiltak i møtet {n}")
    Meeting.update(present="Mor\nFar").where(Meeting.id == meeting.id).execute()
    _more_of_everything(family_log, 3)
    after, page = _count(client, path)
    assert after == before
    if approved:
        assert "Rettelse 0.1" in page
    else:
        # the planned meeting names who needs an interpreter, and lists everyone to tick
        assert "Tolk:" in page and "Foresatt 3.2" in page


def test_autosave_reads_as_many_queries_however_much_the_log_holds(auth, family_log):
    meeting = Meeting.select().where(Meeting.log == family_log, Meeting.finalised_at.is_null()).first()
    client = auth.persona("holder")
    path = f"/logger/{family_log.id}/moter/{meeting.id}/referat"
    headers = {"HX-Request": "true"}

    def save(text):
        version = Meeting.get_by_id(meeting.id).version
        return _count(client, path, data={"minutes": text, "version": version, "autosave": "1"}, headers=headers)

    before, status = save("Første utkast")
    assert "Lagret" in status
    _more_of_everything(family_log, 2)
    after, status = save("Andre utkast")
    assert after == before and "Lagret" in status
    stored = Meeting.get_by_id(meeting.id)
    assert stored.minutes == "Andre utkast" and "Andre utkast" in stored.minutes_html
    assert f'value="{stored.version}"' in status  # the version the next save is based on
    saved = AuditEvent.select().where(AuditEvent.log_id == family_log.id, AuditEvent.action == "meeting_minutes_saved")
    assert saved.count() == 2 and {e.role for e in saved} == {"holder"}


@pytest.mark.parametrize("case", ["one", "replaced", "withdrawn"])
def test_the_guardian_view_reads_the_consents_once_and_knows_the_one_in_force(app, family_log, case):
    """The family page reads all the log's consents; the one in force (its state, its
    consent block) is taken from them, the same one states reads on its own."""
    from stafettlogg.guardians.queries import plain_view
    from stafettlogg.logs import states
    from stafettlogg.models import Consent
    from stafettlogg.models import utcnow as now
    from tests.conftest import a_consent

    if case == "replaced":
        a_consent(family_log)
    if case == "withdrawn":
        Consent.update(withdrawn_at=now()).where(Consent.log == family_log.id).execute()
    expected = states._current_consent.first(family_log.id)
    with app.test_request_context(f"/mine/{family_log.id}"):
        with counting(db) as counter:
            view = plain_view(family_log)
            current = states.current_consent(family_log)
        assert sum('FROM "consent"' in sql for sql, _params in counter["sql"]) == 1
    assert len(view["consents"]) == {"one": 1, "replaced": 2, "withdrawn": 1}[case]
    assert (current and current.id) == (expected and expected.id)
    assert (current is None) == (case == "withdrawn")


def test_the_guardian_view_reads_the_deletion_request_and_the_last_refusal_in_one_query(app, db_conn):
    """The family sees its open deletion request (the oldest, as the log's states read it)
    or, with none open, the unit leader's last refusal: one read for both, and the page's
    actions take the open one from it (states.open_deletion_request is not asked again)."""
    from stafettlogg.guardians.queries import plain_view
    from stafettlogg.logs import states
    from stafettlogg.models import DeletionRequest, utcnow

    log = a_log()
    mother, leader = user("foresatt"), user("enhetsleder")

    def shown():
        with app.test_request_context(), counting(db) as counter:
            view = plain_view(log)
            states.open_deletion_request(log)  # the page's actions: from the view's read
        reads = [sql for sql, _params in counter["sql"] if 'FROM "deletion_request"' in sql]
        assert len(reads) == 1, reads
        return (
            getattr(view["deletion_request"], "reason", None),
            getattr(view["last_answer"], "response", None),
        )

    def refused(reason, response):
        DeletionRequest.create(
            log=log, requested_by=mother, reason=reason, handled_at=utcnow(), handled_by=leader,
            outcome="refused", response=response,
        )  # fmt: skip

    assert shown() == (None, None)
    refused("Første", "Nei, loggen er i bruk.")
    refused("Andre", "Nei, ikke ennå.")
    assert shown() == (None, "Nei, ikke ennå.")  # the last refusal
    DeletionRequest.create(log=log, requested_by=mother, reason="Tredje")
    DeletionRequest.create(log=log, requested_by=mother, reason="Fjerde")
    assert shown() == ("Tredje", None)  # the oldest open one, no refusal beside it
