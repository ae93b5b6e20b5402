"""Second factor for password sign-in (SECURITY.md "Second factor"): enrolment by QR code
and typed key, sign-in with a code, wrong and replayed codes, recovery codes used once,
mandatory enrolment for the admin and area leaders, reset by the unit leader."""

import datetime as dt
import re

import pytest

from stafettlogg import auth as auth_module
from stafettlogg.db import db
from stafettlogg.models import AuditEvent, Notification, RecoveryCode, Role, User
from stafettlogg.signin import second_factor
from tests.conftest import Auth, _make_app, a_log, user
from tests.signin_helpers import code_at, recovery_codes_on, secret_on

pytestmark = pytest.mark.db


def enrol(client, clock):
    """Enrol the signed-in client's user; returns (secret, recovery codes)."""
    page = client.get("/konto/sikkerhet")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "QR-kode" in html
    secret = secret_on(html)
    done = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = recovery_codes_on(done.get_data(as_text=True))
    assert len(codes) == second_factor.RECOVERY_CODES == 10
    return secret, codes


def password_step(client, username="larer"):
    return client.post("/login?next=/logger/ny", data={"username": username, "password": "demo-passord"})


def signed_in(client) -> bool:
    r = client.get("/")
    return r.status_code == 200


def test_enrolment_needs_a_right_code_then_sign_in_asks_for_it(app, auth, client, clock):
    auth.login_as("larer")
    html = client.get("/konto/sikkerhet").get_data(as_text=True)
    secret = secret_on(html)
    assert secret == secret_on(client.get("/konto/sikkerhet").get_data(as_text=True))  # a reload keeps the key
    wrong = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": "000000"})
    assert wrong.status_code == 422 and "Koden stemmer ikke" in wrong.get_data(as_text=True)
    empty = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": ""})
    assert empty.status_code == 422
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))
    secret, codes = enrol(client, clock)
    with app.app_context(), db.connection_context():
        larer = user("larer")
        assert second_factor.enrolled(larer) and second_factor.second_factor_required(larer)
        assert secret not in larer.totp_secret  # stored encrypted
        hashes = [r.code_hash for r in RecoveryCode.select().where(RecoveryCode.user == larer)]
        assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
        assert not any(c.replace("-", "") in h for c in codes for h in hashes)
        assert AuditEvent.select().where(AuditEvent.action == "second_factor_enrolled").count() == 1
    client.post("/logout")

    r = password_step(client)
    assert r.status_code == 303 and r.headers["Location"] == "/login/kode"
    assert not signed_in(client)  # the password alone opens nothing
    assert client.get("/logger/ny").status_code == 303
    wrong = client.post("/login/kode", data={"code": "123456"})
    assert wrong.status_code == 422 and "Koden stemmer ikke" in wrong.get_data(as_text=True)
    assert 'value="123456"' in wrong.get_data(as_text=True)  # what was typed stays
    clock.advance(30)
    ok = client.post("/login/kode", data={"code": code_at(secret, clock.t)})
    assert ok.status_code == 303 and ok.headers["Location"] == "/logger/ny"
    assert signed_in(client)


def test_a_code_is_refused_the_second_time(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    clock.advance(30)
    code = code_at(secret, clock.t)
    password_step(client)
    assert client.post("/login/kode", data={"code": code}).status_code == 303
    client.post("/logout")
    password_step(client)
    replay = client.post("/login/kode", data={"code": code})  # same code, same 30 seconds
    assert replay.status_code == 422 and not signed_in(client)
    clock.advance(30)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303


def test_an_older_code_than_the_last_accepted_is_refused(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    clock.advance(60)
    previous, current = code_at(secret, clock.t - dt.timedelta(seconds=30)), code_at(secret, clock.t)
    password_step(client)
    assert client.post("/login/kode", data={"code": current}).status_code == 303
    client.post("/logout")
    password_step(client)
    assert client.post("/login/kode", data={"code": previous}).status_code == 422


def test_recovery_code_works_once(app, auth, client, clock):
    auth.login_as("larer")
    _secret, codes = enrol(client, clock)
    client.post("/logout")
    password_step(client)
    r = client.post("/login/kode", data={"code": codes[3].upper().replace("-", " ")})  # as typed from paper
    assert r.status_code == 303
    assert "Du har 9 igjen" in client.get("/").get_data(as_text=True)  # signed in, told how many are left
    client.post("/logout")
    password_step(client)
    again = client.post("/login/kode", data={"code": codes[3]})
    assert again.status_code == 422 and not signed_in(client)
    with db.connection_context():
        assert AuditEvent.select().where(AuditEvent.action == "recovery_code_used").count() == 1


def test_wrong_codes_in_a_row_are_capped_the_person_told_and_a_recovery_code_still_opens(app, auth, client, clock):
    """Someone who has the password guesses the six digits, one a minute (the delay's
    pace): after throttle.CODE_LIMIT wrong codes in a row the app's codes are not judged
    for a day (NIST SP 800-63B 5.2.2), the owner is told once, and a recovery code works."""
    from stafettlogg.signin import throttle

    auth.login_as("larer")
    secret, codes = enrol(client, clock)
    client.post("/logout")
    attacker = app.test_client()
    pending_since = None
    for _ in range(throttle.CODE_LIMIT + 5):
        if pending_since is None or (clock.t - pending_since).total_seconds() > 240:
            password_step(attacker)
            pending_since = clock.t
        valid = {code_at(secret, clock.t + dt.timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
        wrong = next(c for c in ("000000", "111111", "222222") if c not in valid)
        attacker.post("/login/kode", data={"code": wrong})
        clock.advance(61)
    password_step(client)
    right = client.post("/login/kode", data={"code": code_at(secret, clock.t)})
    assert right.status_code == 422 and "Bruk en av reservekodene" in right.get_data(as_text=True)
    with db.connection_context():
        told = Notification.select().where(
            Notification.user == user("larer").id, Notification.kind == "second_factor_codes_exhausted"
        )
        assert told.count() == 1
        assert AuditEvent.select().where(AuditEvent.action == "second_factor_codes_exhausted").count() == 1
    clock.advance(61)  # the delay after the last wrong code
    assert client.post("/login/kode", data={"code": codes[0]}).status_code == 303  # a recovery code is judged
    # the right code cleared the count: the app's codes work again
    client.post("/logout")
    clock.advance(31)
    password_step(client)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303


def test_a_day_without_wrong_codes_lifts_the_cap(app, auth, client, clock):
    from stafettlogg.signin import throttle

    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    with db.connection_context():
        for n in range(throttle.CODE_LIMIT):
            throttle.LoginFailure.create(key=throttle.code_key(user("larer").id), at=clock.t - dt.timedelta(hours=2))
    password_step(client)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 422
    clock.advance(24 * 3600)
    password_step(client)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303


def test_code_page_without_the_password_step_sends_to_login(client):
    r = client.get("/login/kode")
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    r = client.post("/login/kode", data={"code": "123456"})
    assert r.status_code == 303


def test_the_password_step_expires(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    password_step(client)
    clock.advance(auth_module.PENDING_MINUTES * 60 + 1)
    r = client.post("/login/kode", data={"code": code_at(secret, clock.t)})
    assert r.status_code == 303 and r.headers["Location"] == "/login" and not signed_in(client)


def test_wrong_codes_are_delayed_per_account(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    password_step(client)
    for _ in range(4):
        client.post("/login/kode", data={"code": "000000"})
    r = client.post("/login/kode", data={"code": code_at(secret, clock.t)})
    assert r.status_code == 422 and "Vent" in r.get_data(as_text=True)
    clock.advance(app.config["LOGIN_MAX_DELAY_SECONDS"])
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303


@pytest.mark.parametrize("username", ["admin", "omradeleder"])
def test_admin_and_area_leader_must_enrol_before_anything_else(app, client, clock, username):
    r = password_step(client, username)
    assert r.status_code == 303 and r.headers["Location"] == "/konto/sikkerhet"
    for path in ("/", "/enheter", "/konto/passord", "/varsler"):
        blocked = client.get(path)
        assert blocked.status_code in (302, 303) and blocked.headers["Location"] == "/konto/sikkerhet", path
    blocked = client.get("/enheter", headers={"HX-Request": "true"})
    assert blocked.headers.get("HX-Redirect") == "/konto/sikkerhet"
    html = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert "Du må sette opp innloggingskode" in html
    secret = secret_on(html)
    done = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    assert 'href="/logger/ny"' in done.get_data(as_text=True) or 'href="/"' in done.get_data(as_text=True)
    assert client.get("/enheter").status_code == 200
    client.post("/logout")
    assert password_step(client, username).headers["Location"] == "/login/kode"
    # mandatory: cannot be turned off
    clock.advance(30)
    client.post("/login/kode", data={"code": code_at(secret, clock.t)})
    client.post("/konto/sikkerhet/av")
    with db.connection_context():
        assert second_factor.enrolled(user(username))


def test_who_needs_a_second_factor(app, db_conn):
    """By default (SECOND_FACTOR_ROLES unset): the system administrator and area leaders."""
    with app.app_context():
        for username, required in [
            ("admin", True),
            ("omradeleder", True),
            ("enhetsleder", False),
            ("larer", False),
            ("foresatt", False),
        ]:
            u = user(username)
            assert auth_module.second_factor_required(u) is required, username
            assert second_factor.second_factor_required(u) is required


def test_others_may_turn_it_off(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    clock.advance(30)
    off = client.post("/konto/sikkerhet/av", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    assert off.status_code == 303
    with db.connection_context():
        larer = user("larer")
        assert not second_factor.enrolled(larer) and larer.totp_secret == ""
        assert RecoveryCode.select().where(RecoveryCode.user == larer).count() == 0
    client.post("/logout")
    assert password_step(client).headers["Location"] == "/logger/ny"


def test_the_secret_is_unreadable_without_secret_key(app, auth, client, clock, database_url):
    auth.login_as("larer")
    secret, codes = enrol(client, clock)
    other = _make_app(database_url, SECRET_KEY="another-secret-key")
    with other.app_context(), db.connection_context():
        assert second_factor._decrypt(user("larer").totp_secret) is None
    client.post("/logout")
    c = other.test_client()
    c.post("/login", data={"username": "larer", "password": "demo-passord"})
    assert c.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 422
    assert c.post("/login/kode", data={"code": codes[0]}).status_code == 303  # recovery codes still work


def test_unit_leader_resets_a_staff_members_second_factor(app, auth, client, clock):
    auth.login_as("larer")
    enrol(client, clock)
    with db.connection_context():
        larer_id = user("larer").id
    # a unit leader of another unit: refused, nothing changes
    auth.login_as("enhetsleder2")
    assert client.post(f"/ansatte/{larer_id}/innloggingskode/nullstill").status_code == 403
    with db.connection_context():
        assert second_factor.enrolled(user("larer"))
    # staff of the same unit: refused
    auth.login_as("stafettholder")
    assert client.post(f"/ansatte/{larer_id}/innloggingskode/nullstill").status_code == 403
    auth.login_as("enhetsleder")
    page = client.get(f"/enheter/{user_unit(larer_id)}").get_data(as_text=True)
    assert "Nullstill innloggingskode" in page
    r = client.post(f"/ansatte/{larer_id}/innloggingskode/nullstill")
    assert r.status_code == 303
    with db.connection_context():
        larer = user("larer")
        assert not second_factor.enrolled(larer)
        event = AuditEvent.select().where(AuditEvent.action == "second_factor_reset").get()
        assert event.object_id == larer.id and event.username == "enhetsleder"
        note = Notification.select().where(Notification.user == larer, Notification.kind == "second_factor_reset").get()
        assert "nullstilt innloggingskoden" in note.message
    # nothing to reset any more
    assert client.post(f"/ansatte/{larer_id}/innloggingskode/nullstill").status_code == 409
    with db.connection_context():
        own = user("enhetsleder").id
    assert client.post(f"/ansatte/{own}/innloggingskode/nullstill").status_code == 409
    client.post("/logout")
    assert password_step(client).headers["Location"] == "/logger/ny"  # larer signs in with the password again


def user_unit(user_id):
    with db.connection_context():
        return User.get_by_id(user_id).unit_id


def test_reset_on_the_command_line(app, auth, client, clock):
    auth.login_as("larer")
    enrol(client, clock)
    result = app.test_cli_runner().invoke(args=["second-factor-reset", "larer"])
    assert result.exit_code == 0, result.output
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))
        assert AuditEvent.select().where(AuditEvent.action == "second_factor_reset").count() == 1
    result = app.test_cli_runner().invoke(args=["second-factor-reset", "finnes-ikke"])
    assert result.exit_code != 0


def test_a_guardian_who_loses_the_phone_is_told_who_can_help(app, auth, client, clock):
    """A guardian with a password (an invitation) may add a sign-in code like staff, but
    has no unit leader: the pages and the reset notice point to the log's holder and the
    municipality, and more recovery codes come from turning the code off and on."""
    auth.login_as("foresatt")
    _secret, codes = enrol(client, clock)
    with app.app_context(), db.connection_context():
        for used in codes[:8]:
            assert second_factor.verify(user("foresatt"), used)
    page = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert "Ubrukte reservekoder: 2." in page
    assert "slår du innloggingskoden av og på igjen" in page and "enhetslederen" not in page
    client.post("/logout")
    password_step(client, "foresatt")
    code_page = client.get("/login/kode").get_data(as_text=True)
    assert "Kontakt den som har stafettloggen til barnet ditt" in code_page
    assert "enhetslederen" not in code_page
    auth.login_as("larer")
    enrol(client, clock)
    client.post("/logout")
    password_step(client, "larer")  # staff are still sent to their unit leader
    assert "Ansatte kontakter enhetslederen sin" in client.get("/login/kode").get_data(as_text=True)

    assert app.test_cli_runner().invoke(args=["second-factor-reset", "foresatt"]).exit_code == 0
    with app.app_context(), db.connection_context():
        [notice] = Notification.select().where(
            Notification.user == user("foresatt"), Notification.kind == "second_factor_reset"
        )
        text = second_factor_notice_text(notice)
    assert "nullstilt av kommunen" in text and "stafettloggen til barnet ditt" in text
    assert "enhetslederen" not in text


def second_factor_notice_text(notice) -> str:
    from stafettlogg.notify import loads

    return loads(notice.message).render("nb")


def test_every_password_sign_in_goes_through_one_function():
    """Only auth.start_session signs a person in (called by complete_password_sign_in after the
    second factor, and by the OpenID Connect sign-in); no view restates it."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent / "stafettlogg"
    callers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py") if "login_user(" in path.read_text())
    assert callers == ["auth.py"]  # the OpenID Connect sign-in calls auth.start_session too


def test_break_glass_admin_sign_in_asks_for_the_code(database_url, clock):
    """With password sign-in off (LOCAL_LOGIN), the admin's break-glass sign-in still goes
    through the second factor."""
    client = _make_app(database_url, LOCAL_LOGIN=False).test_client()
    assert password_step(client, "larer").status_code == 422
    assert password_step(client, "admin").headers["Location"] == "/konto/sikkerhet"
    secret = secret_on(client.get("/konto/sikkerhet").get_data(as_text=True))
    client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    client.post("/logout")
    assert password_step(client, "admin").headers["Location"] == "/login/kode"
    assert not signed_in(client)
    clock.advance(30)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).headers["Location"] == "/logger/ny"


def test_a_new_area_leader_changes_the_temporary_password_then_enrols(app, client, clock):
    """A new area leader has a temporary password and must enrol: one step after the
    other, never sent back and forth between the two pages."""
    with db.connection_context():
        User.update(must_change_password=True).where(User.username == "omradeleder").execute()
    r = password_step(client, "omradeleder")
    assert r.headers["Location"] == "/konto/sikkerhet"
    r = client.get("/konto/sikkerhet")
    assert r.status_code == 303 and r.headers["Location"] == "/konto/passord"
    assert client.get("/konto/passord").status_code == 200
    new = "en lang og god setning om fjellet"
    r = client.post("/konto/passord", data={"current": "demo-passord", "new": new, "repeat": new})
    assert r.status_code == 302
    assert client.get("/").headers["Location"] == "/konto/sikkerhet"  # now the second factor
    html = client.get("/konto/sikkerhet").get_data(as_text=True)
    secret = secret_on(html)
    assert client.post("/konto/sikkerhet", data={"password": new, "code": code_at(secret, clock.t)}).status_code == 200
    assert client.get("/enheter").status_code == 200


def test_turning_it_off_asks_for_the_password_and_a_code_again(app, auth, client, clock):
    """A session left open (a shared screen in a meeting room) is not enough to weaken
    the account: both factors again, one message for either wrong, limited like sign-in."""
    auth.login_as("larer")
    secret, codes = enrol(client, clock)
    clock.advance(30)
    right = code_at(secret, clock.t)
    missing = client.post("/konto/sikkerhet/av", data={"password": "demo-passord"})
    assert missing.status_code == 422
    wrong = (
        {"password": "demo-passord", "code": "000000"},
        {"password": "feil-passord-her", "code": right},
        {"password": "feil-passord-her", "code": codes[0]},
        {"password": "demo-passord", "code": "aaaaa-bbbbb"},
    )
    for data in wrong:
        refused = client.post("/konto/sikkerhet/av", data=data)
        assert refused.status_code == 422, data
        assert "Passordet eller koden stemmer ikke" in refused.get_data(as_text=True), data
    with db.connection_context():
        assert second_factor.enrolled(user("larer"))
    # The fourth wrong answer in a row starts the account's delay: the right ones must wait.
    waiting = client.post("/konto/sikkerhet/av", data={"password": "demo-passord", "code": right})
    assert waiting.status_code == 422 and "Vent" in waiting.get_data(as_text=True)
    clock.advance(60)
    done = client.post("/konto/sikkerhet/av", data={"password": "demo-passord", "code": codes[0]})
    assert done.status_code == 303
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))


def test_turning_it_on_asks_for_the_password(app, auth, client, clock):
    """Someone at a session left open must not tie the account to their own phone (and
    lock its owner out): turning it on asks for the password, counted like a sign-in."""
    auth.login_as("larer")
    secret = secret_on(client.get("/konto/sikkerhet").get_data(as_text=True))
    code = code_at(secret, clock.t)
    for password, message in (("", "Skriv passordet ditt."), ("feil-passord-her", "Passordet stemmer ikke.")):
        refused = client.post("/konto/sikkerhet", data={"password": password, "code": code})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in html, password
        assert f'value="{code}"' in html and secret_on(html) == secret  # the code typed and the key stay
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))
        assert RecoveryCode.select().count() == 0
    # Wrong passwords count like wrong ones on the login form: the fourth in a row makes the right one wait.
    for _ in range(3):
        client.post("/konto/sikkerhet", data={"password": "feil-passord-her", "code": code})
    waiting = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code})
    assert waiting.status_code == 422 and "Vent" in waiting.get_data(as_text=True)
    assert password_step(client.application.test_client()).status_code == 422  # the sign-in waits too
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))
    clock.advance(app.config["LOGIN_MAX_DELAY_SECONDS"])
    done = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    assert done.status_code == 200 and len(recovery_codes_on(done.get_data(as_text=True))) == 10
    with db.connection_context():
        assert second_factor.enrolled(user("larer"))


def test_turning_it_off_needs_the_right_password_and_an_empty_one_is_asked_for(app, auth, client, clock):
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    clock.advance(30)
    code = code_at(secret, clock.t)
    for password, message in (
        ("", "Skriv passordet ditt og koden fra appen"),
        ("feil-passord-her", "Passordet eller koden stemmer ikke. Innloggingskoden er fortsatt på."),
    ):
        refused = client.post("/konto/sikkerhet/av", data={"password": password, "code": code})
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), password
        with db.connection_context():
            assert second_factor.enrolled(user("larer"))
    # the right code was not used up by the refused attempts
    assert client.post("/konto/sikkerhet/av", data={"password": "demo-passord", "code": code}).status_code == 303
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))


def test_a_wrong_current_password_on_the_password_form_counts_like_a_sign_in(app, auth, client, clock):
    """One check of the current password for every change to one's own sign-in."""
    auth.login_as("larer")
    new = "en lang og god setning om fjellet"
    for _ in range(4):
        r = client.post("/konto/passord", data={"current": "feil-passord-her", "new": new, "repeat": new})
        assert r.status_code == 422 and "Passordet stemmer ikke." in r.get_data(as_text=True)
    waiting = client.post("/konto/passord", data={"current": "demo-passord", "new": new, "repeat": new})
    assert waiting.status_code == 422 and "Vent" in waiting.get_data(as_text=True)
    clock.advance(app.config["LOGIN_MAX_DELAY_SECONDS"])
    assert client.post("/konto/passord", data={"current": "demo-passord", "new": new, "repeat": new}).status_code == 302


def test_staff_who_sign_in_through_the_municipality_are_not_offered_a_code_for_a_password_they_cannot_use(
    app, auth, client, clock
):
    """With the municipality's provider for staff (LOCAL_LOGIN off), a teacher's first
    password opens nothing: no second factor is offered for it, nor a password to change;
    the break-glass administrator still has both."""
    app.config.update(LOCAL_LOGIN=False, STAFF_OIDC_ISSUER="https://login.kommune.example")
    auth.login_as("larer")
    page = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert "Du logger inn gjennom en annen tjeneste." in page and 'id="secret-key"' not in page
    assert "Bytt passord" not in page
    r = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": "123456"})
    assert r.status_code == 303
    with db.connection_context():
        assert not second_factor.enrolled(user("larer"))
    auth.login_as("admin")
    page = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert secret_on(page) is not None and "Passord" in page


def test_a_deactivated_account_is_not_told_of_a_second_factor_reset(app, clock):
    """A reset of an account that is deactivated (a teacher who has left, reset by her unit
    leader; a mother's account, on the command line) clears the code and is audited, but
    tells nobody: no notice, no e-mail (notify's rule; before, the mother's e-mail went
    out and the teacher's notice waited in an account no one can sign in to)."""
    from stafettlogg.models import OutboxEmail

    with db.connection_context():
        User.update(email="left@example.no").where(User.username == "larer").execute()
        User.update(email="mother.account@example.no").where(User.username == "foresatt").execute()
        User.update(active=False).where(User.username.in_(["larer", "foresatt"])).execute()
        OutboxEmail.delete().execute()
    assert app.test_cli_runner().invoke(args=["second-factor-reset", "foresatt"]).exit_code == 0
    with app.test_request_context(), db.connection_context():
        second_factor.reset(user("enhetsleder"), user("larer"))
        assert AuditEvent.select().where(AuditEvent.action == "second_factor_reset").count() == 2
        assert not Notification.select().where(Notification.kind == "second_factor_reset").exists()
        assert not OutboxEmail.select().exists()


def test_passwords_and_recovery_codes_are_hashed_outside_the_write_lock(app, auth, client, clock, monkeypatch):
    """Argon2 takes tens of milliseconds a hash (ten recovery codes: a good part of a
    second): done inside a write transaction it holds SQLite's write lock, and every other
    writer (a meeting's autosave, the audit event a read writes) waits. Turning on the
    second factor, changing one's password and creating an account hash first."""
    from stafettlogg import passwords
    from stafettlogg.models import Role
    from stafettlogg.org import domain as org

    hashed_in_a_transaction, hashed = [], []

    class Watched:
        def __init__(self, hasher):
            self.hasher = hasher

        def __getattr__(self, name):  # verify and the rest as they are
            return getattr(self.hasher, name)

        def hash(self, secret, *args, **kwargs):
            hashed.append(1)
            if db.in_transaction():
                hashed_in_a_transaction.append(1)
            return self.hasher.hash(secret, *args, **kwargs)

    monkeypatch.setattr(passwords, "_hasher", Watched(passwords._hasher))
    auth.login("larer")
    enrol(client, clock)
    changed = client.post(
        "/konto/passord",
        data={"current": "demo-passord", "new": "Hesten spiser havre", "repeat": "Hesten spiser havre"},
    )
    assert changed.status_code == 302
    with app.app_context(), db.connection_context():
        org.create_user(Role.STAFF, "ny.ansatt", "Ny Ansatt", unit=user("larer").unit)
    assert len(hashed) >= second_factor.RECOVERY_CODES + 2 and not hashed_in_a_transaction


def test_a_blocked_address_does_not_keep_out_a_browser_that_signed_in_with_its_code_before(app, auth, client, clock):
    """Behind a school's one address, the address's limit (someone typing wrong passwords
    on purpose) stopped the code step too. A browser that has signed in to the account,
    code and all, passes both steps; one that has only been given the password does not
    count as known, and a new browser is still stopped."""
    auth.login_as("larer")
    secret, _codes = enrol(client, clock)
    client.post("/logout")
    password_step(client)
    clock.advance(30)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303
    client.post("/logout")
    halfway = app.test_client()
    assert password_step(halfway).status_code == 303  # the password, no code yet
    for n in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        app.test_client().post("/login", data={"username": f"ukjent{n}", "password": "feil-passord-her"})
    assert "For mange mislykkede forsøk" in password_step(app.test_client()).get_data(as_text=True)
    assert "For mange mislykkede forsøk" in password_step(halfway).get_data(as_text=True)
    assert password_step(client).status_code == 303
    clock.advance(30)
    assert client.post("/login/kode", data={"code": code_at(secret, clock.t)}).status_code == 303 and signed_in(client)


# ------------------------------------------------------------------ SECOND_FACTOR_ROLES


def started_with(database_url, monkeypatch, roles: str | None):
    """The app as an operator starts it, SECOND_FACTOR_ROLES set to ``roles`` (None: unset)."""
    if roles is None:
        monkeypatch.delenv("SECOND_FACTOR_ROLES", raising=False)
    else:
        monkeypatch.setenv("SECOND_FACTOR_ROLES", roles)
    return _make_app(database_url)


@pytest.fixture
def every_staff_member(database_url, monkeypatch):
    """SECOND_FACTOR_ROLES=all: the second factor required of every staff account that
    signs in with a password."""
    yield started_with(database_url, monkeypatch, "all")
    if not db.is_closed():
        db.close()


def test_who_needs_a_second_factor_when_every_staff_member_must(every_staff_member):
    with every_staff_member.app_context(), db.connection_context():
        for username, required in [
            ("admin", True),
            ("omradeleder", True),
            ("enhetsleder", True),
            ("stafettholder", True),
            ("aktor", True),
            ("ke", True),
            ("foresatt", False),  # families are not staff: ID-porten answers for them
        ]:
            assert second_factor.second_factor_required(user(username)) is required, username


def test_every_staff_member_required_a_holder_enrols_before_any_log_page_then_gives_the_code(every_staff_member, clock):
    client = every_staff_member.test_client()
    log = a_log()  # held by stafettholder
    r = client.post(f"/login?next=/logger/{log.id}", data={"username": "stafettholder", "password": "demo-passord"})
    assert r.status_code == 303 and r.headers["Location"] == "/konto/sikkerhet"
    for path in (f"/logger/{log.id}", "/"):
        blocked = client.get(path)
        assert blocked.status_code in (302, 303) and blocked.headers["Location"] == "/konto/sikkerhet", path
    html = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert "Du må sette opp innloggingskode" in html
    secret = secret_on(html)
    done = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    assert f'href="/logger/{log.id}"' in done.get_data(as_text=True)
    assert client.get(f"/logger/{log.id}").status_code == 200
    client.post("/logout")
    # enrolled: the password alone opens no log page, the code does
    r = client.post(f"/login?next=/logger/{log.id}", data={"username": "stafettholder", "password": "demo-passord"})
    assert r.headers["Location"] == "/login/kode"
    assert client.get(f"/logger/{log.id}").status_code != 200
    clock.advance(30)
    assert (
        client.post("/login/kode", data={"code": code_at(secret, clock.t)}).headers["Location"] == f"/logger/{log.id}"
    )
    # required: not the holder's to turn off
    assert "Innloggingskode er påkrevd for din rolle." in client.get("/konto/sikkerhet").get_data(as_text=True)
    clock.advance(30)
    client.post("/konto/sikkerhet/av", data={"password": "demo-passord", "code": code_at(secret, clock.t)})
    with every_staff_member.app_context(), db.connection_context():
        assert second_factor.enrolled(user("stafettholder"))


def test_every_staff_member_required_a_guardian_still_signs_in_without_one(every_staff_member):
    r = password_step(every_staff_member.test_client(), "foresatt")
    assert r.status_code in (302, 303) and r.headers["Location"] == "/logger/ny"


def test_by_default_a_holder_signs_in_with_the_password_alone(app, client):
    log = a_log()
    r = client.post(f"/login?next=/logger/{log.id}", data={"username": "stafettholder", "password": "demo-passord"})
    assert r.headers["Location"] == f"/logger/{log.id}"
    assert client.get(f"/logger/{log.id}").status_code == 200


def staff_row(html: str, name: str) -> str:
    rows = [row for row in re.findall(r"<tr.*?</tr>", html, re.S) if name in row]
    assert len(rows) == 1, name
    return rows[0]


@pytest.mark.parametrize("every", [False, True])
def test_the_unit_page_shows_who_must_have_a_second_factor_and_the_reset_says_what_follows(
    database_url, monkeypatch, clock, every
):
    """The unit leader sees, for each person, whether they must have a sign-in code and
    whether it is set up; resetting one tells what follows from the same rule."""
    chosen = started_with(database_url, monkeypatch, "all" if every else None)
    client = chosen.test_client()
    staff = Auth(chosen, client)
    staff.login_as("larer")
    enrol(client, clock)
    with db.connection_context():
        larer, holder = user("larer"), user("stafettholder")
    staff.login_as("enhetsleder")
    page = client.get(f"/enheter/{larer.unit_id}").get_data(as_text=True)
    if every:
        assert "Må ha innloggingskode (ikke satt opp ennå)" in staff_row(page, holder.name)
        assert "Må ha innloggingskode (satt opp)" in staff_row(page, larer.name)
        assert "setter den opp på nytt ved neste innlogging" in staff_row(page, larer.name)
    else:
        assert "innloggingskode" not in staff_row(page, holder.name).lower()
        assert "Har innloggingskode" in staff_row(page, larer.name)
        assert "Må ha" not in page
        assert "logger inn uten innloggingskode til hen setter den opp igjen" in staff_row(page, larer.name)
    done = client.post(f"/ansatte/{larer.id}/innloggingskode/nullstill", follow_redirects=True).get_data(as_text=True)
    with db.connection_context():
        note = Notification.select().where(Notification.user == larer, Notification.kind == "second_factor_reset").get()
        told = second_factor_notice_text(note)
    if every:
        assert "setter den opp på nytt ved neste innlogging" in done
        assert "Sett den opp på nytt neste gang du logger inn med passord" in told
        assert "Må ha innloggingskode (ikke satt opp ennå)" in staff_row(done, larer.name)
    else:
        assert "logger inn uten innloggingskode til hen setter den opp igjen" in done
        assert "Du logger inn uten den til du setter den opp igjen" in told


def test_a_session_begun_before_the_operator_required_it_is_led_to_enrolment(app, client, clock):
    """SECOND_FACTOR_ROLES takes hold at the next request, not only at the next sign-in:
    a holder signed in with the password alone opens no log page once it is required."""
    log = a_log()
    client.post("/login", data={"username": "stafettholder", "password": "demo-passord"})
    assert client.get(f"/logger/{log.id}").status_code == 200
    app.config["SECOND_FACTOR_ROLES"] = frozenset(Role.STAFF_ACCOUNTS)  # the app started again with all
    blocked = client.get(f"/logger/{log.id}")
    assert blocked.status_code in (302, 303) and blocked.headers["Location"] == "/konto/sikkerhet"
    html = client.get("/konto/sikkerhet").get_data(as_text=True)
    assert "Du må sette opp innloggingskode" in html
    done = client.post("/konto/sikkerhet", data={"password": "demo-passord", "code": code_at(secret_on(html), clock.t)})
    assert done.status_code == 200
    assert client.get(f"/logger/{log.id}").status_code == 200
