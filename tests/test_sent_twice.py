"""A form sent twice (a double click on a plain form, a resend after a slow answer, a
second tab) is answered as the first was: no false «someone else saved», no refusal of
an evaluation that was stored, one deletion and one event. And an old talk note keeps
the agreement it was written under after the agreement has ended."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import sections as sec
from stafettlogg.models import AuditEvent, ChildTalk, ChildTalkAgreement, Entry, Evaluation, Measure, Participant, User
from tests.conftest import a_log, a_measure, an_item, user

pytestmark = pytest.mark.db


@pytest.fixture
def log(db_conn):
    return a_log()


def test_the_same_save_sent_twice_is_no_conflict(auth, log):
    entry = an_item(log, "entries", entry_date=local_today(), body="Samtale med mor.")
    holder = auth.persona("holder")
    data = {"entry_date": local_today().isoformat(), "body": "Rettet tekst", "version": entry.version}
    assert holder.post(f"/logger/{log.id}/seksjon/entries/{entry.id}", data=data).status_code == 303
    again = holder.post(f"/logger/{log.id}/seksjon/entries/{entry.id}", data=data)
    assert again.status_code == 303 and "Noen andre har lagret" not in again.get_data(as_text=True)
    stored = Entry.get_by_id(entry.id)
    assert (stored.body, stored.version) == ("Rettet tekst", entry.version + 1)
    # a different text on the same old version is still a conflict that hands it back
    other = holder.post(f"/logger/{log.id}/seksjon/entries/{entry.id}", data={**data, "body": "Noe annet"})
    assert other.status_code == 409 and "Noe annet" in other.get_data(as_text=True)
    assert Entry.get_by_id(entry.id).body == "Rettet tekst"


def test_an_evaluation_that_ends_the_measure_sent_twice_is_stored_once_and_answered_as_saved(auth, log):
    measure = a_measure(log)
    holder = auth.persona("holder")
    data = {"evaluated_on": local_today().isoformat(), "what_worked": "Det virket.", "decision": "end"}
    assert holder.post(f"/logger/{log.id}/tiltak/{measure.id}/evaluering", data=data).status_code == 303
    again = holder.post(f"/logger/{log.id}/tiltak/{measure.id}/evaluering", data=data)
    assert again.status_code == 303
    assert Evaluation.select().where(Evaluation.measure == measure.id).count() == 1
    assert Measure.get_by_id(measure.id).status == "ended"
    # another evaluation of the ended measure is refused as before
    other = holder.post(f"/logger/{log.id}/tiltak/{measure.id}/evaluering", data={**data, "what_worked": "Mer"})
    assert other.status_code == 409 and "avsluttet og evalueres ikke mer" in other.get_data(as_text=True)
    assert Evaluation.select().where(Evaluation.measure == measure.id).count() == 1


def test_an_item_deleted_twice_is_one_deletion_in_the_history(app, log):
    entry = an_item(log, "entries", entry_date=local_today(), body="Slett meg")
    read_by_the_second_tab = Entry.get_by_id(entry.id)
    with app.test_request_context():
        sec.delete_item(user("stafettholder"), log, sec.SECTIONS["entries"], entry)
        sec.delete_item(user("stafettholder"), log, sec.SECTIONS["entries"], read_by_the_second_tab)
    events = AuditEvent.select().where(AuditEvent.action == "entries_deleted", AuditEvent.object_id == entry.id)
    assert events.count() == 1 and Entry.get_or_none(Entry.id == entry.id) is None


def test_correcting_a_talk_note_keeps_the_agreement_that_has_ended(auth, log):
    holder = user("stafettholder")
    agreement = ChildTalkAgreement.create(
        log=log,
        adult="Kontaktlærer Kari",
        every_days=7,
        start_date=local_today() - dt.timedelta(days=30),
        author=holder,
    )
    talk = ChildTalk.create(log=log, agreement=agreement, talked_on=local_today(), who="Kari", how_it_goes="Bra", author=holder)  # fmt: skip
    ChildTalkAgreement.update(status="ended").where(ChildTalkAgreement.id == agreement.id).execute()
    client = auth.persona("holder")
    form = client.get(f"/logger/{log.id}/seksjon/talks/{talk.id}/endre").get_data(as_text=True)
    assert f'<option value="{agreement.id}" selected' in form and "Avsluttet avtale: Kontaktlærer Kari" in form
    data = {"agreement": str(agreement.id), "talked_on": local_today().isoformat(), "who": "Kari",
            "how_it_goes": "Bra, rettet", "version": talk.version}  # fmt: skip
    assert client.post(f"/logger/{log.id}/seksjon/talks/{talk.id}", data=data).status_code == 303
    assert (ChildTalk.get_by_id(talk.id).agreement_id, ChildTalk.get_by_id(talk.id).how_it_goes) == (
        agreement.id,
        "Bra, rettet",
    )
    # a new note is written under an ongoing agreement only
    new = client.get(f"/logger/{log.id}/seksjon/talks/ny").get_data(as_text=True)
    assert f'<option value="{agreement.id}"' not in new


def test_someone_without_a_unit_is_refused_as_a_participant_with_a_message(auth, log):
    User.update(unit=None).where(User.username == "larer").execute()
    holder = auth.persona("holder")
    form = {"user_id": user("larer").id}
    response = holder.post(f"/logger/{log.id}/deltakere", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "kan ikke legges til" in response.get_data(as_text=True)
    assert not Participant.select().where(Participant.log == log, Participant.user == user("larer")).exists()
