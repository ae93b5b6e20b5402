"""In-app notifications and their e-mail. Without SMTP (development, demo) e-mails are
written to the outbox that the admin can read, so every flow can be followed."""

import smtplib
import uuid
from email.message import EmailMessage

from flask import current_app, has_app_context
from peewee import IntegrityError

from stafettlogg.db import db
from stafettlogg.models import Notification, OutboxEmail, User, utcnow


def notify(
    user: User,
    kind: str,
    text: str,
    *,
    url: str = "",
    log=None,
    dedupe_key: str | None = None,
    email_subject: str | None = None,
) -> Notification | None:
    """Create one notification (and its e-mail). With a dedupe_key the same event is
    never notified twice (reminders run twice send nothing twice): returns None then."""
    key = dedupe_key or f"{kind}:{uuid.uuid4().hex}"
    try:
        with db.atomic():  # a savepoint: a duplicate key leaves the outer transaction intact
            note = Notification.create(
                user=user, kind=kind, text=text, url=url, log_id=getattr(log, "id", log), dedupe_key=key
            )
    except IntegrityError:
        return None
    if user.email:
        send_email(user.email, email_subject or text[:120], _email_body(text, url))
    return note


def _email_body(text: str, url: str) -> str:
    base = current_app.config.get("PUBLIC_URL", "") if has_app_context() else ""
    lines = [text, ""]
    if url:
        lines.append(f"Åpne Stafettlogg: {base}{url}")
    lines.append("")
    lines.append("Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten.")
    return "\n".join(lines)


def send_email(to: str, subject: str, body: str) -> OutboxEmail:
    """Always kept in the outbox; sent through SMTP when SMTP_HOST is configured."""
    mail = OutboxEmail.create(to=to, subject=subject, body=body)
    config = current_app.config if has_app_context() else {}
    if config.get("SMTP_HOST"):
        message = EmailMessage()
        message["From"] = config["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
        OutboxEmail.update(sent_at=utcnow()).where(OutboxEmail.id == mail.id).execute()
    return mail
