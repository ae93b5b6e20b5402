"""Dates and times as Norwegians read them: stored times are UTC, shown in Oslo time;
"today" is Oslo's date (CI runs at 23:30 UTC, already tomorrow in Norway)."""

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date as format_babel_date
from flask import g, has_request_context
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
# North Sámi writes a date with the month in the genitive: «njukčamánu 5. b. 2026», the
# 5th day (beaivi) of March. Babel's CLDR data for se has no date pattern of its own and
# gives the root's «2026 njukčamánnu 5»; this is the long date of the North Sámi locale
# Windows and .NET ship (MMMM d'. b. 'yyyy), with the genitive of CLDR's month names.
SAMI_MONTHS_GENITIVE = (
    "ođđajagemánu",
    "guovvamánu",
    "njukčamánu",
    "cuoŋománu",
    "miessemánu",
    "geassemánu",
    "suoidnemánu",
    "borgemánu",
    "čakčamánu",
    "golggotmánu",
    "skábmamánu",
    "juovlamánu",
)


def local(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC without tzinfo; show them in Norwegian time."""
    return value.replace(tzinfo=dt.UTC).astimezone(OSLO)


# A datetime-local field's value: Oslo's wall-clock time, to the minute.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class SkippedTime(ValueError):
    """A wall-clock time Oslo skips: the night the clocks go forward (02:00 becomes 03:00
    on the last Sunday in March), 02:30 never happens. ``start`` and ``end`` are the
    wall-clock times the clocks jump from and to."""

    def __init__(self, wall: dt.datetime, start: dt.datetime, end: dt.datetime):
        super().__init__(wall.isoformat())
        self.start, self.end = start, end


def _exists(wall: dt.datetime) -> bool:
    return local(utc_of_wall(wall)).replace(tzinfo=None) == wall


def utc_of_wall(wall: dt.datetime) -> dt.datetime:
    """Oslo's wall-clock time as naive UTC, the first time it happens (fold=0)."""
    return wall.replace(tzinfo=OSLO, fold=0).astimezone(dt.UTC).replace(tzinfo=None)


def from_local(wall: dt.datetime, stored: dt.datetime | None = None) -> dt.datetime:
    """A time typed in Oslo's wall-clock time (naive), stored as naive UTC: the one rule
    for every time a person types. A time the clocks skip in spring does not exist:
    SkippedTime (a ValueError), nothing is guessed. A time that happens twice in autumn
    (02:30 on the last Sunday in October) is its first occurrence, summer time; unless it
    is what ``stored`` (the time already saved) shows (form_local): then it is that time,
    so showing a saved time and saving it again unchanged never moves it by an hour."""
    if stored is not None and form_local(stored) == wall.strftime(DATETIME_LOCAL):
        return stored
    if not _exists(wall):
        start = wall
        while not _exists(start - dt.timedelta(minutes=1)):  # back to where the clocks jump
            start -= dt.timedelta(minutes=1)
        skipped = local(utc_of_wall(start)).replace(tzinfo=None) - start
        raise SkippedTime(wall, start, start + skipped)
    return utc_of_wall(wall)


def form_local(value: dt.datetime | None) -> str:
    """A stored (naive UTC) time as a datetime-local field's value in Oslo's wall-clock
    time; from_local reads it back to the same stored time."""
    return local(value).strftime(DATETIME_LOCAL) if value else ""


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


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
    return _long_date(value, get_locale() if has_request_context() else None)


def _long_date(day: dt.date, locale) -> str:
    """The long date in `locale` (None: bokmål): Norwegian and North Sámi as written
    here, any other language as CLDR writes it."""
    code = str(locale) if locale is not None else "nb"
    if code in ("nb", "nn"):
        return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    if code == "se":
        return f"{SAMI_MONTHS_GENITIVE[day.month - 1]} {day.day}. b. {day.year}"
    return format_babel_date(day, "long", locale=locale)


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


SCHOOL_YEAR_STARTS = 8  # school and kindergarten years begin on 1 August


def school_year_of(day: dt.date) -> int:
    """School and kindergarten years run 1 August – 31 July; the year is the one it starts."""
    return day.year if day.month >= SCHOOL_YEAR_STARTS else day.year - 1


def school_year_days(year: int) -> tuple[dt.date, dt.date]:
    """The first day of the school year and of the next one (school_year_of)."""
    return dt.date(year, SCHOOL_YEAR_STARTS, 1), dt.date(year + 1, SCHOOL_YEAR_STARTS, 1)


def utc_start_of(day: dt.date) -> dt.datetime:
    """When Oslo's ``day`` begins, as a stored time (naive UTC): midnight in Norway is
    23:00 UTC the day before in winter, 22:00 in summer time. The one rule for every
    boundary of a day, a month or a year that stored times are counted or listed by (the
    statistics' months, the unit overview's school years)."""
    return utc_of_wall(dt.datetime.combine(day, dt.time()))


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


class DateFormats:
    """The |longdate and |datetime filters of one request and locale: the locale and the
    translated "%(date)s kl. %(time)s" looked up once, not once per item (a log page
    formats a date or a time on every item; flask_babel's get_locale looks the request's
    context up three times a call). The same text as stafettlogg.dates' functions."""

    def __init__(self, locale):
        self.locale = locale
        self.at_time = _("%(date)s kl. %(time)s")

    def long_date(self, value) -> str:
        if not value:
            return ""
        if isinstance(value, dt.datetime):
            value = local(value)
        return _long_date(value, self.locale)

    def date_time(self, value) -> str:
        if not value:
            return ""
        value = local(value)
        return self.at_time % {
            "date": f"{value.day:02d}.{value.month:02d}.{value.year}",
            "time": f"{value.hour:02d}:{value.minute:02d}",
        }


def date_formats() -> DateFormats | None:
    """This request's DateFormats, made again when the locale changes (force_locale: a
    part of a page in another language); None outside a request."""
    if not has_request_context():
        return None
    here = g._get_current_object()
    kept = here.__dict__.get("_date_formats")
    babel_state = here.__dict__.get("_flask_babel")
    if kept is not None and kept.locale is getattr(babel_state, "babel_locale", None):
        return kept
    kept = here._date_formats = DateFormats(get_locale())
    return kept


def long_date(value) -> str:
    """The |longdate filter: format_long_date with this request's DateFormats."""
    formats = date_formats()
    return formats.long_date(value) if formats is not None else format_long_date(value)


def date_time(value) -> str:
    """The |datetime filter: format_datetime with this request's DateFormats."""
    formats = date_formats()
    return formats.date_time(value) if formats is not None else format_datetime(value)
