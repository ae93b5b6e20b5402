"""Failed sign-in attempts: a growing delay per account, a limit per client address.

The rule (SECURITY.md "Sessions and login", stated once here as data):

- Per account: the first ``FREE_ATTEMPTS`` (3) wrong attempts within ``WINDOW`` (an hour)
  cost nothing. After the 4th, 5th, 6th … wrong attempt the next attempt is accepted only
  1, 2, 4 … seconds after it (doubling), never more than ``LOGIN_MAX_DELAY_SECONDS``
  (default 60).
  An attempt made during the delay is answered without looking at the password and is
  not counted, so nobody can stretch the delay by typing more: the right password gets
  in at most ``LOGIN_MAX_DELAY_SECONDS`` after the last wrong one. A successful sign-in
  clears the account's count. There is no lock.
- Per client address: ``LOGIN_MAX_FAILURES * 4`` wrong attempts within
  ``LOGIN_LOCK_MINUTES`` stop further attempts from that address until the window has
  passed (the address is the client's behind ``TRUSTED_PROXIES``).
- A browser that has signed in to the account before (signin/devices.py) is held to
  neither: its attempts on that account have the same delay, counted on its own key
  (``device_key``), so nobody at the same address, and nobody typing the username
  wrongly elsewhere, keeps the account's owner out of their own browser.

Both are rows in ``login_failure``, shared by every app server through the database.
The same delay guards second-factor codes (key ``code:<user id>``), and for them a cap:
after ``CODE_LIMIT`` (20) wrong codes in a row within ``CODE_WINDOW`` (a day) the app's
six-digit codes are no longer judged (a recovery code still is) until a day has passed
without one. The delay alone lets someone who has the password try 60 codes an hour for
ever (NIST SP 800-63B 5.2.2: at most 100 failures in a row on one account).

Checking and counting are one step (``begin``): an attempt that may be judged is counted
as a failure at once, in the transaction that checked, before the password or code is
looked at; the right answer takes it back (``succeeded``, ``not_judged``). Checked first
and counted after the judgement, parallel guesses on several workers or app servers all
passed the check together.
"""

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from flask import current_app
from peewee import fn

from stafettlogg.db import db, is_sqlite, write_transaction
from stafettlogg.models import LoginFailure
from stafettlogg.signin import clock

FREE_ATTEMPTS = 3
WINDOW = dt.timedelta(hours=1)
CODE_LIMIT = 20
CODE_WINDOW = dt.timedelta(days=1)
# Anonymous requests that write (a sign-in refused at the provider's callback, a
# front-channel logout): recorded at most this often per address and kind within
# LOGIN_LOCK_MINUTES.
ANONYMOUS_WRITES = 20


def account_key(username: str) -> str:
    return f"user:{username.strip().lower()}"


def device_key(device: str) -> str:
    return f"device:{device}"


def code_key(user_id: int) -> str:
    return f"code:{user_id}"


def codes_exhausted(user_id: int) -> bool:
    """Have CODE_LIMIT wrong codes in a row been typed on this account within CODE_WINDOW?
    (A right code clears the count: ``succeeded``.)"""
    since = clock.now() - CODE_WINDOW
    return LoginFailure.select().where(LoginFailure.key == code_key(user_id), LoginFailure.at >= since).count() >= (
        CODE_LIMIT
    )


def ip_key(ip: str) -> str:
    """The client address the limit counts. An IPv6 client is counted by its /64: one
    home or mobile connection is given a whole /64 and may pick any address in it, so
    counting single addresses would give an attacker 2^64 fresh ones."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"ip:{ip}"
    if address.version == 6 and address.ipv4_mapped is not None:
        return f"ip:{address.ipv4_mapped}"
    if address.version == 6:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def max_delay() -> int:
    return int(current_app.config.get("LOGIN_MAX_DELAY_SECONDS", 60))


def delay(failures: int) -> int:
    """Seconds to wait after the last of ``failures`` wrong attempts."""
    if failures <= FREE_ATTEMPTS:
        return 0
    return min(2 ** (failures - FREE_ATTEMPTS - 1), max_delay())


@dataclass(frozen=True)
class Refusal:
    reason: str  # "account" (wait) or "address" (too many from this address)
    seconds: int


@dataclass(frozen=True)
class Attempt:
    """An attempt allowed now and already counted as a failure (its rows). ``clears``:
    the keys whose count the right answer ends."""

    clears: tuple[str, ...]
    rows: tuple[int, ...]


def _address_refusal(ip: str) -> Refusal | None:
    cfg = current_app.config
    since = clock.now() - dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    failures = LoginFailure.select().where(LoginFailure.key == ip_key(ip), LoginFailure.at >= since)
    if failures.count() >= cfg["LOGIN_MAX_FAILURES"] * 4:
        return Refusal("address", cfg["LOGIN_LOCK_MINUTES"] * 60)
    return None


def _delay_refusal(key: str) -> Refusal | None:
    """None when the delay after the key's wrong attempts has passed; else how long it still runs."""
    now = clock.now()
    row = (
        LoginFailure.select(fn.COUNT(LoginFailure.id).alias("n"), fn.MAX(LoginFailure.at).alias("last"))
        .where(LoginFailure.key == key, LoginFailure.at >= now - WINDOW)
        .dicts()
        .get()
    )
    wait = delay(row["n"] or 0)
    if not wait or row["last"] is None:
        return None
    last = row["last"]
    if isinstance(last, str):  # SQLite's MAX() loses the column type
        last = dt.datetime.fromisoformat(last)
    remaining = (last + dt.timedelta(seconds=wait) - now).total_seconds()
    if remaining <= 0:
        return None
    return Refusal("account", math.ceil(remaining))


def _serialise(*keys: str) -> None:
    """Attempts on the same account or address take turns: SQLite's BEGIN IMMEDIATE
    already does; on PostgreSQL a lock per key, held until the transaction ends."""
    if not is_sqlite():
        for key in keys:
            db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))


def begin(account: str, ip: str, device: str | None = None, *, address: bool = True) -> Refusal | Attempt:
    """Refusal when no attempt may be judged now; else the attempt, counted as a failure
    until ``succeeded`` or ``not_judged`` says otherwise. ``device``: this browser's id
    for the account (devices.known), when it has signed in to it before: a password's
    attempts are then counted on it alone. ``address`` False: a second-factor code typed
    in such a browser, not held to the address's limit but counted on the account's
    code key as ever (its cap, CODE_LIMIT, is the account's, not the browser's)."""
    own = device_key(device) if device else account  # whose wrong attempts delay this one
    held_to_address = address and not device
    counted = (own, ip_key(ip)) if held_to_address else (own,)
    with write_transaction():
        _serialise(*counted)
        refusal = (_address_refusal(ip) if held_to_address else None) or _delay_refusal(own)
        if refusal:
            return refusal
        now = clock.now()
        rows = tuple(LoginFailure.create(key=key, at=now).id for key in counted)
    return Attempt((account, device_key(device)) if device else (account,), rows)


def succeeded(attempt: Attempt) -> None:
    """The right answer: the account's count (and the browser's) starts again, and this
    attempt is not held against the address (earlier failures from it still are)."""
    with write_transaction():
        LoginFailure.delete().where(
            LoginFailure.key.in_(attempt.clears) | (LoginFailure.id.in_(attempt.rows))
        ).execute()


def forget_account(username: str) -> None:
    """The account's count starts again (a new password given by a leader: the person is
    about to type it), in the caller's transaction. The address's count stays."""
    LoginFailure.delete().where(LoginFailure.key == account_key(username)).execute()


def not_judged(attempt: Attempt) -> None:
    """The answer was right but something else stopped the step (a username taken, a weak
    password): this attempt counts for nothing, earlier failures stay."""
    with write_transaction():
        LoginFailure.delete().where(LoginFailure.id.in_(attempt.rows)).execute()


def anonymous_write_allowed(kind: str, ip: str) -> bool:
    """May this anonymous request write (its audit event, a logout row)? At most
    ANONYMOUS_WRITES per address and kind within LOGIN_LOCK_MINUTES: beyond, it is
    answered without writing, so no script fills the append-only audit table. Its own
    count, apart from the sign-in limit: families cancelling at ID-porten behind one
    address do not stop that address's password sign-ins."""
    key = f"{kind}:{ip_key(ip)}"
    now = clock.now()
    since = now - dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    with write_transaction():
        _serialise(key)
        if LoginFailure.select().where(LoginFailure.key == key, LoginFailure.at >= since).count() >= ANONYMOUS_WRITES:
            return False
        LoginFailure.create(key=key, at=now)
    return True
