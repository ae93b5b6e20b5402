"""Two writes of a log's life at the same moment (a family's action and the holder's, or
two of the family's): the second waits for the first and reads what it wrote, on
PostgreSQL (the log's row locked, lifecycle.fresh_log) as on SQLite (BEGIN IMMEDIATE).
Each test holds the first writer inside its transaction until the second is waiting for
it (PostgreSQL: a lock not granted; SQLite: the second is on its way to the write lock),
then lets it commit."""

import re
import threading
import time
from pathlib import Path

import pytest

from stafettlogg.db import db, open_database, write_transaction
from stafettlogg.logs import files, lifecycle, states
from stafettlogg.logs.errors import LogError, LogGone, locked_log
from stafettlogg.models import Consent, DeletionRequest, Log, LogStatus
from tests.conftest import ON_POSTGRES, a_consent, a_log, an_ended_log, user

pytestmark = pytest.mark.db

WAIT = 10  # seconds a step may take before the test gives up


def _until_the_other_waits(app, other: threading.Thread) -> None:
    """Return once the other writer waits for this one's lock (PostgreSQL), or has ended
    without waiting (the old code: it did not wait, which the test then shows)."""
    if not ON_POSTGRES:
        return  # SQLite: the other cannot begin its write before this one commits
    watcher = open_database(app.config["DATABASE_URL"])
    try:
        deadline = time.monotonic() + WAIT
        while other.is_alive() and time.monotonic() < deadline:
            waiting = watcher.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return
            other.join(0.01)
    finally:
        watcher.close()


def _in_thread(app, job, results: dict, key: str) -> threading.Thread:
    def run():
        with app.test_request_context("/"), db.connection_context():
            try:
                job()
                results[key] = "ok"
            except Exception as e:  # noqa: BLE001 - the outcome is what the test asserts
                results[key] = f"{type(e).__name__}: {e}"

    return threading.Thread(target=run, name=key)


def test_a_withdrawal_while_a_new_consent_is_uploaded_withdraws_the_new_one_too(app, db_conn, monkeypatch):
    """The holder uploads a renewed consent (a large scan takes a while to store) as the
    mother withdraws consent on her page. The withdrawal waits for the upload, then
    withdraws the consent now in force: the log is closed, no consent is left in force,
    and participants read no more of it."""
    log = a_log()
    results: dict = {}
    store = files.store
    guardian = _in_thread(
        app, lambda: lifecycle.withdraw_consent(user("foresatt"), Log.get_by_id(log.id)), results, "guardian"
    )

    def slow_store(*args, **kwargs):  # inside the holder's transaction, the old consent marked replaced
        guardian.start()
        _until_the_other_waits(app, guardian)
        return store(*args, **kwargs)

    monkeypatch.setattr(files, "store", slow_store)
    holder = _in_thread(app, lambda: a_consent(Log.get_by_id(log.id)), results, "holder")
    holder.start()
    holder.join(WAIT)
    guardian.join(WAIT)
    assert results == {"holder": "ok", "guardian": "ok"}
    closed = Log.get_by_id(log.id)
    assert (closed.status, closed.close_reason) == (LogStatus.CLOSED, "consent_withdrawn")
    assert not Consent.select().where(Consent.log == log.id, states.consent_in_force()).exists()
    with app.test_request_context("/"):
        assert not states.readable_by(user("aktor"), closed)


def _deletion_requested_while(app, monkeypatch, other_job) -> tuple[dict, Log]:
    """The family asks for deletion of an ended log; `other_job` starts while the request
    is inside its transaction, about to write."""
    log = an_ended_log()
    results: dict = {}
    other = _in_thread(app, lambda: other_job(log), results, "other")
    apply = states.apply

    def apply_once_the_other_waits(by, target, action, **kwargs):
        if action == "request_deletion" and not other.is_alive() and "other" not in results:
            other.start()
            _until_the_other_waits(app, other)
        return apply(by, target, action, **kwargs)

    monkeypatch.setattr(states, "apply", apply_once_the_other_waits)
    family = _in_thread(
        app, lambda: lifecycle.request_deletion(user("foresatt"), Log.get_by_id(log.id), ""), results, "family"
    )
    family.start()
    family.join(WAIT)
    other.join(WAIT)
    return results, log


def test_two_deletion_requests_at_once_make_one_request(app, db_conn, monkeypatch):
    """Both parents (or a double click) ask for deletion at the same moment: one request
    reaches the unit leader, the second is told it is already asked for."""
    results, log = _deletion_requested_while(
        app, monkeypatch, lambda log: lifecycle.request_deletion(user("foresatt"), Log.get_by_id(log.id), "")
    )
    assert results["family"] == "ok"
    assert "allerede bedt om sletting" in results["other"]
    assert (
        DeletionRequest.select().where(DeletionRequest.log == log.id, DeletionRequest.handled_at.is_null()).count() == 1
    )


def test_a_reopen_as_the_family_asks_for_deletion_does_not_reopen_the_log(app, db_conn, monkeypatch):
    """The holder reopens the ended log at the moment the family asks for its deletion:
    the reopen waits, then sees the request and is refused; nobody works on in a log the
    family has asked to have deleted."""
    results, log = _deletion_requested_while(
        app, monkeypatch, lambda log: lifecycle.reopen(user("stafettholder"), Log.get_by_id(log.id))
    )
    assert results["family"] == "ok"
    assert results["other"].startswith("LogError")
    assert Log.get_by_id(log.id).status in LogStatus.ENDED


def test_every_write_reads_its_log_through_one_function():
    """The log read under its row lock inside a write was written out in five places
    (the log's life, its content and consent, the archive, handovers), each with its own
    answer when the log was gone: a 404 in one, «finnes ikke lenger» in another. One
    function now (logs/errors.locked_log), one error that is both (LogGone)."""
    source = Path(__file__).resolve().parent.parent / "stafettlogg"
    restated = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if re.search(r"locked\(\s*Log\.select\(", path.read_text()) and path.name != "errors.py"
    ]
    assert restated == []
    gone = LogGone()
    assert isinstance(gone, LogError) and gone.code == "gone" and isinstance(gone, Log.DoesNotExist)


def test_a_log_deleted_meanwhile_is_gone_for_every_write(app, db_conn):
    log = a_log()
    Log.delete().where(Log.id == log.id).execute()
    with pytest.raises(LogGone), write_transaction():
        locked_log(log)
    with pytest.raises(LogGone):
        lifecycle.fresh_log(log)
