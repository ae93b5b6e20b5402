"""Notices and e-mail, stored as message keys and delivered after commit.

A notice (`Notification`) and its e-mail (`OutboxEmail`) are stored as a bokmål msgid
with parameters — `msg("… %(name)s …", name=…)` — and rendered in the reader's language
when shown or sent: a nynorsk reader sees nynorsk, a guardian with another language
gets the e-mail in that language. Both rows are written in the caller's transaction;
the e-mail goes out after commit (mailer.py), never while a write lock is held.
The message format itself is in messages.py.

Who is told is said here once (`reached`, `reaches`): an account that is active. Nobody
who has left, staff or family, gets a notice or an e-mail; the mailer asks the same rule
again as each e-mail's turn comes (mailer.to_someone_who_left). notify() answers what it
did — the notice, or why there is none (NOT_REACHED, ALREADY_TOLD) — so a caller branches
on that answer instead of asking the rule first.
"""

__all__ = [
    "ALREADY_TOLD",
    "DEFAULT_LOCALE",
    "NOT_REACHED",
    "NotTold",
    "Join",
    "Message",
    "dumps",
    "loads",
    "locale_of",
    "msg",
    "msg_plural",
    "notify",
    "reached",
    "reached_among",
    "reaches",
    "send_email",
]

import enum
import uuid
from contextlib import contextmanager, nullcontext

from flask import current_app, has_app_context
from peewee import fn

from stafettlogg import mailer
from stafettlogg.db import db, prepared, remember, remembered, write_transaction
from stafettlogg.messages import DEFAULT_LOCALE, Join, Message, dumps, loads, locale_of, msg, msg_plural
from stafettlogg.models import Notification, OutboxEmail, User, utcnow

# ------------------------------------------------------------------ notices and e-mail

# msg() here, not a plain string, so that Babel extracts it into the catalogues.
PRIVACY_NOTE = msg("Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten.")

# An e-mail's subject is read on lock screens, in mail lists and on the admin's outbox
# page: it says what kind of message waits, never what it is about or whom (SECURITY.md).
# A fixed text (no parameters, so no name, unit, number or date reaches it); the notice's
# own text is in the body, and the rest behind sign-in.
REMINDER_SUBJECT = msg("Stafettlogg: en påminnelse til deg")
TASK_SUBJECT = msg("Stafettlogg: ny oppgave til deg")
NOTICE_SUBJECT = msg("Stafettlogg: ny melding til deg")
SUBJECT_OF_KIND = {
    **dict.fromkeys(
        (
            "measure_due",
            "measure_overdue",
            "meeting_tomorrow",
            "keep_answer_missing",
            "consent_expiring",
            "consent_expired",
            "june_reconciliation",
        ),
        REMINDER_SUBJECT,
    ),
    **dict.fromkeys(("handover_proposed", "holder_assigned", "log_requested", "deletion_requested"), TASK_SUBJECT),
}  # any other kind: NOTICE_SUBJECT


def reached():
    """The rule, said once: who is told anything (a notice, an e-mail to their account) —
    an account that is active. A staff member who has left, or a family's account that was
    deactivated, is told nothing: they can no longer sign in to read it, and nothing about
    a child's log is for them now. As a condition on User rows: notify and send_email ask
    it of one account (reaches), a query that picks recipients may ask it of many, and the
    mailer asks it again at each e-mail's turn (mailer.to_someone_who_left), so that an
    e-mail queued before the account was deactivated is not sent either."""
    return User.active == True  # noqa: E712


def reaches(user: User) -> bool:
    """`reached`, asked of one account as the database has it now: also a person being
    deactivated in the caller's transaction is told nothing. Asked as the mailer asks it
    (is this an account `reached` leaves out?), so an account deleted in the caller's
    transaction (a family's, with the log it existed for) still gets the e-mail that the
    log is deleted."""
    return not User.select(User.id).where(User.id == user.id, ~reached()).exists()


class NotTold(enum.Enum):
    """Why notify() wrote no notice. False in a condition, as the notice is true, so a
    caller that counts `if notify(...)` counts those told; one that must tell the two
    apart compares with NOT_REACHED or ALREADY_TOLD."""

    NOT_REACHED = "not_reached"  # the account is not told anything (`reached`): nothing written
    ALREADY_TOLD = "already_told"  # the dedupe_key was used: this event was told before

    def __bool__(self) -> bool:
        return False


NOT_REACHED = NotTold.NOT_REACHED
ALREADY_TOLD = NotTold.ALREADY_TOLD


def unread_notices(user):
    """How many of the person's notices are unread (the menu's badge on every page), `user`
    a value or a column: the count the user's load reads with them (auth), by the partial
    index of the unread notices."""
    return Notification.select(fn.COUNT(Notification.id)).where(
        Notification.user == user, Notification.read_at.is_null()
    )


def remember_unread(user_id: int, count: int) -> None:
    """The count read with the user, kept for the request (a write transaction forgets it:
    a page that marks notices read counts again)."""
    remember(("unread", user_id), count)


def unread_count(user_id: int) -> int:
    """The menu's badge: the count the user's load read, or a read of it after a write."""
    return remembered(("unread", user_id), lambda: _unread.first(user_id)[0])


@prepared
def _unread(user_id: int):
    return unread_notices(user_id).tuples()


@contextmanager
def reached_among(query):
    """The accounts a query of User rows picks that `reached` lets be told, read in a write
    transaction that stays open for their notices: inside the with, notify(user, …,
    reached_checked=True) for each of them tells them without reading the account again
    (one read per batch instead of one per notice; notify's docstring says why it is safe).
    A batch job (the reminders) picks its recipients this way."""
    with _writing():
        yield list(query.where(reached()))


def notify(
    user: User,
    kind: str,
    text: Message,
    *,
    url: str = "",
    log=None,
    dedupe_key: str | None = None,
    email_subject: Message | None = None,
    reached_checked: bool = False,
) -> Notification | NotTold:
    """Create one notice (and its e-mail when the user has an address), in the caller's
    transaction. The e-mail's subject is `email_subject`, else the one of the notice's
    kind (SUBJECT_OF_KIND), never the notice's text. Returns the notice, or why there is
    none: NOT_REACHED, nothing written, for an account `reaches` says is not told (deactivated) — callers pick whom to tell,
    this decides whether they are told, so no caller asks whether the account is active;
    ALREADY_TOLD when the dedupe_key was used (reminders run twice send nothing twice).

    ``reached_checked``: the caller picked `user` with `reached_among` (in SQL, by
    `reached`) in the transaction it calls this in, and deactivates no one in it, so the
    account is not read again. Safe because only another transaction can deactivate the
    account between that query and this notice: on SQLite none can (the write transaction
    holds the write lock from its first statement); on PostgreSQL one can, as it can
    between `reaches` and the insert — a deactivation a moment after the notice, which the
    rule already meets: the person cannot sign in to read it, and its e-mail is cancelled
    at its turn (mailer.to_someone_who_left)."""
    _require_message(text, "text")
    email_subject = email_subject or SUBJECT_OF_KIND.get(kind, NOTICE_SUBJECT)
    _require_subject(email_subject)
    if reached_checked and not db.in_transaction():
        raise RuntimeError("reached_checked: pick the accounts with reached_among() and notify inside its with")
    if not reached_checked and not reaches(user):
        return NOT_REACHED
    row = dict(
        user=user,
        kind=kind,
        message=dumps(text),
        url=url,
        log_id=getattr(log, "id", log),
        dedupe_key=dedupe_key or f"{kind}:{uuid.uuid4().hex}",
        created_at=utcnow(),
    )
    with _writing():
        # a used key inserts nothing and raises nothing: no savepoint inside the caller's transaction
        inserted = list(
            Notification.insert(**row)
            .on_conflict(conflict_target=[Notification.dedupe_key], action="NOTHING")
            .returning(Notification.id)
            .tuples()
            .execute()
        )
        if not inserted:
            return ALREADY_TOLD
        note = Notification(id=inserted[0][0], **row)
        if user.email:
            queue_email(
                user.email,
                email_subject,
                _email_body(text, url),
                recipient=user,
                idempotency_key=f"notice:{note.id}",
                log=note.log_id,
            )
    return note


def _email_body(text: Message, url: str) -> Join:
    parts = [text]
    if url:
        base = current_app.config.get("PUBLIC_URL", "") if has_app_context() else ""
        parts.append(msg("Åpne Stafettlogg: %(link)s", link=f"{base}{url}"))
    parts.append(PRIVACY_NOTE)
    return Join(tuple(parts))


def send_email(to: str, subject: Message, body: Message | Join, *, recipient=None, log=None) -> OutboxEmail | None:
    """Queue one e-mail (not tied to a notice) in the recipient's language. Sent after commit.
    ``log``: the log it is about, whose deletion deletes it. ``recipient`` an account (User)
    that `reaches` says is not told (deactivated): nothing is queued, None. A Guardian row
    (the address the holder recorded on the log) or no recipient: queued."""
    _require_subject(subject)
    _require_message(body, "body")
    if isinstance(recipient, User) and not reaches(recipient):
        return None
    with _writing():
        return queue_email(to, subject, body, recipient=recipient, log=log)


def queue_email(
    to: str,
    subject: Message,
    body: Message | Join,
    *,
    recipient=None,
    idempotency_key: str | None = None,
    log=None,
) -> OutboxEmail:
    """The outbox row, written in the current transaction; a sender delivers it after commit."""
    _require_subject(subject)
    mail = OutboxEmail.create(
        to=to,
        subject_message=dumps(subject),
        body_message=dumps(body),
        locale=locale_of(recipient),
        idempotency_key=idempotency_key or f"mail:{uuid.uuid4().hex}",
        log_id=getattr(log, "id", log),
        # an account (not a guardian's address on a log): not sent once it is deactivated (reached)
        recipient_id=recipient.id if isinstance(recipient, User) else None,
    )
    mailer.deliver_after_request(mail.id)
    return mail


def _require_message(value, name: str) -> None:
    if not isinstance(value, Message | Join):
        raise TypeError(
            f"{name} must be msg('…') (stored untranslated and shown in the reader's language), not {type(value).__name__}"
        )


def _require_subject(subject) -> None:
    _require_message(subject, "subject")
    if not isinstance(subject, Message) or subject.params:
        raise ValueError(
            f"an e-mail subject is a fixed text, shown before anyone signs in: no parameters ({subject!r})"
        )


def _writing():
    """The caller's transaction (no savepoint: nothing here is meant to fail), or one of its own."""
    return nullcontext() if db.in_transaction() else write_transaction()
