"""Closing asks, never assumes (seed 001 "Skal loggen tas vare på?"), and every response
that shows a log's content is audited, whatever the method and status."""

import datetime as dt
import re

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import lifecycle, states
from stafettlogg.logs.domain import LogError
from stafettlogg.models import AuditEvent, Consent, Entry, Log, LogStatus, Notification, utcnow
from stafettlogg.reminders import send_reminders
from tests.conftest import an_item, user

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}


def close_url(log) -> str:
    return f"/logger/{log.id}/avslutt"


def keep_url(log) -> str:
    return f"/logger/{log.id}/ta-vare-pa"


def queue_page(auth, log) -> str:
    unit_id = log.unit_id
    return auth.persona("unit_leader").get(f"/enheter/{unit_id}/sletting").get_data(as_text=True)


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


# ------------------------------------------------------------------ closing asks


def test_the_question_has_no_preselected_answer(auth, log, db_conn):
    page = auth.persona("holder").get(close_url(log)).get_data(as_text=True)
    keep_inputs = re.findall(r'<input type="radio" name="keep"[^>]*>', page)
    assert len(keep_inputs) == 3 and not any("checked" in i for i in keep_inputs)
    assert "Ikke avklart ennå" in page and "Nei, eller ikke avklart" not in page


def test_closing_without_an_answer_is_refused_and_keeps_what_was_typed(auth, log, db_conn):
    """Finding: closing preselected "no, or not decided yet", so a log closed without
    asking the family landed at once in "Kan slettes"."""
    before = AuditEvent.select().where(AuditEvent.action == "log_closed").count()
    data = {"reason": "needs_met", "note": "Barnet har det bra nå."}
    r = auth.persona("holder").post(close_url(log), data=data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Svar på om loggen skal tas vare på" in page and 'href="#f-keep"' in page
    assert "Barnet har det bra nå." in page and 'value="needs_met" checked' in page
    log = Log.get_by_id(log.id)
    assert (log.status, log.keep_answer) == (LogStatus.ACTIVE, "")
    assert AuditEvent.select().where(AuditEvent.action == "log_closed").count() == before
    for bad in ("", "maybe", "nei"):
        assert auth.persona("holder").post(close_url(log), data=dict(data, keep=bad)).status_code == 422
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE


def test_not_decided_yet_keeps_the_log_out_of_the_deletion_queue_until_answered(auth, log, db_conn, app):
    r = auth.persona("holder").post(close_url(log), data={"reason": "needs_met", "keep": "undecided"})
    assert r.status_code == 303
    log = Log.get_by_id(log.id)
    assert (log.status, log.keep_answer) == (LogStatus.CLOSED, "undecided")
    page = queue_page(auth, log)
    assert log.subject.name not in section(page, "deletable-h") and log.subject.name in section(page, "waiting-h")
    # the unit leader cannot delete it, not even with a crafted POST
    with app.test_request_context():
        assert "delete" not in states.allowed_actions(user("enhetsleder"), log)
        assert lifecycle.deletion_reason(log) is None
    r = auth.persona("unit_leader").post(
        f"/logger/{log.id}/slett", data={"reason": "not_kept", "confirm": "yes", "archive_waiver": "x"}
    )
    assert r.status_code == 409 and Log.get_or_none(Log.id == log.id) is not None
    refused = r.get_data(as_text=True)  # and the page says what the family answered: nothing yet
    assert "Ikke avklart ennå" in refused and "<dd>Nei</dd>" not in refused

    # the holder records the answer later: an empty answer is refused, "no" opens deletion
    closed_page = auth.persona("holder").get(close_url(log)).get_data(as_text=True)
    assert "Ikke avklart ennå" in closed_page and "Registrer familiens svar" in closed_page
    assert auth.persona("holder").post(keep_url(log), data={}).status_code == 422
    assert auth.persona("participant").post(keep_url(log), data={"keep": "no"}).status_code == 403
    assert auth.persona("holder").post(keep_url(log), data={"keep": "no"}).status_code == 303
    assert Log.get_by_id(log.id).keep_answer == "no"
    assert AuditEvent.select().where(AuditEvent.action == "keep_answer_recorded").exists()
    page = queue_page(auth, log)
    assert log.subject.name in section(page, "deletable-h") and log.subject.name not in section(page, "waiting-h")
    # the family changes its mind: yes makes it passive, with who agreed
    r = auth.persona("holder").post(keep_url(log), data={"keep": "yes", "agreed_by_name": ""})
    assert r.status_code == 422 and Log.get_by_id(log.id).status == LogStatus.CLOSED
    r = auth.persona("holder").post(keep_url(log), data={"keep": "yes", "agreed_by_name": "Mor Testesen"})
    log = Log.get_by_id(log.id)
    assert r.status_code == 303 and (log.status, log.keep_answer, log.keep_agreed_by) == (
        LogStatus.PASSIVE,
        "yes",
        "Mor Testesen",
    )


def test_closing_with_each_answer(ctx, log):
    holder = user("stafettholder")
    with pytest.raises(LogError) as error:
        lifecycle.close_log(holder, Log.get_by_id(log.id), keep="yes")  # yes names who agreed
    assert error.value.field == "agreed_by_name" and Log.get_by_id(log.id).status == LogStatus.ACTIVE
    log = lifecycle.close_log(holder, Log.get_by_id(log.id), keep="yes", agreed_by_name="Mor Testesen")
    assert (log.status, log.keep_answer, log.guardian_agreed_to_keep) == (LogStatus.PASSIVE, "yes", True)
    assert lifecycle.deletion_reason(log) == "passive_by_agreement"
    log = lifecycle.reopen(holder, log)
    assert log.keep_answer == "" and not log.guardian_agreed_to_keep
    Log.update(status=LogStatus.ACTIVE).where(Log.id == log.id).execute()
    log = lifecycle.close_log(holder, Log.get_by_id(log.id), keep="no")
    assert (log.status, log.keep_answer) == (LogStatus.CLOSED, "no")
    assert lifecycle.deletion_reason(log) == "not_kept"


def test_a_deletion_request_answers_no_and_a_withdrawal_asks_later(ctx, log):
    guardian = user("foresatt")
    lifecycle.withdraw_consent(guardian, Log.get_by_id(log.id))
    log = Log.get_by_id(log.id)
    assert (log.status, log.keep_answer) == (LogStatus.CLOSED, "undecided")
    lifecycle.request_deletion(guardian, log, "")
    log = Log.get_by_id(log.id)
    assert log.keep_answer == "no" and lifecycle.deletion_reason(log) == "guardian_request"


def test_a_withdrawal_the_holder_records_at_closing_is_the_familys_withdrawal(auth, log, db_conn):
    """seed 001: the family may withdraw the consent at any time, also by telling the
    holder in a meeting: closing with that reason withdraws the consent in force, so the
    participants no longer read the log, as when the family withdraws on their page."""
    participant = auth.persona("participant")
    assert participant.get(f"/logger/{log.id}").status_code == 200
    r = auth.persona("holder").post(close_url(log), data={"reason": "consent_withdrawn", "keep": "undecided"})
    assert r.status_code == 303 and Log.get_by_id(log.id).status == LogStatus.CLOSED
    assert not Consent.select().where(Consent.log == log.id, states.consent_in_force()).exists()
    page = auth.persona("participant").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Familien har trukket tilbake samtykket" in page and "friminutt" not in page
    assert "friminutt" in auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)


def test_closing_for_another_reason_leaves_the_consent_as_it_was(ctx, log):
    lifecycle.close_log(user("stafettholder"), log, "needs_met", keep="undecided")
    assert Consent.select().where(Consent.log == log.id, states.consent_in_force()).exists()


def test_the_holder_is_reminded_weekly_until_the_answer_is_recorded(ctx, log):
    holder = user("stafettholder")
    lifecycle.close_log(holder, Log.get_by_id(log.id), keep="undecided")
    closed_on = Log.get_by_id(log.id).closed_at.date()

    def reminders():
        return list(Notification.select().where(Notification.kind == "keep_answer_missing").order_by(Notification.id))

    assert send_reminders(closed_on + dt.timedelta(days=3))["keep_answers"] == 0  # not within the first week
    assert send_reminders(closed_on + dt.timedelta(days=8))["keep_answers"] == 1
    assert send_reminders(closed_on + dt.timedelta(days=8))["keep_answers"] == 0  # idempotent
    assert send_reminders(closed_on + dt.timedelta(days=12))["keep_answers"] == 0  # same week
    notes = reminders()
    assert len(notes) == 1 and notes[0].user_id == holder.id and notes[0].log_id == log.id
    assert "familien har ikke svart" in notes[0].message  # a msg() key with parameters, rendered per reader
    assert send_reminders(closed_on + dt.timedelta(days=15))["keep_answers"] == 1  # a week later, again
    lifecycle.record_keep_answer(holder, Log.get_by_id(log.id), "no")
    assert send_reminders(closed_on + dt.timedelta(days=30))["keep_answers"] == 0  # answered: no more


# ------------------------------------------------------------------ every read audited


def reads(endpoint: str, log) -> int:
    return AuditEvent.select().where(AuditEvent.action == f"view:{endpoint}", AuditEvent.log_id == log.id).count()


ITEM_CREATE = "logs.item_create"  # POST /logger/<id>/seksjon/<key>


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "fragment"])
def test_a_refused_section_post_that_shows_the_log_is_audited(auth, log, db_conn, headers):
    """Finding: an empty POST to a section (422) returned the log page or the section
    and wrote no audit event: the read never showed in "Hvem har lest"."""
    an_item(log, "entries", entry_date=local_today(), body="Samtale med mor om friminuttene.")
    before = reads(ITEM_CREATE, log)
    r = auth.persona("participant").post(f"/logger/{log.id}/seksjon/entries", data={}, headers=headers)
    assert r.status_code == 422 and "Samtale med mor om friminuttene." in r.get_data(as_text=True)
    assert reads(ITEM_CREATE, log) == before + 1
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.username, event.log_id) == ("aktor", log.id)
    history = auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True)
    assert user("aktor").job_title in history  # shown by job title, never by name
    assert not Entry.select().where(Entry.log == log.id, Entry.body == "").exists()


def test_a_refused_write_on_a_closed_log_is_audited_and_a_redirect_is_not(auth, log, db_conn):
    client = auth.persona("holder")
    r = client.post(f"/logger/{log.id}/seksjon/entries", data={"entry_date": "2026-01-01", "body": "Notat"})
    assert r.status_code in (200, 303)
    after_write = reads(ITEM_CREATE, log)
    Log.update(status=LogStatus.CLOSED, closed_at=utcnow(), keep_answer="undecided").where(Log.id == log.id).execute()
    r = client.post(f"/logger/{log.id}/seksjon/entries", data={"entry_date": "2026-01-01", "body": "Nytt"})
    assert r.status_code == 409 and reads(ITEM_CREATE, log) == after_write + 1
    # a write that only redirects shows nothing and is not audited as a read
    if r.status_code == 303:
        assert reads(ITEM_CREATE, log) == after_write


def test_requests_that_show_nothing_of_the_log_are_not_audited(auth, log, db_conn):
    client = auth.persona("holder")
    before = AuditEvent.select().count()
    r = client.post(f"/logger/{log.id}/klarsprak", data={"text": "Det undersøkes.", "form": "nb"}, headers=HX)
    assert r.status_code == 200 and AuditEvent.select().count() == before
    r = auth.persona("other_unit_staff").post(f"/logger/{log.id}/seksjon/entries", data={})
    assert r.status_code in (403, 404) and AuditEvent.select().count() == before  # refused: nothing shown
