"""Numbers people (or a tampered form) send that are not the ids and digits they look
like: a superscript two (Python's isdigit says yes, int() says no), a number too large for
any database column, a fødselsnummer of other scripts' digits. Each gets the form's own
clear message or is ignored as a filter, never a server error, and nothing is stored."""

import pytest

from stafettlogg.models import CoordinatorRecord, Handover, Log, Participant, Subject
from tests.conftest import NEW_CHILD, a_log, user

pytestmark = pytest.mark.db

ODD = ["²", "9" * 23, "-3", "0", "١٢"]  # superscript, too large, negative, zero, Arabic-Indic digits
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("unit", ODD)
def test_the_ke_register_filter_takes_an_odd_unit_as_no_match(auth, db_conn, unit):
    client = auth.persona("coordinating_unit")
    for headers in ({}, HX):
        response = client.get("/ke", query_string={"unit": unit}, headers=headers)
        assert response.status_code == 200, (unit, headers)


@pytest.mark.parametrize("unit", ODD)
def test_a_ke_decision_with_an_odd_unit_is_refused_with_the_forms_message(auth, db_conn, unit):
    record = {
        "child_name": "Oda Tallesen",
        "birth_date": "2019-04-02",
        "kind": "koordinator",
        "decision": "granted",
        "decided_on": "2026-10-01",
        "person_name": "Kaspar Vestborg",
        "has_ip": "no",
        "consent_to_inform": "yes",
        "unit": unit,
    }
    response = auth.persona("coordinating_unit").post("/ke/vedtak", data=record)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Velg en skole eller barnehage fra lista" in html and "Oda Tallesen" in html  # what was typed stays
    assert not CoordinatorRecord.select().where(CoordinatorRecord.child_name == "Oda Tallesen").exists()


@pytest.mark.parametrize("unit", ODD)
def test_a_new_log_with_an_odd_unit_is_answered_with_the_form(auth, db_conn, unit):
    before = Log.select().count()
    response = auth.persona("holder").post("/logger/ny", data={**NEW_CHILD, "unit_id": unit})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Velg enheten" in html and "Lea sover dårlig" in html  # what was typed stays
    assert Log.select().count() == before


@pytest.mark.parametrize("number", ["¹" * 11, "١" * 11, "０" * 11])
def test_a_fodselsnummer_of_other_digits_is_refused_with_a_clear_message(auth, db_conn, number):
    before = Subject.select().count()
    response = auth.persona("holder").post("/logger/ny", data={**NEW_CHILD, "national_id": number})
    assert response.status_code == 422
    assert "Fødselsnummeret må ha 11 sifre" in response.get_data(as_text=True)
    assert Subject.select().count() == before


def test_choosing_new_holders_with_odd_ids_changes_nothing(auth, db_conn):
    kari = user("stafettholder")
    log = a_log()
    response = auth.persona("unit_leader").post(
        f"/ansatte/{kari.id}/deaktiver", data={f"holder_{log.id}": "²", "holder_²": str(user("larer").id)}
    )
    assert response.status_code == 409
    assert Log.get_by_id(log.id).holder_id == kari.id and user("stafettholder").active


TOO_LARGE = str(2**63)  # one more than any integer column holds


def test_proposing_a_new_holder_with_a_too_large_id_asks_to_choose_someone(auth, db_conn):
    log = a_log()
    response = auth.persona("holder").post(
        f"/logger/{log.id}/stafettholder", data={"to_user_id": TOO_LARGE, "note": "Flytter til Sørbyen"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Velg hvem som skal bli ny stafettholder" in html and "Flytter til Sørbyen" in html
    assert not Handover.select().where(Handover.log == log).exists()


def test_adding_a_participant_with_a_too_large_id_is_not_found(auth, db_conn):
    log = a_log()
    before = Participant.select().where(Participant.log == log).count()
    response = auth.persona("holder").post(f"/logger/{log.id}/deltakere", data={"user_id": TOO_LARGE})
    assert response.status_code == 404
    assert Participant.select().where(Participant.log == log).count() == before


def test_inviting_a_guardian_with_a_too_large_id_asks_whom_it_is_for(auth, db_conn):
    log = a_log()
    response = auth.persona("holder").post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": TOO_LARGE})
    assert response.status_code == 422
    assert "Velg hvem invitasjonen gjelder" in response.get_data(as_text=True)


def test_a_log_deleted_while_the_request_ran_is_not_found_not_an_error(auth, db_conn, monkeypatch):
    """Another request deletes the log between the access check and the page (the unit
    leader deletes it as the holder closes it): the answer is the «not found» page a
    made-up id gets, never a 500 with the page half made."""
    from stafettlogg.logs import lifecycle
    from stafettlogg.logs.errors import LogError

    log = a_log()

    def deleted_meanwhile(*args, **kwargs):
        from stafettlogg.db import write_transaction

        with write_transaction():  # the other request's deletion, committed
            lifecycle._purge(Log.get_by_id(log.id))
        raise LogError("Stafettloggen er endret av noen andre.", "reason", code="stale")

    monkeypatch.setattr(lifecycle, "close_log", deleted_meanwhile)
    response = auth.persona("holder").post(f"/logger/{log.id}/avslutt", data={"reason": "need_met", "keep": "no"})
    assert response.status_code == 404
    assert "Vi fant ikke stafettloggen" in response.get_data(as_text=True)
