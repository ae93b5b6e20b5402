"""A forgotten password: whoever administers the account gives a new temporary one
(«Gi nytt midlertidig passord»), shown once; the server command does it for anyone. The
old password and every running session end, the person changes the temporary one at
the next sign-in, keeps their second factor, and is told who did it (never the password)."""

import re

import pytest

from stafettlogg import audit
from stafettlogg.db import db
from stafettlogg.messages import loads
from stafettlogg.models import AuditEvent, LoginFailure, Notification, OutboxEmail, User
from stafettlogg.passwords import verify_password
from stafettlogg.signin import clock, throttle
from tests.conftest import fails, user

pytestmark = pytest.mark.db

BUTTON = "Gi nytt midlertidig passord"
# the words and digits of org.domain.temporary_password
SHOWN = re.compile(r"<code>([a-zæøå]+(?:-[a-zæøå]+){3}-\d\d)</code>")


def _hash(username: str) -> str:
    with db.connection_context():
        return user(username).password_hash


def _id(username: str) -> int:
    with db.connection_context():
        return user(username).id


def _shown(response) -> str:
    return SHOWN.search(response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("unit_leader", True),  # Mari Lund's unit leader (Nordbyen skole)
        ("other_unit_leader", False),  # the leader of another unit
        ("area_leader", False),  # appoints unit leaders, does not administer staff
        ("admin", False),
        ("holder", False),  # staff of the same unit
        ("ito_coordinator", False),
        ("coordinating_unit", False),
        ("guardian", False),
        ("anonymous", False),
    ],
)
def test_who_gives_a_staff_member_a_new_password(auth, persona, allowed):
    before = _hash("larer")
    client = auth.persona(persona)
    r = client.post(f"/ansatte/{_id('larer')}/nytt-passord")
    if allowed:
        assert r.status_code == 200
        with db.connection_context():
            assert verify_password(user("larer").password_hash, _shown(r))
    else:
        assert r.status_code in (302, 303, 403)
        if persona == "anonymous":
            assert "/login" in r.headers["Location"]
        assert _hash("larer") == before


def test_a_unit_leader_is_given_one_by_the_area_leader_and_an_area_leader_by_the_admin(auth):
    with db.connection_context():
        leader = user("enhetsleder")
        unit_id, leader_id = leader.unit_id, leader.id
    route = f"/enheter/{unit_id}/enhetsledere/{leader_id}/nytt-passord"
    for persona in ("unit_leader", "other_unit_leader", "admin", "holder", "guardian"):
        assert auth.persona(persona).post(route).status_code == 403, persona
    page = auth.persona("area_leader").get(f"/enheter/{unit_id}").get_data(as_text=True)
    assert route in page and BUTTON in page
    assert f"/ansatte/{_id('larer')}/nytt-passord" not in page  # staff are the unit leader's
    r = auth.persona("area_leader").post(route)
    assert r.status_code == 200 and verify_password(_hash("enhetsleder"), _shown(r))
    # the unit route names only that unit's leaders
    assert (
        auth.persona("area_leader").post(f"/enheter/{unit_id}/enhetsledere/{_id('larer')}/nytt-passord").status_code
        == 404
    )

    route = f"/omrader/ledere/{_id('omradeleder')}/nytt-passord"
    for persona in ("area_leader", "unit_leader", "holder"):
        assert auth.persona(persona).post(route).status_code == 403, persona
    assert route in auth.persona("admin").get("/omrader").get_data(as_text=True)
    r = auth.persona("admin").post(route)
    assert r.status_code == 200 and verify_password(_hash("omradeleder"), _shown(r))


def test_not_for_oneself(auth):
    before = _hash("enhetsleder")
    r = auth.persona("unit_leader").post(f"/ansatte/{_id('enhetsleder')}/nytt-passord")
    assert r.status_code == 403 and _hash("enhetsleder") == before
    with db.connection_context():
        assert not AuditEvent.select().where(AuditEvent.action == "password_reset").exists()


def test_the_old_password_and_every_session_end_and_the_temporary_one_leads_to_the_change(app, auth, client):
    elsewhere = app.test_client()  # Mari Lund signed in on another machine
    assert _sign_in(elsewhere, "larer").status_code in (302, 303)
    assert elsewhere.get("/").status_code == 200
    with db.connection_context():
        for _i in range(6):  # someone typed wrong passwords: the account's delay runs
            LoginFailure.create(key=throttle.account_key("larer"), at=clock.now())
    leader = auth.persona("unit_leader")
    page = leader.get(f"/enheter/{user_unit('larer')}").get_data(as_text=True)
    assert f"/ansatte/{_id('larer')}/nytt-passord" in page and BUTTON in page
    r = leader.post(f"/ansatte/{_id('larer')}/nytt-passord")
    password = _shown(r)
    assert r.headers["Cache-Control"] == "no-store"
    assert password not in str(r.headers)  # not in a cookie, nor a redirect
    assert "Innloggingskoden er den samme som før" in r.get_data(as_text=True)
    with db.connection_context():
        assert not LoginFailure.select().where(LoginFailure.key == throttle.account_key("larer")).exists()
        event = AuditEvent.get(AuditEvent.action == "password_reset")
        assert event.object_id == _id("larer") and event.username == "enhetsleder"
    # the other machine's session has ended
    assert "/login" in elsewhere.get("/").headers["Location"]
    # the old password opens nothing, the temporary one leads to choosing one's own
    fresh = app.test_client()
    assert _sign_in(fresh, "larer").status_code == 422  # the form again
    assert _sign_in(fresh, "larer", password).status_code in (302, 303)
    assert fresh.get("/").headers["Location"] == "/konto/passord"
    new = "Hesten spiser havre"
    fresh.post("/konto/passord", data={"current": password, "new": new, "repeat": new})
    assert fresh.get("/").status_code == 200


def _sign_in(client, username, password="demo-passord"):
    return client.post("/login", data={"username": username, "password": password})


def user_unit(username):
    with db.connection_context():
        return user(username).unit_id


def test_the_second_factor_stays(auth):
    with db.connection_context():
        User.update(totp_secret="kryptert", totp_enabled_at=User.select().get().created_at).where(
            User.username == "larer"
        ).execute()
    assert auth.persona("unit_leader").post(f"/ansatte/{_id('larer')}/nytt-passord").status_code == 200
    with db.connection_context():
        larer = user("larer")
        assert larer.totp_secret == "kryptert" and larer.totp_enabled_at is not None
        assert larer.must_change_password


def test_a_deactivated_account_gets_none(auth):
    with db.connection_context():
        User.update(active=False).where(User.username == "larer").execute()
    before = _hash("larer")
    page = auth.persona("unit_leader").get(f"/enheter/{user_unit('larer')}").get_data(as_text=True)
    assert f"/ansatte/{_id('larer')}/nytt-passord" not in page
    r = auth.persona("unit_leader").post(f"/ansatte/{_id('larer')}/nytt-passord")
    assert r.status_code == 409
    assert "Mari Lund er deaktivert og kan ikke få nytt passord" in r.get_data(as_text=True)
    assert _hash("larer") == before


def test_not_offered_when_staff_sign_in_with_the_municipalitys_provider(app, auth):
    app.config["LOCAL_LOGIN"] = False
    before = _hash("larer")
    page = auth.persona("unit_leader").get(f"/enheter/{user_unit('larer')}").get_data(as_text=True)
    assert BUTTON not in page
    assert auth.persona("unit_leader").post(f"/ansatte/{_id('larer')}/nytt-passord").status_code == 404
    assert _hash("larer") == before


def test_the_reset_and_its_audit_event_are_one_write(app, auth, monkeypatch):
    before = _hash("larer")
    fails(monkeypatch, app, audit, "record", RuntimeError("the audit table is full"))
    assert auth.persona("unit_leader").post(f"/ansatte/{_id('larer')}/nytt-passord").status_code == 500
    assert _hash("larer") == before


def test_the_person_is_told_by_e_mail_who_did_it_without_the_password(auth):
    with db.connection_context():
        User.update(email="mari.lund@example.no").where(User.username == "larer").execute()
    password = _shown(auth.persona("unit_leader").post(f"/ansatte/{_id('larer')}/nytt-passord"))
    with db.connection_context():
        mail = OutboxEmail.get(OutboxEmail.to == "mari.lund@example.no")
        stored = mail.subject_message + mail.body_message
        body = loads(mail.body_message).render("nb")
        note = Notification.get(Notification.user == _id("larer"), Notification.kind == "password_reset")
    assert password not in stored and password not in note.message
    with db.connection_context():
        leader_name = user("enhetsleder").name
    assert leader_name in body and "Kontakt lederen din hvis du ikke ba om dette" in body


def test_the_command_gives_anyone_a_new_password(app, client):
    result = app.test_cli_runner().invoke(args=["password-reset", "admin"])
    assert result.exit_code == 0, result.output
    password = re.search(r": (\S+)$", result.output.strip()).group(1)
    with db.connection_context():
        admin = user("admin")
        assert verify_password(admin.password_hash, password) and admin.must_change_password
        event = AuditEvent.get(AuditEvent.action == "password_reset")
        assert event.object_id == admin.id and event.user_id is None and event.role == "system"
    assert app.test_cli_runner().invoke(args=["password-reset", "finnes-ikke"]).exit_code != 0
    with db.connection_context():
        User.update(active=False).where(User.username == "larer").execute()
    result = app.test_cli_runner().invoke(args=["password-reset", "larer"])
    assert result.exit_code != 0 and "deaktivert" in result.output
