"""A unit leader acts on their own unit's children: not on the logs a holder who moved to
their unit kept in use (the old unit's children, whose leader chooses a new holder), not
by an emergency assignment that outlives a refused deactivation; the overview audits
every child it names, and KE's decision changed into another child's is no longer one
the unit was told of."""

import datetime as dt

import pytest

from stafettlogg.handover import domain as handover
from stafettlogg.models import AuditEvent, Handover, Log, Notification, Subject, Unit
from stafettlogg.org import domain
from stafettlogg.overview import domain as overview
from stafettlogg.overview import ke
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def _moved_holder_with_a_nordbyen_log(app):
    """Kari holds Nora's log at Nordbyen skole, then moves to Sørbyen skole; she keeps the
    log in use (seed 002) until a new holder takes it."""
    with app.test_request_context():
        log = a_log("stafettholder", name="Nora Nordelev")
        domain.move_staff(user("enhetsleder"), user("stafettholder"), user("enhetsleder2").unit_id)
    return Log.get_by_id(log.id)


def test_the_leader_of_the_unit_a_holder_moved_to_neither_sees_nor_takes_the_old_units_children(app, auth, db_conn):
    log = _moved_holder_with_a_nordbyen_log(app)
    nordbyen, kari = log.unit_id, user("stafettholder")
    sorbyen_leader = auth.login_as("enhetsleder2")
    page = sorbyen_leader.get(f"/ansatte/{kari.id}/flytt").get_data(as_text=True)
    assert "Nora Nordelev" not in page
    held = len(domain.active_logs_held_by(kari))
    assert f"Kari Ottesen er stafettholder for {held} stafettlogger i andre enheter" in " ".join(page.split())
    assert (
        not AuditEvent.select()
        .where(AuditEvent.log_id == log.id, AuditEvent.user_id == user("enhetsleder2").id)
        .exists()
    )
    r = sorbyen_leader.post(
        f"/ansatte/{kari.id}/deaktiver",
        data={
            f"holder_{log.id}": str(user("kontaktlaerer").id),
            f"mode_{log.id}": "direct",
            f"reason_{log.id}": "Sluttet",
        },
    )
    assert r.status_code == 409 and "Nora Nordelev" not in r.get_data(as_text=True)
    after = Log.get_by_id(log.id)
    assert (after.holder_id, after.unit_id) == (kari.id, nordbyen)  # the child did not change school
    assert user("stafettholder").active
    assert not Handover.select().where(Handover.log == log.id).exists()
    # Nordbyen's leader (the log's unit) still chooses a new holder for it
    choices = {held.id: ("direct", user("larer").id, "Har sluttet") for held in domain.active_logs_held_by(kari)}
    with app.test_request_context():
        domain.deactivate_staff(user("enhetsleder"), user("stafettholder"), choices)
    assert Log.get_by_id(log.id).holder_id == user("larer").id and not user("stafettholder").active


def test_a_refused_deactivation_assigns_nothing_directly(app, auth, db_conn):
    """Two logs, a direct choice for one of them: the deactivation is refused (the other
    log would be left with her), and so is the emergency assignment: nobody got a log
    without accepting it, and no family was told the holder had left."""
    with app.test_request_context():
        first, second = a_log("stafettholder", name="Ada Aas"), a_log("stafettholder", name="Bo Berg")
    told_before = Notification.select().where(Notification.kind == "holder_assigned").count()
    r = auth.login_as("enhetsleder").post(
        f"/ansatte/{user('stafettholder').id}/deaktiver",
        data={f"holder_{first.id}": str(user("larer").id), f"mode_{first.id}": "direct", f"reason_{first.id}": "Akutt"},
    )
    page = " ".join(r.get_data(as_text=True).split())
    assert r.status_code == 409 and "Ingen stafettlogg er tildelt direkte ennå" in page
    assert Log.get_by_id(first.id).holder_id == user("stafettholder").id
    assert Log.get_by_id(second.id).holder_id == user("stafettholder").id
    assert user("stafettholder").active
    assert not Handover.select().where(Handover.log.in_([first.id, second.id])).exists()
    assert Notification.select().where(Notification.kind == "holder_assigned").count() == told_before


def test_the_overview_audits_every_child_its_differences_with_ke_name(app, auth, db_conn):
    """The June differences against KE's register name children of the whole year, beyond
    the window of rows: each named child's family sees the read in their access history."""
    app.config["PAGE_SIZE"] = 1
    oskar = Log.select().join(Subject).where(Subject.name == "Oskar Nilsen").get()
    Log.update(coordinator_name="Kim Koordinator", coordinator_service="PPT").where(Log.id == oskar.id).execute()
    page = auth.login_as("enhetsleder").get(f"/enheter/{oskar.unit_id}/oversikt").get_data(as_text=True)
    assert "Oskar Nilsen" in page
    assert (
        AuditEvent.select()
        .where(AuditEvent.log_id == oskar.id, AuditEvent.action == "view:overview.unit_overview")
        .exists()
    )


def test_a_decision_changed_into_another_childs_is_not_one_the_unit_was_told_of(app, auth, db_conn):
    nordbyen = Unit.get_by_id(user("enhetsleder").unit_id)
    values = dict(
        child_name="Anna Avtalt",
        class_group="5A",
        kind="koordinator",
        decision="granted",
        person_name="Kim K",
        person_service="KE",
        person_contact="1",
        has_ip=False,
        consent_to_inform=True,
        birth_date=dt.date(2015, 1, 1),
        decided_on=dt.date(2026, 9, 1),
        ended_on=None,
        unit=nordbyen,
    )
    with app.test_request_context():
        record = ke.create_record(user("ke"), values)
        ke.inform_unit(user("ke"), record)
        record = ke.update_record(
            user("ke"), ke.CoordinatorRecord.get_by_id(record.id), {**values, "person_contact": "2"}, record.version
        )
        assert record.informed_at is not None  # another phone number: still the decision the unit was told of
        changed = {**values, "child_name": "Bjørn Bytt", "birth_date": dt.date(2014, 2, 2)}
        record = ke.update_record(user("ke"), record, changed, record.version)
    assert record.informed_at is None
    page = auth.login_as("enhetsleder").get(f"/enheter/{nordbyen.id}/oversikt").get_data(as_text=True)
    assert "Bjørn Bytt" not in page and "Anna Avtalt" not in page


def test_a_teacher_who_moves_does_not_take_the_children_they_once_handed_over_along(app, auth, db_conn):
    """Jonas held Sofie's log at Sørbyen skole and handed it to a colleague there; a year
    later he moves to Nordbyen skole. Sofie never was at Nordbyen: Nordbyen's overview and
    export do not name her (nor write a read of her log), and Sørbyen's own overview does
    not call her moved in. The handover keeps the unit it was made from."""
    with app.test_request_context():
        log = a_log("kontaktlaerer", participants=(), name="Sofie Sørbyelev")
        proposal = handover.propose_handover(user("kontaktlaerer"), log, user("enhetsleder2"))
        handover.accept_handover(user("enhetsleder2"), proposal)
        sorbyen = Unit.get_by_id(user("enhetsleder2").unit_id)
        assert Handover.get_by_id(proposal.id).from_unit_id == sorbyen.id
        domain.move_staff(user("enhetsleder2"), user("kontaktlaerer"), user("enhetsleder").unit_id)
        year = overview.current_school_year()
        (row,) = [r for r in overview._log_rows(sorbyen, year) if r.log_id == log.id]
        assert row.moved_in_on is None and row.moved_out_on is None
    nordbyen = user("enhetsleder").unit_id
    leader = auth.login_as("enhetsleder")
    assert "Sofie Sørbyelev" not in leader.get(f"/enheter/{nordbyen}/oversikt").get_data(as_text=True)
    assert "Sofie" not in leader.get(f"/enheter/{nordbyen}/oversikt/{year}/csv").get_data(as_text=True)
    assert (
        not AuditEvent.select()
        .where(AuditEvent.log_id == log.id, AuditEvent.user_id == user("enhetsleder").id)
        .exists()
    )
