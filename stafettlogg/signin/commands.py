"""flask second-factor-reset: for people no unit leader can reset (the system
administrator, area leaders) and after SECRET_KEY has changed."""

import sys

import click

from stafettlogg.db import db
from stafettlogg.models import User
from stafettlogg.signin import second_factor


@click.command("second-factor-reset")
@click.argument("username")
def second_factor_reset_command(username):
    """Reset a person's second factor (innloggingskode): audited, the person is told."""
    with db.connection_context():
        person = User.get_or_none(User.username == username)
        if person is None:
            click.echo(f"Fant ingen bruker med brukernavnet {username}.", err=True)
            sys.exit(1)
        second_factor.reset(None, person)
    click.echo(f"Innloggingskoden til {username} er nullstilt.")
