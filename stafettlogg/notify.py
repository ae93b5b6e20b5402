"""Notices and e-mail, stored as message keys and delivered after commit.

A notice (`Notification`) and its e-mail (`OutboxEmail`) are stored as a bokmål msgid
with parameters — `msg("… %(name)s …", name=…)` — and rendered in the reader's language
when shown or sent: a nynorsk reader sees nynorsk, a guardian with another language
gets the e-mail in that language. Both rows are written in the caller's transaction;
the e-mail goes out after commit (mailer.py), never while a write lock is held.
"""

import json
import uuid
from dataclasses import dataclass, field
from functools import lru_cache

from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, has_request_context
from peewee import IntegrityError

from stafettlogg import config
from stafettlogg.db import db, write_transaction
from stafettlogg.models import Notification, OutboxEmail, User

DEFAULT_LOCALE = "nb"


@dataclass(frozen=True)
class Message:
    """A translatable text: a bokmål msgid and its parameters. Parameters may themselves
    be Messages (a translated label inside a sentence)."""

    key: str
    params: dict = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        translations = _translations(locale or current_locale())
        text = translations.ugettext(self.key)
        if not self.params:
            return text
        values = {
            name: (value.render(locale) if isinstance(value, Message | Join) else value)
            for name, value in self.params.items()
        }
        try:
            return text % values
        except (KeyError, ValueError, TypeError):  # a broken translation never hides the notice
            return self.key % values

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
    for name, value in params.items():
        if not isinstance(value, str | int | float | Message | Join) and value is not None:
            raise TypeError(f"msg() parameter {name!r} must be text, a number or a Message, not {type(value).__name__}")
    return Message(key, dict(params))


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
        return {"k": value.key, "p": {name: _encode(v) for name, v in value.params.items()}}
    if isinstance(value, Join):
        return {"join": [_encode(part) for part in value.parts]}
    return value


def _decode(value):
    if isinstance(value, dict) and "join" in value:
        return Join(tuple(_decode(part) for part in value["join"]))
    if isinstance(value, dict) and "k" in value:
        return Message(value["k"], {name: _decode(v) for name, v in (value.get("p") or {}).items()})
    return value


# ------------------------------------------------------------------ languages


def current_locale() -> str:
    """The reader's language in a request (the interface language), else bokmål."""
    if has_request_context():
        from flask_babel import get_locale

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


# ------------------------------------------------------------------ notices and e-mail

# msg() here, not a plain string, so that Babel extracts it into the catalogues.
PRIVACY_NOTE = msg("Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten.")


def notify(
    user: User,
    kind: str,
    text: Message,
    *,
    url: str = "",
    log=None,
    dedupe_key: str | None = None,
    email_subject: Message | None = None,
) -> Notification | None:
    """Create one notice (and its e-mail when the user has an address), in the caller's
    transaction. With a dedupe_key the same event is never notified twice (reminders run
    twice send nothing twice): returns None then."""
    _require_message(text, "text")
    if email_subject is not None:
        _require_message(email_subject, "email_subject")
    key = dedupe_key or f"{kind}:{uuid.uuid4().hex}"
    try:
        with _unit_of_work():  # a savepoint inside a transaction: a duplicate leaves it intact
            note = Notification.create(
                user=user, kind=kind, message=dumps(text), url=url, log_id=getattr(log, "id", log), dedupe_key=key
            )
            if user.email:
                queue_email(
                    user.email,
                    email_subject or text,
                    _email_body(text, url),
                    recipient=user,
                    idempotency_key=f"notice:{note.id}",
                )
    except IntegrityError:
        return None
    return note


def _email_body(text: Message, url: str) -> Join:
    parts = [text]
    if url:
        base = current_app.config.get("PUBLIC_URL", "") if has_app_context() else ""
        parts.append(msg("Åpne Stafettlogg: %(link)s", link=f"{base}{url}"))
    parts.append(PRIVACY_NOTE)
    return Join(tuple(parts))


def send_email(to: str, subject: Message, body: Message | Join, *, recipient=None) -> OutboxEmail:
    """Queue one e-mail (not tied to a notice) in the recipient's language. Sent after commit."""
    _require_message(subject, "subject")
    _require_message(body, "body")
    with _unit_of_work():
        return queue_email(to, subject, body, recipient=recipient)


def queue_email(
    to: str, subject: Message, body: Message | Join, *, recipient=None, idempotency_key: str | None = None
) -> OutboxEmail:
    """The outbox row, written in the current transaction; a sender delivers it after commit."""
    mail = OutboxEmail.create(
        to=to,
        subject_message=dumps(subject),
        body_message=dumps(body),
        locale=locale_of(recipient),
        idempotency_key=idempotency_key or f"mail:{uuid.uuid4().hex}",
    )
    _deliver_after_request(mail.id)
    return mail


def _require_message(value, name: str) -> None:
    if not isinstance(value, Message | Join):
        raise TypeError(
            f"{name} must be msg('…') (stored untranslated and shown in the reader's language), not {type(value).__name__}"
        )


def _unit_of_work():
    return db.atomic() if db.in_transaction() else write_transaction()


def _deliver_after_request(mail_id: int) -> None:
    """Remember the e-mail so the request tries it once its transaction has committed."""
    if has_request_context():
        g.setdefault("mail_after_request", []).append(mail_id)
