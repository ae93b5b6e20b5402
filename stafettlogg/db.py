"""The database: one proxy, initialised from DATABASE_URL, a connection per request
(taken from the app server's pool and given back after the request)."""

import contextlib
import fcntl
import functools
import os
import re
from pathlib import Path

import click
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from peewee import DatabaseProxy, InterfaceError, Model, OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect, register_database
from playhouse.migrations import Runner
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

from stafettlogg.messages import Message, msg

db = DatabaseProxy()

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# SECURITY.md "Nothing lost": WAL, foreign keys, busy timeout >= 5 s, synchronous=FULL.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "full",
    # what is corrected or deleted (the wrong child's name, a deleted note) is overwritten
    # in the file, not left in free space until a VACUUM for a backup to copy; measured
    # at no cost an edit could show (README «Ytelse»)
    "secure_delete": 1,
}


def _like(pattern, value, escape=None):
    """LIKE on SQLite (peewee's ILIKE, contains()) ignoring the case of every letter, as
    PostgreSQL's ILIKE does: SQLite's own knows the case of A-Z only, so a search for
    «øystein» or «áilu» missed «Øystein» and «Áilu». NULL on either side is NULL."""
    if pattern is None or value is None:
        return None
    return _like_matcher(pattern, escape)(str(value).casefold())


_MANY, _ONE = object(), object()  # LIKE's «%» and «_»
_WILDCARDS = {"%": _MANY, "_": _ONE}


@functools.lru_cache(maxsize=256)
def _like_matcher(pattern: str, escape: str | None):
    """A test of a casefolded text: for «%text%» (what contains() asks) a substring test,
    else the pattern as a regular expression."""
    tokens, chars = [], iter(pattern.casefold())
    for char in chars:
        tokens.append(next(chars, "") if char == escape else _WILDCARDS.get(char, char))
    inner = tokens[1:-1]
    if len(tokens) >= 2 and tokens[0] is tokens[-1] is _MANY and all(isinstance(t, str) for t in inner):
        text = "".join(inner)
        return lambda value: text in value
    regex = re.compile("".join(".*" if t is _MANY else "." if t is _ONE else re.escape(t) for t in tokens), re.DOTALL)
    return lambda value: regex.fullmatch(value) is not None


class LikeIgnoringCase:
    """A SQLite database whose every connection has _like as its LIKE (also with ESCAPE)."""

    def _add_conn_hooks(self, conn):
        super()._add_conn_hooks(conn)
        for arguments in (2, 3):
            conn.create_function("like", arguments, _like, deterministic=True)


class CaselessSqliteDatabase(LikeIgnoringCase, SqliteDatabase):
    pass


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


# The app server keeps its connections open between requests: a new SQLite connection
# reads the schema again (about 1 ms), a new PostgreSQL one starts a server process and
# authenticates (several ms, more than most pages take). A connection is checked before
# each reuse (below); one older than STALE_SECONDS is closed and opened anew.
POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}

# PostgreSQL's planner prices a random read of a page at 4 sequential ones (its default,
# made for spinning disks): for a user's or a unit's few hundred logs among 10,000 it
# then scans the whole log table instead of looking them up by their ids. On SSD storage
# a random read costs about what a sequential one does; 1.1 is the usual setting for it
# (README "Ytelse"). Set for the app's own sessions; `?options=` in DATABASE_URL replaces it.
POSTGRES_SESSION = "-c random_page_cost=1.1"


# The app's own PostgreSQL sessions carry this name (pg_stat_activity.application_name):
# a restore that refuses says how many are connected (backup.restore).
APP_SESSION_NAME = "stafettlogg"

# PostgreSQL's counterpart of in_use_path: an advisory lock (the two-key form, apart from
# the one-key locks of migrations and sign-in limits). Every app server's connection
# holds it shared from its opening until it closes; a restore takes it exclusively for
# as long as it runs. A restore never replaces the database under a running app, and a
# connection opened while one runs is refused (the request answers 503), however long
# the restore takes: not only at its start.
RESTORE_LOCK = (80813, 2)


def in_use_path(database: str) -> Path:
    """The file an app server holds a shared lock on while it uses a SQLite database, and
    a restore an exclusive one while it replaces it: one waits for neither, it refuses."""
    return Path(database + ".in-use")


class FilePooledSqliteDatabase(LikeIgnoringCase, PooledSqliteDatabase):
    """SQLite connections kept only while the path still names the file they opened: a
    restored backup, a moved or missing file is seen by the next request, which opens
    the path anew (a kept connection would go on reading and writing the old file).

    The app server that opens a connection holds a shared lock on in_use_path until it
    stops (stop_using): a restore does not replace the database under a running app, and
    an app does not open it while a restore runs (the request answers 503)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._opened_files = {}
        self._holding = None

    def _connect(self):
        self._hold_in_use()
        conn = super()._connect()
        self._opened_files.setdefault(self.conn_key(conn), _file_identity(self.database))
        return conn

    def _hold_in_use(self) -> None:
        if self._holding is not None:
            return
        handle = open(in_use_path(self.database), "a")  # noqa: SIM115 - held until stop_using
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OperationalError("the database is being restored") from None
        self._holding = handle

    def stop_using(self) -> None:
        """Close the kept connections and let go of the database (a restore may go on)."""
        self.close_idle()
        if self._holding is not None:
            self._holding.close()  # closing the file releases its lock
            self._holding = None

    def _is_closed(self, conn):
        if super()._is_closed(conn):
            return True
        return self._opened_files.get(self.conn_key(conn)) != _file_identity(self.database)

    def _close_raw(self, conn):
        self._opened_files.pop(self.conn_key(conn), None)
        super()._close_raw(conn)


class RestoreGuardedPostgresqlDatabase(PostgresqlDatabase):
    """Each new connection of an app server holds RESTORE_LOCK shared (released when the
    connection closes); while a restore holds it, no connection opens."""

    def _connect(self):
        conn = super()._connect()
        try:
            held = conn.execute("SELECT pg_try_advisory_lock_shared(%s, %s)", RESTORE_LOCK).fetchone()[0]
            conn.commit()  # the lock is the session's; no transaction stays open
        except Exception:
            conn.close()
            raise
        if not held:
            conn.close()
            raise OperationalError("the database is being restored")
        return conn


class AppPooledPostgresqlDatabase(PooledPostgresqlDatabase, RestoreGuardedPostgresqlDatabase):
    """An app server's kept PostgreSQL connections (as playhouse's PooledPostgresqlDatabase),
    each new one guarded against a running restore."""


register_database(AppPooledPostgresqlDatabase, "stafettlogg+pool")


def _file_identity(path: str):
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def open_database(url: str, pooled: bool = False):
    """A peewee Database for the URL; SQLite-only settings only for sqlite://.
    ``pooled``: the app server's, whose connections outlive a request (POOL)."""
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            pooled = False  # each connection to :memory: is a database of its own
        if pooled:
            # POOL's timeout is the wait for a free connection (busy_timeout is a pragma);
            # a kept connection serves one thread at a time, not always the one that opened it
            return FilePooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, check_same_thread=False, **POOL)
        return CaselessSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    session = postgres_session(url)
    if "connect_timeout=" not in url:
        session["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if pooled:
        session["application_name"] = APP_SESSION_NAME  # an app server's (backup.restore)
        # playhouse.pool checks a kept PostgreSQL connection with a round trip before reuse
        return connect(url.replace("postgresql://", "stafettlogg+pool://", 1), autorollback=False, **POOL, **session)
    return connect(url, autorollback=False, **session)


# A database host that takes the connection and never answers (hung, or behind a firewall
# that drops packets) is an outage after this many seconds: the page answers 503, instead
# of every request waiting until gunicorn kills its worker. `?connect_timeout=` in the URL
# replaces it.
CONNECT_TIMEOUT_SECONDS = 5


def postgres_session(url: str) -> dict:
    """The connection options of every session on PostgreSQL (the app's, and the bench's
    EXPLAIN of its queries): POSTGRES_SESSION unless the URL sets its own `options`."""
    return {} if "options=" in url else {"options": POSTGRES_SESSION}


def close_kept_connections() -> None:
    """Close the connections the pool keeps (none is in use): before a fork, or before
    the SQLite file is copied (the last connection closed writes the WAL into it)."""
    if isinstance(db.obj, PooledDatabase):
        db.obj.close_idle()


def stop_using() -> None:
    """This process lets go of the database (a command that replaces it runs in the
    process that served requests, as in the tests): its kept connections close, and on
    SQLite its hold on in_use_path ends. The next request opens and holds it again."""
    if not db.is_closed():
        db.close()
    if isinstance(db.obj, FilePooledSqliteDatabase):
        db.obj.stop_using()
    else:
        close_kept_connections()


def discard_connections() -> None:
    """After a database error: no kept connection is handed out again (each is checked
    before reuse anyway; this spares the next requests the check of a dead one)."""
    if isinstance(db.obj, PooledDatabase):
        if not db.is_closed():
            db.obj.manual_close()
        db.obj.close_idle()


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


@contextlib.contextmanager
def write_transaction():
    """A write unit of work. On SQLite take the write lock at once (BEGIN IMMEDIATE):
    a deferred read-then-write fails with 'database is locked' whatever the timeout.
    Roles the request remembered (request_memo below) are asked afresh inside and after.
    Not inside a snapshot (read only)."""
    if _in_snapshot():
        raise RuntimeError("a write transaction begins outside a snapshot")
    transaction = db.obj.atomic("IMMEDIATE") if is_sqlite() else db.atomic()
    writing = _writing(+1)
    try:
        forget_roles()
        with transaction as txn:
            yield txn
    finally:
        if writing:
            _writing(-1)
        forget_roles()


def locked(query, share: bool = False):
    """The row ``query`` reads inside a write transaction, as it is now, locked until the
    transaction ends: on PostgreSQL FOR NO KEY UPDATE (as an UPDATE of it would lock it;
    a row whose foreign key refers to it, an entry, still goes in), or FOR SHARE with
    ``share`` (writers of other rows that read it go on, one that changes it waits); on
    SQLite BEGIN IMMEDIATE already serialises every writer. None when there is no row."""
    if not db.in_transaction():
        raise RuntimeError("a row is locked inside a write transaction")
    if not is_sqlite():
        query = query.for_update("FOR SHARE" if share else "FOR NO KEY UPDATE")
    return query.get_or_none()


@contextlib.contextmanager
def snapshot():
    """Reads that must agree with each other (one count of the statistics) see the database
    as it was at one moment, whatever is written meanwhile: one read transaction. SQLite
    (WAL): a deferred transaction reads from the state of its first read until it ends.
    PostgreSQL: REPEATABLE READ, read only. Inside another snapshot its reads are part of
    that one; it does not begin inside a write transaction (on PostgreSQL that reads each
    statement afresh), nor does a write begin inside it (read only)."""
    if db.in_transaction():
        if not _in_snapshot():
            raise RuntimeError("a snapshot begins outside a write transaction")
        yield db.top_transaction()
        return
    # one statement: the isolation level and the access mode are set as it begins
    transaction = (
        db.obj.atomic("DEFERRED") if is_sqlite() else db.obj.atomic(isolation_level="REPEATABLE READ, READ ONLY")
    )
    with transaction as txn:
        txn.snapshot = True
        yield txn


def _in_snapshot() -> bool:
    return getattr(db.top_transaction(), "snapshot", False)  # None outside a transaction


def _writing(step: int) -> bool:
    """Count nested write transactions of this request (g._writing); False outside one."""
    if not has_request_context():
        return False
    g._writing = g.get("_writing", 0) + step
    return True


def migrate(target: str | None = None) -> list[str]:
    """Apply pending migrations (numbered files in migrations/), one process at a time
    (several gunicorn workers may start together). Returns their names."""
    with db.connection_context(), _migration_lock():
        runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
        return runner.up(target)


def migration_names() -> list[str]:
    """The schema versions this code knows, in order."""
    return sorted(path.stem for path in MIGRATIONS_DIR.glob("[0-9]*.py"))


def applied_migrations() -> list[str]:
    """The schema versions recorded in the database (empty for an empty database)."""
    with connected():
        return sorted(Runner(db.obj, directory=str(MIGRATIONS_DIR)).applied())


@contextlib.contextmanager
def connected():
    """A connection for one short step; closed again only if this step opened it."""
    opened = db.is_closed()
    if opened:
        db.connect()
    try:
        yield
    finally:
        if opened:
            db.close()


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this code was written for."""


def schema_problem(applied: list[str] | None = None) -> Message | None:
    """Why the app must not run on this database, or None when the schema is current
    (for the operator: rendered in their language by the commands)."""
    applied = applied_migrations() if applied is None else applied
    known = migration_names()
    newer = sorted(set(applied) - set(known))
    if newer:
        return msg(
            "Databasen har et nyere skjema enn programmet (ukjent: %(migrations)s). Installer programversjonen "
            "som skrev den, eller gjenopprett en sikkerhetskopi fra denne versjonen.",
            migrations=", ".join(newer),
        )
    pending = [name for name in known if name not in applied]
    if pending:
        return msg(
            "Databasen har et eldre skjema enn programmet (mangler: %(migrations)s). "
            "Ta sikkerhetskopi og kjør `flask --app app migrate` før appen startes.",
            migrations=", ".join(pending),
        )
    return None


def require_current_schema() -> None:
    problem = schema_problem()
    if problem:
        raise SchemaMismatch(str(problem))


@contextlib.contextmanager
def _migration_lock():
    if is_sqlite() and db.obj.database in ("", ":memory:"):
        yield  # a private in-memory database: no other process can migrate it
    elif is_sqlite():
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
    """Only `flask migrate` changes the schema. Demo mode (and the test suite) may migrate
    when the app starts; otherwise the app refuses to start on an older or newer schema.
    Commands (`flask …`) check for themselves: `migrate`, `backup` and `restore` must run
    on any schema."""
    in_command = click.get_current_context(silent=True) is not None
    # Commands (backup, restore, migrate) open and close their own: a kept connection
    # would hold the SQLite file open under them.
    db.initialize(open_database(app.config["DATABASE_URL"], pooled=not in_command))
    auto = app.config.get("MIGRATE_ON_START")
    if auto is None:
        auto = bool(app.config.get("TESTING"))
    if not in_command:
        if auto:
            migrate()  # closes its connection again: nothing is open when gunicorn forks
        else:
            require_current_schema()
        close_kept_connections()  # nothing kept open when gunicorn forks its workers

    # Tests share the thread with the app and may hold a connection to arrange and
    # assert; anywhere else an open connection here is a leak and must raise.
    reuse = bool(app.config.get("TESTING"))

    @app.before_request
    def _connect():
        if request.endpoint == "main.healthz":
            return  # the health check opens its own connection and reports failure
        if request.endpoint == "static":
            # Served before the session hooks read the user: the 503 page keeps its style.
            return app.view_functions["static"](**request.view_args)
        try:
            g.db_opened_here = db.connect(reuse_if_open=reuse)
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailable() from exc

    app.register_error_handler(DatabaseUnavailable, _unavailable)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(InterfaceError, _database_error)

    @app.teardown_request
    def _close(exc):
        if g.get("db_opened_here") and not db.is_closed():
            db.close()


# ------------------------------------------------------------------ outage

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailable(Exception):
    """The database cannot be reached: every page answers 503 until it is back."""


def reachable() -> bool:
    """A fresh connection answers SELECT 1 (in this thread, outside the request's)."""
    probe = open_database(_current_url())
    try:
        probe.connect()
        probe.execute_sql("SELECT 1")
        return True
    except Exception:  # any failure to connect or query means unreachable
        return False
    finally:
        if not probe.is_closed():
            probe.close()


def _current_url() -> str:
    return current_app.config["DATABASE_URL"]


def _database_error(exc):
    """A database error in the middle of a request: an outage answers 503; anything
    else (a bug, a lock timeout) is an ordinary 500."""
    discard_connections()
    if reachable():
        raise exc  # handled as any other error: a 500
    return _unavailable(exc)


def _unavailable(exc):
    """A calm page, without the app's context processors (they read the database)."""
    template = current_app.jinja_env.get_template("unavailable.html")
    retry_url = request.full_path.rstrip("?") if request.method == "GET" else "/"
    locale = get_locale()  # the reader's language (a family's too), text direction from CLDR
    html = template.render(
        lang=str(locale or "nb"), direction=locale.text_direction if locale else "ltr", retry_url=retry_url
    )
    response = current_app.response_class(html, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# ------------------------------------------------------------------ what a request remembers


def request_memo() -> dict | None:
    """What this request already knows about the caller's roles: the access check, the
    views and the audit hook ask the same questions, the database answers once. None
    outside a request and inside a write transaction (a write may change a role: ask
    the database); every write transaction forgets what was known (db.write_transaction)."""
    if not has_request_context() or g.get("_writing"):
        return None
    memo = g.get("_roles")
    if memo is None:
        memo = g._roles = {}
    return memo


def remembered(key: tuple, ask):
    """``ask()`` once per request under ``key`` (request_memo: outside a request and
    inside a write transaction it is asked every time; every write transaction forgets
    it). Callers treat the answer as read-only."""
    memo = request_memo()
    if memo is None:
        return ask()
    if key not in memo:
        memo[key] = ask()
    return memo[key]


def remember(key: tuple, value) -> None:
    """What a wider read of this request already answered for ``key`` (the user's load
    counts the unread notices, a page reads all of a log's consents): a later
    ``remembered(key, …)`` takes it instead of asking. The first answer stands."""
    memo = request_memo()
    if memo is not None:
        memo.setdefault(key, value)


def known(key: tuple):
    """What this request remembered under ``key``, or None (not asked yet, or a write
    transaction since)."""
    memo = request_memo()
    return memo.get(key) if memo is not None else None


def forget_roles() -> None:
    if has_request_context():
        g.pop("_roles", None)


def once_per_request(read):
    """A read asked by several parts of one page (the sections, the navigation, the
    deadline list, template helpers) goes to the database once per request; a write
    transaction forgets it (request_memo), so a page rendered after a write is fresh.
    Arguments that are rows count by their id. Callers treat the result as read-only."""

    def key(args, options) -> tuple:
        return (read.__module__, read.__name__, *(getattr(arg, "id", arg) for arg in args), *sorted(options.items()))

    @functools.wraps(read)
    def read_once(*args, **options):
        return remembered(key(args, options), lambda: read(*args, **options))

    def told(value, *args, **options) -> None:
        """What a wider read of this request found for these arguments (db.remember)."""
        remember(key(args, options), value)

    read_once.remember = told
    return read_once


# ------------------------------------------------------------------ prepared reads

# Marker values a prepared read is built with, one per parameter: ids no row has.
_MARKERS = tuple(-7_301_457_123_000 - i for i in range(128))


class Prepared:
    """A read whose SQL is the same on every call but for its ids. peewee builds a query's
    SQL from its expression tree on every execution; for whole rows of several tables that
    costs more than running the query (the log with its child, unit and holder: 1.3 ms to
    build, 0.1 ms to run on SQLite), and the framework asks for the user and the URL's log
    on every request. A prepared read is built once per process and database engine, with
    marker values in place of the ids, and run with the caller's ids in their places:
    the same rows, as the same model objects, as the query built afresh.

    `build(*ids, **shape)` returns the query (with .limit(1) for a single row); the ids are
    whole numbers, each used at least once; `shape` (hashable keyword values, such as which
    section or how many rows) picks one of several queries, each built once."""

    MAX_IDS = len(_MARKERS)  # a read with more ids is built afresh by its caller
    MAX_SHAPES = 512  # queries kept per read: a long-running process does not grow

    def __init__(self, build):
        self.build = build
        self.compiled: dict = {}
        functools.update_wrapper(self, build)

    def _compiled(self, database, count: int, shape: dict):
        key = (type(database), count, *sorted(shape.items()))
        entry = self.compiled.get(key)
        if entry is None:
            if len(self.compiled) >= self.MAX_SHAPES:  # a shape with a date: one a day
                self.compiled.clear()
            markers = _MARKERS[:count]
            query = self.build(*markers, **shape)
            sql, params = database.get_sql_context().sql(query).query()
            places = [(i, markers.index(p)) for i, p in enumerate(params) if type(p) is int and p in markers]
            if {k for _i, k in places} != set(range(count)):
                raise ValueError(f"{self.build.__name__}: every id must be a parameter of the query")
            entry = self.compiled[key] = (query, sql, list(params), places)
        return entry

    def rows(self, *ids: int, **shape):
        """The query's rows (model objects, as the query gives them), as an iterator."""
        if any(type(i) is not int for i in ids):
            raise TypeError(f"{self.build.__name__}: ids must be whole numbers, got {ids!r}")
        if len(ids) > self.MAX_IDS:
            raise ValueError(f"{self.build.__name__}: at most {self.MAX_IDS} ids (use rows_in_parts)")
        database = db.obj
        query, sql, params, places = self._compiled(database, len(ids), shape)
        values = list(params)
        for i, k in places:
            values[i] = ids[k]
        return query._get_cursor_wrapper(database.execute_sql(sql, values)).iterator()

    def rows_in_parts(self, ids, **shape):
        """For a read of a list of ids (`build(*ids)` with an IN of them): the rows for
        all of `ids`, read MAX_IDS at a time (none without ids)."""
        ids = list(ids)
        for start in range(0, len(ids), self.MAX_IDS):
            yield from self.rows(*ids[start : start + self.MAX_IDS], **shape)

    def first(self, *ids: int, **shape):
        """The first row, or None."""
        return next(self.rows(*ids, **shape), None)


def prepared(build) -> Prepared:
    """Decorator: `build` as a Prepared read."""
    return Prepared(build)


class PreparedInsert:
    """An INSERT of rows of the same columns, its SQL built once per process, database
    engine and number of rows (peewee builds an insert of 50 rows afresh in about 1 ms;
    running it takes a tenth of that). The rows are tuples in the order of `fields`, every
    column given (no defaults filled in): the values go through each field's db_value as
    peewee's own insert would, and the first build checks that they are the parameters
    peewee made, in the same order."""

    MAX_ROWS = 100  # rows per statement: within every engine's limit on parameters
    MAX_SHAPES = 128

    def __init__(self, model, *fields):
        self.model = model
        self.fields = fields
        self.compiled: dict = {}

    def _values(self, rows) -> list:
        fields = self.fields
        return [field.db_value(value) for row in rows for field, value in zip(fields, row, strict=True)]

    def _sql(self, database, rows) -> str:
        key = (type(database), len(rows))
        sql = self.compiled.get(key)
        if sql is None:
            names = [field.name for field in self.fields]
            query = self.model.insert_many([dict(zip(names, row, strict=True)) for row in rows])
            sql, params = database.get_sql_context().sql(query).query()
            if list(params) != self._values(rows):
                raise ValueError(f"{self.model.__name__}: the insert's parameters are not the rows in field order")
            if len(self.compiled) >= self.MAX_SHAPES:
                self.compiled.clear()
            self.compiled[key] = sql
        return sql

    def execute(self, rows) -> None:
        """Insert `rows` (tuples in the order of the fields), MAX_ROWS per statement."""
        rows = list(rows)
        database = db.obj
        for start in range(0, len(rows), self.MAX_ROWS):
            part = rows[start : start + self.MAX_ROWS]
            database.execute_sql(self._sql(database, part), self._values(part))
