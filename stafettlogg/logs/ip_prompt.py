"""The prompt that the family may have the right to an individual plan (seed 002:
"Innbyggjarar som har rett på individuell plan (IP) … ein avsluttar stafettloggen";
seed 003 on when IP is offered). Advice, never a block: nothing here stops any action.

The one rule: the log is open and either its measures have involved at least
`SERVICES_FOR_IP` different services (units of the people responsible) over the log's
life, or the decision guide answered from inside the log last recommended IP with a
koordinator or a barnekoordinator."""

import dataclasses
import json

from peewee import fn

from stafettlogg import audit
from stafettlogg.db import prepared
from stafettlogg.guide.domain import walk
from stafettlogg.logs import states
from stafettlogg.logs.domain import LogError, ensure_writable, writing_to
from stafettlogg.models import GuideAnswer, Log, Measure, User

SERVICES_FOR_IP = 3
IP_RESULTS = ("ip_koordinator", "barnekoordinator")


@dataclasses.dataclass(frozen=True)
class IpPrompt:
    services: int  # different services in the log's measures, over time
    guide_result: str | None  # the guide's latest result for this log, if it recommends IP
    answered_at: object = None

    @property
    def from_guide(self) -> bool:
        return self.guide_result is not None


def services_in_measures(log: Log):
    """Different services among the people responsible for the log's measures, ended
    measures included (over time): a scalar subquery."""
    return (
        Measure.select(fn.COUNT(User.unit.distinct()))
        .join(User, on=(Measure.responsible_user == User.id))
        .where(Measure.log == log, User.unit.is_null(False))
    )


def _latest_answer(log: Log, column):
    return GuideAnswer.select(column).where(GuideAnswer.log == log).order_by(GuideAnswer.id.desc()).limit(1)


def ip_prompt(log: Log) -> IpPrompt | None:
    """The prompt to show on the log now, or None. One query: the services counted and the
    guide's latest answer for the log, as scalar subqueries."""
    if log.status not in states.OPEN:
        return None
    services, result, answered_at = _prompt_read.first(log.id)
    guide_result = result if result in IP_RESULTS else None
    if guide_result is None and services < SERVICES_FOR_IP:
        return None
    return IpPrompt(services, guide_result, GuideAnswer.answered_at.python_value(answered_at) if guide_result else None)


def record_guide_answer(by: User, log: Log, answers: dict) -> GuideAnswer:
    """The holder answers the decision guide for this log; the answers are walked again
    here, so only a path that reaches a result is stored."""
    ensure_writable(log)
    step = walk(answers)
    if step.result_id is None:
        raise LogError("incomplete", code="incomplete")
    kept = {qid: answer for qid, _question, answer in step.answered}
    with writing_to(log):
        answer = GuideAnswer.create(
            log=log, result_id=step.result_id, answers=json.dumps(kept, sort_keys=True), answered_by=by
        )
        audit.record("guide_answered", log=log, obj=answer, user=by)
    return answer


@prepared
def _prompt_read(log_id: int):
    """What ip_prompt asks, in one row: a prepared read (the log page asks on every view)."""
    return (
        Log.select(
            services_in_measures(log_id).alias("services"),
            _latest_answer(log_id, GuideAnswer.result_id).alias("result"),
            _latest_answer(log_id, GuideAnswer.answered_at).alias("answered_at"),
        )
        .where(Log.id == log_id)
        .limit(1)
        .tuples()
    )
