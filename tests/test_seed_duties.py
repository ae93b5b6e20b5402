"""Seed duties: the ITO-koordinator (seed 000 point 1), the unit's side of the June review,
and moves between units (both unit leaders told, class/group per unit and year)."""

import pytest

from stafettlogg.models import AuditEvent, ItoDelegation, Notification, Reconciliation, Unit
from stafettlogg.overview.domain import current_school_year
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def nord() -> Unit:
    return Unit.get(Unit.name == "Nordbyen skole")


def sor() -> Unit:
    return Unit.get(Unit.name == "Sørbyen skole")


def test_unit_leader_delegates_and_revokes_the_overview(auth, db_conn):
    log = a_log(name="Vilde Testesen")  # held at Nordbyen skole
    year = current_school_year()
    larer = user("larer")
    unit = nord()
    staff_client = auth.login_as("larer")
    assert staff_client.get(f"/enheter/{unit.id}/oversikt").status_code == 403

    leader = auth.login_as("enhetsleder")
    response = leader.post(f"/ansatte/{larer.id}/ito-koordinator")
    assert response.status_code == 303
    page = leader.get(f"/enheter/{unit.id}").get_data(as_text=True)
    assert "Mari Lund" in page.split('id="ito-h"', 1)[1]
    delegation = ItoDelegation.get(ItoDelegation.user == larer, ItoDelegation.revoked_at.is_null())
    assert delegation.granted_by_id == user("enhetsleder").id and delegation.unit_id == unit.id
    assert AuditEvent.select().where(AuditEvent.action == "ito_granted", AuditEvent.object_id == larer.id).exists()
    assert Notification.select().where(Notification.user == larer, Notification.kind == "ito_granted").exists()

    # granting twice is refused with a message; nothing new stored
    assert leader.post(f"/ansatte/{larer.id}/ito-koordinator").status_code == 409
    assert ItoDelegation.select().where(ItoDelegation.user == larer).count() == 1

    ito = auth.login_as("larer")
    html = ito.get(f"/enheter/{unit.id}/oversikt").get_data(as_text=True)
    assert "Vilde Testesen" in html and f'href="/enheter/{unit.id}/oversikt"' in html  # nav link too
    csv = ito.get(f"/enheter/{unit.id}/oversikt/{year}/csv")
    assert csv.status_code == 200 and "Vilde Testesen" in csv.get_data(as_text=True)
    form = {"child_name": "Lea Ny", "class_group": "3A", "holder": "Ola Nordmann, miljøterapeut"}
    assert ito.post(f"/enheter/{unit.id}/oversikt/{year}/eksterne", data=form).status_code == 303
    review = ito.post(
        f"/enheter/{unit.id}/oversikt/{year}/gjennomgang", data={"unit_contact_name": "Mari Lund", "version": 0}
    )
    assert review.status_code == 303
    assert Reconciliation.get(Reconciliation.unit == unit, Reconciliation.school_year == year).unit_contact_name == (
        "Mari Lund"
    )
    # the overview, never a log's content, never another unit, never staff administration
    assert ito.get(f"/logger/{log.id}").status_code == 404  # no role on the log: as if there were none
    assert ito.get(f"/enheter/{sor().id}/oversikt").status_code == 403
    assert ito.get(f"/enheter/{unit.id}").status_code == 403
    assert ito.post(f"/ansatte/{larer.id}/ito-koordinator/avslutt").status_code == 403

    leader = auth.login_as("enhetsleder")
    assert leader.post(f"/ansatte/{larer.id}/ito-koordinator/avslutt").status_code == 303
    assert AuditEvent.select().where(AuditEvent.action == "ito_revoked", AuditEvent.object_id == larer.id).exists()
    # the same session, next request: refused
    ito = auth.login_as("larer")
    assert ito.get(f"/enheter/{unit.id}/oversikt").status_code == 403
    assert ito.get(f"/enheter/{unit.id}/oversikt/{year}/xlsx").status_code == 403
    assert leader.post(f"/ansatte/{larer.id}/ito-koordinator/avslutt").status_code in (403, 409)


def test_only_active_staff_of_the_own_unit_can_be_delegated(auth, db_conn):
    leader = auth.login_as("enhetsleder")
    # staff of another unit: the route is not the leader's (403), nothing stored
    assert leader.post(f"/ansatte/{user('kontaktlaerer').id}/ito-koordinator").status_code == 403
    # the leader themself, and a made-up id
    assert leader.post(f"/ansatte/{user('enhetsleder').id}/ito-koordinator").status_code == 409
    assert leader.post("/ansatte/999999999/ito-koordinator").status_code == 404
    assert (
        not ItoDelegation.select().where(ItoDelegation.user.in_([user("kontaktlaerer"), user("enhetsleder")])).exists()
    )
    # another unit's leader cannot delegate Nordbyen staff
    other = auth.login_as("enhetsleder2")
    assert other.post(f"/ansatte/{user('larer').id}/ito-koordinator").status_code == 403


def test_deactivation_ends_the_delegation(auth, db_conn):
    from stafettlogg.org import domain as organisation

    ito = user("ito")
    assert ItoDelegation.select().where(ItoDelegation.user == ito, ItoDelegation.revoked_at.is_null()).exists()
    organisation.deactivate_staff(user("enhetsleder"), ito)
    assert not ItoDelegation.select().where(ItoDelegation.user == ito, ItoDelegation.revoked_at.is_null()).exists()
    organisation.reactivate_staff(user("enhetsleder"), ito)
    client = auth.login_as("ito")
    assert client.get(f"/enheter/{nord().id}/oversikt").status_code == 403


def test_ito_coordinator_is_told_what_the_leader_is_told(db_conn, app):
    import datetime as dt

    from stafettlogg.overview import reconciliation

    with app.test_request_context():
        reconciliation.june_reminders(dt.date(2027, 6, 3))
    assert (
        Notification.select()
        .where(Notification.user == user("ito"), Notification.kind == "june_reconciliation")
        .exists()
    )


def test_the_june_reminders_read_a_units_leaders_once_not_again_per_notice(db_conn, app):
    """notify's rule is asked once per unit: its leaders and ITO coordinators are picked
    with notify.reached_among, in the transaction that writes their notices
    (reached_checked), like the measure reminders; notify does not read each account
    again. One more leader with an address costs two statements, the notice and its
    e-mail (before: three, a read of the account per notice too)."""
    import datetime as dt

    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.models import Role, User
    from stafettlogg.overview import reconciliation

    def statements(today: dt.date) -> tuple[int, int]:
        with app.test_request_context(), counting(db) as counter:
            told = reconciliation.june_reminders(today)
        return told, len(counter["sql"])

    told, before = statements(dt.date(2027, 6, 3))
    User.create(
        username="nestleder", name="Nina Nestleder", role=Role.UNIT_LEADER, unit=nord(), email="nina@example.no"
    )
    Notification.delete().where(Notification.kind == "june_reconciliation").execute()
    assert statements(dt.date(2027, 6, 4)) == (told + 1, before + 2)


def test_the_june_reminders_read_every_units_people_at_once(db_conn, app):
    """The reminders read the units, the reviewed ones, and every unit's leaders and ITO
    coordinators in one query each (overview.ke.told_of_overview), whatever the number of
    units: a new school with a leader costs her notice, nothing more. A
    reviewed school is not reminded; a delegation to someone who has moved to another
    unit does not make them told of the old one's overview (access.is_ito_coordinator)."""
    import datetime as dt

    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.models import Role, User
    from stafettlogg.overview import reconciliation

    def statements(today: dt.date) -> tuple[int, int]:
        with app.test_request_context(), counting(db) as counter:
            told = reconciliation.june_reminders(today)
        return told, len(counter["sql"])

    told, before = statements(dt.date(2027, 6, 3))
    for name in ("Vestbyen skole", "Østbyen skole"):
        school = Unit.create(area=nord().area, name=name, kind="skole")
        User.create(username=name[:4], name=f"Leder {name}", role=Role.UNIT_LEADER, unit=school)
    Reconciliation.create(unit=Unit.get(Unit.name == "Østbyen skole"), school_year=2026, status="reviewed")
    ito = user("ito")
    User.update(unit=Unit.get(Unit.name == "Vestbyen skole")).where(User.id == ito.id).execute()
    Notification.delete().where(Notification.kind == "june_reconciliation").execute()
    again, after = statements(dt.date(2027, 6, 4))
    # a notice to Vestbyen's leader more, one to the ITO coordinator who moved there less
    # (neither has an e-mail address): two more units, no more reads
    assert (again, after) == (told, before)
    told_now = {n.user.username for n in Notification.select().where(Notification.kind == "june_reconciliation")}
    assert "Vest" in told_now and "Østb" not in told_now and "ito" not in told_now
