"""Sessions and login (SECURITY.md "Sessions and login")."""

import re

import pytest

from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.models import User
from stafettlogg.passwords import hash_password, password_problem, verify_password
from tests.conftest import _make_app, a_log, user

pytestmark = pytest.mark.db


def to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_login_page_and_successful_login(auth, client):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.get_data(as_text=True)
    r = auth.login("stafettholder")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "Mine stafettlogger" in client.get("/").get_data(as_text=True)


def test_unknown_user_and_wrong_password_look_the_same(auth):
    wrong = auth.login("stafettholder", "feil-passord-her")
    unknown = auth.login("finnes-ikke", "feil-passord-her")
    assert wrong.status_code == unknown.status_code == 422

    def strip(r):
        html = r.get_data(as_text=True).replace("finnes-ikke", "X").replace("stafettholder", "X")
        return re.sub(r'(csrf-token" content|csrf_token" value)="[^"]+"', "", html)

    assert strip(wrong) == strip(unknown)
    assert "Feil brukernavn eller passord." in wrong.get_data(as_text=True)


def test_failed_logins_are_limited_per_ip(auth):
    for i in range(20):
        auth.login(f"ukjent{i}", "feil-passord-her")
    r = auth.login("aktor")
    assert "For mange mislykkede forsøk" in r.get_data(as_text=True)


def test_next_only_to_same_host(auth, client):
    log = a_log(participants=("aktor",))
    r = client.post("/login?next=https://evil.example/x", data={"username": "aktor", "password": "demo-passord"})
    assert r.headers["Location"] == "/"
    client.post("/logout")
    r = client.post("/login?next=//evil.example", data={"username": "aktor", "password": "demo-passord"})
    assert r.headers["Location"] == "/"
    client.post("/logout")
    r = client.post(f"/login?next=/logger/{log.id}", data={"username": "aktor", "password": "demo-passord"})
    assert r.headers["Location"] == f"/logger/{log.id}"


def test_anonymous_is_sent_to_login_with_next(client):
    log = a_log()
    r = client.get(f"/logger/{log.id}")
    assert r.status_code == 303
    assert r.headers["Location"].startswith(f"/login?next=/logger/{log.id}")


def test_htmx_request_with_expired_session_gets_hx_redirect(client):
    log = a_log()
    r = client.get(
        f"/logger/{log.id}/sammendrag",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost/logger/{log.id}"},
    )
    assert r.status_code == 200
    assert r.headers["HX-Redirect"] == f"/login?next=/logger/{log.id}"
    assert r.get_data() == b""


def test_logout_ends_every_session_of_the_user(app, auth):
    first = app.test_client()
    second = app.test_client()
    for c in (first, second):
        c.post("/login", data={"username": "aktor", "password": "demo-passord"})
        assert c.get("/").status_code == 200
    first.post("/logout")
    assert to_login(second.get("/"))  # the other session ended too


def test_deactivated_user_loses_access_on_next_request(app, auth, client):
    log = a_log(participants=("aktor",))
    auth.login("aktor")
    assert client.get(f"/logger/{log.id}").status_code == 200
    with db.connection_context():
        User.update(active=False).where(User.username == "aktor").execute()
    assert to_login(client.get(f"/logger/{log.id}"))


def test_idle_timeout(app, auth, client):
    auth.login("aktor")
    with client.session_transaction() as s:
        s["last_seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 5
    assert to_login(client.get("/"))


def test_a_busy_session_still_ends_after_the_working_day(app, auth, client):
    """Requests keep a session from going idle, never alive past SESSION_MAX_HOURS after
    sign-in: a stolen cookie or a screen left signed in does not last for days."""
    auth.login("aktor")
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["signed_in_at"] -= app.config["SESSION_MAX_HOURS"] * 3600 - 60  # a minute left
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["signed_in_at"] -= 120
        assert s["last_seen"] > s["signed_in_at"]  # busy: never idle
    assert to_login(client.get("/"))
    assert to_login(client.get("/"))  # and it stays ended


def test_session_cookie_flags(auth):
    r = auth.login("aktor")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookie_and_hsts_with_https(database_url):
    app = _make_app(database_url, HTTPS=True)
    r = app.test_client().get("/login")
    assert "Strict-Transport-Security" in r.headers
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_password_hashes_are_argon2id():
    h = hash_password("et langt passord her")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "et langt passord her")
    assert not verify_password(h, "feil")
    assert not verify_password(None, "hva som helst")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("kort", False),
        ("elleve-tegn", False),
        ("passordpassord", False),
        ("qwertyuiop123", False),
        ("aktor-aktor-aktor", False),  # contains the username
        ("Hesten spiser havre om morgenen", True),
        ("tolv tegn ok", True),
    ],
)
def test_password_policy(password, ok):
    assert (password_problem(password, "aktor") is None) is ok


def test_password_change_ends_other_sessions(app, auth, client):
    other = app.test_client()
    other.post("/login", data={"username": "aktor", "password": "demo-passord"})
    auth.login("aktor")
    r = client.post(
        "/konto/passord",
        data={"current": "demo-passord", "new": "Hesten spiser havre", "repeat": "Hesten spiser havre"},
    )
    assert r.status_code == 302
    assert client.get("/").status_code == 200  # this session continues
    assert to_login(other.get("/"))  # the other one ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "aktor", "password": "Hesten spiser havre"}).status_code == 302


def test_password_change_refuses_weak_and_keeps_nothing(auth, client):
    auth.login("aktor")
    r = client.post("/konto/passord", data={"current": "demo-passord", "new": "kort", "repeat": "kort"})
    assert r.status_code == 422
    assert "minst 12 tegn" in r.get_data(as_text=True)
    with db.connection_context():
        assert verify_password(user("aktor").password_hash, "demo-passord")


def test_temporary_password_must_be_changed_first(auth, client):
    with db.connection_context():
        User.update(must_change_password=True).where(User.username == "aktor").execute()
    auth.login("aktor")
    r = client.get("/")
    assert r.status_code == 303 and r.headers["Location"] == "/konto/passord"
    client.post(
        "/konto/passord",
        data={"current": "demo-passord", "new": "Hesten spiser havre", "repeat": "Hesten spiser havre"},
    )
    assert client.get("/").status_code == 200


def test_csrf_refused_without_token(database_url):
    app = _make_app(database_url, WTF_CSRF_ENABLED=True)
    c = app.test_client()
    r = c.post("/login", data={"username": "aktor", "password": "demo-passord"})
    assert r.status_code == 400
    assert "sikkerhetsnøkkel" in r.get_data(as_text=True)


def test_csrf_token_in_form_and_header_accepted(database_url):
    import re

    app = _make_app(database_url, WTF_CSRF_ENABLED=True)
    log = a_log()
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"username": "aktor", "password": "demo-passord", "csrf_token": token})
    assert r.status_code == 302
    meta = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").get_data(as_text=True)).group(1)
    # htmx sends the token as a header: a POST without it in the form is accepted
    r = c.post(
        f"/logger/{log.id}/seksjon/entries",
        data={"entry_date": local_today().isoformat(), "body": "Notat via htmx"},
        headers={"X-CSRFToken": meta, "HX-Request": "true"},
    )
    assert r.status_code == 200
    assert "Notat via htmx" in r.get_data(as_text=True)
    r = c.post(
        f"/logger/{log.id}/seksjon/entries",
        data={"entry_date": local_today().isoformat(), "body": "Uten token"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 400


def test_session_times_count_in_utc_whatever_the_servers_time_zone(monkeypatch):
    """The idle and working-day limits count seconds from UTC times: read as the server's
    local time (Oslo), a session would be an hour off across a daylight-saving change."""
    import calendar
    import datetime as dt
    import time

    from stafettlogg.signin.clock import epoch_seconds

    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    try:
        for moment in (dt.datetime(2026, 3, 29, 0, 30), dt.datetime(2026, 3, 29, 1, 30), dt.datetime(2026, 10, 25, 1)):
            assert epoch_seconds(moment) == calendar.timegm(moment.timetuple())
        # 02:30 and 03:10 UTC on the night Oslo's clocks go back: 40 minutes, not 100
        before, after = dt.datetime(2026, 10, 25, 2, 30), dt.datetime(2026, 10, 25, 3, 10)
        assert epoch_seconds(after) - epoch_seconds(before) == 40 * 60
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
