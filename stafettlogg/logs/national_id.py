"""Fødselsnummer and D-nummer: 11 digits, both mod-11 control digits checked."""

import datetime as dt

from stafettlogg.access import of_consent_age
from stafettlogg.i18n import gettext as _

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits, weights) -> int | None:
    rest = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    k = 11 - rest
    if k == 11:
        return 0
    if k == 10:
        return None  # no valid control digit: such numbers are never issued
    return k


def birth_date_from(number: str) -> dt.date | None:
    """The birth date the number encodes (D-numbers: day + 40), or None."""
    day, month, year, individual = int(number[0:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    if day > 40:
        day -= 40  # D-nummer
    if month > 80:
        month -= 80  # synthetic test numbers (Skatteetaten's test population)
    elif month > 40:
        month -= 40  # H-nummer
    if individual <= 499:
        century = 1900
    elif individual <= 749 and year >= 54:
        century = 1800
    elif year <= 39:
        century = 2000
    elif individual >= 900:
        century = 1900
    else:
        return None
    try:
        return dt.date(century + year, month, day)
    except ValueError:
        return None


def national_id_problem(value: str, birth_date: dt.date | None = None) -> str | None:
    """A clear Norwegian message if the number is not valid, else None."""
    number = value.replace(" ", "")
    if len(number) != 11 or not (number.isascii() and number.isdigit()):
        return _("Fødselsnummeret må ha 11 sifre.")
    digits = [int(c) for c in number]
    k1 = _control(digits[:9], W1)
    if k1 is None or k1 != digits[9]:
        return _(
            "Fødselsnummeret er ikke gyldig: det første kontrollsifferet (siffer 10) stemmer ikke. Sjekk at du har skrevet det riktig."
        )
    k2 = _control(digits[:10], W2)
    if k2 is None or k2 != digits[10]:
        return _(
            "Fødselsnummeret er ikke gyldig: det siste kontrollsifferet (siffer 11) stemmer ikke. Sjekk at du har skrevet det riktig."
        )
    encoded = birth_date_from(number)
    if encoded is None:
        return _("Fødselsnummeret inneholder ikke en gyldig dato.")
    if birth_date is not None and encoded != birth_date:
        return _("Fødselsnummeret passer ikke med fødselsdatoen %(d)s.", d=birth_date.strftime("%d.%m.%Y"))
    return None


def with_control_digits(first_nine: str) -> str | None:
    """Complete nine digits into a valid number (used by the demo data and tests)."""
    digits = [int(c) for c in first_nine]
    k1 = _control(digits, W1)
    if k1 is None:
        return None
    k2 = _control(digits + [k1], W2)
    if k2 is None:
        return None
    return first_nine + str(k1) + str(k2)


def a_child_by_number(national_id: str | None) -> bool:
    """The person number is a child's under the consent age today (its encoded birth
    date): never a guardian's. A guardian row with such a number would open the family's
    view, consent withdrawal and deletion requests to the child by ID-porten."""
    number = (national_id or "").strip()
    born = birth_date_from(number) if len(number) == 11 and number.isascii() and number.isdigit() else None
    return born is not None and not of_consent_age(born)
