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
from stafettlogg.db import db
from stafettlogg.invariants import check_invariants
from stafettlogg.klarsprak.command import klarsprak_command
from stafettlogg.mailer import send_mail_command
from stafettlogg.models import Role, User, rendered_text_models
from stafettlogg.org.domain import OrganisationError, appoint_area_leader, create_area, create_user
from stafettlogg.overview.commands import june_reminders_command
from stafettlogg.passwords import password_problem
from stafettlogg.reminders import send_reminders_command
from stafettlogg.signin.commands import second_factor_reset_command
from stafettlogg.textformat import rerender_stored_text


def register(app):
    for command in (
        migrate,
        create_admin,
        bootstrap_area,
        seed_demo,
        check_invariants_command,
        backup_command,
        restore_command,
        rerender_text_command,
    ):
        app.cli.add_command(command)

    app.cli.add_command(june_reminders_command)

    app.cli.add_command(send_reminders_command)

    app.cli.add_command(archive_command)
    app.cli.add_command(send_archive_command)

    app.cli.add_command(send_mail_command)

    app.cli.add_command(second_factor_reset_command)
    app.cli.add_command(klarsprak_command)


@click.command("migrate")
@click.option("--dry-run", is_flag=True, help="List what would be applied, change nothing.")
def migrate(dry_run):
    """Apply pending schema migrations, listing each (the only command that changes the schema)."""
    applied = database.applied_migrations()
    if set(applied) - set(database.migration_names()):
        _fail(database.schema_problem(applied))  # a newer program wrote it: never touch
    pending = [name for name in database.migration_names() if name not in applied]
    click.echo(f"Skjemaversjon nå: {applied[-1] if applied else '(tom database)'}")
    if not pending:
        click.echo("schema is up to date (skjemaet er oppdatert)")
        return
    if dry_run:
        click.echo("\n".join(f"would apply: {name}" for name in pending))
        return
    for name in pending:  # one at a time: each is listed as soon as it is in
        try:
            done = database.migrate(name)  # [] when another process applied it meanwhile
        except Exception as exc:  # any error of the migration's own: named, not a traceback
            _fail(
                f"migreringen {name} feilet og er rullet tilbake ({type(exc).__name__}: {exc}). "
                "Migreringene over er tatt i bruk. Appen starter ikke før skjemaet er oppdatert: rett feilen "
                "og kjør `flask --app app migrate` igjen, eller gjenopprett sikkerhetskopien fra før oppgraderingen."
            )
        for applied_name in done:
            click.echo(f"applied: {applied_name}")


# Commands that run on any schema: they change it, save or replace it as it is, or never
# touch the database (the plain-language checker).
SCHEMA_FREE_COMMANDS = {"migrate", "backup", "restore", "klarsprak"}


def require_schema_for_commands(app) -> None:
    """Every other `flask` command refuses to run on an older or newer schema."""
    for name, command in app.cli.commands.items():
        if name in SCHEMA_FREE_COMMANDS or getattr(command.callback, "schema_checked", False):
            continue
        command.callback = _schema_checked(command.callback)


def _schema_checked(callback):
    @functools.wraps(callback)
    def run(*args, **kwargs):
        if problem := database.schema_problem():
            _fail(problem)
        return callback(*args, **kwargs)

    run.schema_checked = True
    return run


def _password_option(func):
    return click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="STAFETTLOGG_PASSWORD",
        help="Or set STAFETTLOGG_PASSWORD.",
    )(func)


def _fail(message: str):
    click.echo(f"Feil: {message}", err=True)
    sys.exit(1)


@click.command("create-admin")
@click.argument("username")
@click.option("--name", default="Systemansvarlig")
@_password_option
def create_admin(username, name, password):
    """Create the system administrator (systemansvarlig)."""
    if problem := password_problem(password, username):
        _fail(problem)
    with db.connection_context():
        try:
            create_user(Role.ADMIN, username, name, password=password)
        except OrganisationError as e:
            _fail(str(e))
    click.echo(f"Systemansvarlig {username} er opprettet.")


@click.command("bootstrap-area")
@click.argument("area_name")
@click.argument("username")
@click.option("--name", required=True, help="The area leader's full name.")
@click.option("--email", default="")
@_password_option
def bootstrap_area(area_name, username, name, email, password):
    """Create an area (område) and its area leader (områdeleder)."""
    if problem := password_problem(password, username):
        _fail(problem)
    with db.connection_context():
        try:
            with database.write_transaction():
                area = create_area(area_name)
                appoint_area_leader(area, username, name, password=password, email=email, job_title="Områdeleder")
        except OrganisationError as e:
            _fail(str(e))
    click.echo(f"Området {area_name} og områdeleder {username} er opprettet.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
@with_appcontext
def seed_demo(if_empty):
    """Fill an empty database with the demo municipality (demo mode only)."""
    with db.connection_context():
        if User.select().exists():
            if if_empty:
                return
            _fail("databasen er ikke tom; demodata legges bare i en tom database.")
        demo.seed()
    click.echo(f"Demodata er lagt inn. Logg inn med for eksempel «stafettholder» / «{demo.PASSWORD}».")


@click.command("rerender-text")
def rerender_text_command():
    """Render every stored Markdown text again (after the rules in textformat.py change)."""
    with db.connection_context():
        changed = rerender_stored_text(rendered_text_models())
    for table, count in changed.items():
        click.echo(f"{table}: {count} endret")
    click.echo(f"ferdig: {sum(changed.values())} tekster gjengitt på nytt")


@click.command("check-invariants")
def check_invariants_command():
    """Report broken invariants (every active log has exactly one active holder); exit 1 if any."""
    with db.connection_context():
        problems = check_invariants()
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo("ok")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path())
@click.option(
    "--keep", type=click.IntRange(min=0), default=0, help="TARGET is a folder: keep only the newest N backups in it."
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
            "databasen har ingen skjemaversjon (schema_migration mangler): er DATABASE_URL riktig? "
            "Ingen sikkerhetskopi er skrevet, og ingen eldre er slettet."
        )
    path, removed = backup_into_folder(url, target, keep)
    click.echo(f"Sikkerhetskopi skrevet til {path} (skjemaversjon {applied[-1]})")
    for old in removed:
        click.echo(f"Slettet eldre sikkerhetskopi {old}")


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm that the current content is replaced.")
def restore_command(source, yes):
    """Replace the database with the backup SOURCE, all or nothing (stop the app first)."""
    if not yes:
        _fail("bruk --yes for å bekrefte at databasen erstattes med sikkerhetskopien.")
    db.close() if not db.is_closed() else None
    try:
        pending = restore(current_app.config["DATABASE_URL"], source)
    except (RestoreRefused, RuntimeError) as e:
        _fail(str(e))
    click.echo("Databasen er gjenopprettet fra sikkerhetskopien.")
    if pending:
        click.echo(
            "Sikkerhetskopien er fra en eldre versjon. Kjør `flask --app app migrate` før appen startes "
            "(mangler: " + ", ".join(pending) + ")."
        )
