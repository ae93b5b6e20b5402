"""Delivery of archive packages to the archive's import folder, after commit.

SECURITY.md: no network or disk waits inside a write transaction. «Arkiver» writes the
package into an outbox row (ArchiveDelivery, status queued) in a short transaction; a
sender claims it in another (a conditional UPDATE only one sender wins), writes the zip
into ARCHIVE_FOLDER with no transaction open, then records the outcome. A folder that is
missing, full or slow leaves the package queued, retried with backoff (the page shows
it waiting); after ARCHIVE_MAX_ATTEMPTS it is marked failed and kept. Only a delivered
package counts as archived. Two ways in, as for e-mail: a thread right after the
request, and `flask send-archive`, run every minute by a timer."""

import datetime as dt
import logging
import socket
import threading
import uuid

import click
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext

from stafettlogg.archive import transport
from stafettlogg.db import connected, is_sqlite, write_transaction
from stafettlogg.mailer import backoff
from stafettlogg.models import ArchiveDelivery, ArchiveStatus, utcnow

logger = logging.getLogger(__name__)

BATCH = 20
STALE_AFTER_SECONDS = 15 * 60  # a claim this old belongs to a sender that died

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def claim(sender: str, *, ids=None, limit: int = BATCH) -> list[ArchiveDelivery]:
    """Claim due packages for this sender in one short transaction and commit."""
    now = utcnow()
    due = (ArchiveDelivery.status == ArchiveStatus.QUEUED) & (
        ArchiveDelivery.next_attempt_at.is_null() | (ArchiveDelivery.next_attempt_at <= now)
    )
    abandoned = (ArchiveDelivery.status == ArchiveStatus.SENDING) & (
        ArchiveDelivery.claimed_at < now - dt.timedelta(seconds=STALE_AFTER_SECONDS)
    )
    with write_transaction():
        query = ArchiveDelivery.select(ArchiveDelivery.id, ArchiveDelivery.status, ArchiveDelivery.claimed_by)
        query = query.where(due | abandoned)
        if ids is not None:
            query = query.where(ArchiveDelivery.id.in_(list(ids)))
        query = query.order_by(ArchiveDelivery.id).limit(limit)
        if not is_sqlite():
            query = query.for_update(skip_locked=True)
        won = [
            row.id
            for row in list(query)
            if ArchiveDelivery.update(status=ArchiveStatus.SENDING, claimed_by=sender, claimed_at=now)
            .where(
                ArchiveDelivery.id == row.id,
                ArchiveDelivery.status == row.status,
                ArchiveDelivery.claimed_by == row.claimed_by,
            )
            .execute()
        ]
    return list(ArchiveDelivery.select().where(ArchiveDelivery.id.in_(won or [0])).order_by(ArchiveDelivery.id))


def _record(delivery: ArchiveDelivery, sender: str, error: str | None) -> str:
    config = current_app.config
    attempts = delivery.attempts + 1
    if error is None:
        changes = {"status": ArchiveStatus.DELIVERED, "delivered_at": utcnow(), "last_error": "", "package": None}
    else:
        gave_up = attempts >= int(config["ARCHIVE_MAX_ATTEMPTS"])
        changes = {
            "status": ArchiveStatus.FAILED if gave_up else ArchiveStatus.QUEUED,
            "last_error": error[:1000],
            "next_attempt_at": None if gave_up else utcnow() + backoff(attempts, int(config["ARCHIVE_RETRY_SECONDS"])),
        }
    with write_transaction():
        ArchiveDelivery.update(claimed_by="", attempts=attempts, **changes).where(
            ArchiveDelivery.id == delivery.id, ArchiveDelivery.claimed_by == sender
        ).execute()
    return changes["status"]


def deliver(*, ids=None, limit: int = BATCH) -> dict:
    """Claim and write due packages (only `ids` when given). Returns counts by outcome.
    Never raises for a folder problem: the package stays queued for the next try."""
    counts = {ArchiveStatus.DELIVERED: 0, ArchiveStatus.QUEUED: 0, ArchiveStatus.FAILED: 0}
    sender = f"{socket.gethostname()[:30]}:{uuid.uuid4().hex[:16]}"
    with connected():
        claimed = claim(sender, ids=ids, limit=limit)
    for delivery in claimed:
        error = None
        try:
            transport.write_atomically(current_app.config["ARCHIVE_FOLDER"], delivery.package_name, delivery.package)
        except (OSError, TypeError, transport.TransportError) as exc:
            error = f"{type(exc).__name__}: {exc}".strip()
        with connected():
            counts[_record(delivery, sender, error)] += 1
        if error:
            logger.warning(
                "archive package %s not delivered (attempt %s): %s", delivery.id, delivery.attempts + 1, error
            )
    return counts


def deliver_all_due() -> dict:
    total = {ArchiveStatus.DELIVERED: 0, ArchiveStatus.QUEUED: 0, ArchiveStatus.FAILED: 0}
    while True:
        counts = deliver()
        for key, value in counts.items():
            total[key] += value
        if sum(counts.values()) < BATCH:
            return total


def deliver_after_request(delivery_id: int) -> None:
    """Remember the package so the request tries it once its transaction has committed."""
    if has_request_context():
        g.setdefault("archive_after_request", []).append(delivery_id)


def init_app(app) -> None:
    @app.after_request
    def _deliver_after_commit(response):
        ids = g.pop("archive_after_request", None)
        if ids and app.config.get("ARCHIVE_SEND_AFTER_REQUEST", True):
            start_background_delivery(app, ids)
        return response


def start_background_delivery(app, ids) -> threading.Thread:
    """Try the request's package once, in a thread: the response never waits for the
    archive's folder. What fails here stays queued for `flask send-archive`."""

    def run():
        with app.app_context():
            try:
                deliver(ids=ids)
            except Exception:  # the database may be down too: the timer retries
                logger.exception("immediate archive delivery failed; the outbox keeps the package")

    thread = threading.Thread(target=run, name="stafettlogg-archive", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_background_delivery(timeout: float = 30.0) -> None:
    with _threads_lock:
        threads = list(_threads)
    for thread in threads:
        thread.join(timeout)


@click.command("send-archive")
@with_appcontext
def send_archive_command():
    """Write queued archive packages into ARCHIVE_FOLDER (retries with backoff). Run every minute by a timer."""
    counts = deliver_all_due()
    click.echo(
        f"Levert: {counts[ArchiveStatus.DELIVERED]}, prøves igjen senere: {counts[ArchiveStatus.QUEUED]}, "
        f"ga opp: {counts[ArchiveStatus.FAILED]}."
    )
