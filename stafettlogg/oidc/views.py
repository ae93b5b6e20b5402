"""Routes for OpenID Connect sign-in: ID-porten for families, the municipality's provider
(Entra ID, Feide …) for staff. Authorization code flow with PKCE.

Authlib does the protocol: discovery, state, nonce, PKCE (S256), the token request and the
ID token checks (signature against the provider's JWKS, refetched on an unknown key id;
issuer, audience, expiry, nonce). Only the algorithms the provider announces are accepted,
so ``alg: none`` and HS256 tokens are refused. Both providers go through the same three
helpers here (``_authorize``, ``_claims``, ``_begin_session``); this module adds the level
of assurance (``acr`` for ID-porten; ``acr``/``amr`` for staff when the operator requires a
second factor) and maps the person to an account (domain.py).
"""

import logging
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, logout_user
from joserfc.errors import JoseError

from stafettlogg import access, audit, sealed, typed
from stafettlogg.auth import local_login_enabled, start_session
from stafettlogg.db import write_transaction
from stafettlogg.oidc import domain
from stafettlogg.signin import throttle

bp = Blueprint("oidc", __name__)

IDPORTEN = "idporten"
STAFF = "staff"
# Settings prefix and scopes of each provider.
PROVIDERS = {IDPORTEN: "IDPORTEN", STAFF: "STAFF_OIDC"}
logger = logging.getLogger(__name__)

# Session keys kept after sign-in, for RP-initiated and front-channel logout.
SESSION_PROVIDER = "oidc_provider"
SESSION_ID_TOKEN = "oidc_id_token"  # noqa: S105 - a session key, not a secret
SESSION_ISS = "oidc_iss"
SESSION_SID = "oidc_sid"
# The ID token names the person (ID-porten: the fødselsnummer) and the session cookie is
# signed, not encrypted: kept sealed, so the number is not in browser storage.
ID_TOKEN_SEAL = (b"stafettlogg-oidc", b"id-token-hint")
# The sealed token's size the session cookie can carry with the rest under 4 KB (an ID
# token of about 1.8 KB; ID-porten's are about 1 KB, Entra's without group claims 1.5 KB).
MAX_SEALED_ID_TOKEN = 2600


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _scopes(app, name: str) -> str:
    return "openid profile" if name == IDPORTEN else app.config.get("STAFF_OIDC_SCOPES") or "openid profile email"


def init_app(app) -> None:
    """Register the providers that are configured; unconfigured ones answer 404."""
    oauth = OAuth(app)
    cfg = app.config
    for name, prefix in PROVIDERS.items():
        if not cfg.get(f"{prefix}_ISSUER"):
            continue
        oauth.register(
            name,
            client_id=cfg[f"{prefix}_CLIENT_ID"],
            client_secret=cfg[f"{prefix}_CLIENT_SECRET"],
            server_metadata_url=cfg[f"{prefix}_ISSUER"] + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": _scopes(app, name),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_post",
                "timeout": 10,
            },
        )
    app.register_blueprint(bp)
    # Before the access check, so the request that finds the session ended is anonymous.

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(hooks.index(access.check_request), end_session_ended_at_provider)
    app.jinja_env.globals["idporten_enabled"] = idporten_enabled
    app.jinja_env.globals["staff_oidc_enabled"] = staff_oidc_enabled
    app.jinja_env.globals["local_login_enabled"] = local_login_enabled
    app.jinja_env.globals["mask_national_id"] = domain.mask_national_id


def client(name: str):
    oauth = current_app.extensions["authlib.integrations.flask_client"]
    found = oauth.create_client(name)
    if found is None:
        abort(404)
    return found


def idporten_enabled() -> bool:
    return bool(current_app.config.get("IDPORTEN_ISSUER"))


def staff_oidc_enabled() -> bool:
    return bool(current_app.config.get("STAFF_OIDC_ISSUER"))


# ------------------------------------------------------------------ shared plumbing


def _authorize(name: str, callback: str, **params):
    try:
        return client(name).authorize_redirect(url_for(callback, _external=True), **params)
    except (requests.RequestException, ValueError):
        return _refused(name, "unavailable")


def _claims(name: str) -> tuple[dict, dict]:
    """The checked ID token's claims and the token response, or Refused."""
    remote = client(name)
    try:
        token = remote.authorize_access_token(leeway=current_app.config["OIDC_CLOCK_SKEW"])
    except (OAuthError, JoseError, KeyError, ValueError) as e:
        raise Refused("invalid") from e
    except requests.RequestException as e:
        raise Refused("unavailable") from e
    claims = token.get("userinfo") or {}
    if not claims:
        raise Refused("invalid")
    return claims, token


def _begin_session(user, name: str, token: dict, claims: dict):
    """A new session for the user, remembering what logout at the provider needs."""
    start_session(user, method=name)
    session[SESSION_PROVIDER] = name
    hint = sealed.seal(token["id_token"], *ID_TOKEN_SEAL) if token.get("id_token") else ""
    if len(hint) > MAX_SEALED_ID_TOKEN:
        # a browser drops a cookie over 4 KB, and the person would be signed out at once:
        # without the hint, logout ends the session here only
        logger.warning("ID token of %s characters not kept for logout at the provider", len(token["id_token"]))
        hint = ""
    session[SESSION_ID_TOKEN] = hint
    session[SESSION_ISS] = str(claims.get("iss") or "")
    session[SESSION_SID] = str(claims.get("sid") or "")
    if session[SESSION_ISS] and session[SESSION_SID] and len(session[SESSION_SID]) <= 255:
        domain.remember_provider_session(session[SESSION_ISS].rstrip("/"), session[SESSION_SID])
    return redirect(url_for("main.index"))


def _refused(name: str, reason: str):
    action = f"{'idporten' if name == IDPORTEN else 'staff_oidc'}_refused_{reason}"
    if throttle.anonymous_write_allowed(action, request.remote_addr or ""):
        with write_transaction():
            audit.record(action, role="anonymous")
    status = 503 if reason == "unavailable" else 403
    return render_template("oidc/refused.html", reason=reason, provider=name), status


# ------------------------------------------------------------------ ID-porten (families)


# The languages ID-porten's own pages come in (Digdir: ui_locales); others get bokmål.
IDPORTEN_UI_LOCALES = ("nb", "nn", "en", "se")


@bp.route("/login/idporten")
def idporten_start():
    """To ID-porten, in the family's language when ID-porten has it (English, North Sámi)."""
    language = str(get_locale())
    return _authorize(
        IDPORTEN,
        "oidc.idporten_callback",
        acr_values=current_app.config["IDPORTEN_ACR"],
        ui_locales=language if language in IDPORTEN_UI_LOCALES else "nb",
    )


@bp.route("/login/idporten/callback")
def idporten_callback():
    try:
        claims, token = _claims(IDPORTEN)
        if not domain.acr_sufficient(claims.get("acr"), current_app.config["IDPORTEN_ACR"]):
            raise Refused("acr")
        pid = str(claims.get("pid") or "")
        if not pid:
            raise Refused("invalid")
    except Refused as e:
        return _refused(IDPORTEN, e.reason)
    user = domain.sign_in_by_pid(pid, name=typed.clean(str(claims.get("name") or "")))
    if user is None:
        return render_template("oidc/no_access.html", provider=IDPORTEN), 200
    return _begin_session(user, IDPORTEN, token, claims)


# ------------------------------------------------------------------ staff


@bp.route("/login/ansatt")
def staff_start():
    """To the municipality's provider, asking for the sign-in STAFF_OIDC_ACR_VALUES names."""
    acr_values = " ".join(current_app.config["STAFF_OIDC_ACR_VALUES"])
    return _authorize(STAFF, "oidc.staff_callback", **({"acr_values": acr_values} if acr_values else {}))


@bp.route("/login/ansatt/callback")
def staff_callback():
    cfg = current_app.config
    claim = cfg["STAFF_OIDC_USER_CLAIM"]
    try:
        claims, token = _claims(STAFF)
        if not domain.strong_enough(claims, cfg["STAFF_OIDC_ACR_VALUES"], cfg["STAFF_OIDC_AMR_VALUES"]):
            raise Refused("acr")
        if claim == "email" and not domain.email_vouched_for(claims, cfg["STAFF_OIDC_EMAIL_TRUSTED"]):
            raise Refused("unverified")
        identity = domain.normalise_identity(str(claims.get(claim) or ""))
        if not identity:
            raise Refused("invalid")
    except Refused as e:
        return _refused(STAFF, e.reason)
    user = domain.staff_for_identity(identity)
    if user is None:
        return render_template("oidc/no_access.html", provider=STAFF), 200
    return _begin_session(user, STAFF, token, claims)


# ------------------------------------------------------------------ logout


def logout_redirect(provider: str | None, sealed_id_token: str | None):
    """After the local session has ended: the provider's end_session_endpoint
    (RP-initiated logout), or None when there is nothing to end there."""
    id_token = sealed.unseal(sealed_id_token or "", *ID_TOKEN_SEAL)
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


def _configured_issuers() -> set[str]:
    cfg = current_app.config
    return {cfg[f"{prefix}_ISSUER"] for prefix in PROVIDERS.values() if cfg.get(f"{prefix}_ISSUER")}


@bp.route("/logout/frontchannel")
def frontchannel_logout():
    """OpenID Connect Front-Channel Logout 1.0: the provider loads this URL (in a hidden
    frame) with ``iss`` and ``sid`` when the person signs out there. Register it as
    ``frontchannel_logout_uri`` with ``frontchannel_logout_session_required``. Without
    ``iss`` (Entra ID), a sid that began one session of ours ends it; any other is refused."""
    iss = (request.args.get("iss") or "").rstrip("/")
    sid = request.args.get("sid") or ""
    if not iss and sid and len(sid) <= 255:  # Entra ID sends the sid alone: a session of ours names it
        iss = domain.issuer_of_session(sid, _configured_issuers()) or ""
    if iss not in _configured_issuers() or not sid or len(sid) > 255:
        return render_template("oidc/frontchannel.html", ended=False), 400
    # a session of ours always ends; a made-up or repeated sid writes within the limit
    ours = domain.a_session_of_ours_to_end(iss, sid)
    if not ours and not throttle.anonymous_write_allowed("oidc_frontchannel_logout", request.remote_addr or ""):
        return render_template("oidc/frontchannel.html", ended=False), 429
    domain.end_provider_session(iss, sid)
    response = current_app.make_response(render_template("oidc/frontchannel.html", ended=True))
    origins = " ".join(sorted({"{0.scheme}://{0.netloc}".format(urlsplit(i)) for i in _configured_issuers()}))
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors {origins}; form-action 'self'"
    )
    return response


def end_session_ended_at_provider():
    """before_request: a session begun with a provider session that has since ended there
    (front-channel logout) ends now, on whichever app server the request lands."""
    sid, iss = session.get(SESSION_SID), session.get(SESSION_ISS)
    if not sid or not iss or not current_user.is_authenticated:
        return None
    if domain.provider_session_ended(iss.rstrip("/"), sid):
        with write_transaction():
            audit.record("oidc_session_ended_by_provider")
        logout_user()
        session.clear()
    return None
