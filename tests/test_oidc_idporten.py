"""Families sign in with ID-porten: the real authorization code flow over HTTP against
oidc-provider-mock, and every forged or unfit ID token refused (README "ID-porten")."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from stafettlogg.demo import DEMO_MOTHER_PID
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.models import AuditEvent, Guardian, Log, Subject, User
from tests.conftest import _make_app, a_log
from tests.oidc_providers import (
    CLIENT_ID,
    CLIENT_SECRET,
    ForgingProvider,
    app_with_provider,
    closing_the_database,
    mock_provider,
    person,
    through_provider,
)

pytestmark = pytest.mark.db

NOAH_MOTHER = "15038412180"
UNKNOWN = "03039010185"
LOW_LEVEL = "01019012057"  # signs in at the substantial level only


def idporten_app(database_url, issuer, **extra):
    return app_with_provider(database_url, "IDPORTEN", issuer, **extra)


@pytest.fixture
def provider():
    users = [person(DEMO_MOTHER_PID, name="Fatima Hansen"), person(NOAH_MOTHER), person(UNKNOWN)]
    users.append(person(LOW_LEVEL, acr="idporten-loa-substantial"))
    with mock_provider(users) as issuer:
        yield issuer


@pytest.fixture
def app(database_url, provider):
    yield from closing_the_database(idporten_app(database_url, provider))


def start(client, issuer):
    response = client.get("/login/idporten")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(issuer)
    return location


def sign_in(client, issuer, pid):
    """Press the button, pick the person on the provider's form, follow the redirect back."""
    return through_provider(client, "/login/idporten", issuer, pid)


def another_family() -> Log:
    """A draft log about a child whose mother has no account (yet)."""
    return a_log(consent=False, participants=(), guardian=None)


def with_own_number(log) -> str:
    """Records the child's own fødselsnummer (a_log's children are born 14.03.2016)."""
    taken = {s.national_id for s in Subject.select(Subject.national_id)}
    pid = next(n for i in range(510, 999) if (n := with_control_digits(f"140316{i}")) and n not in taken)
    Subject.update(national_id=pid).where(Subject.id == log.subject_id).execute()
    return pid


def signed_out(client) -> bool:
    response = client.get("/")
    return response.status_code == 303 and response.headers["Location"].startswith("/login")


def actions(db_conn):
    return [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]


def test_authorization_request_uses_pkce_state_nonce_and_level(client, provider):
    query = parse_qs(urlsplit(start(client, provider)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["acr_values"] == ["idporten-loa-high"]
    assert query["scope"] == ["openid profile"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://localhost/login/idporten/callback"]


@pytest.mark.parametrize(
    "chosen, asked",
    [("nb", "nb"), ("nn", "nn"), ("en", "en"), ("se", "se"), ("ar", "nb"), ("so", "nb"), ("x" * 500, "nb")],
)
def test_idporten_speaks_the_familys_language_when_it_has_it(client, provider, chosen, asked):
    """ID-porten's pages come in bokmål, nynorsk, English and North Sámi (ui_locales): a
    family that chose English or Sámi here is not sent to a page in bokmål."""
    client.get(f"/login?lang={chosen}")
    assert parse_qs(urlsplit(start(client, provider)).query)["ui_locales"] == [asked]


def test_mother_signs_in_and_sees_exactly_her_childs_log(client, provider, db_conn):
    mine = a_log()  # the mother has the account «foresatt»; the holder recorded her number
    Guardian.update(national_id=DEMO_MOTHER_PID).where(Guardian.log == mine, Guardian.relation == "mor").execute()
    others = [another_family(), a_log(guardian=None), a_log("pedleder", participants=(), guardian=None)]
    response, _ = sign_in(client, provider, DEMO_MOTHER_PID)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    start_page = client.get("/").get_data(as_text=True)
    assert mine.subject.name in start_page
    for other in others:
        assert other.subject.name not in start_page
    assert client.get(f"/mine/{mine.id}").status_code == 200
    assert client.get(f"/mine/{others[0].id}").status_code in (403, 404)
    # The existing account of the mother, not a new one.
    assert User.select().where(User.national_id == DEMO_MOTHER_PID).count() == 1
    assert Guardian.get(Guardian.log == mine, Guardian.relation == "mor").user.username == "foresatt"
    assert "idporten_login" in actions(db_conn)


def test_a_guardian_recorded_by_number_needs_no_invitation(client, provider, db_conn):
    noah, emma = another_family(), a_log()
    Guardian.update(national_id=NOAH_MOTHER).where(Guardian.log == noah, Guardian.relation == "mor").execute()
    response, _ = sign_in(client, provider, NOAH_MOTHER)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert noah.subject.name in page and emma.subject.name not in page
    account = User.get(User.national_id == NOAH_MOTHER)
    assert NOAH_MOTHER not in account.username  # never the number in audit lists
    assert account.role == "guardian" and account.password_hash == ""
    # nor anything computed from it: an 11-digit number is found again from its hash
    assert account.username != _hashed(NOAH_MOTHER)


def _hashed(pid: str) -> str:
    import hashlib

    return "idporten-" + hashlib.sha256(pid.encode()).hexdigest()[:16]


def test_an_account_named_by_the_hash_of_its_number_is_renamed_at_its_next_sign_in(client, provider, db_conn):
    noah = another_family()
    Guardian.update(national_id=NOAH_MOTHER).where(Guardian.log == noah, Guardian.relation == "mor").execute()
    sign_in(client, provider, NOAH_MOTHER)
    account = User.get(User.national_id == NOAH_MOTHER)
    User.update(username=_hashed(NOAH_MOTHER)).where(User.id == account.id).execute()  # as made before
    client.get("/logout")
    response, _ = sign_in(client, provider, NOAH_MOTHER)
    assert response.status_code == 302
    renamed = User.get_by_id(account.id)
    assert renamed.username.startswith("idporten-") and renamed.username != _hashed(NOAH_MOTHER)
    assert noah.subject.name in client.get("/").get_data(as_text=True)


def test_a_sign_in_in_another_tab_at_the_same_moment_makes_one_account(client, provider, db_conn, monkeypatch):
    """The other tab's sign-in creates the account between this one's lookup and its insert
    (on PostgreSQL two transactions at once): this one uses it, with no database error
    (whose text would name the number in the server's log) and no second account."""
    from stafettlogg.oidc import domain as oidc_domain

    noah = another_family()
    Guardian.update(national_id=NOAH_MOTHER).where(Guardian.log == noah, Guardian.relation == "mor").execute()
    made = oidc_domain._username

    def other_tab_first():
        if not User.select().where(User.national_id == NOAH_MOTHER).exists():
            User.create(username=made(), name="Noahs mor", role="guardian", national_id=NOAH_MOTHER)
        return made()

    monkeypatch.setattr(oidc_domain, "_username", other_tab_first)
    response, _ = sign_in(client, provider, NOAH_MOTHER)
    assert response.status_code == 302
    assert noah.subject.name in client.get("/").get_data(as_text=True)
    assert User.select().where(User.national_id == NOAH_MOTHER).count() == 1


def test_youth_with_own_access_signs_in_with_own_number(client, provider, db_conn):
    from stafettlogg.models import YOUTH_RELATION

    noah, emma = another_family(), a_log()
    youth_pid = with_own_number(noah)
    Guardian.create(log=noah, name=noah.subject.name, relation=YOUTH_RELATION, phone="999 00 000")
    with mock_provider([person(youth_pid)]) as issuer:
        app = idporten_app(client.application.config["DATABASE_URL"], issuer)
        youth = app.test_client()
        response, _ = sign_in(youth, issuer, youth_pid)
        assert response.status_code == 302
        page = youth.get("/").get_data(as_text=True)
    assert noah.subject.name in page and emma.subject.name not in page


def test_the_number_of_a_child_without_own_access_opens_nothing(client, provider, db_conn):
    pid = with_own_number(another_family())
    with mock_provider([person(pid)]) as issuer:
        app = idporten_app(client.application.config["DATABASE_URL"], issuer)
        child = app.test_client()
        response, _ = sign_in(child, issuer, pid)
    assert response.status_code == 200
    assert "Ingenting å vise" in response.get_data(as_text=True)


def test_unknown_person_gets_a_calm_page_and_is_audited(client, provider, db_conn):
    log = a_log()
    response, _ = sign_in(client, provider, UNKNOWN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ingenting å vise" in page and "stafettholderen" in page
    assert log.subject.name.split()[0] not in page
    assert signed_out(client)  # not signed in
    assert "idporten_no_match" in actions(db_conn)
    assert not User.select().where(User.national_id == UNKNOWN).exists()


def test_a_replayed_callback_is_refused(client, provider, db_conn):
    response, callback = sign_in(client, provider, DEMO_MOTHER_PID)
    assert response.status_code == 302
    client.post("/logout")
    again = client.get(callback)
    assert again.status_code == 403
    assert signed_out(client)


def test_a_callback_from_another_browser_is_refused(client, provider, app, db_conn):
    location = start(client, provider)
    answer = requests.post(location, data={"sub": DEMO_MOTHER_PID}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    attacker = app.test_client()  # has no state in its session
    assert attacker.get(f"{back.path}?{back.query}").status_code == 403
    assert signed_out(attacker)


def test_refused_callbacks_from_one_address_fill_no_table(client, provider, app, db_conn):
    """Anyone can call the callback with nothing: each refusal is audited, but at most
    throttle.ANONYMOUS_WRITES from one address in LOGIN_LOCK_MINUTES, and the count is
    its own: that address can still sign in with a password."""
    from stafettlogg.signin import throttle

    refused = AuditEvent.select().where(AuditEvent.action == "idporten_refused_invalid")
    stranger = app.test_client()
    for _ in range(throttle.ANONYMOUS_WRITES + 5):
        assert stranger.get("/login/idporten/callback?code=x&state=y").status_code == 403
    assert refused.count() == throttle.ANONYMOUS_WRITES
    elsewhere = app.test_client()
    assert elsewhere.get("/login/idporten/callback", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 403
    assert refused.count() == throttle.ANONYMOUS_WRITES + 1
    login = stranger.post("/login", data={"username": "aktor", "password": "demo-passord"})
    assert login.status_code == 302


def test_too_low_level_from_the_provider_is_refused(client, provider, db_conn):
    response, _ = sign_in(client, provider, LOW_LEVEL)
    assert response.status_code == 403
    assert "sikkerhetsnivå" in response.get_data(as_text=True)


def test_sign_out_ends_the_session_at_the_provider_too(client, provider, db_conn):
    sign_in(client, provider, DEMO_MOTHER_PID)
    response = client.post("/logout")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == provider
    assert target.path == "/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_out(client)
    # The provider accepts the request and sends the person back to our login page.
    ended = requests.get(response.headers["Location"], timeout=10)
    assert ended.status_code == 200


def test_staff_sign_out_stays_local(auth, client):
    auth.login_as("stafettholder")
    assert client.post("/logout").headers["Location"] == "/login"


def test_without_settings_there_is_no_idporten(database_url):
    plain = _make_app(database_url).test_client()
    assert plain.get("/login/idporten").status_code == 404
    assert plain.get("/login/idporten/callback?code=x&state=y").status_code == 404
    assert "ID-porten" not in plain.get("/login").get_data(as_text=True)


def test_login_page_offers_idporten(client):
    assert "Logg inn med ID-porten" in client.get("/login").get_data(as_text=True)


# ------------------------------------------------------------ forged and unfit tokens


def forged(claims_patch=None, maker=None):
    provider = ForgingProvider()
    provider.claims_patch = claims_patch or {}
    if maker:
        provider.token_maker = lambda claims: maker(provider, claims)
    return provider


REFUSED = {
    "wrong nonce": forged({"nonce": "not-the-one-we-sent"}),
    "wrong issuer": forged({"iss": "https://evil.example"}),
    "wrong audience": forged({"aud": "another-client"}),
    "expired": forged({"exp": 1_000_000_000, "iat": 999_999_000}),
    "too low acr": forged({"acr": "idporten-loa-low"}),
    "no acr": forged({"acr": None}),
    "another key": forged(maker=lambda p, c: p.sign(c, key=p.other_key)),
    "alg none": forged(maker=lambda p, c: p.unsigned(c)),
    "HS256 with the client secret": forged(maker=lambda p, c: p.hs256(c, CLIENT_SECRET)),
    "no pid": forged({"pid": None}),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_forged_or_unfit_tokens_are_refused(case, database_url, db_conn):
    provider = REFUSED[case]
    with provider.running():
        app = idporten_app(database_url, provider.issuer)
        browser = app.test_client()
        location = browser.get("/login/idporten").headers["Location"]
        back = urlsplit(requests.get(location, allow_redirects=False, timeout=10).headers["Location"])
        response = browser.get(f"{back.path}?{back.query}")
    assert response.status_code == 403, case
    page = response.get_data(as_text=True)
    if "acr" in case:
        assert "sikkerhetsnivå" in page
    else:
        assert "Vi kunne ikke bekrefte innloggingen" in page
    assert signed_out(browser)
    assert any(a.startswith("idporten_refused_") for a in actions(db_conn))


def test_a_clock_skew_within_the_limit_is_accepted(database_url, db_conn):
    import time

    provider = forged({"iat": int(time.time()) + 20})
    with provider.running():
        browser = idporten_app(database_url, provider.issuer).test_client()
        location = browser.get("/login/idporten").headers["Location"]
        back = urlsplit(requests.get(location, allow_redirects=False, timeout=10).headers["Location"])
        assert browser.get(f"{back.path}?{back.query}").status_code == 302


def test_substantial_level_can_be_allowed_by_setting(database_url, db_conn):
    provider = forged({"acr": "idporten-loa-substantial"})
    with provider.running():
        browser = idporten_app(database_url, provider.issuer, IDPORTEN_ACR="idporten-loa-substantial").test_client()
        location = browser.get("/login/idporten").headers["Location"]
        assert parse_qs(urlsplit(location).query)["acr_values"] == ["idporten-loa-substantial"]
        back = urlsplit(requests.get(location, allow_redirects=False, timeout=10).headers["Location"])
        assert browser.get(f"{back.path}?{back.query}").status_code == 302


def test_a_rotated_key_is_fetched_when_its_kid_is_unknown(database_url, db_conn):
    from joserfc.jwk import RSAKey

    provider = ForgingProvider()
    with provider.running():
        app = idporten_app(database_url, provider.issuer)

        def sign_in_once():
            browser = app.test_client()
            location = browser.get("/login/idporten").headers["Location"]
            back = urlsplit(requests.get(location, allow_redirects=False, timeout=10).headers["Location"])
            return browser.get(f"{back.path}?{back.query}").status_code

        assert sign_in_once() == 302
        new_key = RSAKey.generate_key(2048, parameters={"kid": "signing-2"})
        provider.published = [provider.key, new_key]
        provider.token_maker = lambda claims: provider.sign(claims, key=new_key)
        before = provider.jwks_requests
        assert sign_in_once() == 302
        assert provider.jwks_requests == before + 1


# ------------------------------------------------------------ the holder records the number


def test_holder_records_a_guardians_number_shown_masked(auth, db_conn):
    log = a_log()
    holder = auth.persona("holder")
    form = {"name": "Tor Hansen", "relation": "far", "phone": "922 00 000", "language": "nb"}
    bad = holder.post(f"/logger/{log.id}/foresatte", data={**form, "national_id": "15038412181"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "kontrollsifferet" in page and 'value="15038412181"' in page  # keeps what was typed
    assert not Guardian.select().where(Guardian.national_id == "15038412181").exists()
    short = holder.post(f"/logger/{log.id}/foresatte", data={**form, "national_id": "1503"})
    assert short.status_code == 422 and "11 sifre" in short.get_data(as_text=True)
    ok = holder.post(f"/logger/{log.id}/foresatte", data={**form, "national_id": "150384 12180"})
    assert ok.status_code == 303
    assert Guardian.get(Guardian.national_id == NOAH_MOTHER).name == "Tor Hansen"
    shown = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "150384 *****" in shown and NOAH_MOTHER not in shown


def test_the_childs_own_number_is_never_recorded_for_a_guardian(auth, db_conn):
    """A parent recorded with the child's fødselsnummer by mistake would let the child sign
    in with ID-porten as that parent, whatever the child's age: the youth's own access is
    given only at the consent age (guardians.domain.add_youth)."""
    from stafettlogg.oidc.domain import guardian_rows_for

    log = a_log(nid9="140316123")  # born 14.03.2016: under the consent age
    child = log.subject.national_id
    form = {"name": "Tor Hansen", "relation": "far", "phone": "922 00 000", "language": "nb"}
    response = auth.persona("holder").post(f"/logger/{log.id}/foresatte", data={**form, "national_id": child})
    assert response.status_code == 422 and "barnets eget fødselsnummer" in response.get_data(as_text=True)
    assert not Guardian.select().where(Guardian.national_id == child).exists()
    assert guardian_rows_for(child) == []


def _readable(value) -> str:
    """Everything a string in the session cookie gives to whoever reads the cookie: the
    text itself and, for a JWT, its decoded claims (a Flask session is signed, not encrypted)."""
    import base64

    text = str(value)
    if isinstance(value, str) and value.count(".") == 2:
        payload = value.split(".")[1]
        text += base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode(errors="replace")
    return text


def test_the_session_cookie_does_not_carry_the_persons_number(client, provider, db_conn):
    """The ID token kept for logout (id_token_hint) names the person by fødselsnummer: in
    the cookie it is sealed, so the number is not in browser storage (ASVS 14.3.3)."""
    sign_in(client, provider, DEMO_MOTHER_PID)
    with client.session_transaction() as session:
        values = dict(session)
    assert values.get("oidc_id_token")
    assert not any(DEMO_MOTHER_PID in _readable(v) for v in values.values())
    response = client.post("/logout")  # and logout at the provider still gets the token
    hint = parse_qs(urlsplit(response.headers["Location"]).query)["id_token_hint"][0]
    assert DEMO_MOTHER_PID in _readable(hint)


def test_a_token_too_big_for_the_cookie_is_not_kept_and_sign_in_still_works(client, provider, db_conn, monkeypatch):
    """A browser drops a session cookie over 4 KB: an ID token too big to carry sealed
    (an Entra token with group claims) is not kept, the person stays signed in, and
    logout ends the session here only."""
    from stafettlogg.oidc import views as oidc_views

    monkeypatch.setattr(oidc_views, "MAX_SEALED_ID_TOKEN", 100)
    assert sign_in(client, provider, DEMO_MOTHER_PID)[0].status_code == 302
    with client.session_transaction() as session:
        assert session["oidc_id_token"] == ""
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and not response.headers["Location"].startswith(provider)
    assert signed_out(client)
