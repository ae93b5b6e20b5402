"""OpenID providers for tests, on 127.0.0.1 and a port chosen at run time.

``mock_provider``: the real ``oidc-provider-mock`` package (authorization form, token
endpoint, JWKS, end_session). ``ForgingProvider``: a minimal provider whose token endpoint
returns an ID token the test builds (wrong nonce, other issuer, expired, other key …), to
show that each is refused.
"""

import base64
import json
import secrets
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit

import flask
import oidc_provider_mock
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey


@contextmanager
def serve(wsgi_app):
    server = werkzeug.serving.make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def person(pid: str, acr: str = "idporten-loa-high", name: str = "") -> oidc_provider_mock.User:
    """An ID-porten person: the fødselsnummer is both subject and ``pid``."""
    claims = {"pid": pid, "acr": acr}
    if name:
        claims["name"] = name
    return oidc_provider_mock.User(sub=pid, claims=claims)


def through_provider(client, start_path: str, issuer: str, sub: str):
    """Press the sign-in button (GET start_path), pick `sub` on the provider's form and
    follow the redirect back to start_path/callback: (the app's answer, the callback URL)."""
    response = client.get(start_path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(issuer)
    answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, (location, answer.text[-600:])
    back = urlsplit(answer.headers["Location"])
    assert back.path == f"{start_path}/callback"
    callback = f"{back.path}?{back.query}"
    return client.get(callback), callback


CLIENT_ID = "stafettlogg-test"
CLIENT_SECRET = "a-client-secret-that-is-long-enough-for-hs256"


def app_with_provider(database_url, prefix: str, issuer: str, **extra):
    """The app signing in at `issuer` as its ID-porten ("IDPORTEN") or staff
    ("STAFF_OIDC") provider, with the test client's id and secret."""
    from tests.conftest import _make_app

    settings = {f"{prefix}_ISSUER": issuer, f"{prefix}_CLIENT_ID": CLIENT_ID, f"{prefix}_CLIENT_SECRET": CLIENT_SECRET}
    return _make_app(database_url, **settings, **extra)


def closing_the_database(app):
    """A fixture's body: the app, then its database connection closed."""
    from stafettlogg.db import db

    yield app
    if not db.is_closed():
        db.close()


@contextmanager
def mock_provider(users=()):
    app = oidc_provider_mock.app(require_nonce=True, user_claims=list(users))
    with serve(app) as issuer:
        yield issuer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class ForgingProvider:
    """Discovery, JWKS, an authorization endpoint that answers at once, and a token
    endpoint returning ``self.forge(claims) -> id_token`` for the nonce the client sent."""

    def __init__(self, issuer_override: str | None = None):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"})
        self.published = [self.key]
        self.issuer = ""
        self.codes: dict[str, str] = {}
        self.claims_patch: dict = {}
        self.token_maker = None  # callable(claims) -> id_token; default: sign with self.key
        self.jwks_requests = 0
        self.app = self._build()

    def sign(self, claims: dict, key=None, alg: str = "RS256") -> str:
        key = key or self.key
        header = {"alg": alg}
        if key.kid:
            header["kid"] = key.kid
        return jwt.encode(header, claims, key, algorithms=[alg])

    def unsigned(self, claims: dict) -> str:
        return f"{b64(json.dumps({'alg': 'none'}).encode())}.{b64(json.dumps(claims).encode())}."

    def hs256(self, claims: dict, secret: str) -> str:
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret), algorithms=["HS256"])

    def _claims(self, nonce: str, client_id: str) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client_id,
            "sub": "12078510062",
            "pid": "12078510062",
            "acr": "idporten-loa-high",
            "iat": now,
            "exp": now + 120,
            "nonce": nonce,
        }
        claims.update(self.claims_patch)
        return claims

    def _build(self):
        app = flask.Flask(__name__)

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = self.issuer
            return {
                "issuer": base,
                "authorization_endpoint": base + "/authorize",
                "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks",
                "end_session_endpoint": base + "/logout",
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
            }

        @app.get("/jwks")
        def jwks():
            self.jwks_requests += 1
            return KeySet(self.published).as_dict(private=False)

        @app.get("/authorize")
        def authorize():
            args = flask.request.args
            code = secrets.token_urlsafe(8)
            self.codes[code] = args.get("nonce", "")
            return flask.redirect(args["redirect_uri"] + "?" + urlencode({"code": code, "state": args["state"]}))

        @app.post("/token")
        def token():
            form = flask.request.form
            nonce = self.codes.pop(form["code"], None)
            if nonce is None:
                return {"error": "invalid_grant"}, 400
            claims = self._claims(nonce, form["client_id"])
            id_token = (self.token_maker or self.sign)(claims)
            return {"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": id_token}

        return app

    @contextmanager
    def running(self):
        with serve(self.app) as issuer:
            self.issuer = issuer
            yield self
