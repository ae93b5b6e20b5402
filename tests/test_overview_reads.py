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
