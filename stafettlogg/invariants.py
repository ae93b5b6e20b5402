"""Invariants the data must always satisfy, checked by `flask check-invariants`. Each
problem is a message key (messages.msg), said in the operator's language."""

from peewee import JOIN, fn

from stafettlogg.messages import Message, msg
from stafettlogg.models import Answer, Evaluation, Handover, Log, LogStatus, Measure, Role, User


def check_invariants() -> list[Message]:
    """seed 002: a log always has one holder, and a draft or active log's holder is an
    active staff member ("held i stafettpinnen til han er motteken")."""
    problems = []
    rows = (
        Log.select(Log.id, Log.holder, User.active.alias("holder_active"), User.role.alias("holder_role"))
        .join(User, on=(Log.holder == User.id))
        .where(Log.status.in_(LogStatus.OPEN))
        .dicts()
    )
    for row in rows:
        if not row["holder_active"]:
            problems.append(
                msg(
                    "logg %(log)s: stafettholderen (bruker %(holder)s) er deaktivert",
                    log=row["id"],
                    holder=row["holder"],
                )
            )
        elif row["holder_role"] not in Role.STAFF_LIKE:
            problems.append(
                msg(
                    "logg %(log)s: stafettholderen (bruker %(holder)s) er ikke ansatt",
                    log=row["id"],
                    holder=row["holder"],
                )
            )
    problems.extend(_handover_problems())
    problems.extend(_measure_problems())
    return problems


def _measure_problems() -> list[Message]:
    """A measure keeps its latest evaluation's date (``last_evaluated_on``, written with
    the evaluation): the rule for due and overdue measures reads it, not the evaluations."""
    latest = (
        Evaluation.select(Evaluation.measure, fn.MAX(Evaluation.evaluated_on).alias("latest"))
        .group_by(Evaluation.measure)
        .alias("latest")
    )
    kept = Measure.last_evaluated_on
    wrong = (
        Measure.select(Measure.id, Measure.log)
        .join(latest, JOIN.LEFT_OUTER, on=(latest.c.measure_id == Measure.id))
        .where(
            (kept.is_null() & latest.c.latest.is_null(False))
            | (kept.is_null(False) & (latest.c.latest.is_null() | (latest.c.latest != kept)))
        )
        .order_by(Measure.id)
        .dicts()
    )
    return [
        msg(
            "logg %(log)s: tiltak %(measure)s har ikke datoen for den siste evalueringen sin",
            log=row["log"],
            measure=row["id"],
        )
        for row in wrong
    ]


def _handover_problems() -> list[Message]:
    """Issue 5: at most one pending handover per log, never one to a deactivated person,
    and every holder change is in the history."""
    problems = []
    doubled = (
        Handover.select(Handover.log, fn.COUNT(Handover.id).alias("n"))
        .where(Handover.status == Answer.PENDING)
        .group_by(Handover.log)
        .having(fn.COUNT(Handover.id) > 1)
        .dicts()
    )
    for row in doubled:
        problems.append(
            msg(
                "logg %(log)s: %(n)s ventende forslag om ny stafettholder (høyst ett er tillatt)",
                log=row["log"],
                n=row["n"],
            )
        )
    to_inactive = (
        Handover.select(Handover.id, Handover.log, Handover.to_user)
        .join(User, on=(Handover.to_user == User.id))
        .where(Handover.status == Answer.PENDING, ~User.active)
        .dicts()
    )
    for row in to_inactive:
        problems.append(
            msg(
                "logg %(log)s: ventende forslag %(handover)s til deaktivert bruker %(user)s",
                log=row["log"],
                handover=row["id"],
                user=row["to_user"],
            )
        )
    latest = {}
    accepted = (
        Handover.select(Handover.log, Handover.to_user, Log.holder)
        .join(Log)
        .where(Handover.status == Answer.ACCEPTED, Log.status.in_(LogStatus.OPEN))
        .order_by(Handover.decided_at, Handover.id)
        .dicts()
    )
    for row in accepted:
        latest[row["log"]] = row
    for log_id, row in sorted(latest.items()):
        if row["to_user"] != row["holder"]:
            problems.append(
                msg(
                    "logg %(log)s: stafettholderen (bruker %(holder)s) er ikke den som sist godtok et forslag (bruker %(user)s)",
                    log=log_id,
                    holder=row["holder"],
                    user=row["to_user"],
                )
            )
    return problems
