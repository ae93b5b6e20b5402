"""Deleting a log leaves no row referring to it in any table: the models are walked, so a
table added later that points at a log fails here until the purge deletes its rows."""

import pytest
from peewee import ForeignKeyField, IntegerField

from stafettlogg.dates import local_today
from stafettlogg.logs import lifecycle as life
from stafettlogg.models import (
    MODELS,
    ChildTalk,
    ChildTalkAgreement,
    ClassGroupPeriod,
    DeletionRequest,
    GuideAnswer,
    Handover,
    Log,
    LogPeriod,
    LogRequest,
    LogStatus,
    Notification,
    utcnow,
)
from stafettlogg.notify import msg, send_email
from tests.conftest import a_log, a_measure, a_meeting, an_item, user

pytestmark = pytest.mark.db

# Tables that keep a deleted log's id on purpose, never its content: the audit trail,
# the tombstone and the record of what was sent to the archive.
KEEPS_THE_ID = {"AuditEvent", "LogTombstone", "ArchiveDelivery"}


def _pointing_at_logs():
    """(model, field) for every column that refers to a log: foreign keys to Log and
    integer columns named log_id."""
    for model in MODELS:
        for field in model._meta.sorted_fields:
            to_log = isinstance(field, ForeignKeyField) and field.rel_model is Log
            log_id = (
                isinstance(field, IntegerField) and not isinstance(field, ForeignKeyField) and field.name == "log_id"
            )
            if to_log or log_id:
                yield model, field


def _dangling():
    """Rows whose foreign key names a row that no longer exists (children of the log's rows)."""
    found = []
    for model in MODELS:
        for field in model._meta.sorted_fields:
            if not isinstance(field, ForeignKeyField):
                continue
            target = field.rel_model
            existing = target.select(target._meta.primary_key)
            count = model.select().where(field.is_null(False), field.not_in(existing)).count()
            if count:
                found.append(f"{model.__name__}.{field.name}: {count}")
    return found


def test_deleting_a_log_leaves_no_row_referring_to_it(app, db_conn):
    log = a_log()
    today = local_today()
    an_item(log, "goals", body="Barnet har en venn i friminuttene.")
    a_measure(log)
    an_item(log, "highlights", by="aktor", body="Barnet hoppet tau.")
    an_item(log, "entries", entry_date=today, body="Samtale med mor.")
    a_meeting(log)
    with app.test_request_context():
        agreement = ChildTalkAgreement.create(
            log=log, adult="Kari", every_days=7, start_date=local_today(), author=log.holder
        )
        ChildTalk.create(
            log=log, agreement=agreement, talked_on=local_today(), who="Kari", how_it_goes="Bra", author=log.holder
        )
        GuideAnswer.create(log=log, result_id="ip_koordinator", answered_by=log.holder)
        ClassGroupPeriod.create(log=log, unit=log.unit, school_year=2025, class_group="4B")
        LogPeriod.create(log=log, started_at=utcnow(), ended_at=utcnow())
        Notification.create(user=log.holder, kind="test", message="{}", log_id=log.id, dedupe_key="purge-all")
        send_email("mor@example.no", msg("Ny stafettholder"), msg("Ny stafettholder"), log=log)
        Handover.create(log=log, from_user=log.holder, to_user=user("larer"), created_by=log.holder)
        DeletionRequest.create(log=log, requested_by=user("foresatt"), handled_at=utcnow(), outcome="refused")
        LogRequest.create(log=log, requester=user("kontaktlaerer"))
        columns = list(_pointing_at_logs())
        before = {(m.__name__, f.name): m.select().where(f == log.id).count() for m, f in columns}
        empty = [key for key, n in before.items() if n == 0 and key[0] not in KEEPS_THE_ID]
        assert empty == [], f"the test must first put a row in every table that refers to a log: {empty}"

        Log.update(status=LogStatus.CLOSED, guardian_agreed_to_keep=False, keep_answer="no").where(
            Log.id == log.id
        ).execute()
        life.delete_log(user("enhetsleder"), Log.get_by_id(log.id), "not_kept", "aldri tatt i bruk")

        left = {
            f"{m.__name__}.{f.name}": m.select().where(f == log.id).count()
            for m, f in columns
            if m.__name__ not in KEEPS_THE_ID
        }
        assert {k: n for k, n in left.items() if n} == {}
        assert _dangling() == []
