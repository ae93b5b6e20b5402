"""Talks with the child between meetings (seed 002: "Sikrar at ein vaksen snakkar med
barnet/ungdomen mellom møta og fangar opp korleis det går"): when the next talk of each
agreement is due. The one rule: the next talk is due `every_days` after the latest talk
under the agreement (or, before any, after the agreement's start); a talk noted without
an agreement counts for every agreement of the log."""

import dataclasses
import datetime as dt

from stafettlogg.dates import local_today
from stafettlogg.db import once_per_request
from stafettlogg.models import ChildTalk, ChildTalkAgreement, Log, LogStatus, Participant, Subject, User

DUE_WITHIN_DAYS = 7


@dataclasses.dataclass(frozen=True)
class TalkDue:
    agreement: ChildTalkAgreement
    last_talk: dt.date | None
    due_on: dt.date

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def next_due(agreement: ChildTalkAgreement, talks: list[ChildTalk]) -> TalkDue:
    dates = [
        t.talked_on
        for t in talks
        if t.log_id == agreement.log_id
        and t.agreement_id in (None, agreement.id)
        and t.talked_on >= agreement.start_date
    ]
    last = max(dates, default=None)
    return TalkDue(agreement, last, (last or agreement.start_date) + dt.timedelta(days=agreement.every_days))


@once_per_request
def schedule(log: Log) -> list[TalkDue]:
    """Every ongoing agreement of the log with its next talk, soonest first. From the
    agreements and talks the log page reads for its sections (once per request)."""
    from stafettlogg.logs import queries  # cycle: queries reads the schedule for its summary

    agreements = [a for a in queries.section_items(log, "talk_agreements") if a.status == "ongoing"]
    talks = queries.section_items(log, "talks") if agreements else []
    return sorted((next_due(a, talks) for a in agreements), key=lambda d: d.due_on)


def talks_due(user: User, within_days: int = DUE_WITHIN_DAYS, today: dt.date | None = None) -> list[TalkDue]:
    """Talks due within the days, or overdue, in the active logs I hold or where I am the
    named adult: two queries, whatever the number of logs."""
    today = today or local_today()
    mine = Participant.select(Participant.log).where(Participant.user == user)
    agreements = list(
        ChildTalkAgreement.select(ChildTalkAgreement, Log, Subject)
        .join(Log)
        .join(Subject)
        .where(
            ChildTalkAgreement.status == "ongoing",
            Log.status == LogStatus.ACTIVE,
            (Log.holder == user) | ((ChildTalkAgreement.adult_user == user) & Log.id.in_(mine)),
        )
    )
    if not agreements:
        return []
    talks = list(ChildTalk.select().where(ChildTalk.log.in_({a.log_id for a in agreements})))
    limit = today + dt.timedelta(days=within_days)
    due = [d for d in (next_due(a, talks) for a in agreements) if d.due_on <= limit]
    return sorted(due, key=lambda d: d.due_on)


def family_summary(log: Log) -> dict:
    """What the guardians are told: who talks with the child and how often, how many
    talks there have been and when the last one was. Never what the child said."""
    talks = list(ChildTalk.select(ChildTalk.id, ChildTalk.talked_on).where(ChildTalk.log == log))
    return {
        "agreements": list(
            ChildTalkAgreement.select()
            .where(ChildTalkAgreement.log == log, ChildTalkAgreement.status == "ongoing")
            .order_by(ChildTalkAgreement.id)
        ),
        "count": len(talks),
        "last": max((t.talked_on for t in talks), default=None),
    }
