"""The time sign-in rules read: one function, so tests can move it (never sleep)."""

import datetime as dt

from stafettlogg import models


def now() -> dt.datetime:
    return models.utcnow()


def epoch_seconds(utc: dt.datetime) -> float:
    """Seconds since 1970 of a naive UTC time (models.utcnow, now()): `.timestamp()` alone
    reads it as the server's local time, an hour off across a daylight-saving change."""
    return utc.replace(tzinfo=dt.UTC).timestamp()
