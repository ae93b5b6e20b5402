"""Nothing lost (SECURITY.md): kill -9 during writes keeps the database intact with every
acknowledged save; online backup and a tested restore."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stafettlogg.dates import local_today
from stafettlogg.db import db, open_database, stop_using
from stafettlogg.models import Entry, Log
from tests.conftest import ON_POSTGRES, a_log, an_item

ROOT = Path(__file__).resolve().parents[1]

WRITER = r"""
import sys, datetime as dt
from stafettlogg.application import create_app
from stafettlogg.dates import local_today
from stafettlogg.dates import local_today
from stafettlogg.db import db, open_database, stop_using
from stafettlogg.logs import sections
from stafettlogg.models import Log, User
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x"})
with app.app_context(), db.connection_context():
    holder = User.get(User.username == "stafettholder")
    log = Log.get_by_id(int(sys.argv[2]))
    i = 0
    while True:
        i += 1
        item, errors = sections.create_item(holder, log, sections.SECTIONS["entries"],
                                            {"entry_date": local_today().isoformat(), "body": f"kill-test {i}"})
        print(item.id, flush=True)  # acknowledged: committed before this line
"""


def test_kill_9_during_writes_loses_no_acknowledged_save(app, database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        return
    log = a_log()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url, str(log.id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(acknowledged) >= 40, proc.stderr.read()
    path = database_url.split("sqlite:///", 1)[1]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM entry WHERE body LIKE 'kill-test %'")}
    assert set(acknowledged) <= stored


@pytest.mark.db
def test_online_backup_and_restore(app, tmp_path):
    log = a_log(group="4B")
    an_item(log, "entries", entry_date=local_today(), body="Samtale med mor.")
    runner = app.test_cli_runner()
    target = tmp_path / "backup.sqlite3"
    with db.connection_context():
        before = Entry.select().where(Entry.log == log).count()
    assert before == 1
    r = runner.invoke(args=["backup", str(target)])
    assert r.exit_code == 0, r.output
    with db.connection_context():
        Log.update(class_group="ENDRET").where(Log.id == log.id).execute()
        Entry.delete().where(Entry.log == log).execute()
    r = runner.invoke(args=["restore", str(target)])
    assert r.exit_code == 1  # needs --yes
    r = runner.invoke(args=["restore", "--yes", str(target)])
    assert r.exit_code == 0, r.output
    with db.connection_context():
        assert Log.get_by_id(log.id).class_group == "4B"
        assert Entry.select().where(Entry.log == log).count() == before


def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(app, tmp_path):
    """It holds every child's log: the README's before-upgrade backup runs through sudo
    with the usual umask 022, and the file is then copied off the machine."""
    import stat

    a_log()
    runner = app.test_cli_runner()
    earlier = tmp_path / "earlier.bak"
    earlier.write_bytes(b"")
    earlier.chmod(0o644)
    old = os.umask(0o022)
    try:
        for target in (tmp_path / "before-upgrade.bak", earlier):
            r = runner.invoke(args=["backup", str(target)])
            assert r.exit_code == 0, r.output
            assert stat.S_IMODE(target.stat().st_mode) == 0o600, (target, oct(target.stat().st_mode))
            assert target.stat().st_size > 0
    finally:
        os.umask(old)


def test_restore_refuses_a_damaged_backup(app, tmp_path):
    log = a_log(name="Lea Røyksopp")
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    r = app.test_cli_runner().invoke(args=["restore", "--yes", str(bad)])
    assert r.exit_code != 0
    with db.connection_context():
        assert Log.get_by_id(log.id).subject.name == "Lea Røyksopp"


APP_SERVER = r"""
import sys
from stafettlogg.application import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x"})
with app.test_client() as client:
    print(client.get("/").status_code, flush=True)  # served a request: connected
    sys.stdin.read()  # runs until the test closes its input
"""


@pytest.mark.db
def test_a_restore_is_refused_while_an_app_server_uses_the_database(database_url, tmp_path):
    """The way back after a failed upgrade says: stop the app, then restore. One who
    forgets is stopped: with an app server connected (another process, as gunicorn's
    workers are) the restore refuses and says why, and the database is as it was; once
    the app has stopped, the same restore goes."""
    from stafettlogg import backup as backups

    target = backups.backup(database_url, tmp_path / "before.bak")
    conn = open_database(database_url)
    conn.execute_sql("UPDATE log SET class_group = 'ETTER' WHERE id = 1")
    conn.close()
    server = subprocess.Popen(
        [sys.executable, "-c", APP_SERVER, database_url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "server.err").open("w"),
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "303", (tmp_path / "server.err").read_text()  # sign-in page
        with pytest.raises(backups.RestoreRefused) as refused:
            backups.restore(database_url, target)
        assert "Stopp appen før du gjenoppretter" in str(refused.value)
        # PostgreSQL counts the app's sessions (several servers may be connected)
        assert ("tilkoblinger fra appen: 1)" in str(refused.value)) == ON_POSTGRES
        assert _class_group(database_url) == "ETTER"
    finally:
        server.stdin.close()
        server.wait(30)
    backups.restore(database_url, target)
    assert _class_group(database_url) != "ETTER"


def _class_group(url: str) -> str:
    conn = open_database(url)
    try:
        return conn.execute_sql("SELECT class_group FROM log WHERE id = 1").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.db
def test_an_app_that_starts_while_a_restore_runs_answers_503(app, database_url, tmp_path):
    """The restore holds the database for itself for as long as it runs (SQLite: a file
    lock; PostgreSQL: an advisory lock, not only a look at who is connected when it
    begins): a request of an app server that had let go of it (or starts meanwhile) is
    told the service is unavailable, not served from a database half replaced nor let
    write what the restore then throws away, and is served again when it is done."""
    from stafettlogg import backup as backups

    client = app.test_client()
    stop_using()  # as if the app had been started after the restore began
    with backups._sole_user(database_url):
        response = client.get("/")
        assert response.status_code == 503
        assert response.headers["Retry-After"]
    assert client.get("/").status_code == 303
