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
the password may be tried, never what a password or second factor must be. It holds up
to REMEMBERED accounts (a staff room's shared computer), the latest first, for DAYS.
Stored nowhere but in the browser and signed with SECRET_KEY, like the session: nothing
in the database or in a process's memory."""

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

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
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("u"), int) and isinstance(e.get("n"), str)]


def known(user_id: int | None) -> str | None:
    """This browser's own id for the account, when it has signed in to it before; else None."""
    if user_id is None:
        return None
    return next((e["n"] for e in _entries() if e["u"] == user_id), None)


def remember(response, user_id: int):
    """Signed in: this browser is known to the account (its id for the account kept,
    the account moved first)."""
    entries = [{"u": user_id, "n": known(user_id) or secrets.token_urlsafe(16)}]
    entries += [e for e in _entries() if e["u"] != user_id][: REMEMBERED - 1]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(entries),
        max_age=DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
