"""The demo a newcomer meets with `make run` tells one consistent story: no log is
closed before it was opened, no family agreement lacks who agreed, no consent runs out
before it was given, no talk or evaluation is dated before its log existed."""

import pytest

from stafettlogg.models import ChildTalk, Consent, Evaluation, Log, Measure

pytestmark = pytest.mark.db


def _day(value):
    return value.date() if hasattr(value, "date") else value


def test_no_log_is_closed_or_activated_before_it_was_created(db_conn):
    problems = []
    for log in Log.select():
        created = _day(log.created_at)
        if log.activated_at and _day(log.activated_at) < created:
            problems.append(f"log {log.id}: activated {log.activated_at} before created {log.created_at}")
        if log.closed_at and _day(log.closed_at) < created:
            problems.append(f"log {log.id}: closed {log.closed_at} before created {log.created_at}")
        if log.closed_at and log.activated_at and log.closed_at < log.activated_at:
            problems.append(f"log {log.id}: closed {log.closed_at} before activated {log.activated_at}")
    assert problems == []


def test_every_agreement_to_keep_names_who_agreed_and_when(db_conn):
    kept = list(Log.select().where(Log.guardian_agreed_to_keep == True))  # noqa: E712
    assert kept, "the demo shows a log the family agreed to keep"
    for log in kept:
        assert log.keep_agreed_by.strip(), log.id
        assert log.keep_agreed_on is not None, log.id


def test_consents_run_out_after_they_were_given(db_conn):
    for consent in Consent.select():
        if consent.expires_on is not None:
            assert consent.expires_on > consent.consent_date, consent.id


def test_nothing_in_a_log_is_dated_before_the_log_or_in_the_future_when_done(db_conn):
    created = {log.id: _day(log.created_at) for log in Log.select()}
    for measure in Measure.select():
        assert measure.start_date is None or measure.start_date >= created[measure.log_id] - _slack(), measure.id
    for evaluation in Evaluation.select(Evaluation, Measure).join(Measure):
        start = evaluation.measure.start_date
        assert start is None or evaluation.evaluated_on >= start, evaluation.id
    for talk in ChildTalk.select():
        assert talk.talked_on >= created[talk.log_id] - _slack(), talk.id


def _slack():
    """A measure or talk may be noted from the days just before the log was written
    (the meeting that started it); the demo keeps within a month."""
    import datetime as dt

    return dt.timedelta(days=31)
