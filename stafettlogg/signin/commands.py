"""flask second-factor-reset: for people no unit leader can reset (the system
administrator, area leaders) and after SECRET_KEY has changed."""

import click

from stafettlogg.console import argument, command, fail, say
from stafettlogg.db import db
from stafettlogg.messages import msg
from stafettlogg.models import User
from stafettlogg.signin import second_factor


@command(
    "second-factor-reset",
    help=msg("Nullstiller innloggingskoden til en person. Hendelsen logges, og personen får beskjed."),
)
@argument("username", help=msg("Personens brukernavn."))
def second_factor_reset_command(username):
    """Reset a person's second factor (innloggingskode): audited, the person is told."""
    with db.connection_context():
        person = User.get_or_none(User.username == username)
        if person is None:
            fail(msg("Fant ingen bruker med brukernavnet %(username)s.", username=username))
        second_factor.reset(None, person)
    click.echo(say(msg("Innloggingskoden til %(username)s er nullstilt.", username=username)))
