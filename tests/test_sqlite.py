"""SQLite-only settings (SECURITY.md "Nothing lost"). Not marked db: the PostgreSQL run
leaves them out rather than skipping them."""

import sqlite3

from stafettlogg.db import db


def test_sqlite_pragmas(app):
    with db.connection_context():
        pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
        assert pragma("synchronous") == 2  # FULL


def test_integrity_after_demo_seed(app):
    path = app.config["DATABASE_URL"].split("sqlite:///", 1)[1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
