"""The unit overview's table and its June reconciliation share one read of the overview
per request (db.once_per_request): the logs of the unit are read once, not once per part."""

import peewee
import pytest

from bench.run import counting
from stafettlogg.db import db
from stafettlogg.models import ClassGroupPeriod, CoordinatorRecord, ExternalCoordination, Handover, Log, User
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def test_the_unit_overview_reads_the_units_logs_once(auth, db_conn):
    a_log(name="Oversikt Barnesen", participants=())
    client = auth.persona("unit_leader")
    with counting(db) as counter:
        response = client.get(f"/enheter/{user('enhetsleder').unit_id}/oversikt")
    assert response.status_code == 200 and "Oversikt Barnesen" in response.get_data(as_text=True)
    class_reads = [sql for sql, _params in counter["sql"] if 'FROM "class_group_period"' in sql]
    assert len(class_reads) == 1, class_reads


def _second_view(auth, monkeypatch) -> tuple[set, list[str]]:
    """The overview viewed a second time: the models whose queries it built SQL for, and
    its statements."""
    a_log(name="Oversikt Barnesen", participants=())
    client = auth.persona("unit_leader")
    path = f"/enheter/{user('enhetsleder').unit_id}/oversikt"
    assert client.get(path).status_code == 200
    built = []
    real = peewee.Database.execute
    monkeypatch.setattr(
        peewee.Database, "execute", lambda self, query, **k: built.append(query) or real(self, query, **k)
    )
    with counting(db) as counter:
        response = client.get(path)
    assert response.status_code == 200 and "Oversikt Barnesen" in response.get_data(as_text=True)
    return {getattr(query, "model", None) for query in built}, [sql for sql, _params in counter["sql"]]


def test_the_unit_overview_builds_no_sql_for_the_units_logs_on_a_second_view(auth, db_conn, monkeypatch):
    """The logs, with their handovers and their classes, are one prepared read
    (db.Prepared): a second view builds no SQL for them, and the logs' condition is
    evaluated in one query, not again for the handovers and the classes."""
    built, statements = _second_view(auth, monkeypatch)
    assert not built & {Log, Handover, ClassGroupPeriod}
    [logs] = [sql for sql in statements if 'FROM "class_group_period"' in sql]
    assert 'LEFT OUTER JOIN "handover"' in logs and '"log_id" IN (SELECT' not in logs
    for table in ("handover", "class_group_period"):  # no read of its own
        assert not [sql for sql in statements if f'FROM "{table}" AS "t1"' in sql]


def test_a_second_view_builds_no_sql_for_ke_the_external_rows_or_the_holders(auth, db_conn, monkeypatch):
    """KE's decisions, the children coordinated outside Stafettlogg and the holders of the
    rows shown are prepared reads too (db.Prepared); KE's decisions in force are read once
    for the rows and the June differences; the page's event and the children it names are
    written by one INSERT."""
    built, statements = _second_view(auth, monkeypatch)
    assert not built & {CoordinatorRecord, ExternalCoordination, User}
    ke_reads = [sql for sql in statements if 'FROM "coordinator_record"' in sql]
    assert len(ke_reads) == 2, ke_reads  # in force (rows, differences) and what KE has told the unit
    assert len([sql for sql in statements if sql.startswith('INSERT INTO "audit_event"')]) == 1
