"""A clock the sign-in rules read (moved by tests, never slept on) and TOTP helpers."""

import datetime as dt
import re

import pyotp
import pytest


class FakeClock:
    def __init__(self, start: dt.datetime):
        self.t = start

    def now(self) -> dt.datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    from stafettlogg.signin import clock as signin_clock

    fake = FakeClock(dt.datetime(2026, 12, 3, 9, 0, 0))
    monkeypatch.setattr(signin_clock, "now", fake.now)
    return fake


def secret_on(html: str) -> str:
    """The key shown as text on the enrolment page."""
    match = re.search(r'id="secret-key" dir="ltr">([A-Z2-7 ]+)</code>', html)
    assert match, "no key shown on the page"
    return match.group(1).replace(" ", "")


def code_at(secret: str, when: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(when.replace(tzinfo=dt.UTC))


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code dir=\"ltr\">([a-z0-9]{5}-[a-z0-9]{5})</code></li>", html)
