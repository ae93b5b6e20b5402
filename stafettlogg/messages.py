"""Texts kept untranslated until someone reads them: a bokmål msgid with parameters
(`msg("… %(name)s …", name=…)`), stored as JSON and rendered in the reader's language.
A text with a count has the plural forms of the reader's language
(`msg_plural("%(num)s skole", "%(num)s skoler", num=n)`, as ngettext).
Notices, e-mails and stored refusals use it; it needs no model, so models may use it."""

import json
from dataclasses import dataclass, field
from functools import lru_cache

from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context, has_request_context
from flask_babel import get_locale

from stafettlogg import config
from stafettlogg.i18n import isolated, written_right_to_left

DEFAULT_LOCALE = "nb"


@dataclass(frozen=True)
class Message:
    """A translatable text: a bokmål msgid and its parameters. Parameters may themselves
    be Messages (a translated label inside a sentence). A text with a count has a plural
    msgid too (`plural`) and the count (`num`, the text's «%(num)s»): the reader's
    language picks its form, as ngettext does."""

    key: str
    params: dict = field(default_factory=dict)
    plural: str = ""
    num: int | None = None

    def render(self, locale: str | None = None) -> str:
        translations = _translations(locale or current_locale())
        if self.plural:
            text = translations.ungettext(self.key, self.plural, self.num)
            fallback = self.key if self.num == 1 else self.plural
            params = {"num": self.num, **self.params}
        else:
            text, fallback, params = translations.ugettext(self.key), self.key, self.params
        if not params:
            return text
        values = {
            name: (value.render(locale) if isinstance(value, Message | Join) else value)
            for name, value in params.items()
        }
        values = isolated(values, written_right_to_left(str(locale or current_locale())))
        try:
            return text % values
        except (KeyError, ValueError, TypeError):  # a broken translation never hides the notice
            return fallback % values

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Join:
    """Paragraphs rendered one by one and joined by a blank line (an e-mail body)."""

    parts: tuple

    def render(self, locale: str | None = None) -> str:
        return "\n\n".join(
            part.render(locale) if isinstance(part, Message | Join) else str(part) for part in self.parts
        )

    def __str__(self) -> str:
        return self.render()


def msg(key: str, **params) -> Message:
    """Mark a text for translation and keep it untranslated until someone reads it.
    Extracted by Babel like gettext (babel.cfg: keywords = msg)."""
    _check_params("msg", params)
    return Message(key, dict(params))


def msg_plural(singular: str, plural: str, num: int, **params) -> Message:
    """A msg() with a count: «%(num)s» in the text, in the plural form the reader's
    language gives that number («1 skole», «3 skoler»). Extracted by Babel like ngettext
    (babel.cfg: keywords = msg_plural:1,2)."""
    if not isinstance(num, int) or isinstance(num, bool):
        raise TypeError(f"msg_plural() num must be a whole number, not {type(num).__name__}")
    _check_params("msg_plural", params)
    return Message(singular, dict(params), plural, num)


def _check_params(maker: str, params: dict) -> None:
    for name, value in params.items():
        if not isinstance(value, str | int | float | Message | Join) and value is not None:
            raise TypeError(
                f"{maker}() parameter {name!r} must be text, a number or a Message, not {type(value).__name__}"
            )


# ------------------------------------------------------------------ storage format


def dumps(message: Message | Join) -> str:
    return json.dumps(_encode(message), ensure_ascii=False, sort_keys=True)


def loads(stored: str) -> Message | Join:
    try:
        data = json.loads(stored)
    except (TypeError, ValueError):
        return Message(stored or "")
    if isinstance(data, str):  # a plain stored text (written before notices had keys)
        return Message(data)
    return _decode(data)


def _encode(value):
    if isinstance(value, Message):
        encoded = {"k": value.key, "p": {name: _encode(v) for name, v in value.params.items()}}
        if value.plural:  # only then: a text without a count is stored as before
            encoded.update(pl=value.plural, n=value.num)
        return encoded
    if isinstance(value, Join):
        return {"join": [_encode(part) for part in value.parts]}
    return value


def _decode(value):
    if isinstance(value, dict) and "join" in value:
        return Join(tuple(_decode(part) for part in value["join"]))
    if isinstance(value, dict) and "k" in value:
        params = {name: _decode(v) for name, v in (value.get("p") or {}).items()}
        return Message(value["k"], params, value.get("pl") or "", value.get("n"))
    return value


# ------------------------------------------------------------------ languages


def current_locale() -> str:
    """The reader's language in a request (the interface language), else bokmål."""
    if has_request_context():
        locale = get_locale()
        if locale is not None:
            return str(locale)
    return DEFAULT_LOCALE


def locale_of(recipient) -> str:
    """The language a person reads: their stored preference (`language`), else bokmål."""
    return (getattr(recipient, "language", "") or DEFAULT_LOCALE) if recipient is not None else DEFAULT_LOCALE


def _translation_dirs() -> tuple[str, ...]:
    if has_app_context():
        configured = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    else:
        configured = str(config.ROOT / "translations")
    return tuple(part for part in configured.split(";") if part)


def _translations(locale: str):
    return _load_translations(_translation_dirs(), locale)


@lru_cache(maxsize=64)
def _load_translations(dirs: tuple[str, ...], locale: str):
    merged = None
    for directory in dirs:
        found = Translations.load(directory, [locale])
        if isinstance(found, NullTranslations) and not isinstance(found, Translations):
            continue
        merged = found if merged is None else merged.merge(found)
    return merged or NullTranslations()
