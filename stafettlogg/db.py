"""The database: one proxy, initialised from DATABASE_URL, a connection per request."""

import contextlib
import fcntl
from pathlib import Path

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect
from playhouse.migrations import Runner

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# SECURITY.md "Nothing lost": WAL, foreign keys, busy timeout >= 5 s, synchronous=FULL.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "full",
}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def open_database(url: str):
    """A peewee Database for the URL; SQLite-only settings only for sqlite://."""
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return connect(url, autorollback=False)


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def write_transaction():
    """A write unit of work. On SQLite take the write lock at once (BEGIN IMMEDIATE):
    a deferred read-then-write fails with 'database is locked' whatever the timeout."""
    if is_sqlite():
        return db.obj.atomic("IMMEDIATE")
    return db.atomic()


def migrate(target: str | None = None) -> list[str]:
    """Apply pending migrations (numbered files in migrations/), one process at a time
    (several gunicorn workers may start together). Returns their names."""
    with db.connection_context(), _migration_lock():
        runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
        return runner.up(target)


@contextlib.contextmanager
def _migration_lock():
    if is_sqlite():
        lock_path = Path(db.obj.database + ".migrate-lock")
        with open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        db.execute_sql("SELECT pg_advisory_lock(80813)")
        try:
            yield
        finally:
            db.execute_sql("SELECT pg_advisory_unlock(80813)")


def init_app(app):
    db.initialize(open_database(app.config["DATABASE_URL"]))
    if app.config.get("MIGRATE_ON_START", True):
        migrate()  # closes its connection again: nothing is open when gunicorn forks

    from flask import g

    # Tests share the thread with the app and may hold a connection to arrange and
    # assert; anywhere else an open connection here is a leak and must raise.
    reuse = bool(app.config.get("TESTING"))

    @app.before_request
    def _connect():
        from flask import request

        if request.endpoint == "main.healthz":
            return  # the health check opens its own connection and reports failure
        g.db_opened_here = db.connect(reuse_if_open=reuse)

    @app.teardown_request
    def _close(exc):
        if g.get("db_opened_here") and not db.is_closed():
            db.close()
