"""What a person sends is stored once and never lost: a minutes correction or a measure
agreed in meeting mode sent twice (a double click, a resent form) is stored once, and a
note whose choice (a talk agreement, a concern) was deleted between the form's check and
its write is refused with the text handed back, not a server error."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import sections
from stafettlogg.models import ChildTalk, ChildTalkAgreement, Goal, Measure, Meeting, MinutesCorrection
from tests.conftest import a_log, a_meeting, an_item

pytestmark = pytest.mark.db
HX = {"HX-Request": "true"}


def test_a_correction_sent_twice_is_stored_once(auth, db_conn):
    log = a_log()
    meeting = a_meeting(log, days=-1)
    Meeting.update(minutes="Referat her.", version=Meeting.version + 1).where(Meeting.id == meeting.id).execute()
    holder = auth.persona("holder")
    version = Meeting.get_by_id(meeting.id).version
    assert holder.post(f"/logger/{log.id}/moter/{meeting.id}/godkjenn", data={"version": version}).status_code == 303
    for _ in range(2):
        r = holder.post(f"/logger/{log.id}/moter/{meeting.id}/rettelser", data={"body": "Rett: mor var også der."})
        assert r.status_code in (200, 303)
    assert MinutesCorrection.select().where(MinutesCorrection.meeting == meeting.id).count() == 1
    # a different correction is a new one
    holder.post(f"/logger/{log.id}/moter/{meeting.id}/rettelser", data={"body": "Rett: far var også der."})
    assert MinutesCorrection.select().where(MinutesCorrection.meeting == meeting.id).count() == 2


def test_a_measure_agreed_in_the_meeting_sent_twice_is_stored_once(auth, db_conn):
    log = a_log()
    meeting = a_meeting(log, days=0)
    data = {
        "concern": log.concerns[0].id,
        "what": "Faste lekegrupper i storefri.",
        "responsible": "Kontaktlærer",
        "evaluation_date": (local_today() + dt.timedelta(days=10)).isoformat(),
        "status": "planned",
    }
    holder = auth.persona("holder")
    for _ in range(2):
        assert holder.post(f"/logger/{log.id}/moter/{meeting.id}/tiltak", data=data).status_code in (200, 303)
    measures = Measure.select().where(Measure.log == log.id, Measure.what == "Faste lekegrupper i storefri.")
    assert measures.count() == 1 and measures.get().meeting_id == meeting.id


def _deleted_after_the_check(monkeypatch, delete):
    """The form is checked; then, before its write, someone deletes what it chose."""
    check = sections.validate

    def check_then_delete(section, log, form, item=None):
        checked = check(section, log, form, item)
        delete()
        return checked

    monkeypatch.setattr(sections, "validate", check_then_delete)


def test_a_talk_note_whose_agreement_was_deleted_meanwhile_is_handed_back(auth, db_conn, monkeypatch):
    log = a_log()
    agreement = an_item(
        log, "talk_agreements", adult="Kontaktlærer", every_days="7", start_date=local_today(), how="", status="ongoing"
    )
    _deleted_after_the_check(
        monkeypatch, lambda: ChildTalkAgreement.delete().where(ChildTalkAgreement.id == agreement.id).execute()
    )
    words = "Det er bedre i friminuttene nå, jeg er med Ali."
    r = auth.persona("participant").post(
        f"/logger/{log.id}/seksjon/talks",
        data={"agreement": agreement.id, "talked_on": local_today().isoformat(), "who": "Meg", "how_it_goes": words},
        headers=HX,
    )
    assert r.status_code == 422 and words in r.get_data(as_text=True)
    assert not ChildTalk.select().where(ChildTalk.log == log.id).exists()


def test_a_goal_whose_concern_was_deleted_meanwhile_is_handed_back(auth, db_conn, monkeypatch):
    log = a_log()
    concern = an_item(log, "concerns", title="Lite venner i friminuttene", body="")
    _deleted_after_the_check(monkeypatch, lambda: concern.delete_instance(recursive=True))
    text = "Barnet har en venn å være sammen med innen jul."
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/goals", data={"concern": concern.id, "body": text}, headers=HX
    )
    assert r.status_code == 422 and text in r.get_data(as_text=True)
    assert not Goal.select().where(Goal.log == log.id, Goal.body == text).exists()
