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
    assert second.returncode == 0 and "schema is up to date" in second.stdout


def test_audit_events_are_append_only(app):
    with db.connection_context():
        event = AuditEvent.create(action="test")
        with pytest.raises(Exception, match="append-only"), db.atomic():
            AuditEvent.update(action="changed").where(AuditEvent.id == event.id).execute()
        with pytest.raises(Exception, match="append-only"), db.atomic():
            AuditEvent.delete().where(AuditEvent.id == event.id).execute()
        assert AuditEvent.get_by_id(event.id).action == "test"


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
