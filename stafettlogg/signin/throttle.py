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

Both are rows in ``login_failure``, shared by every app server through the database.
The same delay guards second-factor codes (key ``code:<user id>``).
"""

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app
from peewee import fn

from stafettlogg.db import write_transaction
from stafettlogg.models import LoginFailure
from stafettlogg.signin import clock

FREE_ATTEMPTS = 3
WINDOW = dt.timedelta(hours=1)


def account_key(username: str) -> str:
    return f"user:{username.strip().lower()}"


def code_key(user_id: int) -> str:
    return f"code:{user_id}"


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


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


def check(keys_for_account: str, ip: str) -> Refusal | None:
    """None when an attempt may be judged now; else why not and for how long."""
    now = clock.now()
    cfg = current_app.config
    since_ip = now - dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    ip_failures = LoginFailure.select().where(LoginFailure.key == ip_key(ip), LoginFailure.at >= since_ip)
    if ip_failures.count() >= cfg["LOGIN_MAX_FAILURES"] * 4:
        return Refusal("address", cfg["LOGIN_LOCK_MINUTES"] * 60)
    row = (
        LoginFailure.select(fn.COUNT(LoginFailure.id).alias("n"), fn.MAX(LoginFailure.at).alias("last"))
        .where(LoginFailure.key == keys_for_account, LoginFailure.at >= now - WINDOW)
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


def record_failure(account: str, ip: str) -> None:
    now = clock.now()
    with write_transaction():
        LoginFailure.insert_many([{"key": account, "at": now}, {"key": ip_key(ip), "at": now}]).execute()


def clear(account: str) -> None:
    """A successful sign-in: the account's count starts again (the address's does not)."""
    with write_transaction():
        LoginFailure.delete().where(LoginFailure.key == account).execute()
