"""flask june-reminders: the yearly June reminders of seed 000 (run daily from cron)."""

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext

from stafettlogg.console import command, fail, option, say
from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.mailer import deliver_all_due
from stafettlogg.messages import msg, msg_plural
from stafettlogg.overview.reconciliation import june_reminders


@command(
    "june-reminders",
    help=msg(
        "Sender junipåminnelsene om den årlige avstemmingen. Til enhetsledere og KE; kjøres daglig, og hver "
        "påminnelse sendes bare én gang."
    ),
)
@option("--today", default=None, help=msg("Kjør som om dagen var ÅÅÅÅ-MM-DD (standard: i dag)."))
@with_appcontext
def june_reminders_command(today):
    """Remind unit leaders and KE in June of the annual reconciliation (idempotent)."""
    try:
        day = dt.date.fromisoformat(today) if today else local_today()
    except ValueError:
        fail(msg("--today må være en dato på formen ÅÅÅÅ-MM-DD."), code=2)  # as send-reminders says it
    if day.month != 6:
        click.echo(say(msg("Ingen påminnelser: avstemmingen skjer i juni.")))
        return
    with current_app.test_request_context(), db.connection_context():
        sent = june_reminders(day)
    click.echo(say(msg_plural("%(num)s påminnelse sendt.", "%(num)s påminnelser sendt.", num=sent)))

    deliver_all_due()  # queued with the notices; whatever fails waits for send-mail
