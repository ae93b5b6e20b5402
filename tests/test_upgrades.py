"""Explicit upgrades and restore across versions, on SQLite and PostgreSQL.

Only `flask migrate` changes the schema; production refuses to start on another schema;
`backup` never migrates and carries its schema version; restore is all or nothing, takes
an older backup (then `migrate`) and refuses a newer one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playhouse.migrations import Runner

from stafettlogg import backup as backups
from stafettlogg.db import MIGRATIONS_DIR, SchemaMismatch, migration_names, open_database
from tests.conftest import ON_POSTGRES, _make_app

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
OLD = "0007_lifecycle_agreement"


def _at_old_version(url: str) -> None:
    """A database as the previous program version left it, with people and a notice."""
    old = open_database(url)
    Runner(old, directory=str(MIGRATIONS_DIR)).up(OLD)
    old.execute_sql("INSERT INTO area (name, created_at) VALUES ('Gamle område', '2024-01-01 00:00:00')")
    old.execute_sql(
        "INSERT INTO unit (area_id, name, kind, active, created_at) VALUES (1, 'Gamle skole', 'skole', true, '2024-01-01')"
    )
    old.execute_sql(
        'INSERT INTO "user" (username, password_hash, name, role, job_title, email, phone, unit_id, active, '
        "session_token, must_change_password, created_at) VALUES ('gammel', '', 'Gammel Bruker', 'staff', "
        "'Lærer', 'g@x.no', '1', 1, true, 'tok', false, '2024-01-01')"
    )
    old.execute_sql(
        "INSERT INTO notification (user_id, kind, text, url, dedupe_key, created_at) "
        "VALUES (1, 'old', 'Gammelt varsel', '/', 'k1', '2024-01-01')"
    )
    old.close()


def _schema(url: str) -> list[str]:
    conn = open_database(url)
    try:
        return sorted(row[0] for row in conn.execute_sql("SELECT name FROM schema_migration").fetchall())
    finally:
        conn.close()


def _query(url: str, sql: str):
    conn = open_database(url)
    try:
        return conn.execute_sql(sql).fetchall()
    finally:
        conn.close()


def _flask(url: str, *args: str, demo: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="x")
    env.pop("STAFETTLOGG_DEMO", None)
    if demo:
        env["STAFETTLOGG_DEMO"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


def test_production_refuses_to_start_on_an_older_schema_and_names_migrate(empty_url):
    _at_old_version(empty_url)
    with pytest.raises(SchemaMismatch, match=r"flask --app app migrate"):
        _make_app(empty_url, TESTING=False, MIGRATE_ON_START=None)
    started = subprocess.run(
        [sys.executable, "-c", "import app"],
        env=dict(os.environ, DATABASE_URL=empty_url, SECRET_KEY="x"),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert started.returncode != 0 and "flask --app app migrate" in started.stderr
    # gunicorn stops with "worker failed to boot" (3): systemd does not restart it in a loop
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "app:app"],
        env=dict(os.environ, DATABASE_URL=empty_url, SECRET_KEY="x"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert gunicorn.returncode == 3 and "flask --app app migrate" in gunicorn.stderr
    assert _schema(empty_url)[-1] == OLD  # nothing changed


def test_every_command_but_migrate_refuses_an_older_schema_and_backup_does_not_migrate(empty_url, tmp_path):
    _at_old_version(empty_url)
    refused = _flask(empty_url, "send-reminders")
    assert refused.returncode == 1 and "flask --app app migrate" in refused.stderr
    saved = _flask(empty_url, "backup", str(tmp_path / "before-upgrade.bak"))
    assert saved.returncode == 0, saved.stderr
    assert f"skjemaversjon {OLD}" in saved.stdout
    assert _schema(empty_url)[-1] == OLD
    assert backups.schema_of_backup(empty_url, tmp_path / "before-upgrade.bak")[-1] == OLD
    # demo mode may migrate when the app starts, but commands never do
    demo = _flask(empty_url, "check-invariants", demo=True)
    assert demo.returncode == 1 and "flask --app app migrate" in demo.stderr
    assert _schema(empty_url)[-1] == OLD


def test_migrate_lists_what_it_applies_and_dry_run_changes_nothing(empty_url):
    _at_old_version(empty_url)
    pending = [name for name in migration_names() if name > OLD]
    dry = _flask(empty_url, "migrate", "--dry-run")
    assert dry.returncode == 0 and all(f"Ville tatt i bruk: {name}" in dry.stdout for name in pending)
    assert _schema(empty_url)[-1] == OLD
    done = _flask(empty_url, "migrate")
    assert done.returncode == 0 and all(f"Tatt i bruk: {name}" in done.stdout for name in pending), done.stdout
    assert _schema(empty_url) == migration_names()
    again = _flask(empty_url, "migrate")
    assert "Skjemaet er oppdatert." in again.stdout
    app = _make_app(empty_url, TESTING=False, MIGRATE_ON_START=None)  # starts now
    assert app is not None


def test_an_older_backup_restores_and_migrate_brings_the_same_data(empty_url, tmp_path):
    _at_old_version(empty_url)
    target = tmp_path / "old.bak"
    assert _flask(empty_url, "backup", str(target)).returncode == 0
    assert _flask(empty_url, "migrate").returncode == 0
    upgraded = _query(empty_url, 'SELECT username, name FROM "user" ORDER BY id')
    _query(empty_url, "SELECT 1")
    conn = open_database(empty_url)
    conn.execute_sql("UPDATE \"user\" SET name = 'Endret etter oppgradering'")
    conn.execute_sql("DELETE FROM notification")
    conn.close()

    restored = _flask(empty_url, "restore", "--yes", str(target))
    assert restored.returncode == 0, restored.stderr
    assert "flask --app app migrate" in restored.stdout
    assert _schema(empty_url)[-1] == OLD
    assert _flask(empty_url, "migrate").returncode == 0
    assert _schema(empty_url) == migration_names()
    assert _query(empty_url, 'SELECT username, name FROM "user" ORDER BY id') == upgraded
    [(message,)] = _query(empty_url, "SELECT message FROM notification")
    assert "Gammelt varsel" in message


def test_a_newer_backup_is_refused_and_nothing_changes(database_url, tmp_path):
    conn = open_database(database_url)
    conn.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('9999_from_the_future', '2030-01-01')")
    conn.close()
    target = tmp_path / "newer.bak"
    assert _flask(database_url, "backup", str(target)).returncode == 0
    conn = open_database(database_url)
    conn.execute_sql("DELETE FROM schema_migration WHERE name = '9999_from_the_future'")
    conn.execute_sql("UPDATE log SET class_group = 'FØR' WHERE id = 1")
    conn.close()
    refused = _flask(database_url, "restore", "--yes", str(target))
    assert refused.returncode == 1 and "nyere programversjon" in refused.stderr
    assert _query(database_url, "SELECT class_group FROM log WHERE id = 1") == [("FØR",)]
    assert _schema(database_url) == migration_names()


def test_a_restore_that_fails_half_way_leaves_the_previous_data(database_url, tmp_path, monkeypatch):
    target = tmp_path / "good.bak"
    assert _flask(database_url, "backup", str(target)).returncode == 0
    conn = open_database(database_url)
    conn.execute_sql("UPDATE log SET class_group = 'ETTER' WHERE id = 1")
    conn.close()
    if ON_POSTGRES:
        real = backups._restore_script
        # every table is loaded, then the last statement fails: the whole restore rolls back
        monkeypatch.setattr(backups, "_restore_script", lambda source: real(source) + "SELECT 1 / 0;\n")
        with pytest.raises(RuntimeError, match="rullet tilbake"):
            backups.restore(database_url, target)
        schemas = {row[0] for row in _query(database_url, "SELECT nspname FROM pg_namespace")}
        assert "stafettlogg_replaced" not in schemas
        monkeypatch.undo()
    else:
        damaged = tmp_path / "damaged.bak"
        data = target.read_bytes()
        damaged.write_bytes(data[: len(data) // 2])
        with pytest.raises(backups.RestoreRefused):
            backups.restore(database_url, damaged)
    assert _query(database_url, "SELECT class_group FROM log WHERE id = 1") == [("ETTER",)]
    assert _schema(database_url) == migration_names()
    # and the good backup still restores
    backups.restore(database_url, target)
    assert _query(database_url, "SELECT class_group FROM log WHERE id = 1") != [("ETTER",)]


def test_a_database_without_a_schema_is_not_backed_up_over_good_backups(empty_url, tmp_path):
    """A wrong DATABASE_URL (a new, empty file or database) is no database to back up: the
    nightly `backup --keep` refuses it, and the good backups it would rotate out stay."""
    folder = tmp_path / "backups"
    folder.mkdir()
    good = [folder / "stafettlogg-20261201-010000.bak", folder / "stafettlogg-20261202-010000.bak"]
    for path in good:
        path.write_bytes(b"a good backup")
    refused = _flask(empty_url, "backup", "--keep", "2", str(folder))
    assert refused.returncode == 1, refused.stdout
    assert "DATABASE_URL" in refused.stderr and "ingen skjemaversjon" in refused.stderr
    assert sorted(folder.iterdir()) == good


def test_a_migration_that_fails_half_way_is_rolled_back_and_named(database_url, tmp_path, monkeypatch):
    """`migrate` lists each migration as it is applied; one that fails is rolled back
    (each is one transaction) and named with its error, the ones before it stay applied,
    and the operator is told what to do — not left with a traceback."""
    import shutil

    from stafettlogg import db as database

    app = _make_app(database_url)
    before = migration_names()
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / "0098_works.py").write_text(
        "def up(migrator, db):\n    db.execute_sql('CREATE TABLE works_098 (id INTEGER)')\n"
    )
    (folder / "0099_fails.py").write_text(
        "def up(migrator, db):\n"
        "    db.execute_sql('CREATE TABLE half_099 (id INTEGER)')\n"
        "    raise RuntimeError('kolonnen finnes allerede')\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS_DIR", folder)
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 1
    assert "Tatt i bruk: 0098_works" in result.output
    assert "0099_fails" in result.output and "kolonnen finnes allerede" in result.output
    assert "rullet tilbake" in result.output and "migrate" in result.output
    assert not isinstance(result.exception, RuntimeError)  # a message, not a traceback
    assert _schema(database_url) == [*before, "0098_works"]
    assert _query(database_url, "SELECT COUNT(*) FROM works_098") == [(0,)]  # the applied one's table is there
    with pytest.raises(Exception, match="half_099"):
        _query(database_url, "SELECT * FROM half_099")
