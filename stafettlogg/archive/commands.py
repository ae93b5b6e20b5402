"""`flask archive`: the archive package from the command line, for operators and tests."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from stafettlogg.archive import domain, transport
from stafettlogg.console import argument, command, fail, option, say
from stafettlogg.db import db
from stafettlogg.logs.errors import LogError
from stafettlogg.messages import msg, msg_plural
from stafettlogg.models import Log, LogStatus


@command(
    "archive",
    help=msg(
        "Lager arkivpakker for Fiks Arkiv. Arkivmelding og PDF/A-dokumenter for én logg eller alle avsluttede; "
        "leveransen registreres."
    ),
)
@argument("log_id", type=int, required=False, help=msg("Stafettloggens nummer."))
@option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help=msg("Zip-filen for LOG_ID."))
@option(
    "--all-closed",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help=msg("Skriv én pakke for hver avsluttede eller passive logg som ikke er arkivert ennå, til denne mappen."),
)
@with_appcontext
def archive_command(log_id, out, folder):
    """Build the Fiks Arkiv package (arkivmelding + PDF/A) and record the delivery."""
    if (log_id is None) == (folder is None) or (log_id is not None and out is None):
        raise click.UsageError(
            say(msg("Bruk: flask archive LOG_ID --out FIL.zip, eller flask archive --all-closed MAPPE"))
        )
    with current_app.test_request_context(), db.connection_context():
        if log_id is not None:
            log = Log.get_or_none(Log.id == log_id)
            if log is None:
                fail(msg("Stafettlogg nr. %(id)s finnes ikke.", id=log_id))
            try:
                pkg = domain.prepare(None, log)
                _write_and_record(log, pkg, out.parent.resolve(), out.name)
            except LogError as e:  # also a log deleted or handed over while it was rendered
                fail(str(e))
            click.echo(
                say(
                    msg_plural(
                        "%(file)s (%(num)s dokument, sha256 %(sha256)s)",
                        "%(file)s (%(num)s dokumenter, sha256 %(sha256)s)",
                        num=len(pkg.documents),
                        file=str(out),
                        sha256=pkg.sha256,
                    )
                )
            )
            return
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for log in Log.select().where(Log.status.in_(LogStatus.ENDED)).order_by(Log.id):
            if domain.is_archived(log):
                continue
            try:  # the operator's own command: it waits for the folder, no transaction open
                pkg = domain.prepare(None, log)
                _write_and_record(log, pkg, folder.resolve(), pkg.name)
            except LogError as e:
                click.echo(say(msg("Stafettlogg nr. %(id)s: %(problem)s", id=log.id, problem=str(e))), err=True)
                continue
            written += 1
        click.echo(
            say(
                msg_plural(
                    "%(num)s arkivpakke skrevet til %(folder)s.",
                    "%(num)s arkivpakker skrevet til %(folder)s.",
                    num=written,
                    folder=str(folder),
                )
            )
        )


def _write_and_record(log: Log, pkg, folder: Path, name: str) -> None:
    """Write the zip, then record the delivery; a delivery that cannot be recorded (the
    log deleted or delivered by someone else while it rendered) takes its zip away again:
    no byte of a deleted log, and nothing the archive would get without a record."""
    target = transport.write_atomically(folder, name, pkg.data)
    try:
        domain.record_delivery(None, log, pkg, "cli")
    except LogError:
        target.unlink(missing_ok=True)
        raise
