"""Fixtures: an app on a fresh copy of a seeded database per test, a client per role.

The world is the demo municipality (stafettlogg/demo.py), so tests and `make run`
show the same people. Personas for the permission matrix (SECURITY.md "Access"):
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest

from stafettlogg.models import User, utcnow
from tests.signin_helpers import clock  # noqa: F401  (the sign-in rules' clock, moved by tests)

# persona -> demo username. Emma Hansen's log (id 1) is held by "stafettholder"
# (Nordbyen skole); "aktor" takes part in it; "larer" works at Nordbyen skole but is not
# on it; "enhetsleder" leads Nordbyen skole; "kontaktlaerer" works at Sørbyen skole;
# "foresatt" is Emma's mother.
PERSONAS = {
    "holder": "stafettholder",
    "participant": "aktor",
    "same_unit_staff": "larer",
    "unit_leader": "enhetsleder",
    "ito_coordinator": "ito",
    "other_unit_staff": "kontaktlaerer",
    "other_unit_leader": "enhetsleder2",
    "guardian": "foresatt",
    "coordinating_unit": "ke",
    "area_leader": "omradeleder",
    "admin": "admin",
}
EMMA_LOG_ID = 1

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def _make_app(url: str, **overrides):
    from stafettlogg.application import create_app

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_MAX_FAILURES": 5,
    }
    config.update(overrides)
    return create_app(config)


def _seed(url: str) -> None:
    from stafettlogg import demo
    from stafettlogg.db import db

    app = _make_app(url)  # migrates
    with app.app_context(), db.connection_context():
        demo.seed()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """Migrated and seeded once per session; each test gets its own copy."""
    if ON_POSTGRES:
        name = f"stafett_tpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        _seed(_pg_url(name))
        from stafettlogg.db import db

        db.close() if not db.is_closed() else None
        yield name
        drop_pg_database(name)
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        _seed(f"sqlite:///{path}")
        yield path


def _pg_url(name: str) -> str:
    base, _sep, _old = TEST_DATABASE_URL.rpartition("/")
    return f"{base}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop_pg_database(name: str) -> None:
    """Drop a test database, ending our own leftover connections first.

    WITH (FORCE) would also try to end an autovacuum worker on that database, which only a
    superuser may do; the tests' role is not one. So end the sessions this role owns and
    retry while PostgreSQL's own workers still hold the database.
    """
    import time

    import psycopg

    for _attempt in range(100):
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
                (name,),
            )
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.1)
    raise RuntimeError(f"test database {name} is still in use")


@pytest.fixture
def database_url(template_database, tmp_path):
    if ON_POSTGRES:
        name = f"stafett_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        yield _pg_url(name)
        from stafettlogg.db import db

        if not db.is_closed():
            db.close()
        drop_pg_database(name)
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = _make_app(database_url)
    yield app
    from stafettlogg.db import db

    problems = notification_link_problems(app)
    if not db.is_closed():
        db.close()
    # every test that leaves a notice behind checks that its link leads to a route
    assert not problems, f"notifications link to no route: {problems}"


def notification_link_problems(app) -> list[str]:
    """The stored notification links that match no route of the app (links are built
    with url_for / web.path_for, never written by hand)."""
    from urllib.parse import urlsplit

    from peewee import DatabaseError
    from werkzeug.exceptions import HTTPException

    from stafettlogg.db import db
    from stafettlogg.models import Notification

    adapter = app.url_map.bind("localhost")
    with app.app_context():
        try:
            db.connect(reuse_if_open=True)
            urls = {n.url for n in Notification.select(Notification.url).distinct() if n.url}
        except DatabaseError:
            return []  # a test that took the database away
    problems = []
    for url in sorted(urls):
        try:
            adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            problems.append(url)
    return problems


@pytest.fixture
def db_conn(app):
    """An open connection for arranging and asserting outside requests."""
    from stafettlogg.db import db

    db.connect(reuse_if_open=True)
    yield db
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


def user(username: str) -> User:
    return User.get(User.username == username)


class Auth:
    """Log a test client in as a demo user without the cost of argon2 each time."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def login_as(self, username: str):
        from stafettlogg.db import db

        with db.connection_context():
            u = user(username)
            session_id = u.get_id()
        with self.client.session_transaction() as session:
            session.clear()
            session["_user_id"] = session_id
            session["_fresh"] = True
            session["last_seen"] = utcnow().timestamp()
        return self.client

    def login(self, username: str, password: str = "demo-passord", **kwargs):
        return self.client.post("/login", data={"username": username, "password": password}, **kwargs)

    def persona(self, name: str):
        if name == "anonymous":
            return self.client
        return self.login_as(PERSONAS[name])


@pytest.fixture
def auth(app, client):
    return Auth(app, client)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if (here / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
