"""The interface languages and how a request gets one.

Staff work in bokmål or nynorsk. Everything a family reads is also in North Sámi,
English, Polish, Ukrainian, Arabic, Somali, Tigrinya and Lithuanian. Any family page
takes `?lang=<code>`; a guardian's choice is remembered on their account, an anonymous
visitor's (sign-in page, invitation link) in a cookie.
"""

import flask_babel
from babel import Locale
from flask import current_app, g, render_template, request
from flask_babel import force_locale, get_locale, refresh
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from peewee import PeeweeException

from stafettlogg.db import DatabaseUnavailable, write_transaction
from stafettlogg.i18n import DOMAIN, isolated, right_to_left, written_right_to_left
from stafettlogg.models import User

# The interface languages, in the order of the language menu. Which way each is written
# is Babel's (i18n.written_right_to_left), said nowhere else.
LANGUAGES = ("nb", "nn", "se", "en", "pl", "uk", "ar", "so", "ti", "lt")
FAMILY_LANGUAGES = tuple(LANGUAGES)
STAFF_LANGUAGES = ("nb", "nn")
DEFAULT = "nb"
COOKIE = "lang"

# Pages staff open that are printed or shown for a family: in the family's language.
FAMILY_DOCUMENTS = ("guardian.family_print", "logs.consent_template", "meetings.invitation_letter")


def native_name(code: str) -> str:
    """The language's name in itself ("polski", "العربية"), for the language menu."""
    return Locale.parse(code).get_display_name(code)


def name_in(code: str, reader: str) -> str:
    """The language's name in the reader's language ("arabisk" for nb and nn)."""
    return Locale.parse(code).get_display_name(reader if reader in LANGUAGES else DEFAULT)


def direction(code: str) -> str:
    """The page's ``dir``: "rtl" for a language written right to left, else "ltr"."""
    return "rtl" if written_right_to_left(code) else "ltr"


def valid(code) -> str | None:
    return code if code in LANGUAGES else None


def _user():
    """The signed-in user, or None when nobody is signed in or the database cannot be
    read (the outage page still needs a language)."""
    try:
        return current_user if current_user.is_authenticated else None
    except (PeeweeException, DatabaseUnavailable):
        return None


def showing_document() -> bool:
    """This request shows a family document, not the error page its URL gave instead
    (``error_page``)."""
    return request.endpoint in FAMILY_DOCUMENTS and not g.get("document_refused")


def family_context() -> bool:
    """A page a family reads: anything a guardian or an anonymous visitor sees, and the
    family documents staff print."""
    if showing_document():
        return True
    user = _user()
    return user is None or user.role == "guardian"


def error_page() -> None:
    """An error page is its reader's page, at a family document's URL too: a guardian
    refused the holder's print of their log gets the family's page (their language, the
    language menu), not the document's bare staff frame; staff get theirs (their menu,
    bokmål or nynorsk), not the ?lang= the document was asked in."""
    if request.endpoint in FAMILY_DOCUMENTS:
        g.document_refused = True
        g.pop("document_language", None)
        refresh()


def allowed() -> tuple[str, ...]:
    return FAMILY_LANGUAGES if family_context() else STAFF_LANGUAGES


def select_locale() -> str:
    """?lang= on the page, then the account's choice, then the cookie, then bokmål."""
    if not request:
        return DEFAULT
    choices = allowed()
    forced = g.get("document_language")
    if forced in choices:
        return forced
    asked = request.args.get("lang")
    if asked in choices:
        return asked
    user = _user()
    stored = user.language if user is not None else ""
    if stored in choices:
        return stored
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in choices else DEFAULT


def remember_choice():
    """before_request: `?lang=` on a family page chooses the language of this page and is
    kept in a cookie. A GET never stores it on the account (SECURITY.md: GET changes
    nothing): the language menu's POST does (``choose``)."""
    asked = request.args.get("lang")
    if asked not in FAMILY_LANGUAGES or request.endpoint in FAMILY_DOCUMENTS or not family_context():
        return None
    g.remember_language = asked
    return None


def choose(asked: str) -> str:
    """The language menu (a POST): a language this person may read in (bokmål or nynorsk
    for staff, any family language for a family), else bokmål; stored on the signed-in
    person's account, since the e-mails and notices they get follow it. Returns it, for the
    cookie."""
    chosen = asked if asked in allowed() else DEFAULT
    user = _user()
    if user is not None:
        with write_transaction():
            User.update(language=chosen).where(User.id == user.id).execute()
        user.language = chosen
    return chosen


def keep_in_cookie(response, code: str):
    """The choice for the next pages of a visitor who is not signed in (and of this browser)."""
    response.set_cookie(
        COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("HTTPS")),
    )
    return response


def set_cookie(response):
    """after_request: keep the choice `?lang=` made for the next page; and the signed-in
    person's own language (the holder may have set a guardian's), so that a page that
    cannot read the account, the outage page, is in it too. Asked only of an account this
    request has loaded already (flask_login's g._login_user): never a query of its own."""
    asked = g.get("remember_language")
    if not asked:  # never current_user here: the request's connection may be closed
        user = g.get("_login_user")
        stored = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        own = FAMILY_LANGUAGES if getattr(user, "role", "") == "guardian" else STAFF_LANGUAGES
        asked = stored if stored and stored in own else None
    if asked and request.cookies.get(COOKIE) != asked:
        keep_in_cookie(response, asked)
    return response


def use_document_language(guardians, chosen: str = "") -> list[str]:
    """A family document (paper version, consent form) is in `?lang=` if given, else in
    the first guardian's preferred language (without one, the staff member's form).
    Returns the guardians' languages, for links to print one copy in each."""
    # a guardian without a preference reads what the staff member reads (bokmål or nynorsk)
    user = _user()
    staff_choice = getattr(user, "language", "") or request.cookies.get(COOKIE)
    fallback = staff_choice if staff_choice in STAFF_LANGUAGES else DEFAULT
    preferred = [gd.language or fallback for gd in guardians]
    chosen = chosen or valid(request.args.get("lang")) or (preferred[0] if preferred else fallback)
    g.document_language = chosen
    refresh()
    return list(dict.fromkeys([*preferred, chosen]))


def render_in(code: str, template: str, **context):
    """A part of a staff page written for a family member (the invitation sheet), in
    that person's language; the rest of the page stays in the staff's."""
    with force_locale(valid(code) or str(get_locale() or DEFAULT)):
        return Markup(render_template(template, **context))  # noqa: S704 (autoescaped template output)


class Babel(flask_babel.Babel):
    """flask_babel's Babel whose message domain is ``i18n.DOMAIN`` (templates and Python
    alike look the translations up once per locale and request)."""

    @property
    def domain_instance(self):
        return DOMAIN


def translations():
    """The translations of the locale in force (``i18n.Domain.get_translations``)."""
    return DOMAIN.get_translations()


@pass_eval_context
def _template_gettext(eval_ctx, string, /, **variables):
    """Jinja's newstyle gettext (jinja2.ext): autoescaped in an autoescaped template and
    always a format string, so the text is the same. Given the evaluation context only:
    Jinja's own is asked through an alias and passes the template's context twice per
    text (a log page asks for over a hundred)."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue's text, marked safe as Jinja's gettext does
    return text % isolated(variables, right_to_left())


@pass_eval_context
def _template_ngettext(eval_ctx, singular, plural, num, /, **variables):
    """Jinja's newstyle ngettext, as _template_gettext."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue's text, marked safe as Jinja's gettext does
    return text % isolated(variables, right_to_left())


def install_template_gettext(app) -> None:
    """Templates' _(), gettext and ngettext through translations() (autoescaped and
    formatted as Jinja's newstyle gettext, which flask_babel installs, does them)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
