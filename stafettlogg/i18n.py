"""The texts a person reads, in their language: ``gettext``, ``ngettext`` and
``lazy_gettext`` for Python (labels, messages), over one message domain whose
translations are looked up once per locale and request. Templates use the same domain
(languages.install_template_gettext). flask_babel's own functions look the request's
context up three times on every call; a log page asks for several hundred texts.
Import these, never flask_babel's (ruff's banned-api says so)."""

import flask_babel
from babel import support
from flask import g
from flask_babel import get_locale


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


# One for every app of the process: the catalogues are the project's own (translations/).
DOMAIN = Domain(domain="messages")

gettext = DOMAIN.gettext
ngettext = DOMAIN.ngettext
lazy_gettext = DOMAIN.lazy_gettext
