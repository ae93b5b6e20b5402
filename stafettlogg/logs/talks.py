"""Talks with the child between meetings (seed 002: "Sikrar at ein vaksen snakkar med
barnet/ungdomen mellom møta og fangar opp korleis det går"): when the next talk of each
agreement is due. The one rule: the next talk is due `every_days` after the latest talk
under the agreement (or, before any, after the agreement's start); a talk noted without
an agreement counts for every agreement of the log."""

import dataclasses
import datetime as dt

from peewee import JOIN, fn

from stafettlogg.dates import local_today
from stafettlogg.db import once_per_request, prepared
from stafettlogg.logs import states
from stafettlogg.models import ChildTalk, ChildTalkAgreement, Log, LogStatus, Participant, Subject, User

DUE_WITHIN_DAYS = 7


@dataclasses.dataclass(frozen=True)
class TalkDue:
    agreement: ChildTalkAgreement
    last_talk: dt.date | None
    due_on: dt.date

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def latest_talks(agreements: list[ChildTalkAgreement]) -> dict[int, dt.date | None]:
    """The one rule of which talks count for an agreement: talks of its log under it or
    under no agreement, on or after its start. The latest one's date per agreement, counted
    by the database in one query (a log's talks grow with its age: they are not read)."""
    if not agreements:
        return {}
    talk = ChildTalk.alias("counted")
    counts = (talk.log == ChildTalkAgreement.log) & (talk.talked_on >= ChildTalkAgreement.start_date)
    counts &= talk.agreement.is_null() | (talk.agreement == ChildTalkAgreement.id)
    rows = (
        ChildTalkAgreement.select(ChildTalkAgreement.id, fn.MAX(talk.talked_on))
        .join(talk, JOIN.LEFT_OUTER, on=counts)
        .where(ChildTalkAgreement.id.in_([a.id for a in agreements]))
        .group_by(ChildTalkAgreement.id)
        .tuples()
    )
    return {agreement_id: _date(last) for agreement_id, last in rows}


def _date(value) -> dt.date | None:
    """MAX of a date column: a date on PostgreSQL, its text on SQLite."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def next_due(agreement: ChildTalkAgreement, last: dt.date | None) -> TalkDue:
    """The next talk is due every_days after the latest talk that counts (latest_talks), or after the start."""
    return TalkDue(agreement, last, (last or agreement.start_date) + dt.timedelta(days=agreement.every_days))


def schedule_of(agreements: list[ChildTalkAgreement]) -> list[TalkDue]:
    """Every agreement with its next talk, soonest first: one query, whatever the number of talks."""
    latest = latest_talks(agreements)
    return sorted((next_due(a, latest.get(a.id)) for a in agreements), key=lambda d: d.due_on)


@once_per_request
def schedule(log: Log) -> list[TalkDue]:
    """Every ongoing agreement of the log with its next talk, soonest first. The agreements
    come from the read the log page makes anyway (once per request)."""
    from stafettlogg.logs import queries  # cycle: queries reads the schedule for its summary

    return schedule_of([a for a in queries.section_items(log, "talk_agreements") if a.status == "ongoing"])


def talks_due(user: User, within_days: int = DUE_WITHIN_DAYS, today: dt.date | None = None) -> list[TalkDue]:
    """Talks due within the days, or overdue, in the active logs I hold or where I am the
    named adult, and whose consent lets us work in them now (states.closed_to, as the
    measures due): a few queries, whatever the number of logs."""
    today = today or local_today()
    agreements = my_ongoing_agreements(user)
    waiting = states.closed_to(user, list({a.log_id: a.log for a in agreements}.values()), today)
    agreements = [a for a in agreements if a.log_id not in waiting]
    limit = today + dt.timedelta(days=within_days)
    return [d for d in schedule_of(agreements) if d.due_on <= limit]


@once_per_request
def my_ongoing_agreements(user: User) -> list[ChildTalkAgreement]:
    return list(_my_ongoing_agreements.rows(user.id))


@prepared
def _my_ongoing_agreements(user_id: int):
    """The ongoing talk agreements of the active logs I hold or where I am the named adult
    (and still take part): a prepared read, the start page asks on every view."""
    mine = Participant.select(Participant.log).where(Participant.user == user_id)
    return (
        ChildTalkAgreement.select(ChildTalkAgreement, Log, Subject)
        .join(Log)
        .join(Subject)
        .where(
            ChildTalkAgreement.status == "ongoing",
            Log.status == LogStatus.ACTIVE,
            (Log.holder == user_id) | ((ChildTalkAgreement.adult_user == user_id) & Log.id.in_(mine)),
        )
        .order_by(ChildTalkAgreement.id)
    )
