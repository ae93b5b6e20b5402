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
from stafettlogg.db import db
from stafettlogg.models import Entry, Log
from tests.conftest import a_log, an_item

ROOT = Path(__file__).resolve().parents[1]

WRITER = r"""
import sys, datetime as dt
from stafettlogg.application import create_app
from stafettlogg.dates import local_today
from stafettlogg.dates import local_today
from stafettlogg.db import db
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


def test_restore_refuses_a_damaged_backup(app, tmp_path):
    log = a_log(name="Lea Røyksopp")
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    r = app.test_cli_runner().invoke(args=["restore", "--yes", str(bad)])
    assert r.exit_code != 0
    with db.connection_context():
        assert Log.get_by_id(log.id).subject.name == "Lea Røyksopp"
