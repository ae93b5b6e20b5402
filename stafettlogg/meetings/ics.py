"""An invitation as an iCalendar file (RFC 5545) for a planned meeting.

Privacy: calendars are synced to phones and shared with colleagues, so the event names
neither the child nor the family: a neutral summary, the place and the holder as
organiser. The agenda stays in the log.
"""

import datetime as dt
import re

from stafettlogg import labels
from stafettlogg.i18n import gettext as _
from stafettlogg.models import Meeting, utcnow

DEFAULT_DURATION = dt.timedelta(hours=1)
# RFC 5545 3.1: CONTROL, no value holds them (TEXT keeps HTAB; line breaks are escaped first)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    value = (value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1), never inside a UTF-8
    character: CRLF followed by a single space."""
    out, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b" "
            limit = 75
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def meeting_calendar(meeting: Meeting, host: str, url: str, now: dt.datetime | None = None) -> bytes:
    """The VCALENDAR with one VEVENT. Stored times are naive UTC: written with Z."""
    log = meeting.log
    holder = log.holder
    summary = _("%(kind)s – stafettlogg", kind=labels.label(labels.MEETING_KINDS, meeting.kind))
    holder_text = f"{holder.name}, {holder.job_title}" if holder.job_title else holder.name
    # in the language of the person who downloads it (who sends it on to the others)
    description = (
        _("Innkalling fra stafettholder %(holder)s, %(unit)s.", holder=holder_text, unit=log.unit.name)
        + "\n"
        + _("Dagsorden og referat står i stafettloggen.")
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Stafettlogg//Møteinnkalling//NB",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:stafettlogg-meeting-{meeting.id}@{host}",
        f"DTSTAMP:{_utc(now or utcnow())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + DEFAULT_DURATION)}",
        f"SEQUENCE:{meeting.version}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(meeting.place)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
    ]
    if holder.email:
        lines.append(f"ORGANIZER;CN={_param(holder.name)}:mailto:{_address(holder.email)}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def _param(value: str) -> str:
    """A parameter value: quoted, without the characters a quoted value cannot hold."""
    value = (value or "").replace('"', "").replace("\r", " ").replace("\n", " ")
    return '"' + _CONTROL.sub("", value) + '"'


def _address(email: str) -> str:
    """An e-mail address as a URI: staff forms only ask for an @, so no whitespace or
    control character of a stored address reaches the file (a line break would add lines)."""
    return _CONTROL.sub("", "".join(email.split()))
