"""Numbers are never given out twice. SQLite reuses the highest rowid of a table once
that row is deleted, unless the key is declared AUTOINCREMENT: a deleted log's number
then went to the next new log, with the old log's access history and tombstone.

On SQLite every table whose "id" is a plain INTEGER PRIMARY KEY is rebuilt with
AUTOINCREMENT, keeping every row and every id as it is (indexes and triggers, such as
the audit table's append-only triggers, are recreated from their own SQL). The next
number of each table starts above every id the database still refers to: the table's
own rows, audit events naming that kind of object, and for logs the tombstones,
notifications and audit events of deleted logs; for users the audit events of removed
accounts. PostgreSQL sequences never give a number out twice; nothing to do there.

The same rebuild runs for any table a later migration creates without AUTOINCREMENT
(tests/test_ids.py checks every table of a migrated database).
"""

import re

from peewee import SqliteDatabase

PLAIN_KEY = re.compile(r'"id" INTEGER NOT NULL PRIMARY KEY(?! AUTOINCREMENT)')


def _tables(db):
    rows = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(name, sql) for name, sql in rows if sql and PLAIN_KEY.search(sql)]


def _max(db, sql, params=()):
    try:
        value = db.execute_sql(sql, params).fetchone()[0]
    except Exception:  # a table this query names may not exist yet
        return 0
    return int(value or 0)


def _highest_referred(db, table):
    """The highest id of this table that anything in the database names."""
    quoted = f'"{table}"'
    highest = _max(db, f"SELECT MAX(id) FROM {quoted}")
    kind = table.replace("_", "")  # audit.record names objects by model class, lower case
    highest = max(highest, _max(db, "SELECT MAX(object_id) FROM audit_event WHERE object_type = ?", (kind,)))
    if table == "log":
        for sql in (
            "SELECT MAX(log_id) FROM audit_event",
            "SELECT MAX(log_id) FROM log_tombstone",
            "SELECT MAX(log_id) FROM notification",
        ):
            highest = max(highest, _max(db, sql))
    if table == "user":
        highest = max(highest, _max(db, "SELECT MAX(user_id) FROM audit_event"))
    return highest


def rebuild_with_autoincrement(db):
    """Rebuild each table without AUTOINCREMENT (inside the runner's transaction; the
    SQLite migrator has turned foreign keys off, so dropping the old table cascades
    nothing)."""
    for table, sql in _tables(db):
        extras = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            (table,),
        ).fetchall()
        highest = _highest_referred(db, table)
        new = f"{table}__autoincrement"
        create = PLAIN_KEY.sub('"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT', sql, count=1)
        create = re.sub(r'^CREATE TABLE (IF NOT EXISTS )?"?' + re.escape(table) + '"?', f'CREATE TABLE "{new}"', create)
        db.execute_sql(create)
        db.execute_sql(f'INSERT INTO "{new}" SELECT * FROM "{table}"')
        db.execute_sql(f'DROP TABLE "{table}"')
        db.execute_sql(f'ALTER TABLE "{new}" RENAME TO "{table}"')
        for (extra,) in extras:
            db.execute_sql(extra)
        # the next id is above every id anything refers to (INSERT above set it to MAX(id))
        db.execute_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        db.execute_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, highest))
    problems = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")


def up(migrator, db):
    if isinstance(getattr(db, "obj", db), SqliteDatabase):
        rebuild_with_autoincrement(db)


def down(migrator, db):
    pass  # AUTOINCREMENT only keeps numbers unique; taking it away would allow reuse again
