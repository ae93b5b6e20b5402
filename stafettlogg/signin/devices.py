"""Browsers that have signed in to an account before (OWASP's «device cookies»).

Everyone at a school, a kindergarten or a town hall reaches the app from one address, so
the per-address limit (throttle) lets one person who types wrong passwords on purpose
stop password sign-in for all of them, and typing a colleague's username wrongly keeps
the colleague waiting. A browser that has signed in to an account (its password, and
its code where it has a second factor) is given a signed cookie naming that account (by
id, never the username) and a random id of its own. An attempt on that account from
that browser is then not held to the address's limit and not delayed by others' wrong
attempts on the account: its own wrong attempts have a delay of their own
(throttle.device_key), the same rule as the account's.

The cookie proves only that this browser once knew the password: it relaxes how often
the password may be tried, never what a password or second factor must be. Each entry
is bound to the password the account had then (a keyed digest of its hash): a new or
reset password makes every cookie given before count for nothing, so cookies gathered
while a password was known (a leaked or temporary one) give no guesses at the next. It
holds up to REMEMBERED accounts (a staff room's shared computer), the latest first, for
DAYS. Stored nowhere but in the browser and signed with SECRET_KEY, like the session:
nothing in the database or in a process's memory."""

import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from stafettlogg.models import User

COOKIE = "stafettlogg_device"
DAYS = 180
REMEMBERED = 5


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="signin-device")


def _entries() -> list[dict]:
    token = request.cookies.get(COOKIE)
    if not token:
        return []
    try:
        entries = _serializer().loads(token, max_age=DAYS * 24 * 3600)
    except BadSignature:  # tampered, forged, from another installation, or too old
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("u"), int) and all(isinstance(e.get(k), str) for k in "np")
    ]


def _password_mark(user: User) -> str:
    """A keyed digest of the account's password hash: changes with the password, tells
    nothing of it (and nothing without SECRET_KEY)."""
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, f"device:{user.password_hash or ''}".encode(), hashlib.sha256).hexdigest()[:24]


def known(user: User | None) -> str | None:
    """This browser's own id for the account, when it has signed in to it with the
    password it has now; else None."""
    if user is None:
        return None
    mark = _password_mark(user)
    return next((e["n"] for e in _entries() if e["u"] == user.id and hmac.compare_digest(e["p"], mark)), None)


def remember(response, user: User):
    """Signed in: this browser is known to the account (its id for the account kept,
    the account moved first)."""
    entries = [{"u": user.id, "n": known(user) or secrets.token_urlsafe(16), "p": _password_mark(user)}]
    entries += [e for e in _entries() if e["u"] != user.id][: REMEMBERED - 1]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(entries),
        max_age=DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
