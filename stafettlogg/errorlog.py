"""What an error writes to the application log: never the data of a row.

A database error's text carries the values it was about: PostgreSQL's ``DETAIL: Key
(national_id)=(…) already exists`` or ``Failing row contains (…)`` names a child's
fødselsnummer, a name or free text, and SQLite's names the column. SECURITY.md: no log
content in application logs. The traceback of a request that failed is logged with the
database error replaced by its kind, SQLSTATE and constraint name, which name no one."""

import sqlite3

from peewee import PeeweeException

try:  # PostgreSQL is optional (SQLite is the embedded default)
    import psycopg
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    psycopg = None

DATABASE_ERRORS = (PeeweeException, sqlite3.Error) + ((psycopg.Error,) if psycopg is not None else ())


class WithheldDatabaseError(Exception):
    """Stands in a log for a database error whose text was withheld."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _described(exc: BaseException) -> str:
    """The error's kind, and what names no one: SQLSTATE and constraint (PostgreSQL)."""
    parts = [f"{type(exc).__module__}.{type(exc).__qualname__}"]
    for error in _chain(exc):
        diag = getattr(error, "diag", None)
        if diag is not None:
            parts += [f"SQLSTATE {error.sqlstate}"] if getattr(error, "sqlstate", None) else []
            parts += [f"constraint {diag.constraint_name}"] if diag.constraint_name else []
            break
    return ", ".join(parts) + " (the database's text is withheld: it may name a child)"


def is_database_error(exc: BaseException | None) -> bool:
    return exc is not None and any(isinstance(error, DATABASE_ERRORS) for error in _chain(exc))


def without_data(exc_info):
    """exc_info as logging takes it, with a database error's text (and every exception
    chained to it, whose text may repeat it) replaced; other errors unchanged."""
    kind, exc, tb = exc_info
    if not is_database_error(exc):
        return exc_info
    withheld = WithheldDatabaseError(_described(exc))
    withheld.__suppress_context__ = True
    return WithheldDatabaseError, withheld.with_traceback(tb), tb
