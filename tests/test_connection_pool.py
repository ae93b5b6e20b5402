"""The app server keeps its database connections between requests (db.POOL): a new one
costs a PostgreSQL server process and authentication, or SQLite's reading of the schema,
on every request. A kept connection must never outlive what it points at: a replaced
SQLite file is opened anew, a dead one is not handed out again."""

import shutil
from pathlib import Path

import pytest

from stafettlogg.db import close_kept_connections, db, discard_connections, open_database
from tests.conftest import ON_POSTGRES, a_log

pytestmark = pytest.mark.db


def _kept() -> set[int]:
    return {id(conn) for _ts, _n, conn in db.obj._connections}


def test_requests_reuse_a_kept_connection(app, auth):
    holder = auth.login_as("stafettholder")
    with app.app_context(), db.connection_context():
        log = a_log()
    assert holder.get(f"/logger/{log.id}").status_code == 200
    kept = _kept()
    assert len(kept) == 1  # given back to the pool after the request
    for _ in range(5):
        assert holder.get(f"/logger/{log.id}").status_code == 200
        assert holder.get("/").status_code == 200
        assert _kept() == kept  # the same driver connection, not a new one
    assert db.is_closed()  # not held by the thread between requests


def test_commands_and_probes_open_plain_connections(database_url):
    plain = open_database(database_url)
    assert not hasattr(plain, "close_idle")
    pooled = open_database(database_url, pooled=True)
    assert hasattr(pooled, "close_idle")


def test_after_a_database_error_no_kept_connection_is_handed_out(app, auth):
    holder = auth.login_as("stafettholder")
    assert holder.get("/").status_code == 200
    assert len(db.obj._connections) >= 1
    with app.test_request_context("/"):
        db.connect(reuse_if_open=True)
        discard_connections()
    assert db.obj._connections == [] and db.is_closed()
    assert holder.get("/").status_code == 200  # and the next request opens a new one


@pytest.mark.skipif(ON_POSTGRES, reason="a file replaced under a running SQLite app")
def test_a_restored_sqlite_file_is_opened_anew(app, auth, database_url, tmp_path):
    """Someone puts another file at the database's path (a restore done by copying, a
    move): the next request reads the new file, not the one a kept connection opened."""
    path = Path(database_url.split("sqlite:///", 1)[1])
    holder = auth.login_as("stafettholder")
    with app.app_context(), db.connection_context():
        kept = a_log(name="Før Kopien")
    close_kept_connections()  # the last connection closed writes the WAL into the file
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(path, copy)
    with app.app_context(), db.connection_context():
        later = a_log(name="Etter Kopien")
    assert holder.get(f"/logger/{later.id}").status_code == 200
    copy.replace(path)  # a new file (a new inode) at the same path
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert holder.get(f"/logger/{later.id}").status_code == 404  # not in the restored file
    assert holder.get(f"/logger/{kept.id}").status_code == 200


def test_postgresql_sessions_price_random_reads_for_ssd(app, database_url):
    """The app's PostgreSQL sessions set random_page_cost = 1.1 (db.POSTGRES_SESSION), so
    a user's or a unit's few hundred logs are looked up by id, not found by scanning
    every log; `?options=` in DATABASE_URL replaces it. (SQLite has no such setting.)"""
    url = "postgresql://someone:secret@db.example:5432/stafettlogg"
    for pooled in (False, True):
        assert open_database(url, pooled=pooled).connect_params["options"] == "-c random_page_cost=1.1"
        own = open_database(url + "?options=-c%20random_page_cost%3D2", pooled=pooled).connect_params
        assert own["options"] == "-c random_page_cost=2"
    if ON_POSTGRES:
        with app.app_context(), db.connection_context():
            assert db.execute_sql("SHOW random_page_cost").fetchone()[0] == "1.1"


def test_the_bench_explains_the_queries_with_the_apps_planner_settings(monkeypatch):
    """`make bench` prints the plan of each page's queries: made in a session with the
    app's planner settings, or it shows plans the app never runs."""
    import psycopg

    from bench.run import plans

    opened = []

    def fake_connect(url, **options):
        opened.append(options)
        raise RuntimeError("no server here")

    monkeypatch.setattr(psycopg, "connect", fake_connect)
    url = "postgresql://someone:secret@db.example:5432/stafettlogg"
    for given, expected in ((url, {"options": "-c random_page_cost=1.1"}), (url + "?options=-c%20jit%3Doff", {})):
        with pytest.raises(RuntimeError):
            plans(given, [], report=lambda *a: None)
        assert opened.pop() == expected


def test_a_static_file_reads_nothing_from_the_database(auth, db_conn):
    """Finding: keeping the reader's language in the browser asked current_user after the
    request, which for a static file loaded the account then, on a pooled connection that
    was never given back (the pool ran out). A static file asks the database nothing."""
    from bench.run import counting
    from stafettlogg.db import db

    guardian = auth.persona("guardian")
    with counting(db) as counter:
        assert guardian.get("/static/favicon.svg").status_code == 200
    assert counter["sql"] == []
