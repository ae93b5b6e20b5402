"""Staff sign in with the municipality's provider (README "Staff sign-in"): the real flow
over HTTP against oidc-provider-mock; the identity the unit leader recorded opens the
account, nothing is created; deactivation ends a running session; front-channel logout;
LOCAL_LOGIN on and off."""

from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests

from stafettlogg.models import AuditEvent, Notification, User
from stafettlogg.oidc import domain
from tests.conftest import Auth, _make_app, a_log
from tests.oidc_providers import (
    CLIENT_ID,
    app_with_provider,
    closing_the_database,
    mock_provider,
    through_provider,
)

pytestmark = pytest.mark.db

KARI = "kari.ottesen@demo.kommune.no"  # stafettholder
MARI = "larer@demo.kommune.no"  # Mari Lund, holds no log
KARI_OID = "1b2c3d4e-1111-2222-3333-444455556666"
STRANGER = "ukjent.person@demo.kommune.no"
UNVERIFIED = "unverified@demo.kommune.no"
EVA = "eva.enhetsleder@demo.kommune.no"  # the unit leader of Nordbyen skole, Kari's leader
CONCERN = "Revisjon: barnet trenger hjelp med lesing"


def staff_person(sub, email=None, sid="", **claims):
    claims = {"email": email or sub, "email_verified": True, "name": "", **claims}
    claims = {name: value for name, value in claims.items() if value is not None}  # None: not sent
    if sid:
        claims["sid"] = sid
    return oidc_provider_mock.User(sub=sub, claims=claims)


@pytest.fixture
def provider():
    users = [
        staff_person(EVA, sid="sid-eva-1"),
        staff_person(KARI, sid="sid-kari-1"),
        staff_person(MARI, sid="sid-mari-1"),
        staff_person(STRANGER),
        staff_person("Kari.Ottesen@Demo.Kommune.NO"),
        staff_person(UNVERIFIED, email=KARI, email_verified=False),
        staff_person("kari-by-oid", email="", oid=KARI_OID.upper(), preferred_username="kari@kommune.no"),
    ]
    with mock_provider(users) as issuer:
        yield issuer


def staff_app(database_url, issuer, **extra):
    return app_with_provider(database_url, "STAFF_OIDC", issuer, **extra)


@pytest.fixture
def app(database_url, provider):
    yield from closing_the_database(staff_app(database_url, provider))


def sign_in(browser, issuer, sub):
    """Press "Logg inn som ansatt", pick the person on the provider's form, come back."""
    return through_provider(browser, "/login/ansatt", issuer, sub)[0]


def signed_out(browser) -> bool:
    response = browser.get("/")
    return response.status_code == 303 and response.headers["Location"].startswith("/login")


def actions():
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]


def test_authorization_request_uses_pkce_state_nonce_and_email_scope(client, provider):
    query = parse_qs(urlsplit(client.get("/login/ansatt").headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid profile email"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://localhost/login/ansatt/callback"]


def test_staff_member_signs_in_by_email_claim(client, provider, db_conn):
    log = a_log()  # a log Kari holds
    response = sign_in(client, provider, KARI)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Kari Ottesen" in page and log.subject.name in page
    assert "staff_oidc_login" in actions()
    event = AuditEvent.select().where(AuditEvent.action == "staff_oidc_login").get()
    assert event.username == "stafettholder"


def test_the_identity_is_compared_without_case(client, provider, db_conn):
    assert sign_in(client, provider, "Kari.Ottesen@Demo.Kommune.NO").status_code == 302
    assert "Kari Ottesen" in client.get("/").get_data(as_text=True)


def test_an_unknown_identity_gets_a_calm_page_creates_nothing_and_is_audited(client, provider, db_conn):
    before = User.select().count()
    response = sign_in(client, provider, STRANGER)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ingen konto i Stafettlogg" in page and "enhetslederen" in page
    assert signed_out(client)
    assert User.select().count() == before
    assert "staff_oidc_no_match" in actions()


@pytest.mark.parametrize("verified", [False, "false", "False", 0, 1, "yes", None], ids=repr)
def test_an_email_the_provider_does_not_vouch_for_is_refused(database_url, verified, db_conn):
    """`email` names the person only when the provider says it verified it: a false one in
    any form (some providers send the text "false"), and a missing one (Entra ID sends
    none: anyone who may edit a user could set a colleague's address) sign in no one."""
    with mock_provider([staff_person(UNVERIFIED, email=KARI, email_verified=verified)]) as issuer:
        browser = staff_app(database_url, issuer).test_client()
        response = sign_in(browser, issuer, UNVERIFIED)
    assert response.status_code == 403
    assert "har ikke bekreftet e-postadressen din" in response.get_data(as_text=True)
    assert signed_out(browser)
    assert "staff_oidc_refused_unverified" in actions()


@pytest.mark.parametrize("verified", [True, "true", "TRUE"], ids=repr)
def test_an_email_the_provider_vouches_for_signs_in(database_url, verified, db_conn):
    with mock_provider([staff_person(UNVERIFIED, email=KARI, email_verified=verified)]) as issuer:
        browser = staff_app(database_url, issuer).test_client()
        assert sign_in(browser, issuer, UNVERIFIED).status_code == 302
        assert "Kari Ottesen" in browser.get("/").get_data(as_text=True)


def test_a_provider_whose_addresses_are_its_own_may_send_none(database_url, db_conn):
    """STAFF_OIDC_EMAIL_TRUSTED=1: the operator says the provider's addresses come from the
    municipality's directory; a token without `email_verified` names the person, a false
    one is still refused."""
    people = [
        staff_person("no-claim", email=KARI, email_verified=None),
        staff_person("said-false", email=KARI, email_verified=False),
    ]
    with mock_provider(people) as issuer:
        app = staff_app(database_url, issuer, STAFF_OIDC_EMAIL_TRUSTED=True)
        assert sign_in(app.test_client(), issuer, "no-claim").status_code == 302
        assert sign_in(app.test_client(), issuer, "said-false").status_code == 403


# ------------------------------------------------------------------ a required second factor

FEIDE_MFA = "urn:mace:feide.no:auth:level:fad08:3"  # Feide's level for its strong sign-in
# STAFF_OIDC_ACR_VALUES, STAFF_OIDC_AMR_VALUES as config.py reads them from the environment
ACR_REQUIRED = {"STAFF_OIDC_ACR_VALUES": (FEIDE_MFA, "phr")}
AMR_REQUIRED = {"STAFF_OIDC_AMR_VALUES": ("mfa", "otp", "hwk")}
BOTH_REQUIRED = {**ACR_REQUIRED, **AMR_REQUIRED}
SECOND_FACTOR_REFUSED = "Kommunen krever at du logger inn med totrinnsbekreftelse"


def signs_in_with(database_url, settings, **claims):
    """Kari signs in at a provider that reports `claims` (None: not sent), to the app with
    `settings`: (the callback's answer, the browser)."""
    with mock_provider([staff_person(KARI, **claims)]) as issuer:
        browser = staff_app(database_url, issuer, **settings).test_client()
        return sign_in(browser, issuer, KARI), browser


def test_a_required_sign_in_level_is_asked_for_in_the_authorization_request(database_url, provider):
    query = parse_qs(
        urlsplit(
            staff_app(database_url, provider, **BOTH_REQUIRED).test_client().get("/login/ansatt").headers["Location"]
        ).query
    )
    assert query["acr_values"] == [f"{FEIDE_MFA} phr"]
    plain = parse_qs(
        urlsplit(
            staff_app(database_url, provider, **AMR_REQUIRED).test_client().get("/login/ansatt").headers["Location"]
        ).query
    )
    assert "acr_values" not in plain


@pytest.mark.parametrize(
    ("settings", "claims"),
    [
        (ACR_REQUIRED, {"acr": FEIDE_MFA}),
        (ACR_REQUIRED, {"acr": "phr", "amr": ["pwd"]}),
        (AMR_REQUIRED, {"amr": ["pwd", "mfa"]}),
        (AMR_REQUIRED, {"amr": ["hwk"]}),
        (BOTH_REQUIRED, {"acr": FEIDE_MFA, "amr": ["pwd", "otp"]}),
    ],
    ids=["acr", "other-acr", "amr-mfa", "amr-hwk", "both"],
)
def test_a_sign_in_with_the_required_second_factor_signs_in(database_url, settings, claims, db_conn):
    response, browser = signs_in_with(database_url, settings, **claims)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Kari Ottesen" in browser.get("/").get_data(as_text=True)
    assert "staff_oidc_login" in actions()


@pytest.mark.parametrize(
    ("settings", "claims"),
    [
        (ACR_REQUIRED, {}),
        (ACR_REQUIRED, {"acr": "urn:mace:feide.no:auth:level:fad08:2"}),
        (ACR_REQUIRED, {"acr": [FEIDE_MFA]}),
        (AMR_REQUIRED, {}),
        (AMR_REQUIRED, {"amr": ["pwd"]}),
        (AMR_REQUIRED, {"amr": []}),
        (AMR_REQUIRED, {"acr": FEIDE_MFA, "amr": ["pwd", "MFA"]}),
        (BOTH_REQUIRED, {"acr": FEIDE_MFA, "amr": ["pwd"]}),
        (BOTH_REQUIRED, {"acr": "1", "amr": ["mfa"]}),
    ],
    ids=[
        "no-acr",
        "wrong-acr",
        "acr-not-a-text",
        "no-amr",
        "password-only",
        "empty-amr",
        "method-in-other-case",
        "acr-but-no-method",
        "method-but-wrong-acr",
    ],
)
def test_a_sign_in_without_the_required_second_factor_is_refused(database_url, settings, claims, db_conn):
    """Normen expects two factors for health and child-welfare information: a provider
    that does not report the strong sign-in the operator requires signs in no one."""
    response, browser = signs_in_with(database_url, settings, **claims)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert SECOND_FACTOR_REFUSED in page and "IT-avdelingen" in page
    assert "Logg inn som ansatt på nytt" in page
    assert signed_out(browser)
    assert "staff_oidc_refused_acr" in actions() and "staff_oidc_login" not in actions()


@pytest.mark.parametrize(
    ("claims", "acr_values", "amr_values", "met"),
    [
        ({}, (), (), True),
        ({"acr": FEIDE_MFA}, (FEIDE_MFA,), (), True),
        ({"acr": FEIDE_MFA + "x"}, (FEIDE_MFA,), (), False),
        ({"amr": "mfa"}, (), ("mfa",), False),  # a text, not a list (authlib refuses it first)
        ({"amr": "xmfax"}, (), ("mfa",), False),
        ({"amr": [["mfa"]]}, (), ("mfa",), False),
        ({"amr": ["mfa"]}, (), ("mfa",), True),
        ({"acr": FEIDE_MFA, "amr": ["otp"]}, (FEIDE_MFA,), ("mfa",), False),
    ],
)
def test_the_rule_for_a_strong_sign_in(claims, acr_values, amr_values, met):
    assert domain.strong_enough(claims, acr_values, amr_values) is met


def test_the_second_factor_refusal_is_in_nynorsk_for_a_nynorsk_reader(database_url, db_conn):
    with mock_provider([staff_person(KARI, amr=["pwd"])]) as issuer:
        browser = staff_app(database_url, issuer, **AMR_REQUIRED).test_client()
        browser.set_cookie("lang", "nn")
        page = sign_in(browser, issuer, KARI).get_data(as_text=True)
    assert "Kommunen krev at du loggar inn med totrinnsstadfesting" in page


@pytest.mark.parametrize("claims", [{}, {"amr": ["pwd"]}, {"acr": "0"}], ids=["none", "password", "acr-0"])
def test_without_a_requirement_any_sign_in_at_the_provider_signs_in_as_before(database_url, claims, db_conn):
    response, browser = signs_in_with(database_url, {}, **claims)
    assert response.status_code == 302
    assert "Kari Ottesen" in browser.get("/").get_data(as_text=True)


def test_a_deactivated_account_is_refused_at_sign_in(client, provider, db_conn):
    User.update(active=False).where(User.username == "larer").execute()
    response = sign_in(client, provider, MARI)
    assert response.status_code == 200
    assert "Ingen konto i Stafettlogg" in response.get_data(as_text=True)
    assert signed_out(client)
    assert "staff_oidc_refused_inactive" in actions()


def test_deactivation_by_the_unit_leader_ends_a_running_session(client, provider, app, db_conn):
    assert sign_in(client, provider, MARI).status_code == 302
    assert client.get("/").status_code == 200
    leader = app.test_client()
    from tests.conftest import Auth

    Auth(app, leader).login_as("enhetsleder")
    mari = User.get(User.username == "larer")
    assert leader.post(f"/ansatte/{mari.id}/deaktiver").status_code == 303
    assert signed_out(client)


def test_every_request_checks_that_the_account_is_active(client, provider, db_conn):
    """Even when only the flag changes (no token rotation), the next request ends it."""
    assert sign_in(client, provider, MARI).status_code == 302
    assert client.get("/").status_code == 200
    User.update(active=False).where(User.username == "larer").execute()
    assert signed_out(client)
    User.update(active=True).where(User.username == "larer").execute()
    assert signed_out(client)  # the session is gone for good: sign in again


@pytest.mark.parametrize(("claim", "stored"), [("oid", KARI_OID), ("preferred_username", "kari@kommune.no")])
def test_another_claim_can_name_the_person(claim, stored, database_url, provider, db_conn):
    User.update(login_identity=stored).where(User.username == "stafettholder").execute()
    browser = staff_app(database_url, provider, STAFF_OIDC_USER_CLAIM=claim).test_client()
    assert sign_in(browser, provider, "kari-by-oid").status_code == 302
    assert "Kari Ottesen" in browser.get("/").get_data(as_text=True)


def test_without_settings_there_is_no_staff_sign_in(database_url):
    plain = _make_app(database_url).test_client()
    assert plain.get("/login/ansatt").status_code == 404
    assert plain.get("/login/ansatt/callback?code=x&state=y").status_code == 404
    assert "Logg inn som ansatt" not in plain.get("/login").get_data(as_text=True)


def test_a_callback_without_the_browsers_state_is_refused(client, provider, app, db_conn):
    location = client.get("/login/ansatt").headers["Location"]
    answer = requests.post(location, data={"sub": KARI}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    attacker = app.test_client()
    assert attacker.get(f"{back.path}?{back.query}").status_code == 403
    assert signed_out(attacker)


def test_staff_sign_out_ends_the_session_at_the_provider(client, provider, db_conn):
    sign_in(client, provider, KARI)
    response = client.post("/logout")
    assert response.headers["Location"].startswith(provider + "/oauth2/end_session")
    assert signed_out(client)


# ------------------------------------------------------------ front-channel logout


def frontchannel(browser, **params):
    return browser.get("/logout/frontchannel", query_string=params)


def test_front_channel_logout_ends_the_session_on_every_app_server(client, provider, app, database_url, db_conn):
    assert sign_in(client, provider, KARI).status_code == 302
    # A second app server with the same database and secret: the same session cookie works.
    other_server = staff_app(database_url, provider).test_client()
    name = app.config["SESSION_COOKIE_NAME"]
    other_server.set_cookie(name, client.get_cookie(name).value)
    assert other_server.get("/").status_code == 200
    # The provider's hidden frame carries no cookie of ours.
    provider_frame = app.test_client()
    response = frontchannel(provider_frame, iss=provider, sid="sid-kari-1")
    assert response.status_code == 200
    assert f"frame-ancestors {provider}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert signed_out(other_server)
    assert signed_out(client)
    assert "oidc_frontchannel_logout" in actions() and "oidc_session_ended_by_provider" in actions()


def test_front_channel_logout_ends_only_that_session(client, provider, app, db_conn):
    mari = app.test_client()
    sign_in(client, provider, KARI)
    sign_in(mari, provider, MARI)
    assert frontchannel(app.test_client(), iss=provider, sid="sid-mari-1").status_code == 200
    assert signed_out(mari)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"sid": "sid-nobody-began"},
        {"iss": "https://evil.example", "sid": "sid-kari-1"},
        {"iss": "PROVIDER"},
        {"iss": "PROVIDER", "sid": "x" * 300},
    ],
)
def test_front_channel_logout_without_a_known_issuer_and_sid_ends_nothing(params, client, provider, app, db_conn):
    sign_in(client, provider, KARI)
    params = {k: (provider if v == "PROVIDER" else v) for k, v in params.items()}
    assert frontchannel(app.test_client(), **params).status_code == 400
    assert client.get("/").status_code == 200


def test_a_front_channel_logout_without_iss_as_entra_id_sends_it_ends_that_session(client, provider, app, db_conn):
    """Microsoft Entra ID calls the front-channel logout with the sid alone: a sid one of
    our sessions began with names it, and that session ends (on every app server); the
    others stay."""
    mari = app.test_client()
    sign_in(client, provider, KARI)
    sign_in(mari, provider, MARI)
    assert frontchannel(app.test_client(), sid="sid-kari-1").status_code == 200
    assert signed_out(client)
    assert mari.get("/").status_code == 200
    # repeated: the session has ended, the sid names none of ours, nothing is written
    events = AuditEvent.select().count()
    assert frontchannel(app.test_client(), sid="sid-kari-1").status_code == 400
    assert AuditEvent.select().count() == events


def test_front_channel_logout_from_one_address_is_limited(client, provider, app, db_conn):
    """Each call with a made-up sid writes a row and an audit event: at most
    throttle.ANONYMOUS_WRITES from one address in LOGIN_LOCK_MINUTES, then 429."""
    from stafettlogg.signin import throttle

    frame = app.test_client()
    for n in range(throttle.ANONYMOUS_WRITES):
        assert frontchannel(frame, iss=provider, sid=f"made-up-{n}").status_code == 200
    assert frontchannel(frame, iss=provider, sid="made-up-more").status_code == 429
    assert (
        AuditEvent.select().where(AuditEvent.action == "oidc_frontchannel_logout").count() == throttle.ANONYMOUS_WRITES
    )


def test_made_up_logouts_from_one_address_do_not_keep_a_real_session_alive(client, provider, app, db_conn):
    """Staff and pupils of a school share one address: someone there using up the limit
    with made-up sids does not stop a teacher's sign-out at the provider from ending the
    session here. Repeating the teacher's logout is limited like any made-up one."""
    from stafettlogg.signin import throttle

    assert sign_in(client, provider, KARI).status_code == 302
    frame = app.test_client()
    for n in range(throttle.ANONYMOUS_WRITES):
        assert frontchannel(frame, iss=provider, sid=f"made-up-{n}").status_code == 200
    assert frontchannel(frame, iss=provider, sid="made-up-more").status_code == 429
    assert frontchannel(frame, iss=provider, sid="sid-kari-1").status_code == 200
    assert signed_out(client)
    assert frontchannel(frame, iss=provider, sid="sid-kari-1").status_code == 429


def test_a_logout_that_comes_before_the_sign_in_ends_finishes_it(client, provider, app, db_conn):
    """The provider's logout may reach us while the person's sign-in is still under way
    (its sid none of ours began yet): the session that then begins with it ends at once."""
    from stafettlogg.oidc import domain

    domain.end_provider_session(provider, "sid-kari-1")
    assert not domain.a_session_of_ours_to_end(provider, "sid-kari-1")
    assert sign_in(client, provider, KARI).status_code == 302
    assert signed_out(client)
    assert domain.provider_session_ended(provider, "sid-kari-1")


def test_one_row_per_provider_session_begun_then_ended(client, provider, app, db_conn):
    from stafettlogg.models import OidcSession
    from stafettlogg.oidc import domain

    sign_in(client, provider, KARI)
    assert domain.a_session_of_ours_to_end(provider, "sid-kari-1")
    assert not domain.provider_session_ended(provider, "sid-kari-1")
    assert frontchannel(app.test_client(), iss=provider, sid="sid-kari-1").status_code == 200
    rows = list(OidcSession.select().where(OidcSession.sid == "sid-kari-1"))
    assert len(rows) == 1 and rows[0].ended_at is not None and rows[0].ended_at >= rows[0].at
    assert not domain.a_session_of_ours_to_end(provider, "sid-kari-1")


def test_the_migration_to_one_table_keeps_every_ended_provider_session(database_url, db_conn):
    """0031 merges oidc_logout into oidc_session: a session that began and ended is one
    ended row, one that only ended is an ended row, a running one stays running; down
    gives the two tables back as they were."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db
    from stafettlogg.oidc import domain

    name = "0031_one_provider_session_table"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down(name)
    began, ended = "2026-12-05 08:00:00", "2026-12-05 09:00:00"
    for sid in ("running", "began-and-ended"):
        db.execute_sql(f"INSERT INTO oidc_session (iss, sid, at) VALUES ('https://idp', '{sid}', '{began}')")
    for sid in ("began-and-ended", "only-ended"):
        db.execute_sql(f"INSERT INTO oidc_logout (iss, sid, at) VALUES ('https://idp', '{sid}', '{ended}')")
    runner.up()
    assert "oidc_logout" not in db.get_tables()
    rows = db.execute_sql("SELECT sid, at, ended_at FROM oidc_session ORDER BY sid").fetchall()
    assert [(sid, str(at)[:19], str(end)[:19] if end else None) for sid, at, end in rows] == [
        ("began-and-ended", began, ended),
        ("only-ended", ended, ended),
        ("running", began, None),
    ]
    assert domain.a_session_of_ours_to_end("https://idp", "running")
    assert domain.provider_session_ended("https://idp", "began-and-ended")
    assert domain.provider_session_ended("https://idp", "only-ended")
    runner.down(name)
    logouts = db.execute_sql("SELECT sid FROM oidc_logout ORDER BY sid").fetchall()
    sessions = db.execute_sql("SELECT sid FROM oidc_session ORDER BY sid").fetchall()
    assert [r[0] for r in logouts] == ["began-and-ended", "only-ended"]
    assert [r[0] for r in sessions] == ["began-and-ended", "running"]
    runner.up()


def test_a_password_session_is_not_touched_by_front_channel_logout(auth, client, provider, app, db_conn):
    auth.login_as("stafettholder")
    assert frontchannel(app.test_client(), iss=provider, sid="sid-kari-1").status_code == 200
    assert client.get("/").status_code == 200


# ------------------------------------------------------------ LOCAL_LOGIN


def password_login(browser, username, path="/login"):
    return browser.post(path, data={"username": username, "password": "demo-passord"})


def test_with_a_staff_provider_password_sign_in_is_off_except_for_the_admin(client, db_conn):
    page = client.get("/login").get_data(as_text=True)
    assert "Logg inn som ansatt" in page
    assert 'name="password"' not in page
    assert "Nødinnlogging for systemadministrator" in page
    staff = password_login(client, "stafettholder", "/login?nodtilgang=1")
    assert staff.status_code == 422
    assert "Feil brukernavn eller passord" in staff.get_data(as_text=True)
    assert signed_out(client)
    break_glass = client.get("/login?nodtilgang=1").get_data(as_text=True)
    assert 'name="password"' in break_glass and "<h2" in break_glass.split("Nødinnlogging")[0][-60:]
    # break-glass sign-in needs the second factor: the admin without one is led to set it up
    admin = password_login(client, "admin", "/login?nodtilgang=1")
    assert admin.status_code == 303 and admin.headers["Location"] == "/konto/sikkerhet"
    assert client.get("/konto/sikkerhet").status_code == 200
    assert client.get("/").headers["Location"] == "/konto/sikkerhet"


def test_local_login_can_be_kept_on_beside_the_provider(database_url, provider, db_conn):
    browser = staff_app(database_url, provider, LOCAL_LOGIN=True).test_client()
    page = browser.get("/login").get_data(as_text=True)
    assert "Logg inn som ansatt" in page and 'name="password"' in page
    assert password_login(browser, "stafettholder").status_code == 302


def test_local_login_is_on_in_the_demo_and_without_a_provider(database_url, provider, db_conn):
    demo = staff_app(database_url, provider, DEMO_MODE=True).test_client()
    assert 'name="password"' in demo.get("/login").get_data(as_text=True)
    plain = _make_app(database_url).test_client()
    assert 'name="password"' in plain.get("/login").get_data(as_text=True)
    assert password_login(plain, "stafettholder").status_code == 302


def test_local_login_can_be_switched_off_without_a_provider(database_url, db_conn):
    browser = _make_app(database_url, LOCAL_LOGIN=False).test_client()
    assert password_login(browser, "larer").status_code == 422
    assert password_login(browser, "admin").headers["Location"] == "/konto/sikkerhet"  # with the second factor


def test_a_guardian_with_a_password_keeps_it_only_with_local_guardian_login(database_url, provider, db_conn):
    off = staff_app(database_url, provider).test_client()
    assert password_login(off, "foresatt", "/login?nodtilgang=1").status_code == 422
    on = staff_app(database_url, provider, LOCAL_GUARDIAN_LOGIN=True).test_client()
    page = on.get("/login").get_data(as_text=True)
    assert 'name="password"' in page and "Foresatte uten norsk fødselsnummer" in page
    assert password_login(on, "foresatt").status_code == 302


def test_local_login_setting_from_the_environment(monkeypatch, tmp_path):
    from stafettlogg.config import from_environment

    for value, expected in (("1", True), ("0", False), ("", None)):
        monkeypatch.setenv("LOCAL_LOGIN", value)
        assert from_environment(tmp_path)["LOCAL_LOGIN"] is expected


# ------------------------------------------------------------ the unit leader records the identity


def test_unit_leader_records_the_login_identity_on_the_staff_form(database_url, provider, db_conn):
    app = staff_app(database_url, provider)
    leader = app.test_client()
    from tests.conftest import Auth

    Auth(app, leader).login_as("enhetsleder")
    unit_id = User.get(User.username == "enhetsleder").unit_id
    assert "Innloggings-ID hos kommunen" in leader.get(f"/enheter/{unit_id}").get_data(as_text=True)
    form = {"name": "Nina Ny", "job_title": "Lærer", "username": "nina.ny", "email": "", "phone": ""}
    bad = leader.post(f"/enheter/{unit_id}/ansatte", data={**form, "login_identity": "nina ny"})
    assert bad.status_code == 422
    assert "for eksempel ola.nordmann@kommune.no" in bad.get_data(as_text=True)
    assert 'value="nina ny"' in bad.get_data(as_text=True)
    taken = leader.post(f"/enheter/{unit_id}/ansatte", data={**form, "login_identity": KARI.upper()})
    assert taken.status_code == 422 and "allerede til en annen konto" in taken.get_data(as_text=True)
    assert not User.select().where(User.username == "nina.ny").exists()
    ok = leader.post(f"/enheter/{unit_id}/ansatte", data={**form, "login_identity": " Nina.Ny@Demo.Kommune.no "})
    assert ok.status_code == 200
    nina = User.get(User.username == "nina.ny")
    assert nina.login_identity == "nina.ny@demo.kommune.no"
    # changed on the edit form; audited; another's identity refused there too
    edit = leader.post(
        f"/ansatte/{nina.id}",
        data={"name": "Nina Ny", "job_title": "Lærer", "email": "", "phone": "", "login_identity": "nina@kommune.no"},
    )
    assert edit.status_code == 303
    assert User.get_by_id(nina.id).login_identity == "nina@kommune.no"
    assert "staff_login_identity_changed" in actions()
    clash = leader.post(
        f"/ansatte/{nina.id}",
        data={"name": "Nina Ny", "job_title": "Lærer", "email": "", "phone": "", "login_identity": MARI},
    )
    assert clash.status_code == 422
    assert User.get_by_id(nina.id).login_identity == "nina@kommune.no"


def test_an_object_id_must_look_like_one(database_url, provider, db_conn):
    app = staff_app(database_url, provider, STAFF_OIDC_USER_CLAIM="oid")
    leader = app.test_client()
    from tests.conftest import Auth

    Auth(app, leader).login_as("enhetsleder")
    mari = User.get(User.username == "larer")
    form = {"name": "Mari Lund", "job_title": "Spesialpedagog", "email": "", "phone": ""}
    bad = leader.post(f"/ansatte/{mari.id}", data={**form, "login_identity": "mari@kommune.no"})
    assert bad.status_code == 422 and "Objekt-ID" in bad.get_data(as_text=True)
    ok = leader.post(f"/ansatte/{mari.id}", data={**form, "login_identity": KARI_OID.upper()})
    assert ok.status_code == 303
    assert User.get_by_id(mari.id).login_identity == KARI_OID


def test_without_a_staff_provider_the_field_is_not_shown_and_not_changed(database_url, db_conn):
    from tests.conftest import Auth

    app = _make_app(database_url)
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    mari = User.get(User.username == "larer")
    assert "Innloggings-ID" not in leader.get(f"/ansatte/{mari.id}").get_data(as_text=True)
    form = {"name": "Mari Lund", "job_title": "Spesialpedagog", "email": "", "phone": ""}
    assert leader.post(f"/ansatte/{mari.id}", data=form).status_code == 303
    assert User.get_by_id(mari.id).login_identity == MARI


def test_with_local_login_off_the_new_account_gets_no_password_to_hand_over(database_url, provider, db_conn):
    app = staff_app(database_url, provider)
    from tests.conftest import Auth

    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    unit_id = User.get(User.username == "enhetsleder").unit_id
    form = {"name": "Nina Ny", "job_title": "Lærer", "username": "nina.ny", "login_identity": "nina@kommune.no"}
    page = leader.post(f"/enheter/{unit_id}/ansatte", data=form).get_data(as_text=True)
    assert "Logg inn som ansatt" in page and "nina@kommune.no" in page
    assert "Midlertidig passord" not in page


# ------------------------------------------------------------ who records a sign-in identity
# A staff member's identity is set by their leader (org.domain.update_staff): never on one's
# own account, and a change ends the sessions begun with the old identity and tells them.


def edit(leader, staff: User, identity: str):
    form = {"name": staff.name, "job_title": staff.job_title, "email": staff.email, "phone": staff.phone}
    return leader.post(f"/ansatte/{staff.id}", data={**form, "login_identity": identity})


def test_a_leader_cannot_move_their_own_identity_onto_a_colleagues_account(app, provider, db_conn):
    """Clearing one's own identity and putting it on the holder's account would let the
    unit leader sign in as the holder and read the log under the holder's name."""
    log = a_log(holder="stafettholder", concern=CONCERN)
    eva, kari = User.get(User.username == "enhetsleder"), User.get(User.username == "stafettholder")
    User.update(login_identity=EVA).where(User.id == eva.id).execute()
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    own = leader.get(f"/ansatte/{eva.id}")
    assert own.status_code == 403 and "egen konto" in own.get_data(as_text=True)
    refused = edit(leader, eva, "")
    assert refused.status_code == 403 and User.get_by_id(eva.id).login_identity == EVA
    taken = edit(leader, kari, EVA)
    assert taken.status_code == 422 and User.get_by_id(kari.id).login_identity == KARI
    browser = app.test_client()
    sign_in(browser, provider, EVA)
    assert CONCERN not in browser.get(f"/logger/{log.id}").get_data(as_text=True)


def test_changing_the_identity_ends_the_sessions_begun_with_the_old_one_and_tells_the_person(app, provider, db_conn):
    kari = User.get(User.username == "stafettholder")
    browser = app.test_client()
    sign_in(browser, provider, KARI)
    assert browser.get("/").status_code == 200
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    assert edit(leader, kari, "kari.ny@demo.kommune.no").status_code == 303
    assert User.get_by_id(kari.id).login_identity == "kari.ny@demo.kommune.no"
    assert signed_out(browser)
    told = Notification.get(Notification.user == kari.id, Notification.kind == "login_identity_changed")
    sign_in(browser, provider, KARI)  # the old identity no longer opens the account
    assert signed_out(browser)
    kari_now = Auth(app, app.test_client()).login_as("stafettholder")
    assert "endret innloggings-ID-en din" in kari_now.get("/varsler").get_data(as_text=True) and told.read_at is None
    assert AuditEvent.select().where(AuditEvent.action == "staff_login_identity_changed").count() == 1


def test_a_form_opened_before_the_identity_was_corrected_does_not_put_it_back(app, provider, db_conn):
    """A leader opens Kari's edit form; meanwhile her identity is corrected (another leader,
    or another tab). Saving the form opened before, to fix her name, put the old identity
    back unseen, and with it the sign-in of whoever owns it. Now it is refused, what was
    typed kept and the identity there now named; saved again, it is the leader's choice."""
    kari = User.get(User.username == "stafettholder")
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    opened = leader.get(f"/ansatte/{kari.id}").get_data(as_text=True)
    assert f'name="login_identity_was" value="{KARI}"' in opened
    assert edit(leader, kari, "kari.ny@demo.kommune.no").status_code == 303  # the correction
    stale = {"name": "Kari Ottesen-Berg", "job_title": kari.job_title, "email": kari.email, "phone": kari.phone}
    stale |= {"login_identity": KARI, "login_identity_was": KARI}
    refused = leader.post(f"/ansatte/{kari.id}", data=stale)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Den er nå «kari.ny@demo.kommune.no»" in html and 'value="Kari Ottesen-Berg"' in html
    assert 'name="login_identity_was" value="kari.ny@demo.kommune.no"' in html
    kept = User.get_by_id(kari.id)
    assert kept.login_identity == "kari.ny@demo.kommune.no" and kept.name == kari.name
    again = leader.post(f"/ansatte/{kari.id}", data={**stale, "login_identity_was": "kari.ny@demo.kommune.no"})
    assert again.status_code == 303 and User.get_by_id(kari.id).login_identity == KARI


def test_other_changes_leave_the_session_alone(app, provider, db_conn):
    kari = User.get(User.username == "stafettholder")
    browser = app.test_client()
    sign_in(browser, provider, KARI)
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    assert edit(leader, kari, KARI).status_code == 303  # the same identity, a saved form
    assert browser.get("/").status_code == 200
    assert not Notification.select().where(Notification.kind == "login_identity_changed").exists()
