"""Delivery of the e-mail outbox after commit: an Outbox (stafettlogg/outbox.py) whose
rows are sent by SMTP.

SECURITY.md: no network I/O inside a write transaction. The sender claims due messages,
talks to SMTP with no transaction open, and records the outcome; failed attempts are
retried with backoff, and after MAIL_MAX_ATTEMPTS the message is marked failed with the
error. Two ways in: right after a request that queued mail (a background thread, so the
user never waits for the mail server), and `flask send-mail`, run every minute by a timer.
Mail to an account deactivated since it was written (a staff member who has left, a
family's closed account) is never sent (to_someone_who_left, the rule of notify.reached).
"""

import contextlib
import datetime as dt
import smtplib
import socket
import ssl
import threading
import uuid
from email.message import EmailMessage
from email.utils import formatdate

import click
from flask import current_app
from flask.cli import with_appcontext

from stafettlogg import audit
from stafettlogg.config import SMTP_SECURITY
from stafettlogg.console import command, say
from stafettlogg.db import write_transaction
from stafettlogg.messages import msg
from stafettlogg.models import MailStatus, OutboxEmail, User, utcnow
from stafettlogg.outbox import Outbox

BATCH = 50


def _stale_after(config) -> dt.timedelta:
    """A claim older than this belongs to a sender that died: the message is due again."""
    return dt.timedelta(seconds=4 * int(config["SMTP_TIMEOUT"]) + 60)


def conversation_limit(config) -> float:
    """The longest one SMTP conversation may last, well inside the claim (_stale_after):
    SMTP_TIMEOUT bounds each read, so a server answering slowly but steadily (an
    overloaded relay, a tarpit) would otherwise outlast the claim, and the next run would
    send the same message while this one still talks."""
    return 4 * float(config["SMTP_TIMEOUT"]) + 30


def _cut(smtp) -> None:
    """The conversation has lasted its limit: shut its socket, so the read or write under
    way fails at once (smtplib raises; the message is tried again later)."""
    sock = getattr(smtp, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def compose(mail: OutboxEmail, config) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to
    # A name typed with a line break must not start a header of its own (nor make the
    # message unsendable): the subject is one line, whatever its parameters hold.
    message["Subject"] = " ".join(mail.subject.split())
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
    if security not in SMTP_SECURITY:  # never a quiet fall back to plain text
        raise ValueError(f"SMTP_SECURITY må være starttls, ssl eller none, ikke «{security}».")
    if security == "ssl":
        # the certificate and the name checked, as for starttls (smtplib's default checks neither)
        smtp = smtplib.SMTP_SSL(timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(timeout=timeout)
    deadline = threading.Timer(conversation_limit(config), _cut, (smtp,))
    deadline.daemon = True
    deadline.start()
    try:
        _converse(smtp, message, config, security)
    finally:
        deadline.cancel()


def _converse(smtp, message: EmailMessage, config, security: str) -> None:
    try:
        smtp.connect(config["SMTP_HOST"], config["SMTP_PORT"])  # the greeting is read under the deadline too
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
    except BaseException:
        smtp.close()
        raise
    # The server has taken the message: a goodbye that fails (a 4xx to QUIT, a dropped
    # connection, a timeout) is no failed attempt, or the retry would send it twice.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _send(mail: OutboxEmail, config) -> None:
    smtp_send(compose(mail, config), config)


def _recipient_refused_for_good(exc: Exception) -> bool:
    """The server refused the recipient permanently (5xx to RCPT: no such mailbox): a new
    try gets the same answer. A refused sender or login (a setting) is tried again, as is
    any 4xx."""
    refused = getattr(exc, "recipients", None) if isinstance(exc, smtplib.SMTPRecipientsRefused) else None
    return bool(refused) and all(500 <= code < 600 for code, _reply in refused.values())


def to_someone_who_left():
    """Mail to an account that is no longer told anything (notify.reached: deactivated,
    staff or family), asked as each e-mail's turn comes and as a staff member is
    deactivated: notify and send_email queue nothing for such an account, and an e-mail
    queued before it was deactivated is not sent either. They have left, or the account
    was closed; nothing about the children's logs is for them now. E-mail to the address
    a holder recorded for a guardian on a log, or to an address no account is named for,
    goes as before. Mail about the account itself is no exception: the one there is, a
    second factor reset (signin/second_factor.py), warns of sign-ins a deactivated account
    cannot make; no e-mail resets a password or tells a person they were deactivated
    (their leader does). Reactivating the account brings none of it back: mail cancelled
    stays cancelled (the notices written before are still in the app when they sign in again)."""
    from stafettlogg.notify import reached  # cycle: notify queues its e-mail through this module

    return OutboxEmail.recipient_id.in_(User.select(User.id).where(~reached()))


OUTBOX = Outbox(
    name="mail",
    model=OutboxEmail,
    done=MailStatus.SENT,
    send=_send,
    # ValueError: an address no header can hold (a line break in it) fails this message,
    # never the other messages claimed with it
    errors=(OSError, smtplib.SMTPException, ssl.SSLError, ValueError),
    max_attempts_key="MAIL_MAX_ATTEMPTS",
    retry_seconds_key="MAIL_RETRY_SECONDS",
    after_request_key="MAIL_SEND_AFTER_REQUEST",
    stale_after=_stale_after,
    batch=BATCH,
    # sent: the text is not kept (a link in it may give access, such as a family's
    # invitation, whose token is otherwise stored only as a hash); to, subject and status stay
    on_done=lambda: {"sent_at": utcnow(), "body_message": ""},
    enabled=lambda config: bool(config.get("SMTP_HOST")),
    permanent=_recipient_refused_for_good,
    cancelled_when=to_someone_who_left,
)
claim = OUTBOX.claim
deliver = OUTBOX.deliver
deliver_all_due = OUTBOX.deliver_all_due
deliver_after_request = OUTBOX.deliver_after_request
init_app = OUTBOX.init_app
start_background_delivery = OUTBOX.start_background_delivery
wait_for_background_delivery = OUTBOX.wait_for_background_delivery


def cancel_waiting_for(user: User) -> int:
    """A staff member is deactivated (org.domain.deactivate_staff, in its transaction, after
    the account is marked): the e-mails still waiting for them are cancelled at once, by the
    same rule a sender asks at each e-mail's turn. Returns how many. Reactivating the
    account does not bring them back (to_someone_who_left)."""
    return OUTBOX.cancel(OutboxEmail.recipient_id == user.id)


def retry(mail_id: int, by: User) -> bool:
    """The admin `by` puts a message that was given up on back in the queue, for a new
    round of tries, audited in the same write. Returns False when there is no such failed
    message."""
    with write_transaction():
        changed = (
            OutboxEmail.update(status=MailStatus.QUEUED, attempts=0, next_attempt_at=None, claimed_by="")
            .where(OutboxEmail.id == mail_id, OutboxEmail.status == MailStatus.FAILED)
            .execute()
        )
        if changed:
            audit.record("mail_retried", obj=OutboxEmail(id=mail_id), user=by)
    if changed:
        deliver_after_request(mail_id)
    return bool(changed)


FINISHED = (MailStatus.SENT, MailStatus.FAILED, MailStatus.SKIPPED, MailStatus.CANCELLED)


def forget_old(config) -> int:
    """E-mails sent, given up on or never to be sent are kept MAIL_KEPT_DAYS for the admin's
    «Utboks», then deleted: they hold families' addresses and the names of holders and
    units. (An e-mail about a log goes with the log when it is deleted.) Returns how many."""
    before = utcnow() - dt.timedelta(days=int(config["MAIL_KEPT_DAYS"]))
    with write_transaction():
        return OutboxEmail.delete().where(OutboxEmail.status.in_(FINISHED), OutboxEmail.created_at < before).execute()


# ------------------------------------------------------------------ the command


@command(
    "send-mail",
    help=msg(
        "Sender e-postene i utboksen som skal sendes nå. Prøver igjen med stadig lengre mellomrom og sletter "
        "e-poster eldre enn MAIL_KEPT_DAYS; kjøres hvert minutt av en timer."
    ),
)
@with_appcontext
def send_mail_command():
    """Send queued e-mails that are due (retries with backoff), and delete those kept
    longer than MAIL_KEPT_DAYS. Run every minute by a timer."""
    forget_old(current_app.config)
    if not current_app.config.get("SMTP_HOST"):
        click.echo(say(msg("SMTP_HOST er ikke satt: e-postene blir liggende i utboksen.")))
        return
    counts = deliver_all_due()
    click.echo(
        say(
            msg(
                "Sendt: %(sent)s, prøves igjen senere: %(queued)s, ga opp: %(failed)s.",
                sent=counts[MailStatus.SENT],
                queued=counts[MailStatus.QUEUED],
                failed=counts[MailStatus.FAILED],
            )
        )
    )
    if counts.get(MailStatus.CANCELLED):
        click.echo(say(msg("Ikke sendt fordi mottakeren har sluttet: %(count)s.", count=counts[MailStatus.CANCELLED])))
