"""Online backup and restore (SECURITY.md "Nothing lost").

SQLite: the backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump / pg_restore (custom format) with the same DATABASE_URL.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    return None


def backup(url: str, target: Path) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
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
    subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(target), url], check=True)  # noqa: S603
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's content with the backup. Stop the app first."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    path = _sqlite_path(url)
    if path is not None:
        check = sqlite3.connect(str(source))
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the backup file is damaged")
        finally:
            check.close()
        src = sqlite3.connect(str(source))
        dest = sqlite3.connect(path, timeout=30)
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--dbname", url, str(source)], check=True
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (apt-get install postgresql-client)")
    return path
