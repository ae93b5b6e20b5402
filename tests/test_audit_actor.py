"""An audit event keeps who the person was when it happened (their job title and unit
then): the family's access history and the archive's history show a teacher who has since
moved to another school, or changed title, as the reader they were. Events written before
the event kept it (migration 0033) show the person as they are now."""

import re

import pytest

from stafettlogg import audit
from stafettlogg.archive import events
from stafettlogg.db import db, write_transaction
from stafettlogg.models import AuditEvent, Unit, User
from tests.conftest import ON_POSTGRES, a_log, user

pytestmark = pytest.mark.db


def _rows(html: str) -> list[str]:
    """The access history's rows as text, newest first."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>") if "<td" in row]


def _moves(username: str, title: str, unit_name: str) -> None:
    with db.connection_context(), write_transaction():
        unit = Unit.get(Unit.name == unit_name)
        User.update(job_title=title, unit=unit).where(User.username == username).execute()


def test_the_access_history_shows_the_reader_as_they_were_when_they_read(auth, db_conn):
    log = a_log()
    participant = user("aktor")
    then_title, then_unit = participant.job_title, participant.unit.name
    other = Unit.select().where(Unit.id.not_in([participant.unit_id, log.unit_id]), Unit.kind == "skole").first()
    assert auth.persona("participant").get(f"/logger/{log.id}").status_code == 200
    _moves("aktor", "Avdelingsleder", other.name)

    rows = _rows(auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True))
    read = [row for row in rows if then_title in row]
    assert read and then_unit in read[0], rows
    assert not any("Avdelingsleder" in row or other.name in row for row in rows), rows


def test_the_start_pages_reads_keep_the_reader_as_they_were(app, db_conn):
    """record_reads (one statement for the logs a list names) keeps the title and unit too."""
    log = a_log()
    holder = user("stafettholder")
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(holder)
        audit.record_reads("view:main.start", {log.id: "holder"})
    event = AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action == "view:main.start").get()
    assert (event.actor_title, event.actor_unit_id) == (holder.job_title, holder.unit_id)


def test_a_family_member_keeps_no_title_or_unit(app, db_conn):
    log = a_log()
    event = audit.record("view:guardian.show", log=log, user=user("foresatt"), role="guardian")
    assert (event.actor_title, event.actor_unit_id) == ("", None)
    assert audit.record("reminders_sent").actor_title is None  # the system is nobody


def test_an_event_from_before_shows_the_person_as_they_are_now(auth, db_conn):
    log = a_log()
    participant = user("aktor")
    with write_transaction():
        AuditEvent.create(user_id=participant.id, role="participant", action="view:logs.show", log_id=log.id)
    rows = _rows(auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True))
    assert any(participant.job_title in row and participant.unit.name in row for row in rows), rows


def test_the_archive_history_names_the_job_title_the_person_had(auth, db_conn):
    log = a_log()
    kn = User.create(username="kn4821x", name="Kari Nordmann", role="staff", job_title="Kontaktlærer", unit=log.unit)
    audit.record("consent_uploaded", log=log, obj=log, user=kn, role="participant")
    User.update(job_title="Rektor").where(User.id == kn.id).execute()
    lines = [line.text for line in events.history(log.id)]
    assert any(line.startswith("Kari Nordmann (kontaktlærer) lastet opp samtykke") for line in lines), lines
    assert not any("rektor" in line for line in lines), lines


def test_the_migration_keeps_events_and_their_append_only_guard(database_url, db_conn):
    """0033 down and up again: the events written meanwhile show the person as they are
    now, and the audit stays append-only (the columns are dropped, not the table rebuilt)."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR

    name = "0033_audit_actor_at_the_time"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down(name)
    db.execute_sql("INSERT INTO audit_event (at, user_id, username, role, action, object_type, ip) VALUES "
                   "('2026-12-01 08:00:00', NULL, '', 'system', 'mig-0033', '', '')")  # fmt: skip
    runner.up()
    event = AuditEvent.get(AuditEvent.action == "mig-0033")
    assert (event.actor_title, event.actor_unit_id) == (None, None)
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditEvent.update(action="changed").where(AuditEvent.id == event.id).execute()
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()
    if not ON_POSTGRES:  # ids are never reused (0021): the table keeps AUTOINCREMENT
        sql = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'audit_event'").fetchone()[0]
        assert "AUTOINCREMENT" in sql.upper()


def test_reads_before_and_after_a_move_in_the_same_hour_are_two_lines(auth, db_conn):
    """Repeated reads within an hour are one line with a count, but only while the reader
    is the same person as the line names: a read before a move (or in another role) is
    not counted into the line that shows the title and unit they had later."""
    import datetime as dt

    log = a_log()
    participant = user("aktor")
    other = Unit.select().where(Unit.id.not_in([participant.unit_id, log.unit_id]), Unit.kind == "skole").first()
    start = dt.datetime(2026, 1, 1, 8, 5)
    reads = [
        (0, "participant", participant.job_title, participant.unit_id),
        (10, "participant", participant.job_title, participant.unit_id),
        (20, "participant", "Avdelingsleder", other.id),
        (30, "holder", "Avdelingsleder", other.id),
    ]
    with write_transaction():
        for minutes, role, title, unit_id in reads:
            AuditEvent.create(
                at=start + dt.timedelta(minutes=minutes),
                user_id=participant.id,
                username=participant.username,
                role=role,
                action="view:logs.show",
                log_id=log.id,
                actor_title=title,
                actor_unit_id=unit_id,
            )
    rows = _rows(auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True))
    before = [row for row in rows if participant.job_title in row and participant.unit.name in row]
    after = [row for row in rows if "Avdelingsleder" in row and other.name in row]
    assert len(before) == 1 and "2 ganger" in before[0], rows
    assert len(after) == 2 and not any("ganger" in row for row in after), rows
