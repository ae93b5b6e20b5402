"""Database settings, migrations that keep data, health check, invariants, audit table."""

import os
import shutil
import subprocess
import sys

import pytest
from peewee import SqliteDatabase
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.models import MODELS, AuditEvent
from tests.conftest import _make_app

pytestmark = pytest.mark.db


def test_schema_of_migrations_matches_models(app):
    with db.connection_context():
        assert not diff_models(db.obj, MODELS), "models changed without a migration in migrations/"


def test_migration_keeps_data_from_the_previous_schema(tmp_path):
    """A database at schema 0001 holding people is migrated to the newest schema."""
    path = tmp_path / "old.sqlite3"
    old = SqliteDatabase(str(path))
    Runner(old, directory=str(MIGRATIONS_DIR)).up("0001_foundation")
    old.execute_sql("INSERT INTO area (name, created_at) VALUES ('Gamle område', '2024-01-01 00:00:00')")
    old.execute_sql(
        "INSERT INTO unit (area_id, name, kind, active, created_at) VALUES (1, 'Gamle skole', 'skole', 1, '2024-01-01')"
    )
    old.execute_sql(
        "INSERT INTO user (username, password_hash, name, role, job_title, email, phone, unit_id, active, "
        "session_token, must_change_password, created_at) VALUES ('gammel', '', 'Gammel Bruker', 'staff', "
        "'Lærer', 'g@x.no', '1', 1, 1, 'tok', 0, '2024-01-01')"
    )
    old.close()
    app = _make_app(f"sqlite:///{path}")  # migrations run at start
    with db.connection_context():
        from stafettlogg.models import Log, User

        old_user = User.get(User.username == "gammel")
        assert (old_user.name, old_user.unit.name, old_user.unit.area.name) == (
            "Gammel Bruker",
            "Gamle skole",
            "Gamle område",
        )
        assert Log.select().count() == 0  # the newer tables exist
        applied = [row[0] for row in db.execute_sql("SELECT name FROM schema_migration ORDER BY id")]
        assert applied == sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert app is not None


def test_migrate_command_is_idempotent(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}", SECRET_KEY="x")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],  # noqa: E731
            env=env,
            capture_output=True,
            text=True,
            cwd=MIGRATIONS_DIR.parent,
        )

    first = run("migrate")
    assert first.returncode == 0, first.stderr
    second = run("migrate")
    assert second.returncode == 0 and "Skjemaet er oppdatert." in second.stdout


def test_audit_events_are_append_only(app):
    with db.connection_context():
        event = AuditEvent.create(action="test")
        with pytest.raises(Exception, match="append-only"), db.atomic():
            AuditEvent.update(action="changed").where(AuditEvent.id == event.id).execute()
        with pytest.raises(Exception, match="append-only"), db.atomic():
            AuditEvent.delete().where(AuditEvent.id == event.id).execute()
        assert AuditEvent.get_by_id(event.id).action == "test"


def test_the_migration_leaves_one_consent_expired_event_per_consent_the_earliest(database_url, db_conn):
    """0037: overlapping reminder runs may have written a consent's «Samtykket gikk ut»
    twice or more. The copies are removed (the earliest kept), other events stay as they
    are, the table stays append-only, and no run can write the event twice again."""
    from stafettlogg import audit
    from stafettlogg.models import Consent

    name = "0037_consent_expired_once_and_mail_recipient"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    runner.down(name)
    mark = "%s" if "postgres" in database_url else "?"
    rows = [  # action, consent, at
        ("consent_expired", 501, "2026-11-02 06:30:00"),
        ("consent_expired", 501, "2026-11-02 06:30:01"),  # the other server's run
        ("consent_expired", 501, "2026-11-03 06:30:00"),
        ("consent_expired", 502, "2026-11-05 06:30:00"),
        ("consent_uploaded", 501, "2026-10-01 09:00:00"),
        ("consent_uploaded", 501, "2026-10-01 09:00:00"),  # not a consent running out: kept as it is
    ]
    for action, consent, at in rows:
        db.execute_sql(
            "INSERT INTO audit_event (at, username, role, action, log_id, object_type, object_id, ip) "
            f"VALUES ({mark}, '', 'system', {mark}, 7, 'consent', {mark}, '')",
            (at, action, consent),
        )
    before = {
        key: ids for key, ids in _event_ids().items() if key[0] == "consent_expired" or key == ("consent_uploaded", 501)
    }
    runner.up()
    assert _event_ids() == {
        ("consent_expired", 501): before[("consent_expired", 501)][:1],
        ("consent_expired", 502): before[("consent_expired", 502)],
        ("consent_uploaded", 501): before[("consent_uploaded", 501)],
    }
    [kept] = AuditEvent.select().where(AuditEvent.action == "consent_expired", AuditEvent.object_id == 501)
    assert str(kept.at).startswith("2026-11-02 06:30:00")
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditEvent.delete().where(AuditEvent.id == kept.id).execute()
    consent = Consent(id=501)
    assert audit.record_once("consent_expired", log=7, obj=consent, role="system") is False
    assert audit.record_once("consent_expired", log=7, obj=Consent(id=503), role="system") is True
    assert len(_event_ids()[("consent_expired", 501)]) == 1


def _event_ids() -> dict:
    ids: dict = {}
    for action, object_id, event_id in (
        AuditEvent.select(AuditEvent.action, AuditEvent.object_id, AuditEvent.id)
        .where(AuditEvent.object_type == "consent", AuditEvent.log_id == 7)
        .order_by(AuditEvent.id)
        .tuples()
    ):
        ids.setdefault((action, object_id), []).append(event_id)
    return ids


def test_healthz_reports_unreachable_database(tmp_path):
    path = tmp_path / "h.sqlite3"
    app = _make_app(f"sqlite:///{path}")
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}
    db.close() if not db.is_closed() else None
    os.remove(path)
    os.mkdir(path)  # a directory where the database file was: cannot be opened
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.get_json()["db"] == "unreachable"
    shutil.rmtree(path)
