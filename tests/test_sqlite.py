"""SQLite-only settings (SECURITY.md "Nothing lost"). Not marked db: the PostgreSQL run
leaves them out rather than skipping them."""

import sqlite3
from pathlib import Path

from stafettlogg.dates import local_today
from stafettlogg.db import db, write_transaction
from stafettlogg.logs import sections
from stafettlogg.models import Entry
from tests.conftest import a_log, an_item, user


def test_sqlite_pragmas(app):
    with db.connection_context():
        pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("synchronous") == 2  # FULL
        assert pragma("secure_delete") == 1


def test_a_corrected_or_deleted_text_leaves_no_trace_in_the_database_file(app, db_conn):
    """What a holder corrects or deletes (the wrong child's name, a note about another
    child) is overwritten in the file at once, not left in free space until a VACUUM:
    a backup copies the file as it is."""
    log = a_log()
    corrected = an_item(log, "entries", entry_date=local_today(), body="Skrevet om feil barn: Ola Feilnavnesen.")
    deleted = an_item(log, "entries", entry_date=local_today(), body="Et notat om Per Slettesen.")
    with write_transaction():
        Entry.update(body="Rettet.", body_html="<p>Rettet.</p>").where(Entry.id == corrected.id).execute()
    sections.delete_item(user("stafettholder"), log, sections.SECTIONS["entries"], Entry.get_by_id(deleted.id))
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = Path(app.config["DATABASE_URL"].split("sqlite:///", 1)[1]).read_bytes()
    assert b"Feilnavnesen" not in data and b"Slettesen" not in data


def test_integrity_after_demo_seed(app):
    path = app.config["DATABASE_URL"].split("sqlite:///", 1)[1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
