"""flask commands: migrate, create-admin, bootstrap-area, seed-demo, check-invariants,
rerender-text."""

import functools
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from stafettlogg import db as database
from stafettlogg import demo
from stafettlogg.archive.commands import archive_command
from stafettlogg.archive.outbox import send_archive_command
from stafettlogg.backup import RestoreRefused, backup_into_folder, restore
from stafettlogg.console import argument, command, operator_locale, option, said_when_shown, say
from stafettlogg.console import fail as _fail
from stafettlogg.db import db, stop_using
from stafettlogg.invariants import check_invariants
from stafettlogg.klarsprak.command import klarsprak_command
from stafettlogg.mailer import send_mail_command
from stafettlogg.messages import msg, msg_plural
from stafettlogg.models import Role, User, rendered_text_models
from stafettlogg.org.domain import OrganisationError, appoint_area_leader, create_area, create_user
from stafettlogg.overview.commands import june_reminders_command
from stafettlogg.passwords import password_problem
from stafettlogg.reminders import send_reminders_command
from stafettlogg.signin.commands import password_reset_command, second_factor_reset_command
from stafettlogg.textformat import rerender_stored_text


def register(app):
    for each in (
        migrate,
        create_admin,
        bootstrap_area,
        seed_demo,
        check_invariants_command,
        backup_command,
        restore_command,
        rerender_text_command,
    ):
        app.cli.add_command(each)

    app.cli.add_command(june_reminders_command)

    app.cli.add_command(send_reminders_command)

    app.cli.add_command(archive_command)
    app.cli.add_command(send_archive_command)

    app.cli.add_command(send_mail_command)

    app.cli.add_command(second_factor_reset_command)
    app.cli.add_command(password_reset_command)
    app.cli.add_command(klarsprak_command)


@command(
    "migrate",
    help=msg(
        "Oppdaterer databaseskjemaet. Tar i bruk migreringene som mangler og viser hver av dem; ingen annen "
        "kommando endrer skjemaet."
    ),
)
@option("--dry-run", is_flag=True, help=msg("Vis hva som ville blitt tatt i bruk, uten å endre noe."))
def migrate(dry_run):
    """Apply pending schema migrations, listing each (the only command that changes the schema)."""
    applied = database.applied_migrations()
    if set(applied) - set(database.migration_names()):
        _fail(database.schema_problem(applied))  # a newer program wrote it: never touch
    pending = [name for name in database.migration_names() if name not in applied]
    version = applied[-1] if applied else say(msg("(tom database)"))
    click.echo(say(msg("Skjemaversjon nå: %(version)s", version=version)))
    if not pending:
        click.echo(say(msg("Skjemaet er oppdatert.")))
        return
    if dry_run:
        click.echo("\n".join(say(msg("Ville tatt i bruk: %(name)s", name=name)) for name in pending))
        return
    for name in pending:  # one at a time: each is listed as soon as it is in
        try:
            done = database.migrate(name)  # [] when another process applied it meanwhile
        except Exception as exc:  # any error of the migration's own: named, not a traceback
            _fail(
                msg(
                    "migreringen %(name)s feilet og er rullet tilbake (%(kind)s: %(error)s). Migreringene over er tatt i "
                    "bruk. Appen starter ikke før skjemaet er oppdatert: rett feilen og kjør `flask --app app "
                    "migrate` igjen, eller gjenopprett sikkerhetskopien fra før oppgraderingen.",
                    name=name,
                    kind=type(exc).__name__,
                    error=str(exc),
                )
            )
        for applied_name in done:
            click.echo(say(msg("Tatt i bruk: %(name)s", name=applied_name)))


# Commands that run on any schema: they change it, save or replace it as it is, or never
# touch the database (the plain-language checker).
SCHEMA_FREE_COMMANDS = {"migrate", "backup", "restore", "klarsprak"}


def require_schema_for_commands(app) -> None:
    """Every other `flask` command refuses to run on an older or newer schema."""
    for name, each in app.cli.commands.items():
        if name in SCHEMA_FREE_COMMANDS or getattr(each.callback, "schema_checked", False):
            continue
        each.callback = _schema_checked(each.callback)


def _schema_checked(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        if problem := database.schema_problem():
            _fail(problem)
        return callback(*args, **kwargs)

    run.schema_checked = True
    return run


def _password_option(func):
    return option(
        "--password",
        prompt=said_when_shown(msg("Passord")),
        hide_input=True,
        confirmation_prompt=said_when_shown(msg("Gjenta passordet")),
        envvar="STAFETTLOGG_PASSWORD",
        help=msg("Passordet, eller sett STAFETTLOGG_PASSWORD (spørres om når det mangler)."),
    )(func)


@command("create-admin", help=msg("Oppretter systemansvarlig."))
@with_appcontext  # the rules' refusals need the app's catalogues, under the test runner too
@argument("username", help=msg("Brukernavnet."))
@option("--name", default="Systemansvarlig", help=msg("Det fulle navnet (standard: Systemansvarlig)."))
@_password_option
def create_admin(username, name, password):
    """Create the system administrator (systemansvarlig)."""
    with operator_locale():  # the rules' refusals, in the operator's language
        if problem := password_problem(password, username):
            _fail(problem)
        with db.connection_context():
            try:
                create_user(Role.ADMIN, username, name, password=password)
            except OrganisationError as e:
                _fail(str(e))
    click.echo(say(msg("Systemansvarlig %(username)s er opprettet.", username=username)))


@command("bootstrap-area", help=msg("Oppretter et område og områdelederen for det."))
@with_appcontext  # the rules' refusals need the app's catalogues, under the test runner too
@argument("area_name", help=msg("Områdets navn."))
@argument("username", help=msg("Områdelederens brukernavn."))
@option("--name", required=True, help=msg("Områdelederens fulle navn."))
@option("--email", default="", help=msg("Områdelederens e-postadresse."))
@_password_option
def bootstrap_area(area_name, username, name, email, password):
    """Create an area (område) and its area leader (områdeleder)."""
    with operator_locale():  # the rules' refusals, in the operator's language
        if problem := password_problem(password, username):
            _fail(problem)
        with db.connection_context():
            try:
                with database.write_transaction():
                    area = create_area(area_name)
                    appoint_area_leader(area, username, name, password=password, email=email, job_title="Områdeleder")
            except OrganisationError as e:
                _fail(str(e))
    click.echo(
        say(msg("Området %(area)s og områdeleder %(username)s er opprettet.", area=area_name, username=username))
    )


@command("seed-demo", help=msg("Fyller en tom database med demokommunen. Bare i demomodus."))
@option("--if-empty", is_flag=True, help=msg("Gjør ingenting når databasen har brukere."))
@with_appcontext
def seed_demo(if_empty):
    """Fill an empty database with the demo municipality (demo mode only)."""
    with db.connection_context():
        if User.select().exists():
            if if_empty:
                return
            _fail(msg("databasen er ikke tom; demodata legges bare i en tom database."))
        demo.seed()
    click.echo(
        say(
            msg(
                "Demodata er lagt inn. Logg inn med for eksempel «stafettholder» / «%(password)s».",
                password=demo.PASSWORD,
            )
        )
    )


@command(
    "rerender-text",
    help=msg("Gjengir alle lagrede Markdown-tekster på nytt. Kjøres når reglene i textformat.py er endret."),
)
def rerender_text_command():
    """Render every stored Markdown text again (after the rules in textformat.py change)."""
    with db.connection_context():
        changed = rerender_stored_text(rendered_text_models())
    for table, count in changed.items():
        click.echo(say(msg("%(table)s: %(count)s endret", table=table, count=count)))
    click.echo(
        say(
            msg_plural(
                "ferdig: %(num)s tekst gjengitt på nytt",
                "ferdig: %(num)s tekster gjengitt på nytt",
                num=sum(changed.values()),
            )
        )
    )


@command(
    "check-invariants",
    help=msg(
        "Melder brudd på invariantene. Hver aktiv logg skal ha nøyaktig én aktiv stafettholder; ved brudd avslutter "
        "kommandoen med kode 1."
    ),
)
def check_invariants_command():
    """Report broken invariants (every active log has exactly one active holder); exit 1 if any."""
    with db.connection_context():
        problems = check_invariants()
    for problem in problems:
        click.echo(say(problem))
    if problems:
        sys.exit(1)
    click.echo(say(msg("ok: ingen brudd på invariantene.")))  # "ok" first: scripts look for it


@command(
    "backup",
    help=msg(
        "Tar sikkerhetskopi av databasen mens den er i bruk. Migrerer aldri; skjemaversjonen ligger i sikkerhetskopien."
    ),
)
@with_appcontext
@argument("target", type=click.Path(), help=msg("En fil, eller en mappe for daterte sikkerhetskopier."))
@option(
    "--keep",
    type=click.IntRange(min=0),
    default=0,
    help=msg("TARGET er en mappe: behold bare de N nyeste sikkerhetskopiene i den."),
)
def backup_command(target, keep):
    """Online backup of the database to TARGET (a file, or a folder for dated backups).
    Never migrates; the schema version is inside the backup."""
    url = current_app.config["DATABASE_URL"]
    applied = database.applied_migrations()
    if not applied:
        # a wrong DATABASE_URL opens a new, empty database: backing it up would rotate
        # the good backups out (--keep)
        _fail(
            msg(
                "databasen har ingen skjemaversjon (schema_migration mangler): er DATABASE_URL riktig? "
                "Ingen sikkerhetskopi er skrevet, og ingen eldre er slettet."
            )
        )
    path, removed = backup_into_folder(url, target, keep)
    click.echo(
        say(msg("Sikkerhetskopi skrevet til %(path)s (skjemaversjon %(version)s)", path=str(path), version=applied[-1]))
    )
    for old in removed:
        click.echo(say(msg("Slettet eldre sikkerhetskopi %(path)s", path=str(old))))


@command("restore", help=msg("Erstatter databasen med en sikkerhetskopi. Alt eller ingenting; stopp appen først."))
@with_appcontext
@argument("source", type=click.Path(exists=True, dir_okay=False), help=msg("Sikkerhetskopien som skal gjenopprettes."))
@option("--yes", is_flag=True, help=msg("Bekreft at innholdet i databasen erstattes med sikkerhetskopien."))
def restore_command(source, yes):
    """Replace the database with the backup SOURCE, all or nothing (stop the app first)."""
    if not yes:
        _fail(msg("bruk --yes for å bekrefte at databasen erstattes med sikkerhetskopien."))
    stop_using()  # this process's own connections (a command run in the app's process, as in the tests)
    try:
        pending = restore(current_app.config["DATABASE_URL"], source)
    except RestoreRefused as e:
        _fail(e.message)
    except RuntimeError as e:  # pg_restore or psql missing
        _fail(str(e))
    click.echo(say(msg("Databasen er gjenopprettet fra sikkerhetskopien.")))
    if pending:
        click.echo(
            say(
                msg(
                    "Sikkerhetskopien er fra en eldre versjon. Kjør `flask --app app migrate` før appen startes "
                    "(mangler: %(migrations)s).",
                    migrations=", ".join(pending),
                )
            )
        )
