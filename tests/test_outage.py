"""A database outage: every page answers 503 with a calm page and Retry-After, static
files still load, and the app recovers by itself when the database is back."""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES, _make_app, a_log, fails, routes, url_values
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.db


class Outage:
    """Cuts the app off from its database and brings it back, on either engine."""

    def __init__(self, database_url: str):
        self.proxy = None
        if ON_POSTGRES:
            match = re.match(r"(postgresql://[^@]+@)([^:/]+):(\d+)(/.*)", database_url)
            prefix, host, port, rest = match.groups()
            self.proxy = TcpProxy(host, int(port))
            self.proxy.start()
            self.url = f"{prefix}127.0.0.1:{self.proxy.port}{rest}"
        else:
            self.url = database_url
            self.path = Path(database_url.split("sqlite:///", 1)[1])

    def begin(self) -> None:
        from stafettlogg.db import db

        if not db.is_closed():
            db.close()
        if self.proxy is not None:
            self.proxy.stop()
        else:
            os.rename(self.path, f"{self.path}.away")
            os.mkdir(self.path)  # a directory where the file was: cannot be opened

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.start()
        else:
            os.rmdir(self.path)
            os.rename(f"{self.path}.away", self.path)


@pytest.fixture
def outage(database_url):
    cut = Outage(database_url)
    yield cut
    if cut.proxy is not None:
        cut.proxy.stop()


def test_every_page_answers_503_during_an_outage_and_recovers(outage, auth_for):
    app = _make_app(outage.url)
    values = url_values(app)
    holder = auth_for(app, "stafettholder")
    anonymous = app.test_client()
    log = a_log()
    assert holder.get(f"/logger/{log.id}").status_code == 200

    outage.begin()
    wrong = []
    for rule, method in routes(app):
        if rule.endpoint in ("static", "main.healthz"):
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for client in (holder, anonymous):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(url, method=method, data={}, headers=headers)
                if response.status_code != 503 or response.headers.get("Retry-After") != "30":
                    wrong.append(f"{method} {url} {headers}: {response.status_code}")
    assert wrong == []
    page = holder.get("/").get_data(as_text=True)
    assert "Stafettloggen er ikke tilgjengelig akkurat nå" in page and "Prøv igjen" in page
    assert "no-store" in holder.get("/").headers["Cache-Control"]
    assert holder.get("/static/css/app.css").status_code == 200  # the calm page keeps its style
    assert holder.get("/healthz").status_code == 503
    holder.set_cookie("lang", "nn")
    assert "Stafettloggen er ikkje tilgjengeleg akkurat no" in holder.get("/").get_data(as_text=True)
    holder.set_cookie("lang", "nb")

    outage.end()
    assert holder.get("/healthz").status_code == 200
    assert holder.get(f"/logger/{log.id}").status_code == 200  # no restart needed
    assert anonymous.get("/login").status_code == 200


def test_a_family_reads_the_outage_page_in_their_language(outage):
    """The calm page during an outage speaks the family's language (their cookie), right
    to left for Arabic."""
    app = _make_app(outage.url)
    family = app.test_client()
    family.get("/login?lang=ar")
    outage.begin()
    try:
        response = family.get("/login")
    finally:
        outage.end()
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="ar" dir="rtl">' in page
    assert "Stafettlogg غير متاح حالياً" in page and "حاول مرة أخرى" in page
    assert "Stafettloggen er ikke tilgjengelig" not in page and "Prøv igjen" not in page


def test_a_guardian_whose_language_the_holder_set_reads_the_outage_page_in_it(outage, auth_for):
    """Finding: the outage page cannot read the account, and a guardian whose language
    the holder set (no cookie of their own, a new phone) got it in bokmål. The signed-in
    person's own language is kept in the browser too."""
    from stafettlogg.models import User

    app = _make_app(outage.url)
    User.update(language="ar").where(User.username == "foresatt").execute()
    mother = auth_for(app, "foresatt")
    assert '<html lang="ar" dir="rtl">' in mother.get("/").get_data(as_text=True)
    outage.begin()
    try:
        response = mother.get("/")
    finally:
        outage.end()
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and '<html lang="ar" dir="rtl">' in page
    assert "Stafettloggen er ikke tilgjengelig" not in page


def test_a_database_error_that_is_not_an_outage_stays_a_500(app, auth, monkeypatch):
    from peewee import OperationalError

    from stafettlogg.logs import queries

    fails(monkeypatch, app, queries, "start_page", OperationalError("no such column: nonsense"))
    response = auth.login_as("stafettholder").get("/")
    assert response.status_code == 500


@pytest.fixture
def auth_for():
    from tests.conftest import Auth

    def login(app, username):
        return Auth(app, app.test_client()).login_as(username)

    return login


def test_a_database_that_never_answers_is_an_outage_within_seconds(monkeypatch):
    """A PostgreSQL host that takes the connection and never answers (a hung server, a
    firewall that drops packets) is an outage the app sees within seconds, so the page
    answers 503: without a connect timeout every request waited until gunicorn killed
    the worker (a 502 from nginx), and the outage check after an error waited too."""
    import socket
    import threading

    from peewee import OperationalError

    from stafettlogg import db as database

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    threading.Thread(target=listener.accept, daemon=True).start()  # accepts, says nothing
    monkeypatch.setattr(database, "CONNECT_TIMEOUT_SECONDS", 1)
    outcome = []

    def connect(pooled):
        probe = database.open_database(f"postgresql://u:p@127.0.0.1:{listener.getsockname()[1]}/x", pooled=pooled)
        try:
            probe.connect()
        except OperationalError as exc:
            outcome.append(exc)

    try:
        for pooled in (False, True):
            thread = threading.Thread(target=connect, args=(pooled,), daemon=True)
            thread.start()
            thread.join(10)
            assert not thread.is_alive(), "still waiting for a database that never answers"
        assert len(outcome) == 2
        url = "postgresql://u:p@db.example/x?connect_timeout=20"
        assert database.open_database(url).connect_params["connect_timeout"] == 20  # the URL's own is kept
    finally:
        listener.close()
