"""No log content in application logs (SECURITY.md "Audit"): a database error's text names
the values it was about (a child's fødselsnummer in PostgreSQL's DETAIL), so the traceback
of a failed request is logged without it; and two people creating a log for the same child
at once get the earlier-log answer, not a database error."""

import datetime as dt
import logging
import sqlite3
import threading

import pytest
from peewee import IntegrityError

from stafettlogg import errorlog
from stafettlogg.db import db
from stafettlogg.logs import domain
from stafettlogg.models import Log, Subject
from tests.conftest import ON_POSTGRES, create, user, with_control_digits

pytestmark = pytest.mark.db

NUMBER = with_control_digits("140316551")


def test_a_failed_requests_log_names_no_value_from_a_database_error(app, db_conn, caplog, monkeypatch):
    detail = f'duplicate key value violates unique constraint "subject_national_id"\nDETAIL:  Key (national_id)=({NUMBER}) already exists.'

    def fails():
        try:
            raise sqlite3.IntegrityError(detail)
        except sqlite3.IntegrityError as e:
            raise IntegrityError(detail) from e

    monkeypatch.setitem(app.view_functions, "main.healthz", fails)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        r = app.test_client().get("/healthz")
    assert r.status_code == 500 and NUMBER not in r.get_data(as_text=True)
    logged = caplog.text
    assert "peewee.IntegrityError" in logged and "withheld" in logged
    assert "Traceback" in logged and "fails" in logged  # where it happened is still there
    assert NUMBER not in logged and "DETAIL" not in logged


def test_other_errors_are_logged_as_they_are(app, caplog, monkeypatch):
    def fails():
        raise RuntimeError("a bug with its own message")

    monkeypatch.setitem(app.view_functions, "main.healthz", fails)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR):
        assert app.test_client().get("/healthz").status_code == 500
    assert "RuntimeError: a bug with its own message" in caplog.text


def test_a_postgresql_error_keeps_its_sqlstate_and_constraint_only():
    psycopg = pytest.importorskip("psycopg")

    class Diag:
        constraint_name = "subject_national_id"

    class UniqueViolation(psycopg.errors.UniqueViolation):
        diag = Diag()
        sqlstate = "23505"

    try:
        try:
            raise UniqueViolation(f"Key (national_id)=({NUMBER}) already exists.")
        except psycopg.Error as e:
            raise IntegrityError(str(e)) from e
    except IntegrityError as e:
        kind, withheld, tb = errorlog.without_data((type(e), e, e.__traceback__))
    text = str(withheld)
    assert "SQLSTATE 23505" in text and "constraint subject_national_id" in text and NUMBER not in text
    assert withheld.__cause__ is None and tb is not None


def _create(holder_name: str):
    holder = user(holder_name)
    return domain.create_log(
        holder,
        kind="barn",
        name="Åse Testesen",
        birth_date=dt.date(2016, 3, 14),
        national_id=NUMBER,
        unit=holder.unit,
        class_group="4B",
        level=1,
        concern_title="Mye alene",
        concern_body="",
        guardians=[],
    )


def test_two_holders_creating_a_log_for_one_child_at_once_get_one_log_and_the_earlier_log_answer(app, monkeypatch):
    """Both looked up the number before either created (the create form's lookup): on
    PostgreSQL both transactions reach the insert together (a barrier); on SQLite the
    write transactions take turns. One log is made; the other is told of it."""
    barrier = threading.Barrier(2) if ON_POSTGRES else None
    subject = domain._subject

    def at_once(*args, **kwargs):
        if barrier is not None:
            barrier.wait(10)  # both are inside their transaction, neither has inserted
        return subject(*args, **kwargs)

    monkeypatch.setattr(domain, "_subject", at_once)
    made, refused, other = [], [], []

    def create(holder_name):
        try:
            with app.test_request_context(), db.connection_context():
                made.append(_create(holder_name).id)
        except domain.EarlierLog as e:
            refused.append(str(e))
        except Exception as e:  # a database error is what this test is about
            other.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=create, args=(name,)) for name in ("stafettholder", "kontaktlaerer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert other == [] and len(made) == 1 and len(refused) == 1, (made, refused, other)
    with db.connection_context():
        assert Subject.select().where(Subject.national_id == NUMBER).count() == 1
        assert Log.select().join(Subject).where(Subject.national_id == NUMBER).count() == 1


def test_the_form_sent_after_someone_else_made_the_log_shows_the_earlier_log(auth, db_conn, monkeypatch):
    """The lookup before creating found nothing, then someone made the log: the person is
    answered as if the lookup had found it (409, no second log)."""
    looked = domain.find_existing_log
    calls = []

    def first_finds_nothing(number):
        calls.append(number)
        if len(calls) == 1:
            with db.connection_context():
                _create("kontaktlaerer")
            return None
        return looked(number)

    monkeypatch.setattr(domain, "find_existing_log", first_finds_nothing)
    r = create(auth.persona("holder"), national_id=NUMBER, birth_date="2016-03-14")
    assert r.status_code == 409
    assert Log.select().join(Subject).where(Subject.national_id == NUMBER).count() == 1
