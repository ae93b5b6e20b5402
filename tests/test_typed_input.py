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
