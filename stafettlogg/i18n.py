"""The texts a person reads, in their language: ``gettext``, ``ngettext`` and
``lazy_gettext`` for Python (labels, messages), over one message domain whose
translations are looked up once per locale and request. Templates use the same domain
(languages.install_template_gettext). flask_babel's own functions look the request's
context up three times on every call; a log page asks for several hundred texts.
Import these, never flask_babel's (ruff's banned-api says so)."""

import functools

import flask_babel
from babel import Locale, UnknownLocaleError, support
from flask import g
from flask_babel import get_locale

# Unicode's first-strong isolate and its end: invisible, in text and in attributes alike
FSI, PDI = "\u2068", "\u2069"


def isolated(variables: dict, right_to_left: bool) -> dict:
    """The values put into a sentence of a right-to-left language (Arabic), each a bidi
    isolate: a name, a job title, a unit, a place are Norwegian, written left to right,
    and without it a sentence like «Kari Ottesen، Kontaktlærer في Nordbyen skole» is
    read in scrambled order. Words only: a number, a date or a time (digits and marks,
    which take the sentence's direction) is left as it is, and so is a web address, which
    an e-mail program must find whole. Left-to-right languages: as given."""
    if not right_to_left or not variables:
        return variables
    return {name: FSI + value + PDI if _a_word(value) else value for name, value in variables.items()}


def _a_word(value) -> bool:
    return (
        isinstance(value, str)
        and any(character.isalpha() for character in value)
        and not value.startswith(("http://", "https://"))
    )


@functools.lru_cache(maxsize=32)
def written_right_to_left(code: str) -> bool:
    """A language code written right to left (Arabic), by Babel's CLDR data."""
    try:
        return Locale.parse(code).character_order == "right-to-left"
    except (ValueError, TypeError, UnknownLocaleError):
        return False


def right_to_left() -> bool:
    """The locale in force is written right to left (Arabic), looked up once per locale
    and request as the translations are."""
    try:
        here = g._get_current_object()
    except RuntimeError:  # outside an app context
        return False
    babel_state = here.__dict__.get("_flask_babel")
    memo = here.__dict__.get("_right_to_left")
    if memo is not None and memo[0] is getattr(babel_state, "babel_locale", None):
        return memo[1]
    locale = get_locale()
    here._right_to_left = (locale, locale is not None and written_right_to_left(str(locale)))
    return here._right_to_left[1]


class Domain(flask_babel.Domain):
    """flask_babel's message domain, with the translations of the locale in force looked
    up once per locale and request. flask_babel looks them up on every call (the
    request's context three times and the locale's name); a log page asks for several
    hundred texts, from templates and from Python (labels, lazy strings). Keyed by the
    locale object itself, so force_locale (a part of a page in another language) and
    refresh() are followed."""

    def get_translations(self):
        try:
            here = g._get_current_object()  # one look-up of the request's g, not one per use
        except RuntimeError:  # outside an app context
            return support.NullTranslations()
        memo = here.__dict__.get("_translations")
        babel_state = here.__dict__.get("_flask_babel")
        if memo is not None and memo[0] is getattr(babel_state, "babel_locale", None):
            return memo[1]
        locale = get_locale()
        translations = super().get_translations()
        here._translations = (locale, translations)
        return translations

    def gettext(self, string, **variables):
        return super().gettext(string, **isolated(variables, right_to_left()))

    def ngettext(self, singular, plural, num, **variables):
        return super().ngettext(singular, plural, num, **isolated(variables, right_to_left()))


# One for every app of the process: the catalogues are the project's own (translations/).
DOMAIN = Domain(domain="messages")

gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext
