"""A log that moves to another unit: both unit leaders are told, the old unit's overview
shows the child as moved out with the date, and each school year's overview shows the
class/group that was true then in that unit (page, CSV and XLSX)."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from stafettlogg.dates import local_today
from stafettlogg.handover import domain as ho
from stafettlogg.logs import domain
from stafettlogg.models import ClassGroupPeriod, Consent, Log, Notification
from stafettlogg.overview.domain import current_school_year, unit_overview
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def notes(username: str, kind: str) -> list[Notification]:
    return list(Notification.select().where(Notification.user == user(username), Notification.kind == kind))


def _row(log, unit, year):
    return next(r for r in unit_overview(unit, year) if r.log_id == log.id)


def _set_class(username: str, log, class_group: str) -> None:
    log = Log.get_by_id(log.id)
    domain.update_header(
        user(username),
        log,
        class_group=class_group,
        level=log.level,
        guardians_informed_on=log.guardians_informed_on,
        records_kept_in=log.records_kept_in,
        version=log.version,
    )


@pytest.fixture
def moved(app):
    """A child who was in 3C last school year and is in 4C now at Nordbyen moves to
    Sørbyen, where the new holder puts her in 5A: (log, old unit, new unit, year)."""
    year = current_school_year()
    log = a_log(name="Lea Testesen", group="4C")
    with app.test_request_context():
        Log.update(activated_at=dt.datetime(year - 1, 9, 1)).where(Log.id == log.id).execute()
        ClassGroupPeriod.delete().where(ClassGroupPeriod.log == log).execute()
        ClassGroupPeriod.create(log=log, unit=log.unit, school_year=year - 1, class_group="3C")
        _set_class("stafettholder", log, "4C")
        # the family's consent covers schools, so the log opens to the new school's holder
        Consent.update(services=Consent.services.concat(",kind:skole")).where(Consent.log == log.id).execute()
        handover = ho.propose_handover(user("stafettholder"), Log.get_by_id(log.id), user("kontaktlaerer"), "Flytter")
        ho.accept_handover(user("kontaktlaerer"), handover)
        _set_class("kontaktlaerer", log, "5A")
    return log, log.unit, Log.get_by_id(log.id).unit, year


def test_both_unit_leaders_are_told_without_the_childs_name(app, db_conn, moved):
    _log, old_unit, new_unit, _year = moved
    arrived = notes("enhetsleder2", "child_arrived")
    moved_out = notes("enhetsleder", "child_moved_out")
    assert len(arrived) == 1 and len(moved_out) == 1
    with app.test_request_context():
        text = moved_out[0].text
    assert old_unit.name in text and new_unit.name in text and "Lea" not in text
    assert notes("enhetsleder", "child_arrived") == [] and notes("enhetsleder2", "child_moved_out") == []


def test_the_school_nurse_taking_over_keeps_the_pupil_at_the_school(app, auth, db_conn):
    """seed 004: the public-health nurse is a natural holder for older children in
    kindergarten and school; seed 000's overview lists the school's pupils with their
    holder («helsesykepleier»). Handing over to the nurse is no move: the log stays the
    school's, no one is told the child moved, and the school's overview shows the nurse."""
    log = a_log(name="Lea Testesen", group="4C")
    school, year = log.unit, current_school_year()
    with app.test_request_context():
        handover = ho.propose_handover(user("stafettholder"), Log.get_by_id(log.id), user("aktor"), "")
    asked = auth.persona("participant").get(f"/stafettholder/{handover.id}").get_data(as_text=True)
    assert "flyttes til din enhet" not in asked and "Når du godtar, blir du stafettholder med en gang." in asked
    with app.test_request_context():
        ho.accept_handover(user("aktor"), handover)
        after = Log.get_by_id(log.id)
        assert (after.holder_id, after.unit_id, after.holder_unit_id) == (
            user("aktor").id,
            school.id,
            user("aktor").unit_id,
        )
        row = _row(log, school, year)
        assert row.moved_out_on is None and row.class_group == "4C"
    assert (
        notes("enhetsleder", "child_moved_out") == []
        and Notification.select().where(Notification.kind == "child_arrived").count() == 0
    )
    page = auth.persona("unit_leader").get(f"/enheter/{school.id}/oversikt/{year}").get_data(as_text=True)
    assert "Lea Testesen" in page and user("aktor").name in page and "Flyttet ut" not in page
    # from the nurse to a teacher at another school the child moves, as before
    Consent.update(services=Consent.services.concat(",kind:skole")).where(Consent.log == log.id).execute()
    with app.test_request_context():
        handover = ho.propose_handover(user("aktor"), Log.get_by_id(log.id), user("kontaktlaerer"), "Flytter")
        ho.accept_handover(user("kontaktlaerer"), handover)
    assert Log.get_by_id(log.id).unit_id == user("kontaktlaerer").unit_id
    assert len(notes("enhetsleder", "child_moved_out")) == 1


def test_each_years_overview_shows_the_class_and_the_move_out(app, db_conn, moved):
    log, old_unit, new_unit, year = moved
    with app.test_request_context():
        assert _row(log, old_unit, year - 1).class_group == "3C"
        now_old = _row(log, old_unit, year)
        assert now_old.class_group == "4C" and now_old.moved_out_on == local_today()
        now_new = _row(log, new_unit, year)
        assert now_new.class_group == "5A" and now_new.moved_in_on == local_today()


def test_exports_and_page_show_the_class_of_that_year(app, auth, db_conn, moved):
    _log, old_unit, _new_unit, year = moved
    leader = auth.persona("unit_leader")
    page = leader.get(f"/enheter/{old_unit.id}/oversikt/{year}").get_data(as_text=True)
    # the class as a table cell (a random token elsewhere on the page may hold "5A")
    assert re.search(r"<td[^>]*>4C</td>", page) and not re.search(r"<td[^>]*>5A</td>", page) and "Flyttet ut" in page
    last_year = leader.get(f"/enheter/{old_unit.id}/oversikt/{year - 1}/csv").get_data(as_text=True)
    assert "3C" in last_year and "4C" not in last_year
    xlsx = leader.get(f"/enheter/{old_unit.id}/oversikt/{year}/xlsx").data
    cells = [c.value for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    assert "4C" in cells and "5A" not in cells
