"""flask second-factor-reset: for people no unit leader can reset (the system
administrator, area leaders) and after SECRET_KEY has changed; flask password-reset: a
new temporary password for anyone, the system administrator too."""

import click
from flask.cli import with_appcontext

from stafettlogg.console import argument, command, fail, operator_locale, say
from stafettlogg.db import db
from stafettlogg.messages import msg
from stafettlogg.models import User
from stafettlogg.org import domain as org
from stafettlogg.signin import second_factor


def _person(username: str) -> User:
    person = User.get_or_none(User.username == username)
    if person is None:
        fail(msg("Fant ingen bruker med brukernavnet %(username)s.", username=username))
    return person


@command(
    "second-factor-reset",
    help=msg("Nullstiller innloggingskoden til en person. Hendelsen logges, og personen får beskjed."),
)
@argument("username", help=msg("Personens brukernavn."))
def second_factor_reset_command(username):
    """Reset a person's second factor (innloggingskode): audited, the person is told."""
    with db.connection_context():
        second_factor.reset(None, _person(username))
    click.echo(say(msg("Innloggingskoden til %(username)s er nullstilt.", username=username)))


@command(
    "password-reset",
    help=msg(
        "Gir en person et nytt midlertidig passord og skriver det ut. Personen logges ut overalt, velger sitt eget passord ved neste innlogging og får beskjed. Hendelsen logges."
    ),
)
@with_appcontext  # the rules (password sign-in, the refusals' catalogues), under the test runner too
@argument("username", help=msg("Personens brukernavn."))
def password_reset_command(username):
    """A new temporary password (org.domain.reset_password), audited as the system."""
    with operator_locale(), db.connection_context():
        try:
            password = org.reset_password(None, _person(username))
        except org.OrganisationError as e:
            fail(str(e))
    click.echo(
        say(msg("Nytt midlertidig passord for %(username)s: %(password)s", username=username, password=password))
    )
