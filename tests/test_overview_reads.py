"""The unit overview's table and its June reconciliation share one read of the overview
per request (db.once_per_request): the logs of the unit are read once, not once per part."""

import pytest

from bench.run import counting
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def test_the_unit_overview_reads_the_units_logs_once(auth, db_conn):
    a_log(name="Oversikt Barnesen", participants=())
    client = auth.persona("unit_leader")
    from stafettlogg.db import db

    with counting(db) as counter:
        response = client.get(f"/enheter/{user('enhetsleder').unit_id}/oversikt")
    assert response.status_code == 200 and "Oversikt Barnesen" in response.get_data(as_text=True)
    class_reads = [sql for sql, _params in counter["sql"] if 'FROM "class_group_period"' in sql]
    assert len(class_reads) == 1, class_reads


def test_the_unit_overview_builds_no_sql_for_the_units_logs_on_a_second_view(auth, db_conn, monkeypatch):
    """The logs, with their handovers and their classes, are one prepared read
    (db.Prepared): a second view builds no SQL for them, and the logs' condition is
    evaluated in one query, not again for the handovers and the classes."""
    import peewee

    from stafettlogg.models import ClassGroupPeriod, Handover, Log

    a_log(name="Oversikt Barnesen", participants=())
    client = auth.persona("unit_leader")
    path = f"/enheter/{user('enhetsleder').unit_id}/oversikt"
    assert client.get(path).status_code == 200
    built = []
    real = peewee.Database.execute
    monkeypatch.setattr(
        peewee.Database, "execute", lambda self, query, **k: built.append(query) or real(self, query, **k)
    )
    from stafettlogg.db import db

    with counting(db) as counter:
        response = client.get(path)
    assert response.status_code == 200 and "Oversikt Barnesen" in response.get_data(as_text=True)
    assert not {getattr(query, "model", None) for query in built} & {Log, Handover, ClassGroupPeriod}
    [logs] = [sql for sql, _params in counter["sql"] if 'FROM "class_group_period"' in sql]
    assert 'LEFT OUTER JOIN "handover"' in logs and '"log_id" IN (SELECT' not in logs
    for table in ("handover", "class_group_period"):  # no read of its own
        assert not [sql for sql, _params in counter["sql"] if f'FROM "{table}" AS "t1"' in sql]
