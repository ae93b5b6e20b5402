"""Online backup and restore (SECURITY.md "Nothing lost").

SQLite: the backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump (custom format) with the same DATABASE_URL.

A backup holds its schema version (the `schema_migration` table is in it). Restore
refuses a backup from a newer program version, and cannot half-succeed: SQLite copies
the checked backup into the database in one transaction; PostgreSQL loads it into a new
`public` schema inside one transaction (the old schema is renamed away first and dropped
last), so any failure leaves the previous data as it was. A backup from an older
version restores as it was; `flask --app app migrate` then brings it up to date.
"""

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from stafettlogg.db import APP_SESSION_NAME, RESTORE_LOCK, in_use_path, migration_names, open_database
from stafettlogg.messages import Message, msg


class RestoreRefused(RuntimeError):
    """The backup was not restored and the database is as it was; `message` says why,
    for the operator (rendered in their language by `flask restore`)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    return None


def backup(url: str, target: Path) -> Path:
    """Write a backup. Never changes the schema; the schema version travels inside. The
    file is readable by its owner only (0600), whatever the umask of whoever runs it: it
    holds every child's log (SQLite keeps the mode for its journal; pg_dump writes into it)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(target, 0o600)  # also one that was there before
    path = _sqlite_path(url)
    if path is not None:
        source = sqlite3.connect(path, timeout=30)
        dest = sqlite3.connect(str(target))
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(target), _libpq(url)], check=True)  # noqa: S603
    return target


BACKUP_PATTERN = "stafettlogg-*.bak"


def backup_into_folder(url: str, target, keep: int = 0) -> tuple[Path, list[Path]]:
    """A folder (or --keep) gets a dated file; the newest `keep` dated backups stay.
    The backup is written under a temporary name first: a half-written file never
    counts as a backup, and never pushes a good one out."""
    target = Path(target)
    if target.is_dir() or keep:
        target.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        path = target / BACKUP_PATTERN.replace("*", stamp)
    else:
        path = target
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a run that was stopped
    backup(url, partial)
    os.replace(partial, path)
    removed = []
    if keep:
        for old in sorted(target.glob(BACKUP_PATTERN))[:-keep]:
            old.unlink()
            removed.append(old)
    return path, removed


def schema_of_backup(url: str, source: Path) -> list[str]:
    """The schema versions (applied migrations) recorded inside a backup."""
    source = Path(source)
    if _sqlite_path(url) is not None:
        conn = sqlite3.connect(str(source))
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RestoreRefused(msg("Sikkerhetskopien er skadet (integrity_check)."))
            return sorted(row[0] for row in conn.execute("SELECT name FROM schema_migration"))
        except sqlite3.DatabaseError as exc:
            raise RestoreRefused(_unreadable(str(exc))) from exc
        finally:
            conn.close()
    sql = _pg_restore_sql(source, _unreadable, "--data-only", "--table=schema_migration")
    return sorted(_copy_rows(sql, "schema_migration", "name"))


def _unreadable(reason: str) -> Message:
    return msg("Filen er ikke en lesbar sikkerhetskopi: %(reason)s", reason=reason)


def _not_read(reason: str) -> Message:
    return msg("Sikkerhetskopien kunne ikke leses: %(reason)s", reason=reason)


def _pg_restore_sql(source: Path, refusal, *options: str) -> str:
    """The backup (or the part `options` choose) as SQL; unreadable: refused with the
    reason (`refusal` makes the message of pg_restore's complaint)."""
    result = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), *options, "--file=-", str(source)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RestoreRefused(refusal(result.stderr.strip()))
    return result.stdout


def _copy_rows(sql: str, table: str, column: str) -> list[str]:
    match = re.search(rf"^COPY (?:public\.)?{table} \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$", sql, re.M | re.S)
    if not match:
        return []
    columns = [c.strip().strip('"') for c in match.group(1).split(",")]
    index = columns.index(column)
    return [line.split("\t")[index] for line in match.group(2).splitlines() if line]


def check_restorable(backup_schema: list[str], known: list[str]) -> Message | None:
    """None when this code can run on the backup's schema (now or after migrate)."""
    newer = sorted(set(backup_schema) - set(known))
    if newer:
        return msg(
            "Sikkerhetskopien er fra en nyere programversjon (ukjent skjema: %(migrations)s). "
            "Den gjenopprettes ikke: installer den programversjonen først.",
            migrations=", ".join(newer),
        )
    if not backup_schema:
        return msg(
            "Sikkerhetskopien har ingen skjemaversjon (schema_migration mangler): er det en Stafettlogg-database?"
        )
    return None


def restore(url: str, source: Path) -> list[str]:
    """Replace the database's content with the backup, all or nothing. Refused while an
    app server uses the database (_sole_user): stop the app first. Returns the
    migrations still to apply (run `flask --app app migrate`)."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    schema = schema_of_backup(url, source)
    if problem := check_restorable(schema, migration_names()):
        raise RestoreRefused(problem)
    path = _sqlite_path(url)
    with _sole_user(url):
        if path is not None:
            src = sqlite3.connect(str(source))
            dest = sqlite3.connect(path, timeout=30)
            try:
                with dest:  # the backup API writes every page in one transaction
                    src.backup(dest)
            finally:
                dest.close()
                src.close()
        else:
            _restore_postgresql(url, source)
    return [name for name in migration_names() if name not in schema]


def _app_running(sessions: int | None = None) -> Message:
    """The refusal; on PostgreSQL with the number of the app's sessions (several servers)."""
    if sessions is None:
        return msg("Appen bruker databasen. Stopp appen før du gjenoppretter; databasen er uendret.")
    return msg(
        "Appen bruker databasen (tilkoblinger fra appen: %(sessions)s). Stopp appen før du gjenoppretter; databasen er uendret.",
        sessions=sessions,
    )


@contextlib.contextmanager
def _sole_user(url: str):
    """No app server uses the database while it is replaced: a running app would go on
    with what it read before, and write into the backup's data. SQLite: the restore
    holds in_use_path exclusively, which an app server holds shared from its first
    connection until it stops (an app that starts meanwhile answers 503). PostgreSQL: the
    same with an advisory lock (db.RESTORE_LOCK), held exclusively by a session of the
    restore's own while psql loads the backup: refused while any app server's connection
    holds it shared (their number, db.APP_SESSION_NAME, says how many), and no app
    connection opens until the restore is done (503)."""
    path = _sqlite_path(url)
    if path is not None and path not in ("", ":memory:"):
        with open(in_use_path(path), "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RestoreRefused(_app_running()) from None
            yield  # closing the file releases the lock
        return
    if path is not None:  # a private in-memory database: no other process can use it
        yield
        return
    guard = open_database(url)
    try:
        if not guard.execute_sql("SELECT pg_try_advisory_lock(%s, %s)", RESTORE_LOCK).fetchone()[0]:
            raise RestoreRefused(_app_running(_app_sessions(url) or None))  # none: another restore
        yield  # closing the session releases the lock
    finally:
        guard.close()


def _app_sessions(url: str) -> int:
    """How many sessions of app servers are connected to the database now."""
    conn = open_database(url)
    try:
        return conn.execute_sql(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s AND pid <> pg_backend_pid()",
            (APP_SESSION_NAME,),
        ).fetchone()[0]
    finally:
        conn.close()


def _restore_script(source: Path) -> str:
    """The backup as SQL, loaded into a fresh `public` schema (pg_restore cannot replace
    tables that newer tables reference, so the old schema is moved aside instead)."""
    sql = _pg_restore_sql(source, _not_read, "--no-owner", "--no-privileges")
    body = re.sub(r"^CREATE SCHEMA public;$", "", sql, flags=re.M)
    return (
        "ALTER SCHEMA public RENAME TO stafettlogg_replaced;\n"
        "CREATE SCHEMA public;\n"
        f"{body}\n"
        "DROP SCHEMA stafettlogg_replaced CASCADE;\n"
    )


def _restore_postgresql(url: str, source: Path) -> None:
    script = _restore_script(source)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",  # all or nothing: any error rolls the whole restore back
                "--set=ON_ERROR_STOP=1",
                f"--file={handle.name}",
                _libpq(url),
            ],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        raise RestoreRefused(
            msg(
                "Gjenopprettingen feilet og er rullet tilbake; databasen er uendret: %(error)s",
                error=result.stderr.strip(),
            )
        )


def _libpq(url: str) -> str:
    return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql-client)")
    return path
