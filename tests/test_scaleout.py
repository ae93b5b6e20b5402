"""Scale-out: two gunicorn instances on one database behave as one. Sessions and login
limits live in the database, not in a process; two mail senders (and the immediate
attempts after requests) send each message exactly once; reminders run twice at the
same time notify once."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from stafettlogg.db import open_database
from tests.conftest import a_log
from tests.smtp import SmtpServer, free_port

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 40


def _env(database_url: str, smtp: SmtpServer) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="one-secret-for-all-instances",
        SMTP_HOST="127.0.0.1",
        PUBLIC_URL="http://127.0.0.1",  # required with a mail server (config._public_url)
        SMTP_PORT=str(smtp.port),
        SMTP_SECURITY="none",
        SMTP_TIMEOUT="5",
        MAIL_FROM="stafettlogg@demo.kommune.no",
    )


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.set_mode("accept")
    yield server
    server.close()


@pytest.fixture
def log(app):
    """A log held by "stafettholder", in the database both instances serve."""
    return a_log()


@pytest.fixture
def two_instances(database_url, smtp):
    env = _env(database_url, smtp)
    ports, processes = [free_port(), free_port()], []
    for port in ports:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:app"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        for port in ports:
            _wait_for(f"http://127.0.0.1:{port}/healthz")
        yield [f"http://127.0.0.1:{port}" for port in ports], env
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def _token(session: requests.Session, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(url, timeout=10).text).group(1)


def _login(session, base, username, password="demo-passord"):
    token = _token(session, f"{base}/login")
    return session.post(
        f"{base}/login", data={"csrf_token": token, "username": username, "password": password}, timeout=30
    )


def _queue_mail(database_url: str, smtp: SmtpServer) -> None:
    """MESSAGES notices with e-mail, queued (no request, so no immediate attempt)."""
    from stafettlogg.application import create_app
    from stafettlogg.db import db
    from stafettlogg.models import User
    from stafettlogg.notify import msg, notify

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context(), db.connection_context():
        people = list(User.select().where(User.active).order_by(User.id))
        for i in range(MESSAGES):
            person = people[i % len(people)]
            User.update(email=f"{person.username}@example.no").where(User.id == person.id).execute()
            person = User.get_by_id(person.id)
            notify(person, "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=1000 + i))


def test_sessions_and_login_limits_are_shared_by_instances(two_instances, log):
    (a, b), _env_ = two_instances
    session = requests.Session()
    assert _login(session, a, "stafettholder").status_code == 200  # redirected to the start page
    assert "Logg ut" in session.get(f"{b}/", timeout=10).text  # the same session on the other instance
    assert session.get(f"{b}/logger/{log.id}", timeout=10).status_code == 200

    # failures counted across instances: five wrong passwords, alternating, delay the next attempt
    for i in range(5):
        _login(requests.Session(), (a, b)[i % 2], "larer", "feil-passord-123")
    locked = _login(requests.Session(), b, "larer")  # the right password, but within the delay
    assert "flere mislykkede forsøk på denne kontoen" in locked.text


def test_two_senders_and_two_instances_send_each_message_once(two_instances, database_url, smtp, log):
    (a, b), env = two_instances
    smtp.delay = 0.01  # a slow server makes the senders overlap
    _queue_mail(database_url, smtp)

    # a user's action on each instance queues more mail and tries it at once
    holder = requests.Session()
    _login(holder, a, "stafettholder")
    conn = open_database(database_url)
    target = conn.execute_sql("SELECT id FROM \"user\" WHERE username = 'kontaktlaerer'").fetchone()[0]
    conn.close()
    token = _token(holder, f"{b}/logger/{log.id}/stafettholder")

    def sender():
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "send-mail"], cwd=ROOT, env=env, capture_output=True
        )

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    r = holder.post(f"{b}/logger/{log.id}/stafettholder", data={"csrf_token": token, "to_user_id": target}, timeout=30)
    assert r.status_code == 200 and "Forslaget er sendt" in r.text
    for thread in threads:
        thread.join(120)
    sender()  # whatever is left (the immediate attempt may still be under way: then it is claimed)
    deadline = time.monotonic() + 30
    conn = open_database(database_url)
    try:
        while True:
            rows = conn.execute_sql("SELECT idempotency_key, status FROM outbox_email").fetchall()
            if all(status == "sent" for _key, status in rows) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        conn.close()
    assert len(rows) >= MESSAGES + 1 and all(status == "sent" for _key, status in rows), rows
    ids = Counter(message["Message-ID"] for _rcpt, message in smtp.messages)
    assert len(ids) == len(rows) and set(ids.values()) == {1}, ids.most_common(3)


def test_reminders_run_twice_at_once_notify_once(database_url, smtp):
    env = _env(database_url, smtp)
    conn = open_database(database_url)
    conn.execute_sql("UPDATE measure SET evaluation_date = '2027-03-03' WHERE log_id = 1")
    conn.close()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "send-reminders", "--today", "2027-03-01"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    conn = open_database(database_url)
    keys = [
        row[0]
        for row in conn.execute_sql(
            "SELECT dedupe_key FROM notification WHERE kind IN ('measure_due', 'measure_overdue')"
        )
    ]
    conn.close()
    assert keys and len(keys) == len(set(keys))
    assert len({m["Message-ID"] for _r, m in smtp.messages}) == len(smtp.messages)
