"""Delivery of archive packages to the archive's import folder, after commit.

SECURITY.md: no network or disk waits inside a write transaction. «Arkiver» writes the
package into an outbox row (ArchiveDelivery, status queued) in a short transaction; a
sender claims it in another (a conditional UPDATE only one sender wins), writes the zip
into ARCHIVE_FOLDER with no transaction open, then records the outcome. A folder that is
missing or full, or that takes longer than ARCHIVE_WRITE_TIMEOUT (a share that hangs),
leaves the package queued, retried with backoff (the page shows it waiting); after
ARCHIVE_MAX_ATTEMPTS it is marked failed and kept. Only a delivered
package counts as archived. Two ways in, as for e-mail (both are an Outbox,
stafettlogg/outbox.py): a thread right after the request, and `flask send-archive`, run
every minute by a timer."""

import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from stafettlogg.archive import transport
from stafettlogg.console import command, say
from stafettlogg.db import write_transaction
from stafettlogg.messages import msg
from stafettlogg.models import ArchiveDelivery, ArchiveStatus, utcnow
from stafettlogg.outbox import Outbox

logger = logging.getLogger(__name__)

BATCH = 20


def write_limit(config) -> float:
    """The longest one package's write may take before the sender gives up on it (the
    package stays queued): ARCHIVE_WRITE_TIMEOUT, and a write still going then is never
    renamed into place (transport.write_atomically)."""
    return float(config["ARCHIVE_WRITE_TIMEOUT"])


def stale_after(config) -> dt.timedelta:
    """A claim this old belongs to a sender that died: well past the longest write
    (write_limit, and the rename's grace), so a slow share never gets a package twice."""
    return max(dt.timedelta(minutes=15), dt.timedelta(seconds=2 * write_limit(config) + 60))


def _write(delivery: ArchiveDelivery, config) -> None:
    transport.write_atomically(
        config["ARCHIVE_FOLDER"], delivery.package_name, delivery.package, timeout=write_limit(config)
    )


def _take_back(delivery: ArchiveDelivery, config) -> bool:
    """The package was written, but its log was deleted (or the package replaced by a
    newer one) while it was: no byte of a deleted log stays in the folder, as the
    command-line archive's own write (commands._write_and_record). If the archive took
    it already, the operator is told: the archive then holds a package of a log deleted
    here."""
    if transport.take_back(config["ARCHIVE_FOLDER"], delivery.package_name, delivery.package):
        return True
    logger.warning(
        "archive package %s (log %s) was cancelled after the archive had taken it",
        delivery.package_name,
        delivery.log_id,
    )
    return False


OUTBOX = Outbox(
    name="archive",
    model=ArchiveDelivery,
    done=ArchiveStatus.DELIVERED,
    send=_write,
    errors=(OSError, TypeError, transport.TransportError),
    max_attempts_key="ARCHIVE_MAX_ATTEMPTS",
    retry_seconds_key="ARCHIVE_RETRY_SECONDS",
    after_request_key="ARCHIVE_SEND_AFTER_REQUEST",
    stale_after=stale_after,
    batch=BATCH,
    # delivered: the archive has the package, the outbox need not keep its bytes
    on_done=lambda: {"delivered_at": utcnow(), "package": None},
    take_back=_take_back,
)


def forget_failed_packages(config) -> int:
    """A package the archive never took (given up on) keeps its zip ARCHIVE_FAILED_KEPT_DAYS
    for the operator, then only its record: the zip holds the whole log as it was then,
    text deleted from the log since included, and «Arkiver» builds a new one (its
    documents are offered again). Returns how many zips were let go."""
    before = utcnow() - dt.timedelta(days=int(config["ARCHIVE_FAILED_KEPT_DAYS"]))
    with write_transaction():
        return (
            ArchiveDelivery.update(package=None)
            .where(
                ArchiveDelivery.status == ArchiveStatus.FAILED,
                ArchiveDelivery.package.is_null(False),
                ArchiveDelivery.delivered_at < before,
            )
            .execute()
        )


@command(
    "send-archive",
    help=msg(
        "Leverer arkivpakkene i køen til ARCHIVE_FOLDER. Prøver igjen med stadig lengre mellomrom, og sletter "
        "zip-filen til en pakke arkivet aldri tok imot etter ARCHIVE_FAILED_KEPT_DAYS; kjøres hvert minutt av en timer."
    ),
)
@with_appcontext
def send_archive_command():
    """Write queued archive packages into ARCHIVE_FOLDER (retries with backoff), let go
    of the zips of packages given up on ARCHIVE_FAILED_KEPT_DAYS ago, and remove partial
    zips a write given up on left in the folder (transport.clear_leftovers). Run every
    minute by a timer."""
    config = current_app.config
    forget_failed_packages(config)
    if config["ARCHIVE_TRANSPORT"] == "folder":
        transport.clear_leftovers_within(config["ARCHIVE_FOLDER"], write_limit(config))
    counts = OUTBOX.deliver_all_due()
    click.echo(
        say(
            msg(
                "Levert: %(delivered)s, prøves igjen senere: %(queued)s, ga opp: %(failed)s.",
                delivered=counts[ArchiveStatus.DELIVERED],
                queued=counts[ArchiveStatus.QUEUED],
                failed=counts[ArchiveStatus.FAILED],
            )
        )
    )
