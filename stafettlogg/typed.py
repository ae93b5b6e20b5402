"""What a person types reaches the app through one door: the request's query string and
form fields are cleaned of characters no keyboard types and no reader sees, before any
view, form or rule reads them.

Control characters (C0 but tab, line feed and carriage return; DEL; C1) and the bidi
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed. Stored in
a child's name they are invisible in the page, yet they break the archive's XML, a CSV
export or a search for the name, and a right-to-left override makes a name read
differently from what it is ("Trojan source"). The marks a right-to-left writer does
use (U+200E, U+200F, zero-width joiners) are kept. A password is cleaned the same way
when it is set and when it is checked.

A whole number read from a field (``get(key, type=int)``, ``getlist(key, type=int)``) is
one a database column holds (64 bits), or no number: an id, version or year of 2**63
typed into a tampered form gets the form's own answer (the default), never a 500 from a
query the database cannot run."""

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    return INVISIBLE.sub("", text)


# An e-mail address as a person types one: no space or line break anywhere (a line break
# would write its own lines into a calendar file or a mail's headers), one @, a domain
# with a dot, no longer than the column holds (254; a longer one failed the whole save on
# PostgreSQL). The one rule every form that takes an address asks.
EMAIL_ADDRESS = re.compile(r"[^\s@]+@[^\s@.]+(\.[^\s@.]+)+")
EMAIL_MAX = 254


def is_email_address(text: str) -> bool:
    text = (text or "").strip()
    return len(text) <= EMAIL_MAX and EMAIL_ADDRESS.fullmatch(text) is not None


class CleanFields(ImmutableMultiDict):
    """A query string or form, each text value cleaned once as it is parsed (an uploaded
    file is kept as it is: its name is cleaned where the file is stored)."""

    def __init__(self, mapping=None):
        parsed = MultiDict(mapping)  # any form a MultiDict takes: pairs, dict, MultiDict
        super().__init__(
            [(key, clean(value) if isinstance(value, str) else value) for key, value in parsed.items(multi=True)]
        )

    def get(self, key, default=None, type=None):
        return super().get(key, default, whole_number if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, whole_number if type is int else type)


INTEGER_COLUMN = range(-(2**63), 2**63)  # what a database's 64-bit integer column holds


def whole_number(text: str) -> int:
    """``int(text)``, refused (ValueError) if no integer column holds it."""
    number = int(text)
    if number not in INTEGER_COLUMN:
        raise ValueError(f"{text[:20]}…: too large for a database column")
    return number


class CleanRequest(Request):
    parameter_storage_class = CleanFields
