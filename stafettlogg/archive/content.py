"""Everything the archive copy of a log holds, read once: used by the archive print
page and by the PDF/A documents, so both show the same log."""

from peewee import fn

from stafettlogg.archive import events
from stafettlogg.logs import queries
from stafettlogg.logs.sections import SECTIONS
from stafettlogg.models import AuditEvent, Consent, DeletionRequest, Handover, Log, MinutesCorrection, User


def whole_log(log: Log) -> dict:
    """The sections, consents, holder history, corrections, deletion requests, the
    access summary and the history of changes in words."""
    items = {key: queries.section_items(log, key, whole=True) for key in SECTIONS}
    corrections = {}
    for c in (
        MinutesCorrection.select()
        .where(MinutesCorrection.meeting.in_([m.id for m in items["meetings"]] or [0]))
        .order_by(MinutesCorrection.id)
    ):
        corrections.setdefault(c.meeting_id, []).append(c)
    audit_summary = list(
        AuditEvent.select(
            AuditEvent.role,
            fn.COUNT(AuditEvent.id).alias("n"),
            fn.MIN(AuditEvent.at).alias("first"),
            fn.MAX(AuditEvent.at).alias("last"),
        )
        .where(AuditEvent.log_id == log.id)
        .group_by(AuditEvent.role)
        .order_by(AuditEvent.role)
        .dicts()
    )
    from_user, to_user = User.alias("from_user"), User.alias("to_user")
    handovers = list(
        Handover.select(Handover, from_user, to_user)
        .join(from_user, on=(Handover.from_user == from_user.id))
        .switch(Handover)
        .join(to_user, on=(Handover.to_user == to_user.id))
        .where(Handover.log == log)
        .order_by(Handover.id)
    )
    consents = list(Consent.select(Consent, User).join(User).where(Consent.log == log).order_by(Consent.id))
    return dict(
        items=items,
        sections=SECTIONS,
        corrections=corrections,
        consents=consents,
        handovers=handovers,
        audit_summary=audit_summary,
        history=events.history(log.id),
        handover_status=events.handover_status,
        deletion_requests=list(DeletionRequest.select().where(DeletionRequest.log == log).order_by(DeletionRequest.id)),
        units=queries.units_named_by(consents),
    )
