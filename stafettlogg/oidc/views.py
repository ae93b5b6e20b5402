"""Routes for ID-porten sign-in (OpenID Connect authorization code flow with PKCE).

Authlib does the protocol: discovery, state, nonce, PKCE (S256), the token request and the
ID token checks (signature against the provider's JWKS, refetched on an unknown key id;
issuer, audience, expiry, nonce). Only the algorithms the provider announces are accepted,
so ``alg: none`` and HS256 tokens are refused. This module adds the level of assurance
(``acr``) and maps ``pid`` to the logs it opens.
"""

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import login_user
from joserfc.errors import JoseError

from stafettlogg import audit
from stafettlogg.auth import rotate_session_token
from stafettlogg.db import write_transaction
from stafettlogg.models import utcnow
from stafettlogg.oidc import domain

bp = Blueprint("oidc", __name__)

IDPORTEN = "idporten"
# Session keys kept after sign-in, for RP-initiated logout.
SESSION_PROVIDER = "oidc_provider"
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 - a session key, not a secret


def init_app(app) -> None:
    """Register the providers that are configured; unconfigured ones answer 404."""
    oauth = OAuth(app)
    cfg = app.config
    if cfg.get("IDPORTEN_ISSUER"):
        oauth.register(
            IDPORTEN,
            client_id=cfg["IDPORTEN_CLIENT_ID"],
            client_secret=cfg["IDPORTEN_CLIENT_SECRET"],
            server_metadata_url=cfg["IDPORTEN_ISSUER"] + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid profile",
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "timeout": 10,
            },
        )
    app.register_blueprint(bp)
    app.jinja_env.globals["idporten_enabled"] = idporten_enabled
    app.jinja_env.globals["mask_national_id"] = domain.mask_national_id


def client(name: str):
    oauth = current_app.extensions["authlib.integrations.flask_client"]
    found = oauth.create_client(name)
    if found is None:
        abort(404)
    return found


def idporten_enabled() -> bool:
    return bool(current_app.config.get("IDPORTEN_ISSUER"))


@bp.route("/login/idporten")
def idporten_start():
    idporten = client(IDPORTEN)
    try:
        return idporten.authorize_redirect(
            url_for("oidc.idporten_callback", _external=True),
            acr_values=current_app.config["IDPORTEN_ACR"],
            ui_locales="nn" if str(get_locale()) == "nn" else "nb",
        )
    except (requests.RequestException, ValueError):
        return _refused("unavailable")


@bp.route("/login/idporten/callback")
def idporten_callback():
    idporten = client(IDPORTEN)
    try:
        token = idporten.authorize_access_token(leeway=current_app.config["OIDC_CLOCK_SKEW"])
    except (OAuthError, JoseError, KeyError, ValueError):
        return _refused("invalid")
    except requests.RequestException:
        return _refused("unavailable")
    claims = token.get("userinfo") or {}
    if not claims:
        return _refused("invalid")
    if not domain.acr_sufficient(claims.get("acr"), current_app.config["IDPORTEN_ACR"]):
        return _refused("acr")
    pid = str(claims.get("pid") or "")
    if not pid:
        return _refused("invalid")
    user = domain.sign_in_by_pid(pid, name=str(claims.get("name") or ""))
    if user is None:
        return render_template("oidc/no_access.html"), 200
    if not user.session_token:
        with write_transaction():
            rotate_session_token(user)
    session.clear()  # a new session at login
    login_user(user)
    session["last_seen"] = utcnow().timestamp()
    session[SESSION_PROVIDER] = IDPORTEN
    session[SESSION_ID_TOKEN] = token.get("id_token", "")
    return redirect(url_for("main.index"))


def _refused(reason: str):
    with write_transaction():
        audit.record(f"idporten_refused_{reason}", role="anonymous")
    return render_template("oidc/refused.html", reason=reason), 403 if reason != "unavailable" else 503


def logout_redirect(provider: str | None, id_token: str | None):
    """After the local session has ended: the provider's end_session_endpoint
    (RP-initiated logout), or None when there is nothing to end there."""
    if not provider or not id_token:
        return None
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    remote = oauth.create_client(provider) if oauth else None
    if remote is None:
        return None
    try:
        metadata = remote.load_server_metadata()
    except requests.RequestException:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return remote.logout_redirect(
        post_logout_redirect_uri=url_for("auth.login", _external=True), id_token_hint=id_token
    )
