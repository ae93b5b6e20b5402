"""What people type is stored without invisible characters (stafettlogg/typed.py): a
child's or guardian's name with a NUL, an escape or a right-to-left override, pasted or
crafted, is stored as the name a reader sees, whatever form it came through."""

import pytest

from stafettlogg import typed
from stafettlogg.models import ExternalCoordination, Guardian, Log, Subject, Unit
from stafettlogg.overview.domain import current_school_year
from tests.conftest import create

pytestmark = pytest.mark.db

# NUL, ESC, BEL, DEL, a C1 control, a right-to-left override and an isolate
DIRTY = "Ol\x00a\x1b \x07Nord\x7f\x85mann\u202e\u2066"


def test_a_name_with_invisible_characters_is_stored_as_the_reader_sees_it(auth, db_conn):
    r = create(auth.persona("holder"), name=DIRTY, **{"guardian-1-name": "Kari\x00 Nord\u202emann"})
    assert r.status_code == 303, r.get_data(as_text=True)
    log = Log.select().order_by(Log.id.desc()).get()
    assert Subject.get_by_id(log.subject_id).name == "Ola Nordmann"
    assert [g.name for g in Guardian.select().where(Guardian.log == log)] == ["Kari Nordmann"]


def test_the_same_rule_holds_on_another_form(auth, db_conn):
    nord = Unit.get(Unit.name == "Nordbyen skole")
    client = auth.persona("unit_leader")
    r = client.post(
        f"/enheter/{nord.id}/oversikt/{current_school_year()}/eksterne",
        data={"child_name": DIRTY, "class_group": "3A\x00", "barnekoordinator": "Kaspar\u202d Vestborg"},
    )
    assert r.status_code == 303
    ext = ExternalCoordination.select().order_by(ExternalCoordination.id.desc()).get()
    assert (ext.child_name, ext.class_group, ext.barnekoordinator) == ("Ola Nordmann", "3A", "Kaspar Vestborg")


def test_what_a_writer_uses_is_kept():
    """Line breaks and tabs in a note, right-to-left marks and zero-width joiners (Arabic,
    Persian, Tigrinya) are text, not noise."""
    kept = "سلام\u200f علي\u200c\u200dرضا\nlinje to\r\n\tinnrykk – «Åse»"
    assert typed.clean(kept) == kept
    fields = typed.CleanFields([("a", DIRTY), ("a", "x"), ("b", kept)])
    assert fields.getlist("a") == ["Ola Nordmann", "x"] and fields["b"] == kept


def test_every_request_goes_through_the_one_door(app):
    assert app.request_class is typed.CleanRequest
    with app.test_request_context("/sok?q=Ola%00%E2%80%AENord", method="POST", data={"name": "Ola\x01"}):
        from flask import request

        assert request.args["q"] == "OlaNord" and request.form["name"] == "Ola"


HUGE = str(2**63)


def test_a_number_no_column_holds_is_no_number_wherever_it_is_read(app):
    """Every view reads form and query numbers through the one door: 2**63 is what a
    missing or made-up number is (the default), a number a column holds is kept."""
    with app.test_request_context("/?a=" + HUGE + "&a=7&b=-" + HUGE + "&c=9223372036854775807", method="POST"):
        from flask import request

        assert request.args.get("a", type=int) is None
        assert request.args.get("a", default=0, type=int) == 0
        assert request.args.getlist("a", type=int) == [7]
        assert request.args.get("b", type=int) == -(2**63)  # the smallest a column holds
        assert request.args.get("c", type=int) == 2**63 - 1
    with app.test_request_context("/", method="POST", data={"version": HUGE, "unit": "12"}):
        from flask import request

        assert request.form.get("version", type=int) is None and request.form.get("unit", type=int) == 12


def test_a_version_or_id_too_large_for_a_column_gets_the_forms_answer(auth, db_conn):
    """The forms that read a version, a unit or an area with type=int: a tampered 2**63 is
    a stale version (409) or no choice (422), never a 500."""
    from stafettlogg.models import CoordinatorRecord
    from tests.conftest import a_log

    log = a_log()
    holder = auth.persona("holder")
    r = holder.post(f"/logger/{log.id}/opplysninger", data={"class_group": "5B", "version": HUGE})
    assert r.status_code in (409, 422), r.status_code
    assert "5B" in r.get_data(as_text=True)  # what was typed is kept
    ke = auth.persona("coordinating_unit")
    record = CoordinatorRecord.select().first()  # the demo's KE register has decisions
    r = ke.post(f"/ke/vedtak/{record.id}", data={"child_name": record.child_name, "version": HUGE})
    assert r.status_code in (409, 422), r.status_code
    r = ke.post("/ke/avstemming/2026", data={"unit": HUGE, "status": "done"})
    assert r.status_code == 422, r.status_code
    r = auth.persona("admin").post("/omrader/leder", data={"leader_area_id": HUGE, "leader_name": "Ola"})
    assert r.status_code == 422, r.status_code
