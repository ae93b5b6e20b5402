"""The texts a person reads, in their language: ``gettext``, ``ngettext`` and
``lazy_gettext`` for Python (labels, messages), over one message domain whose
translations are looked up once per locale and request. Templates use the same domain
(languages.install_template_gettext). flask_babel's own functions look the request's
context up three times on every call; a log page asks for several hundred texts.
Import these, never flask_babel's (ruff's banned-api says so). Also the one way a line's
parts (``apposition``) and a list (``listing``) are joined in the reader's language."""

import functools

import flask_babel
from babel import Locale, UnknownLocaleError, support
from babel.lists import format_list
from flask import g
from flask_babel import get_locale
from markupsafe import Markup, escape

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


# ------------------------------------------------------------------ lines and lists

# Stand-ins for the items while Babel puts a list together: private-use characters that
# no list pattern and no escaping touches.
_ITEM = "\ue000%d\ue001"


def _shown(parts) -> list[Markup]:
    """The parts given (empty ones left out), text escaped and, in a right-to-left page,
    isolated; Markup (made by `described`, a phone number's span) is kept as it is."""
    given = [part for part in parts if part]
    texts = isolated({i: part for i, part in enumerate(given) if not isinstance(part, Markup)}, right_to_left())
    return [part if isinstance(part, Markup) else escape(texts[i]) for i, part in enumerate(given)]


def apposition(*parts) -> Markup:
    """The parts of one line that say who someone is («Kari Ottesen, kontaktlærer,
    Nordbyen skole», «Telefon 900 22 222, kari@example.no»), joined by the page
    language's own comma («، » in Arabic: CLDR has no list pattern without «and»), empty
    parts left out, each text a bidi isolate in a right-to-left page (`_shown`)."""
    return escape(DOMAIN.pgettext("list separator", ", ")).join(_shown(parts))


def described(main, detail="") -> Markup:
    """«Kari Ottesen (mor)», «Lærer (kontaktlærer)»: a name and, in brackets, what it
    is, each a bidi isolate in a right-to-left page; without a detail, the name."""
    kept = isolated({"main": main, "detail": detail or ""}, right_to_left())
    shown = escape(kept["main"])
    return shown + Markup(" (%s)") % kept["detail"] if detail else shown


def listing(items) -> Markup:
    """People or things listed as the page's language lists them, by CLDR's list
    pattern (Babel's format_list: «A, B og C», Arabic «A وB وC», Tigrinya «A፣ Bን Cን»),
    each text a bidi isolate in a right-to-left page (`_shown`)."""
    shown = _shown(items)
    if not shown:
        return Markup("")
    pattern = format_list([_ITEM % index for index in range(len(shown))], locale=str(get_locale() or "nb"))
    text = str(escape(pattern))
    for index, item in enumerate(shown):
        text = text.replace(_ITEM % index, str(item))
    return Markup(text)  # noqa: S704 - the pattern escaped above, each item escaped
