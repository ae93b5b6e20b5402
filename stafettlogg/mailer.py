"""Delivery of the e-mail outbox after commit.

SECURITY.md: no network I/O inside a write transaction. A sender claims due messages in a
short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; everywhere: a conditional UPDATE
that only one sender can win), commits, talks to SMTP with no transaction open, then
records the outcome in another short transaction. Failed attempts are retried with
backoff; after MAIL_MAX_ATTEMPTS the message is marked failed with the error.

Two ways in: right after a request that queued mail (a background thread, so the user
never waits for the mail server), and `flask send-mail`, run every minute by a timer.
"""

import datetime as dt
import logging
import smtplib
import socket
import ssl
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate

import click
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext

from stafettlogg.db import connected, is_sqlite, write_transaction
from stafettlogg.models import MailStatus, OutboxEmail, utcnow

logger = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF = dt.timedelta(hours=1)

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def backoff(attempts: int, base_seconds: int) -> dt.timedelta:
    """Wait after the n-th failed attempt: base, 2·base, 4·base … at most an hour."""
    return min(dt.timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _stale_after(config) -> dt.timedelta:
    """A claim older than this belongs to a sender that died: the message is due again."""
    return dt.timedelta(seconds=4 * int(config["SMTP_TIMEOUT"]) + 60)


def claim(sender: str, *, ids=None, limit: int = BATCH) -> list[OutboxEmail]:
    """Claim due messages for this sender in one short transaction and commit."""
    config = current_app.config
    now = utcnow()
    due = (OutboxEmail.status == MailStatus.QUEUED) & (
        OutboxEmail.next_attempt_at.is_null() | (OutboxEmail.next_attempt_at <= now)
    )
    abandoned = (OutboxEmail.status == MailStatus.SENDING) & (OutboxEmail.claimed_at < now - _stale_after(config))
    with write_transaction():
        query = OutboxEmail.select().where(due | abandoned)
        if ids is not None:
            query = query.where(OutboxEmail.id.in_(list(ids)))
        query = query.order_by(OutboxEmail.id).limit(limit)
        if not is_sqlite():
            query = query.for_update(skip_locked=True)
        claimed = []
        for mail in list(query):
            won = (
                OutboxEmail.update(status=MailStatus.SENDING, claimed_by=sender, claimed_at=now)
                .where(
                    OutboxEmail.id == mail.id,
                    OutboxEmail.status == mail.status,
                    OutboxEmail.claimed_by == mail.claimed_by,
                )
                .execute()
            )
            if won:
                claimed.append(OutboxEmail.get_by_id(mail.id))
    return claimed


def compose(mail: OutboxEmail, config) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    domain = config["MAIL_FROM"].rpartition("@")[2] or "stafettlogg"
    # The same message on every attempt: a receiving server that saw it can drop a repeat.
    message["Message-ID"] = f"<{uuid.uuid5(uuid.NAMESPACE_URL, mail.idempotency_key).hex}@{domain}>"
    message.set_content(mail.body)
    message["Content-Language"] = mail.locale  # after set_content, which resets Content-*
    return message


def smtp_send(message: EmailMessage, config) -> None:
    """One SMTP conversation with short timeouts. Raises on any failure."""
    timeout = float(config["SMTP_TIMEOUT"])
    security = config.get("SMTP_SECURITY", "starttls")
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    else:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def _record(mail: OutboxEmail, sender: str, error: str | None) -> str:
    config = current_app.config
    with write_transaction():
        if error is None:
            changes = {"status": MailStatus.SENT, "sent_at": utcnow(), "last_error": ""}
        else:
            attempts = mail.attempts + 1
            gave_up = attempts >= int(config["MAIL_MAX_ATTEMPTS"])
            changes = {
                "status": MailStatus.FAILED if gave_up else MailStatus.QUEUED,
                "attempts": attempts,
                "last_error": error[:1000],
                "next_attempt_at": None if gave_up else utcnow() + backoff(attempts, int(config["MAIL_RETRY_SECONDS"])),
            }
        if error is None:
            changes["attempts"] = mail.attempts + 1
        OutboxEmail.update(claimed_by="", **changes).where(
            OutboxEmail.id == mail.id, OutboxEmail.claimed_by == sender
        ).execute()
    return changes["status"]


def deliver(*, ids=None, limit: int = BATCH) -> dict:
    """Claim and send due messages (only `ids` when given). Returns counts by outcome.
    Never raises for a mail server problem: the message stays queued for the next try."""
    config = current_app.config
    counts = {MailStatus.SENT: 0, MailStatus.QUEUED: 0, MailStatus.FAILED: 0}
    if not config.get("SMTP_HOST"):
        return counts
    sender = f"{socket.gethostname()[:30]}:{uuid.uuid4().hex[:16]}"
    with connected():
        claimed = claim(sender, ids=ids, limit=limit)
    for mail in claimed:
        error = None
        try:
            smtp_send(compose(mail, config), config)
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            error = f"{type(exc).__name__}: {exc}".strip()
        with connected():
            counts[_record(mail, sender, error)] += 1
        if error:
            logger.warning("e-mail %s not sent (attempt %s): %s", mail.id, mail.attempts + 1, error)
    return counts


def deliver_all_due() -> dict:
    """Send everything that is due, batch after batch, until nothing due is left."""
    total = {MailStatus.SENT: 0, MailStatus.QUEUED: 0, MailStatus.FAILED: 0}
    while True:
        counts = deliver()
        for key, value in counts.items():
            total[key] += value
        if sum(counts.values()) < BATCH:
            return total


def retry(mail_id: int) -> bool:
    """The admin puts a message that was given up on back in the queue, for a new round
    of tries. Returns False when there is no such failed message."""
    with write_transaction():
        changed = (
            OutboxEmail.update(status=MailStatus.QUEUED, attempts=0, next_attempt_at=None, claimed_by="")
            .where(OutboxEmail.id == mail_id, OutboxEmail.status == MailStatus.FAILED)
            .execute()
        )
    if changed and has_request_context():
        g.setdefault("mail_after_request", []).append(mail_id)
    return bool(changed)


# ------------------------------------------------------------------ after the request


def init_app(app) -> None:
    @app.after_request
    def _send_after_commit(response):
        ids = g.pop("mail_after_request", None)
        if ids and app.config.get("SMTP_HOST") and app.config.get("MAIL_SEND_AFTER_REQUEST", True):
            start_background_delivery(app, ids)
        return response


def start_background_delivery(app, ids) -> threading.Thread:
    """Try the request's e-mails once, in a thread: the response does not wait for SMTP.
    What fails here stays queued for `flask send-mail`."""

    def run():
        with app.app_context():
            try:
                deliver(ids=ids)
            except Exception:  # the database may be down too: the timer retries
                logger.exception("immediate e-mail delivery failed; the queue keeps the messages")

    thread = threading.Thread(target=run, name="stafettlogg-mail", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_background_delivery(timeout: float = 30.0) -> None:
    """For tests and clean shutdown: wait until the immediate attempts have finished."""
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)


# ------------------------------------------------------------------ the command


@click.command("send-mail")
@with_appcontext
def send_mail_command():
    """Send queued e-mails that are due (retries with backoff). Run every minute by a timer."""
    if not current_app.config.get("SMTP_HOST"):
        click.echo("SMTP_HOST er ikke satt: e-postene blir liggende i utboksen.")
        return
    counts = deliver_all_due()
    click.echo(
        f"Sendt: {counts[MailStatus.SENT]}, prøves igjen senere: {counts[MailStatus.QUEUED]}, "
        f"ga opp: {counts[MailStatus.FAILED]}."
    )
