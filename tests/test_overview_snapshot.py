"""The unit overview, its exports and KE's June reconciliation each read their rows from
one snapshot of the database (db.snapshot): a change another connection writes between
two of their queries shows in all of their rows or in none, as the statistics' counts do
(tests/test_statistics_snapshot.py)."""

import csv
import io

import pytest

from stafettlogg.db import db, open_database
from stafettlogg.models import CoordinatorRecord, ExternalCoordination, Log, LogStatus, utcnow
from stafettlogg.overview import domain
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def _between_two_reads(monkeypatch, first, change):
    """Run ``change`` once a query matching ``first`` (sql, params → bool) has been read
    and before the next query: a write by someone else in the meantime."""
    execute_sql = db.obj.execute_sql
    steps = []

    def reading(sql, params=None, *args, **kwargs):
        if steps == ["read"]:
            steps.append("changed")
            change()
        if not steps and first(sql, tuple(params or ())):
            steps.append("read")
        return execute_sql(sql, params, *args, **kwargs)

    monkeypatch.setattr(db.obj, "execute_sql", reading)
    return steps


def _other(app):
    return open_database(app.config["DATABASE_URL"])


def _activate_and_add_external(app, draft, unit):
    """In one transaction of another connection: the draft made active and a child
    coordinated outside the system added, both in ``unit`` this year."""
    other = _other(app)

    def change():
        with other.connection_context(), other.atomic():
            other.execute(Log.update(status=LogStatus.ACTIVE, activated_at=utcnow()).where(Log.id == draft.id))
            other.execute(
                ExternalCoordination.insert(
                    unit=unit.id,
                    school_year=domain.current_school_year(),
                    child_name="Utenfor Snapshotsen",
                    created_by=user("enhetsleder").id,
                    created_at=utcnow(),
                )
            )

    return change


def _after_the_logs(sql, _params):
    return 'FROM "class_group_period"' in sql  # the overview's read of the unit's logs


def test_an_export_shows_a_change_made_while_reading_in_every_row_or_none(app, auth, db_conn, monkeypatch):
    draft = a_log(consent=False, name="Utkast Snapshotsen", participants=())
    unit = user("enhetsleder").unit
    client = auth.persona("unit_leader")
    steps = _between_two_reads(monkeypatch, _after_the_logs, _activate_and_add_external(app, draft, unit))
    response = client.get(f"/enheter/{unit.id}/oversikt/{domain.current_school_year()}/csv")
    assert response.status_code == 200 and steps == ["read", "changed"]
    assert Log.get_by_id(draft.id).status == LogStatus.ACTIVE  # the change was written meanwhile
    text = response.data.decode("utf-8-sig")
    names = [row[0] for row in csv.reader(io.StringIO(text), delimiter=";")]
    shown = {"Utkast Snapshotsen" in " ".join(names), "Utenfor Snapshotsen" in names}
    assert len(shown) == 1, names  # both or neither


def test_the_reconciliation_compares_the_units_rows_and_kes_decisions_of_one_moment(app, auth, db_conn, monkeypatch):
    """A child coordinated outside the system, added by the unit with the same koordinator
    as KE's decision recorded in the same transaction, is no difference: not when the
    change lands between the reads of the unit's rows and of KE's decisions either."""
    unit = user("enhetsleder").unit
    other = _other(app)

    def change():
        with other.connection_context(), other.atomic():
            for model, extra in (
                (ExternalCoordination, {"school_year": domain.current_school_year(), "koordinator": "Kari Koordinator"}),
                (CoordinatorRecord, {"kind": "koordinator", "decision": "granted", "decided_on": utcnow().date(),
                                     "person_name": "Kari Koordinator"}),
            ):  # fmt: skip
                other.execute(
                    model.insert(
                        unit=unit.id,
                        child_name="Utenfor Snapshotsen",
                        created_by=user("ke").id,
                        created_at=utcnow(),
                        **extra,
                    )  # fmt: skip
                )

    def the_units_externals(sql, params):
        return 'FROM "external_coordination"' in sql and unit.id in params

    steps = _between_two_reads(monkeypatch, the_units_externals, change)
    response = auth.persona("coordinating_unit").get(f"/ke/avstemming/{domain.current_school_year()}/enhet/{unit.id}")
    assert response.status_code == 200 and steps == ["read", "changed"]
    assert CoordinatorRecord.get_or_none(CoordinatorRecord.child_name == "Utenfor Snapshotsen")  # written meanwhile
    assert "Utenfor Snapshotsen" not in response.get_data(as_text=True)  # a difference of neither or both


def test_the_overview_page_shows_a_change_made_while_reading_in_every_row_and_count_or_none(
    app, auth, db_conn, monkeypatch
):
    """The page's rows, their count and the June differences are read from one snapshot:
    a log activated and a child added in one transaction between the read of the logs and
    the next query are both on the page, or neither, and the count is the rows shown."""
    draft = a_log(consent=False, name="Utkast Snapshotsen", participants=())
    unit = user("enhetsleder").unit
    client = auth.persona("unit_leader")
    steps = _between_two_reads(monkeypatch, _after_the_logs, _activate_and_add_external(app, draft, unit))
    response = client.get(f"/enheter/{unit.id}/oversikt")
    assert response.status_code == 200 and steps == ["read", "changed"]
    assert Log.get_by_id(draft.id).status == LogStatus.ACTIVE  # the change was written meanwhile
    html = response.get_data(as_text=True)
    shown = {"Utkast Snapshotsen" in html, "Utenfor Snapshotsen" in html}
    assert len(shown) == 1, shown  # both or neither
    rows = html.count('<th scope="row">', html.index('id="rows-h"'))
    assert f"Barn og elever ({rows})" in html  # the count is the rows shown


def test_the_ke_register_counts_the_decisions_it_lists(app, auth, db_conn, monkeypatch):
    """The register's count and its rows are read from one snapshot: a decision KE's
    colleague records between the two reads is in both or neither."""
    other = _other(app)

    def record():
        with other.connection_context():
            other.execute(
                CoordinatorRecord.insert(
                    child_name="Vedtak Snapshotsen",
                    kind="koordinator",
                    decision="granted",
                    decided_on=utcnow().date(),
                    created_by=user("ke").id,
                    created_at=utcnow(),
                )  # fmt: skip
            )

    def the_count(sql, _params):
        return "COUNT(" in sql and 'FROM "coordinator_record"' in sql

    steps = _between_two_reads(monkeypatch, the_count, record)
    response = auth.persona("coordinating_unit").get("/ke")
    assert response.status_code == 200 and steps == ["read", "changed"]
    html = response.get_data(as_text=True)
    rows = html.count('<th scope="row">', html.index('id="records-h"'))
    assert f"Vedtak ({rows})" in html  # the count is the rows listed
