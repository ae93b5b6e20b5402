"""Dates and times as Norwegians read them: stored times are UTC, shown in Oslo time;
"today" is Oslo's date (CI runs at 23:30 UTC, already tomorrow in Norway)."""

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date as format_babel_date
from flask import has_request_context
from flask_babel import get_locale

from stafettlogg.i18n import gettext as _

OSLO = ZoneInfo("Europe/Oslo")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def local(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC without tzinfo; show them in Norwegian time."""
    return value.replace(tzinfo=dt.UTC).astimezone(OSLO)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in Norway, whatever the server's clock zone (UTC in CI)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(OSLO).date()


def format_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def format_long_date(value) -> str:
    """ "3. desember 2026" in the page's language (CLDR's long date form)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)

    locale = get_locale() if has_request_context() else None
    if locale is None or str(locale) in ("nb", "nn"):
        return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"
    return format_babel_date(value, "long", locale=locale)


def format_datetime(value) -> str:
    if not value:
        return ""
    value = local(value)
    return _(
        "%(date)s kl. %(time)s",
        date=f"{value.day:02d}.{value.month:02d}.{value.year}",
        time=f"{value.hour:02d}:{value.minute:02d}",
    )


def format_time(value) -> str:
    if not value:
        return ""
    value = local(value)
    return f"{value.hour:02d}:{value.minute:02d}"


def school_year_of(day: dt.date) -> int:
    """School and kindergarten years run 1 August – 31 July; the year is the one it starts."""
    return day.year if day.month >= 8 else day.year - 1
