"""Row locks say one rule (db.locked): a write re-reads the row it judges inside its
transaction, under a lock that makes a concurrent change of that row wait, and lets a
row that only refers to it (an audit event) go in."""

import re
import sqlite3
from pathlib import Path

import pytest

from stafettlogg.db import locked, write_transaction
from stafettlogg.models import Log
from tests.conftest import ON_POSTGRES, a_log

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent / "stafettlogg"


def _other_connection(url: str):
    """A second connection that gives up at once on a lock."""
    if ON_POSTGRES:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+pool://", "postgresql://"), autocommit=True)
        conn.execute("SET lock_timeout = '200ms'")
        return conn
    return sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.2, isolation_level=None)


def _tries(conn, sql: str) -> bool:
    """Did the statement go through (False: it waited for a lock and gave up)?"""
    sql = sql if ON_POSTGRES else sql.replace("%s", "?")
    try:
        conn.execute(sql, (1,))
    except Exception as exc:  # psycopg LockNotAvailable, sqlite3 OperationalError
        assert "lock" in str(exc).lower(), exc
        return False
    return True


def test_a_locked_log_makes_a_change_of_it_wait_but_not_a_row_that_refers_to_it(app, db_conn, database_url):
    log = a_log()
    other = _other_connection(database_url)
    try:
        with write_transaction():
            fresh = locked(Log.select().where(Log.id == log.id))
            assert fresh.id == log.id
            changed = _tries(other, f"UPDATE log SET level = %s WHERE id = {log.id}")
            # a row whose foreign key refers to the log: on PostgreSQL FOR NO KEY UPDATE leaves
            # the key check's KEY SHARE alone; SQLite's BEGIN IMMEDIATE holds every writer
            referred = _tries(
                other,
                "INSERT INTO entry (log_id, entry_date, body, body_html, author_id, created_at, updated_at, version) "
                f"VALUES ({log.id}, '2026-01-01', 'x', 'x', {log.holder_id}, '2026-01-01', '2026-01-01', %s)",
            )
        assert not changed
        assert referred == ON_POSTGRES
        assert _tries(other, f"UPDATE log SET level = %s WHERE id = {log.id}")  # after the commit
    finally:
        other.close()


def test_a_shared_lock_lets_another_share_it_and_makes_a_change_wait(app, db_conn, database_url):
    log = a_log()
    other = _other_connection(database_url)
    try:
        with write_transaction():
            locked(Log.select().where(Log.id == log.id), share=True)
            changed = _tries(other, f"UPDATE log SET level = %s WHERE id = {log.id}")
            shared = not ON_POSTGRES or _tries(other, f"SELECT id FROM log WHERE id = {log.id} AND 1 = %s FOR SHARE")
        assert not changed and shared
    finally:
        other.close()


def test_a_lock_is_taken_inside_a_write_transaction_only(app, db_conn):
    log = a_log()
    with pytest.raises(RuntimeError, match="inside a write transaction"):
        locked(Log.select().where(Log.id == log.id))
    with write_transaction():
        assert locked(Log.select().where(Log.id == 10**12)) is None


NO_OP_UPDATE = re.compile(r"\.update\((\w+)=[A-Z]\w*\.\1\)")


def test_no_module_locks_a_row_its_own_way():
    """db.locked is the one way to lock a row: no no-op UPDATE (it writes a row version and
    locks like a change) and no FOR UPDATE of its own, but the outbox's SKIP LOCKED (each
    sender takes the e-mails no other holds)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "db.py":
            continue
        text = path.read_text()
        found += [f"{path.name}: {m.group(0)}" for m in NO_OP_UPDATE.finditer(text)]
        for line in text.splitlines():
            if "for_update(" in line and "skip_locked=True" not in line:
                found.append(f"{path.name}: {line.strip()}")
    assert found == []
