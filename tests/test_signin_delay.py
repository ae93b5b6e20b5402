"""Failed sign-ins (SECURITY.md "Sessions and login"): a growing delay per account that
never keeps the right password out for longer than LOGIN_MAX_DELAY_SECONDS, no lock; the
per-address limit, counted per client behind TRUSTED_PROXIES and not escaped by a forged
X-Forwarded-For. Time is moved by the clock fixture, never slept on."""

import base64
import json
import threading

import pytest

from stafettlogg.db import db
from stafettlogg.models import LoginFailure, User
from stafettlogg.passwords import hash_password
from stafettlogg.signin import devices, throttle
from tests.conftest import _make_app

pytestmark = pytest.mark.db

WRONG = "feil-passord-her"


def attempt(client, username="stafettholder", password=WRONG, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def aktor_from(client, environ_base, forwarded_for):
    """«aktor» signs in with the right password from behind the proxy, the request
    saying it came from `forwarded_for`."""
    headers = {"X-Forwarded-For": forwarded_for}
    return attempt(client, username="aktor", password="demo-passord", environ_base=environ_base, headers=headers)


def delay(app, failures: int) -> int:
    with app.app_context():
        return throttle.delay(failures)


def got_in(response) -> bool:
    return response.status_code == 302


def test_the_rule(app):
    with app.app_context():
        assert throttle.max_delay() == app.config["LOGIN_MAX_DELAY_SECONDS"] == 60
        assert [throttle.delay(n) for n in range(12)] == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_a_few_typos_cost_nothing(client, clock):
    for _ in range(throttle.FREE_ATTEMPTS):
        assert attempt(client).status_code == 422
    assert got_in(attempt(client, password="demo-passord"))


def test_the_right_password_gets_in_after_at_most_the_maximum(app, client, clock):
    """Someone types a colleague's username wrongly 25 times, as fast as allowed: the
    colleague waits at most LOGIN_MAX_DELAY_SECONDS, never locked out."""
    maximum = app.config["LOGIN_MAX_DELAY_SECONDS"]
    for n in range(25):
        r = attempt(client, environ_base={"REMOTE_ADDR": f"10.1.{n}.1"})  # from many addresses
        assert r.status_code == 422 and "Feil brukernavn eller passord" in r.get_data(as_text=True)
        clock.advance(delay(app, n + 1))
    clock.advance(-delay(app, 25))  # just after the last wrong attempt
    r = attempt(client, password="demo-passord")
    assert r.status_code == 422
    assert f"Vent {maximum} sekunder" in r.get_data(as_text=True)
    clock.advance(maximum - 1)
    assert "Vent 1 sekund " in attempt(client, password="demo-passord").get_data(as_text=True)
    clock.advance(1)
    assert got_in(attempt(client, password="demo-passord"))


def test_typing_during_the_delay_does_not_stretch_it(app, client, clock):
    maximum = app.config["LOGIN_MAX_DELAY_SECONDS"]
    for n in range(12):
        attempt(client, environ_base={"REMOTE_ADDR": f"10.2.{n}.1"})
        clock.advance(delay(app, n + 1))
    clock.advance(-maximum)
    for second in range(maximum - 1):  # the attacker keeps typing every second
        r = attempt(client, environ_base={"REMOTE_ADDR": f"10.3.{second}.1"})
        assert "Vent" in r.get_data(as_text=True)
        clock.advance(1)
    with db.connection_context():
        assert LoginFailure.select().where(LoginFailure.key == "user:stafettholder").count() == 12
    clock.advance(1)
    assert got_in(attempt(client, password="demo-passord"))


def test_the_delay_is_for_the_account_not_for_others(client, clock):
    for _ in range(8):
        attempt(client)
    assert "Vent" in attempt(client, password="demo-passord").get_data(as_text=True)
    assert got_in(attempt(client, username="aktor", password="demo-passord"))


def test_a_successful_sign_in_clears_the_count(client, clock):
    for _ in range(throttle.FREE_ATTEMPTS):
        attempt(client)
    assert got_in(attempt(client, password="demo-passord"))
    client.post("/logout")
    for _ in range(throttle.FREE_ATTEMPTS):
        attempt(client)
    assert got_in(attempt(client, password="demo-passord"))


def test_the_delay_holds_across_app_servers(database_url, clock):
    """The count is in the database: a second app server sees the first one's failures."""
    first, second = _make_app(database_url).test_client(), _make_app(database_url).test_client()
    for _ in range(6):
        attempt(first)
    assert "Vent" in attempt(second, password="demo-passord").get_data(as_text=True)
    clock.advance(60)
    assert got_in(attempt(second, password="demo-passord"))


def test_usernames_differing_in_case_share_the_count(client, clock):
    for _ in range(6):
        attempt(client, username="StafettHolder")
    assert "Vent" in attempt(client, password="demo-passord").get_data(as_text=True)


# ------------------------------------------------------------------ per address, behind a proxy


def test_behind_a_trusted_proxy_the_limit_counts_each_client(database_url, clock):
    """TRUSTED_PROXIES=1: every request comes from the proxy's address; the limit counts the
    address in X-Forwarded-For, so one typist does not lock out the municipality."""
    app = _make_app(database_url, TRUSTED_PROXIES=1)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for i in range(limit):
        attempt(client, username=f"ukjent{i}", environ_base=proxy, headers={"X-Forwarded-For": "203.0.113.5"})
    typist = aktor_from(client, proxy, "203.0.113.5")
    assert "For mange mislykkede forsøk" in typist.get_data(as_text=True)
    colleague = aktor_from(client, proxy, "203.0.113.6")
    assert got_in(colleague)
    with db.connection_context():
        assert LoginFailure.select().where(LoginFailure.key == "ip:203.0.113.5").count() == limit
        assert LoginFailure.select().where(LoginFailure.key == "ip:10.0.0.2").count() == 0


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape(database_url, clock):
    """TRUSTED_PROXIES=0: X-Forwarded-For is the client's own words and is ignored."""
    app = _make_app(database_url, TRUSTED_PROXIES=0)
    client = app.test_client()
    direct = {"REMOTE_ADDR": "198.51.100.9"}
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for i in range(limit):
        attempt(client, username=f"ukjent{i}", environ_base=direct, headers={"X-Forwarded-For": f"192.0.2.{i}"})
    r = aktor_from(client, direct, "192.0.2.250")
    assert "For mange mislykkede forsøk" in r.get_data(as_text=True)
    with db.connection_context():
        assert LoginFailure.select().where(LoginFailure.key == "ip:198.51.100.9").count() == limit
    clock.advance(app.config["LOGIN_LOCK_MINUTES"] * 60 + 1)
    assert got_in(attempt(client, username="aktor", password="demo-passord", environ_base=direct))


def test_attempts_judged_at_the_same_time_on_two_app_servers_are_both_counted(database_url, clock, monkeypatch):
    """Checking the delay and counting the attempt are one step: while one app server
    is still judging a password, an attempt on another server already sees it. (Checked
    first and counted after the judgement, a burst of parallel guesses sent the moment a
    delay ended were all judged: the delay limited nothing but the sender's patience.)"""
    from stafettlogg import auth as auth_module

    first, second = _make_app(database_url).test_client(), _make_app(database_url).test_client()
    for _ in range(throttle.FREE_ATTEMPTS):
        attempt(first)
    real, judged, answers = auth_module.verify_password, [], []

    def judging(stored, password):
        judged.append(password)
        if len(judged) == 1:  # a guess reaches the other server while this one is judged
            other = threading.Thread(target=lambda: answers.append(attempt(second).get_data(as_text=True)))
            other.start()
            other.join()
        return real(stored, password)

    monkeypatch.setattr(auth_module, "verify_password", judging)
    assert attempt(first).status_code == 422
    assert len(judged) == 1 and "Vent 1 sekund" in answers[0]


def test_an_ipv6_client_is_counted_by_its_64_network(database_url, clock):
    """One connection gets a whole /64 and may use any address in it: the limit counts
    the network, so a new address in it does not start a new count."""
    app = _make_app(database_url)
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for i in range(limit):
        attempt(client, username=f"ukjent{i}", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{i + 1:x}"})
    fresh = {"REMOTE_ADDR": "2001:db8:1:2:ffff:ffff:ffff:fffe"}
    r = attempt(client, username="aktor", password="demo-passord", environ_base=fresh)
    assert "For mange mislykkede forsøk" in r.get_data(as_text=True)
    neighbour = {"REMOTE_ADDR": "2001:db8:1:3::1"}  # another connection
    assert got_in(attempt(client, username="aktor", password="demo-passord", environ_base=neighbour))
    with app.app_context():
        assert throttle.ip_key("::ffff:192.0.2.7") == throttle.ip_key("192.0.2.7") == "ip:192.0.2.7"


# ------------------------------------------------------------------ a browser the account knows


def signed_in_before(app, username="larer"):
    """A browser that has signed in to `username` with its password, and signed out."""
    browser = app.test_client()
    assert got_in(attempt(browser, username=username, password="demo-passord"))
    browser.post("/logout")
    return browser


def test_one_person_behind_the_schools_address_does_not_keep_colleagues_out_of_their_own_browsers(app, clock):
    """Everyone at a school reaches the app from one address. A pupil (or a colleague)
    typing wrong passwords on purpose used the per-address limit to stop every teacher's
    password sign-in for LOGIN_LOCK_MINUTES. A browser that has signed in to its account
    before is not held to the address's limit; a new browser still is."""
    colleague, prankster = signed_in_before(app), app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        attempt(prankster, username=f"ukjent{n}")
    refused = attempt(app.test_client(), username="larer", password="demo-passord")
    assert "For mange mislykkede forsøk" in refused.get_data(as_text=True)
    assert got_in(attempt(colleague, username="larer", password="demo-passord"))


def test_wrong_attempts_on_your_username_elsewhere_do_not_delay_you_in_your_own_browser(app, clock):
    own = signed_in_before(app)
    for n in range(10):
        attempt(app.test_client(), username="larer", environ_base={"REMOTE_ADDR": f"10.9.{n}.1"})
    assert "Vent" in attempt(app.test_client(), username="larer", password="demo-passord").get_data(as_text=True)
    assert got_in(attempt(own, username="larer", password="demo-passord"))


def test_your_own_browsers_wrong_attempts_are_delayed_by_the_same_rule(app, clock):
    own = signed_in_before(app)
    for _ in range(throttle.FREE_ATTEMPTS + 1):
        assert "Feil brukernavn eller passord" in attempt(own, username="larer").get_data(as_text=True)
    assert "Vent 1 sekund " in attempt(own, username="larer", password="demo-passord").get_data(as_text=True)
    clock.advance(1)
    assert got_in(attempt(own, username="larer", password="demo-passord"))


def test_a_browser_known_to_one_account_gets_nothing_for_another(app, clock):
    """The prankster signs in to their own account first: their browser is known to it,
    not to the colleague's, and the address's limit holds for them on every other account."""
    prankster = signed_in_before(app, "aktor")
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        attempt(prankster, username=f"ukjent{n}")
    refused = attempt(prankster, username="larer", password="demo-passord")
    assert "For mange mislykkede forsøk" in refused.get_data(as_text=True)
    for _ in range(8):  # nor does the colleague's account delay stop for them
        attempt(prankster, username="larer", environ_base={"REMOTE_ADDR": "10.8.0.1"})
    assert "Vent" in attempt(prankster, username="larer", environ_base={"REMOTE_ADDR": "10.8.0.2"}).get_data(
        as_text=True
    )


def test_the_cookie_names_no_one_and_a_forged_one_counts_for_nothing(app, clock):
    own = signed_in_before(app)
    cookie = own.get_cookie(devices.COOKIE)
    assert cookie.http_only and cookie.max_age == devices.DAYS * 24 * 3600
    assert "larer" not in base64.urlsafe_b64decode(cookie.value.split(".")[0] + "==").decode(errors="replace")
    forged = app.test_client()
    payload = base64.urlsafe_b64encode(b'[{"u":%d,"n":"x"}]' % cookie_user(cookie.value)).decode().rstrip("=")
    forged.set_cookie(devices.COOKIE, payload + "." + cookie.value.split(".", 1)[1])  # another payload, old signature
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        attempt(app.test_client(), username=f"ukjent{n}")
    refused = attempt(forged, username="larer", password="demo-passord")
    assert "For mange mislykkede forsøk" in refused.get_data(as_text=True)
    assert got_in(attempt(own, username="larer", password="demo-passord"))


def cookie_user(value: str) -> int:
    return json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))[0]["u"]


def test_a_new_password_makes_every_browser_cookie_given_before_count_for_nothing(app, clock):
    """Someone who had the password (a leaked or temporary one) signed in from ten
    browsers, and each cookie gave its own guesses, none counted on the account or the
    address: after the owner changed the password, ten times the guesses, for 180 days.
    A cookie is bound to the password the account had when it was given."""
    gathered = [signed_in_before(app) for _ in range(3)]
    with app.app_context(), db.connection_context():
        User.update(password_hash=hash_password("et-helt-nytt-passord-42")).where(User.username == "larer").execute()
    for browser in gathered:
        for _ in range(throttle.FREE_ATTEMPTS + 1):
            attempt(browser, username="larer")
    refused = attempt(gathered[0], username="larer", password="et-helt-nytt-passord-42")
    assert "Vent" in refused.get_data(as_text=True)  # counted on the account, as from any browser
    clock.advance(app.config["LOGIN_MAX_DELAY_SECONDS"])
    own = app.test_client()
    assert got_in(attempt(own, username="larer", password="et-helt-nytt-passord-42"))
    own.post("/logout")
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        attempt(app.test_client(), username=f"ukjent{n}")
    assert got_in(attempt(own, username="larer", password="et-helt-nytt-passord-42"))  # the new one counts
    assert "For mange mislykkede" in attempt(gathered[1], username="larer", password="x").get_data(as_text=True)


def test_the_browser_a_password_is_changed_in_stays_known_and_no_other(app, clock):
    own, other = signed_in_before(app), signed_in_before(app)
    assert got_in(attempt(own, username="larer", password="demo-passord"))
    new = "et-helt-nytt-passord-42"
    changed = own.post("/konto/passord", data={"current": "demo-passord", "new": new, "repeat": new})
    assert changed.status_code == 302, changed.get_data(as_text=True)
    own.post("/logout")
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        attempt(app.test_client(), username=f"ukjent{n}")
    assert got_in(attempt(own, username="larer", password=new))
    assert "For mange mislykkede" in attempt(other, username="larer", password=new).get_data(as_text=True)
