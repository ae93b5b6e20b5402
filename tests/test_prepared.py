"""Prepared reads (db.Prepared): the reads every request makes — the user, the URL's log
with the caller's place on it, the log with its child, unit and holder — are built into
SQL once per process and engine and run with the caller's ids: the same rows as the
query built afresh, and no SQL built for them again."""

import datetime as dt

import peewee
import pytest

from stafettlogg import access, auth
from stafettlogg.db import Prepared, db
from stafettlogg.logs import queries
from stafettlogg.models import Log, Unit
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


@pytest.fixture
def log(db_conn):
    return a_log()


def test_a_prepared_read_gives_what_the_query_built_afresh_gives(app, log):
    fresh = access.log_with_people().where(Log.id == log.id).get()
    kept = queries.load_log(log.id)
    assert kept.__data__ == fresh.__data__
    for related in ("subject", "unit", "holder"):
        assert getattr(kept, related).__data__ == getattr(fresh, related).__data__
    other = a_log(guardian=None)
    assert queries.load_log(other.id).subject.name == other.subject.name  # the next id, not the first one's
    with pytest.raises(Log.DoesNotExist):
        queries.load_log(2**62)


def test_the_caller_s_place_on_the_log_comes_with_it(app, log):
    holder, participant, guardian = user("stafettholder"), user("aktor"), user("foresatt")
    outsider = user("kontaktlaerer")
    assert access._log_for_staff.first(log.id, participant.id)._caller_listed
    assert not access._log_for_staff.first(log.id, outsider.id)._caller_listed
    assert access._log_for_guardian.first(log.id, guardian.id)._caller_listed
    assert not access._log_for_guardian.first(log.id, holder.id)._caller_listed
    assert access._log_for_staff.first(log.id, participant.id).unit.name == log.unit.name
    assert access._log_for_staff.first(2**62, participant.id) is None


def test_a_page_shows_the_log_the_access_check_read_until_a_write(app, auth, log, monkeypatch):
    """The access check reads the request's log with its child, unit and holder; the page
    (load_log) takes that one, not a second read, unless a write transaction came since:
    then it reads the log as it is now."""
    from flask import g

    from stafettlogg.db import write_transaction

    client = auth.persona("holder")
    reads = []
    real = queries._listed_log.first
    monkeypatch.setattr(queries._listed_log, "first", lambda *a, **k: reads.append(a) or real(*a, **k))
    html = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert reads == [] and log.subject.name in html and log.holder.name in html
    with app.test_request_context(f"/logger/{log.id}"):
        from flask_login import login_user

        login_user(log.holder)
        g.log = access._log_of_request(log.holder, log.id)
        assert queries.load_log(log.id) is g.log
        with write_transaction():
            Log.update(class_group="7B").where(Log.id == log.id).execute()
        again = queries.load_log(log.id)
        assert again is not g.log and again.class_group == "7B" and reads == [(log.id,)]


def test_no_sql_is_built_again_for_a_prepared_read(app, log, monkeypatch):
    queries.load_log(log.id)
    auth._user_with_unit.first(log.holder_id)
    built = []
    real = peewee.Context.sql
    monkeypatch.setattr(peewee.Context, "sql", lambda self, obj: built.append(obj) or real(self, obj))
    queries.load_log(log.id)
    auth._user_with_unit.first(log.holder_id)
    assert built == []


def test_every_id_must_be_a_parameter_and_a_whole_number(app, log):
    unused = Prepared(lambda log_id, user_id: Log.select().where(Log.id == log_id).limit(1))
    with pytest.raises(ValueError):
        unused.first(log.id, 1)
    with pytest.raises(TypeError):
        queries._listed_log.first(str(log.id))
    with pytest.raises(TypeError):
        queries._listed_log.first(True)


def test_an_engine_gets_its_own_sql(app, log):
    """The SQL is kept per database engine (SQLite and PostgreSQL quote and mark
    parameters differently): a read kept for another engine is not used."""
    read = Prepared(lambda unit_id: Unit.select().where(Unit.id == unit_id).limit(1))
    assert read.first(log.unit_id).id == log.unit_id
    assert list(read.compiled) == [(type(db.obj), 1)]


def test_a_read_keeps_a_bounded_number_of_shapes(app, log, monkeypatch):
    """A shape with a date (the start page's to-dos) makes a new query each day: a
    long-running process keeps at most MAX_SHAPES of them per read, and still answers."""
    import datetime as dt

    monkeypatch.setattr(Prepared, "MAX_SHAPES", 3)
    read = Prepared(lambda unit_id, *, day: Unit.select().where(Unit.id == unit_id, Unit.created_at > day).limit(1))
    for days in range(10):
        assert read.first(log.unit_id, day=dt.datetime(2000, 1, 1) + dt.timedelta(days=days)).id == log.unit_id
        assert len(read.compiled) <= 3


@pytest.mark.parametrize("session_id", ["9" * 30 + ":token", "x:token", "5:", ""])
def test_a_made_up_session_is_no_user(app, session_id):
    assert auth.load_user(session_id) is None


def test_a_huge_log_id_is_not_found(auth, log):
    response = auth.persona("holder").get("/logger/" + "9" * 30)
    assert response.status_code == 404


def test_staff_and_guardians_still_reach_only_their_logs(auth, log):
    assert auth.persona("participant").get(f"/logger/{log.id}").status_code == 200
    assert auth.persona("other_unit_staff").get(f"/logger/{log.id}").status_code in (403, 404)
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 200


def test_the_log_page_builds_no_sql_for_its_sections_on_a_second_view(auth, log, monkeypatch):
    """The sections' first windows, the sections listed whole and the current measures are
    prepared reads: on a second view of the page peewee builds SQL only for the other reads."""
    from stafettlogg.models import ChildTalk, ChildTalkAgreement, Concern, Entry, Goal, Highlight, Measure, Meeting

    client = auth.persona("holder")
    assert client.get(f"/logger/{log.id}").status_code == 200
    built = []
    real = peewee.Database.execute
    monkeypatch.setattr(
        peewee.Database, "execute", lambda self, query, **k: built.append(query) or real(self, query, **k)
    )
    assert client.get(f"/logger/{log.id}").status_code == 200
    sections = {Entry, Meeting, Highlight, ChildTalk, Concern, Goal, ChildTalkAgreement, Measure}
    assert not {getattr(query, "model", None) for query in built} & sections
    assert built, "the other reads are still built (the spy sees them)"


def test_the_start_page_builds_no_sql_for_its_lists_on_a_second_view(auth, log, monkeypatch):
    """My logs' first window and their count, the measures to evaluate, the talks due, the
    drafts, the consents running out, the handovers and requests to answer and the
    guardians to tell are prepared reads: a second view builds SQL for none of them."""
    from stafettlogg.models import ChildTalkAgreement, Consent, Handover, LogRequest, Measure

    client = auth.persona("holder")
    assert client.get("/").status_code == 200
    built = []
    real = peewee.Database.execute
    monkeypatch.setattr(
        peewee.Database, "execute", lambda self, query, **k: built.append(query) or real(self, query, **k)
    )
    assert client.get("/").status_code == 200
    lists = {Measure, ChildTalkAgreement, Handover, LogRequest}
    assert not {getattr(query, "model", None) for query in built} & lists
    # the consents read are the window's cards' (their consent state), not those running out
    assert all('"expires_on" <=' not in str(q) for q in built if getattr(q, "model", None) is Consent)
    # of the log reads, only those about the window's cards remain (their consent state)
    assert [q for q in built if getattr(q, "model", None) is Log and "holder" in str(q)] == []


def test_the_unread_count_in_the_menu_counts_only_my_unread_notices(auth, log):
    """The menu's badge is a prepared read of the person's unread notices."""
    import re

    from stafettlogg.models import Notification
    from stafettlogg.notify import msg, notify

    def badge(client):
        found = re.search(r'id="unread-count">(\d+)', client.get("/").get_data(as_text=True))
        return int(found.group(1)) if found else 0

    Notification.update(read_at=dt.datetime.now()).execute()
    assert badge(auth.persona("holder")) == 0
    for _n in range(2):
        notify(user("stafettholder"), "test", msg("Ny oppgave"))
    notify(user("aktor"), "test", msg("Ny oppgave"))
    assert badge(auth.persona("holder")) == 2
    Notification.update(read_at=dt.datetime.now()).where(Notification.user == user("stafettholder")).execute()
    assert badge(auth.persona("holder")) == 0
    assert badge(auth.persona("participant")) == 1  # one client: each persona signs in on it


def test_a_long_list_of_ids_is_read_in_parts(app, log):
    """A read of a list of ids takes at most Prepared.MAX_IDS at a time; rows_in_parts reads
    any number (a PAGE_SIZE set high by the municipality) with the same rows."""
    from stafettlogg.logs import states

    units = [u.id for u in Unit.select(Unit.id)]
    ids = sorted({*units, *range(10_000, 10_000 + 2 * Prepared.MAX_IDS)})
    with pytest.raises(ValueError):
        list(states._units.rows(*ids))
    assert sorted(u.id for u in states._units.rows_in_parts(ids)) == sorted(units)
    assert list(states._units.rows_in_parts([])) == []


def _reads(n, log_id, at=dt.datetime(2026, 3, 1, 8, 30)):
    return [(at, 7, "ola", "holder", "view:test", log_id, "", None, f"10.0.0.{i}", "Lærer", None) for i in range(n)]


def test_a_prepared_insert_writes_what_peewee_would_and_builds_its_sql_once(app, log, monkeypatch):
    """The start page's reads are written by one INSERT whose SQL is built once per
    number of rows: the rows stored are the rows given, whole, and a second insert of as
    many rows builds no SQL."""
    from stafettlogg.audit import _READS
    from stafettlogg.models import AuditEvent

    _READS.compiled.clear()
    _READS.execute(_reads(3, log.id))
    built = []
    real = peewee.Context.sql
    monkeypatch.setattr(peewee.Context, "sql", lambda self, obj: built.append(obj) or real(self, obj))
    _READS.execute(_reads(3, log.id, at=dt.datetime(2026, 3, 2, 9, 0)))
    assert built == []
    stored = list(
        AuditEvent.select().where(AuditEvent.action == "view:test").order_by(AuditEvent.at, AuditEvent.ip).tuples()
    )
    assert [row[1:] for row in stored] == [
        (dt.datetime(2026, 3, d, h, m), 7, "ola", "holder", "view:test", log.id, "", None, f"10.0.0.{i}", "Lærer", None)
        for d, h, m in ((1, 8, 30), (2, 9, 0))
        for i in range(3)
    ]


def test_a_long_prepared_insert_goes_in_parts_and_keeps_few_shapes(app, log, monkeypatch):
    from stafettlogg.audit import _READS
    from stafettlogg.db import PreparedInsert
    from stafettlogg.models import AuditEvent

    monkeypatch.setattr(PreparedInsert, "MAX_ROWS", 4)
    monkeypatch.setattr(PreparedInsert, "MAX_SHAPES", 2)
    _READS.compiled.clear()
    for n in (10, 3, 1, 5):
        _READS.execute(_reads(n, log.id))
        assert len(_READS.compiled) <= 2
    assert AuditEvent.select().where(AuditEvent.action == "view:test").count() == 19


def test_a_prepared_insert_refuses_rows_that_are_not_its_columns(app, log):
    from stafettlogg.audit import _READS

    with pytest.raises(ValueError):
        _READS.execute([(dt.datetime(2026, 1, 1), 7, "ola")])
