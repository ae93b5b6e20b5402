"""Archiving a log as plain functions (seed 003: the stafettlogg never replaces the
services' own journal and archive; seed 001: the unit leader makes sure a log is
archived before it is deleted).

Rendering PDFs and writing zips is slow: it happens before the short write
transaction that records the delivery, never inside it."""

import json

from stafettlogg import audit
from stafettlogg.access import log_tokens
from stafettlogg.archive import documents, outbox, package
from stafettlogg.db import write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs.errors import LogError, locked_log
from stafettlogg.logs.states import content_readable_by, problem, unreadable_reason
from stafettlogg.models import ArchiveDelivery, ArchiveStatus, Log, LogStatus, Unit, User

REFERENCE_MAX = 100
WAIVER_MAX = 500


def deliveries(log: Log | int) -> list[ArchiveDelivery]:
    log_id = getattr(log, "id", log)
    return list(
        ArchiveDelivery.select(ArchiveDelivery, User)
        .join(User)
        .where(ArchiveDelivery.log_id == log_id)
        .order_by(ArchiveDelivery.id)
    )


def delivered_keys(log: Log | int, statuses=ArchiveStatus.CLAIMED_KEYS) -> set[str]:
    """The documents the archive has or will get (a package waiting in the outbox counts:
    they are not offered again); a failed package's documents are offered again."""
    keys = set()
    for d in deliveries(log):
        if d.status in statuses:
            keys |= {doc["key"] for doc in json.loads(d.documents)}
    return keys


def pending(log: Log) -> list[documents.Planned]:
    """The documents the archive does not have yet (by key), not rendered."""
    known = delivered_keys(log)
    return [p for p in documents.planned(log) if p.key not in known]


def is_archived(log: Log) -> bool:
    """The whole log as it now stands (closed) has been delivered to the archive (one
    still waiting in the outbox is not). A log in use never is: the whole log sent while
    it was in use is a copy of that day, and it is sent again once it is closed."""
    if log.status not in LogStatus.ENDED:
        return False
    return documents.whole_log_key(log) in delivered_keys(log, (ArchiveStatus.DELIVERED,))


def _archive_problem(by: User, log: Log) -> LogError | None:
    """Why this person may not archive the log now, nor print its archive copy (None:
    they may). The package and the print are the log's content, so only as the consent
    lets them read it (states.content_readable_by: never a draft, nor a log sealed since
    it was taken over); then who may, from which state, is the state table's "archive",
    with its code ("forbidden" for a role that may not, from this state or at all)."""
    if not content_readable_by(by, log):
        message = unreadable_reason(by, log) or _("Innholdet vises når det nye samtykket er lastet opp.")
        return LogError(str(message), code="state")
    return problem(by, log, "archive", roles=log_tokens(by, log))


def archive_refusal(by: User, log: Log) -> str | None:
    error = _archive_problem(by, log)
    return None if error is None else str(error)


def may_archive(by: User, log: Log) -> bool:
    return archive_refusal(by, log) is None


def ensure_may_archive(by: User, log: Log) -> None:
    """Raise LogError with archive_refusal's reason (asked again after rendering, under
    the log's lock: it may have been handed over or reopened meanwhile)."""
    if (error := _archive_problem(by, log)) is not None:
        raise error


def prepare(by: User | None, log: Log) -> package.Package:
    """Render what the archive does not have yet and pack it. No transaction."""
    if by is not None:
        ensure_may_archive(by, log)
    elif log.status == LogStatus.DRAFT:  # the command line archives as no one
        raise LogError(_("Stafettloggen har ikke noe å arkivere ennå."), code="state")
    new = [p.render() for p in pending(log)]
    if not new:
        raise LogError(_("Alt i stafettloggen er allerede sendt til arkivet."), code="nothing")
    return package.build(log, new)


def record_delivery(
    by: User | None, log: Log, pkg: package.Package, via: str, *, queued: bool = False
) -> ArchiveDelivery:
    """A short write transaction: the delivery and its audit event. A package whose
    documents someone delivered meanwhile (a double click, two people at once) is
    refused, so the archive never gets the same record twice from two clicks. `queued`:
    the package waits in the outbox for archive/outbox.py (written after commit); a
    failed package it replaces is dropped."""
    with write_transaction():
        log = locked_log(log)  # a log deleted while its package rendered is refused: no row, no bytes
        if by is not None:
            ensure_may_archive(by, log)  # handed over or reopened while it rendered
        if {d["key"] for d in pkg.documents} & delivered_keys(log):
            raise LogError(
                _("Dette ble nettopp sendt til arkivet. Last siden på nytt for å se hva som er sendt."), code="nothing"
            )
        delivery = ArchiveDelivery.create(
            log_id=log.id,
            delivered_by=by if by is not None else log.holder_id,
            transport=via,
            package_name=pkg.name,
            package_sha256=pkg.sha256,
            documents=json.dumps(pkg.documents),
            status=ArchiveStatus.QUEUED if queued else ArchiveStatus.DELIVERED,
            package=pkg.data if queued else None,
        )
        if queued:
            cancel_undelivered(log, (ArchiveStatus.FAILED,))
        audit.record("log_archived", log=log, obj=delivery, user=by)
    return delivery


def cancel_undelivered(log: Log, statuses=(ArchiveStatus.QUEUED, ArchiveStatus.SENDING, ArchiveStatus.FAILED)) -> None:
    """Drop packages that wait in the outbox (or were given up on), in the caller's
    transaction: replaced by a newer package, or their log deleted (no byte of a
    deleted log stays behind). One being written just now finishes, but its claim is
    taken away, so the sender's outcome is not recorded: a failure never queues the
    deleted log's package again."""
    ArchiveDelivery.update(status=ArchiveStatus.CANCELLED, package=None, next_attempt_at=None, claimed_by="").where(
        ArchiveDelivery.log_id == log.id, ArchiveDelivery.status.in_(statuses)
    ).execute()


def archive(by: User | None, log: Log, via: str) -> tuple[package.Package, ArchiveDelivery]:
    """Build the package (no transaction), then record it. With `download` the caller
    sends the bytes in the response; with `folder` the package waits in the outbox and
    is written into the archive's folder after commit (archive/outbox.py), so neither
    the transaction nor the person waits for the archive."""
    pkg = prepare(by, log)
    if via != "folder":
        return pkg, record_delivery(by, log, pkg, via)
    delivery = record_delivery(by, log, pkg, via, queued=True)
    outbox.OUTBOX.deliver_after_request(delivery.id)
    return pkg, delivery


# what the app itself wrote into a folder; every other transport handed the zip to a person
FOLDER_TRANSPORTS = ("folder", "cli")


def fetchable_again(delivery: ArchiveDelivery) -> bool:
    """A package handed to a person as a download may never have reached the archive (the
    download broke, the file was lost before it was filed). It counts as delivered, so its
    documents are not offered again: the person may fetch the same documents again."""
    return delivery.status == ArchiveStatus.DELIVERED and delivery.transport not in FOLDER_TRANSPORTS


def fetch_again(by: User, log: Log, delivery_id: int) -> package.Package:
    """The documents of an earlier download of this log, rendered again as the log now
    holds them (each key names one version of a document: the whole log as closed, one
    minutes' correction, one consent) and packed with the same keys, so the archive
    recognises what it already has. Rendering takes no transaction; the read is audited
    after it (the zip holds the log's content), and no delivery is recorded: the
    documents were delivered once. A delivery of another log is not found."""
    delivery = ArchiveDelivery.get_or_none((ArchiveDelivery.id == delivery_id) & (ArchiveDelivery.log_id == log.id))
    if delivery is None:
        raise LogError(_("Fant ikke denne arkivpakken."), code="missing")
    ensure_may_archive(by, log)
    if not fetchable_again(delivery):
        raise LogError(_("Denne arkivpakken ble lagt i arkivets importmappe og kan ikke lastes ned."), code="state")
    keys = {doc["key"] for doc in json.loads(delivery.documents)}
    docs = [p.render() for p in documents.planned(log) if p.key in keys]
    if not docs:
        raise LogError(_("Dokumentene i denne arkivpakken finnes ikke lenger i stafettloggen."), code="nothing")
    pkg = package.build(log, docs)
    with write_transaction():
        log = locked_log(log)  # a log deleted while its package rendered is refused: no row, no bytes
        ensure_may_archive(by, log)  # handed over or reopened while it rendered
        audit.record("archive_fetched_again", log=log, obj=delivery, user=by)
    return pkg


def set_reference(by: User, log: Log, reference: str) -> Log:
    """The archive's case number (saksnummer), typed in after the archive has filed it."""
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise LogError(_("Saksnummeret kan ha høyst %(n)s tegn.", n=REFERENCE_MAX), "reference")
    with write_transaction():
        log = locked_log(log)  # a log deleted meanwhile is refused
        ensure_may_archive(by, log)
        Log.update(archive_reference=reference).where(Log.id == log.id).execute()
        audit.record("archive_reference_set", log=log, obj=log, user=by)
    return Log.get_by_id(log.id)


def not_archived(log: Log) -> bool:
    """The archive gate on deleting a log is one blocker in logs/states.py ("not_archived"):
    it applies unless the deletion carries a reason why the log is not archived."""
    return not is_archived(log)


def waiver_problem(waiver: str) -> str | None:
    """The reason for deleting without archiving is kept on the tombstone: not too long."""
    if len((waiver or "").strip()) > WAIVER_MAX:
        return _("Begrunnelsen kan ha høyst %(n)s tegn.", n=WAIVER_MAX)
    return None


DOCUMENT_LANGUAGES = ("nb", "nn")


def set_document_language(by: User, unit, language: str):
    """The unit leader chooses bokmål or nynorsk for the unit's archive documents."""
    if language not in DOCUMENT_LANGUAGES:
        raise LogError(_("Velg bokmål eller nynorsk."), "document_language")
    if not (by.role == "unit_leader" and by.unit_id == unit.id):
        raise LogError(_("Bare enhetslederen kan velge målform for enhetens arkivdokumenter."), code="forbidden")
    with write_transaction():
        Unit.update(document_language=language).where(Unit.id == unit.id).execute()
        audit.record("unit_document_language_set", obj=unit, user=by)
    return Unit.get_by_id(unit.id)
