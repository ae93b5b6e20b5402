"""Numbers are never given out twice: a deleted log's number (and every id audit events,
tombstones and e-mails refer to) never goes to a new row, on SQLite (AUTOINCREMENT,
migration 0021) and on PostgreSQL (sequences)."""

import shutil
import sqlite3

import pytest
from peewee import SqliteDatabase
from playhouse.migrations import Runner

from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.logs import lifecycle
from stafettlogg.models import AuditEvent, Log, LogTombstone, Role, User
from tests.conftest import ON_POSTGRES, new_log, user

pytestmark = pytest.mark.db

NEW_MIGRATIONS = ("0008_keep_answer", "0021_ids_never_reused")


def _delete(log: Log) -> None:
    holder = User.get_by_id(log.holder_id)
    if log.status in lifecycle.OPEN:
        lifecycle.close_log(holder, log, keep="no")
    leader = User.get(User.role == Role.UNIT_LEADER, User.unit == log.unit_id)
    log = Log.get_by_id(log.id)
    lifecycle.delete_log(leader, log, lifecycle.deletion_reason(log), "aldri tatt i bruk")


def test_a_deleted_logs_number_is_never_given_to_a_new_log(app, auth, db_conn):
    """Finding: on SQLite the newest log's number went to the next new log, which then
    showed the deleted child's access history and could not be deleted (HTTP 500)."""
    first = new_log(auth)
    assert first.id == Log.select().order_by(Log.id.desc()).first().id  # the newest log
    holder = auth.persona("holder")
    assert holder.get(f"/logger/{first.id}").status_code == 200  # a read, audited
    with app.test_request_context():
        _delete(first)
    assert Log.get_or_none(Log.id == first.id) is None and LogTombstone.get(LogTombstone.log_id == first.id)
    old_events = AuditEvent.select().where(AuditEvent.log_id == first.id).count()

    second = new_log(auth, name="Mia Nyfødt")
    assert second.id > first.id  # a new number
    # its access history is its own: nothing the deleted log's readers did
    assert AuditEvent.select().where(AuditEvent.log_id == second.id).count() == 1  # log_created
    assert AuditEvent.select().where(AuditEvent.log_id == first.id).count() == old_events
    with app.test_request_context():
        _delete(second)  # and it can be deleted: no tombstone clash
    assert {t.log_id for t in LogTombstone.select()} >= {first.id, second.id}


def test_every_id_is_autoincrement_on_sqlite(app, db_conn):
    if ON_POSTGRES:
        pytest.skip("PostgreSQL sequences never give a number out twice")
    tables = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    plain = [name for name, sql in tables if '"id" INTEGER NOT NULL PRIMARY KEY' in sql and "AUTOINCREMENT" not in sql]
    assert plain == [], (
        "tables whose numbers SQLite would reuse; a migration numbered after 0021 that creates a table "
        "must rebuild it as 0021 does (rebuild_with_autoincrement)"
    )


def _copy_rows(source: str, target: str) -> None:
    """Every row of the source database into the same tables of the target, the columns
    both have (the target is at an older schema)."""
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("ATTACH DATABASE ? AS src", (source,))
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_migration'"
        )
    ]
    for table in tables:
        mine = [row[1] for row in conn.execute(f'PRAGMA main.table_info("{table}")')]
        theirs = {row[1] for row in conn.execute(f'PRAGMA src.table_info("{table}")')}
        columns = ", ".join(f'"{c}"' for c in mine if c in theirs)
        conn.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM src."{table}"')
    conn.commit()
    conn.close()


def test_the_migrations_fix_a_database_that_ran_later_ones_without_renumbering(app, tmp_path):
    """A database in use already ran 0009–0013 (and perhaps later ones) when 0008 and
    0021 arrive: the runner applies both; every row keeps its id, the audit table stays
    append-only, and the next log number is above the deleted log's."""
    if ON_POSTGRES:
        pytest.skip("the rebuild is SQLite's; PostgreSQL is covered by the test above")
    with db.connection_context(), app.test_request_context():
        newest = Log.select().order_by(Log.id.desc()).first()
        _delete(newest)  # the highest number now lives only in the tombstone and the audit
        full = db.obj.database
    old_dir = tmp_path / "old_migrations"
    old_dir.mkdir()
    for path in MIGRATIONS_DIR.glob("[0-9]*.py"):
        if path.stem not in NEW_MIGRATIONS:
            shutil.copy(path, old_dir / path.name)
    old_path = str(tmp_path / "old.sqlite3")
    old = SqliteDatabase(old_path, pragmas={"foreign_keys": 1})
    Runner(old, directory=str(old_dir)).up()
    old.close()
    _copy_rows(full, old_path)
    before = sqlite3.connect(old_path)
    tables = [
        r[0] for r in before.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    ]
    rows_before = {t: before.execute(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in tables}
    indexes_before = sorted(before.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"))
    closed_ids = [
        r[0] for r in before.execute("SELECT id FROM log WHERE status = 'closed' AND NOT guardian_agreed_to_keep")
    ]
    passive_ids = [r[0] for r in before.execute("SELECT id FROM log WHERE status = 'passive'")]
    before.close()

    old = SqliteDatabase(old_path, pragmas={"foreign_keys": 1})
    applied = Runner(old, directory=str(MIGRATIONS_DIR)).up()
    old.close()
    assert applied == list(NEW_MIGRATIONS)  # the lower-numbered pending file runs too

    after = sqlite3.connect(old_path)
    for table in tables:
        rows = after.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
        if table == "log":
            rows = [row[:-1] for row in rows]  # 0008 added keep_answer at the end
        if table != "schema_migration":
            assert rows == rows_before[table], table  # nothing renumbered, nothing lost
    assert sorted(after.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")) == indexes_before
    assert after.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        after.execute("UPDATE audit_event SET action = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        after.execute("DELETE FROM audit_event")
    seq = dict(after.execute("SELECT name, seq FROM sqlite_sequence"))
    assert seq["log"] == newest.id and newest.id > after.execute("SELECT MAX(id) FROM log").fetchone()[0]
    # earlier closed logs answered "no, or not decided yet" as one: now "not decided yet"
    answers = dict(after.execute("SELECT id, keep_answer FROM log"))
    assert closed_ids and {answers[i] for i in closed_ids} == {"undecided"}
    assert {answers[i] for i in passive_ids} <= {"yes"}
    after.execute(
        "INSERT INTO area (name, created_at) VALUES ('Nytt område', '2026-01-01 00:00:00')"
    )  # AUTOINCREMENT: a new row goes above every id ever used
    after.close()


def test_deleted_guardian_accounts_numbers_are_not_reused(app, db_conn):
    """A guardian account that existed only for a deleted log is removed; the audit keeps
    its id, so a new account must not get it."""
    with app.test_request_context():
        guardian = user("foresatt")
        highest = User.select().order_by(User.id.desc()).first().id
        User.create(username="ny-bruker", password_hash="", name="Ny Bruker", role=Role.GUARDIAN, session_token="t-ny")
        newest = User.get(User.username == "ny-bruker")
        assert newest.id == highest + 1
        User.delete().where(User.id == newest.id).execute()
        again = User.create(
            username="ny-bruker2", password_hash="", name="Ny Bruker", role=Role.GUARDIAN, session_token="t-ny2"
        )
        assert again.id > newest.id and guardian.id < again.id
