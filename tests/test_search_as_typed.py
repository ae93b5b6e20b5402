"""Searching for a person finds what was typed: «%» and «_» are letters, not wildcards,
and case does not matter for æ, ø, å and the Sámi letters either, on SQLite as on
PostgreSQL (the holder's search for a participant or a new holder, KE's register)."""

import datetime as dt

import pytest

from stafettlogg.models import CoordinatorRecord, Role, Unit, User
from tests.conftest import user

pytestmark = pytest.mark.db


def _staff(name: str, job: str = "Miljøterapeut") -> User:
    return User.create(
        username=name.split()[0].lower() + "-test",
        name=name,
        job_title=job,
        role=Role.STAFF,
        unit=user("kontaktlaerer").unit_id,
        session_token=f"t-{name}",
    )


def _found(client, log, q: str) -> str:
    return client.get(
        f"/logger/{log.id}/deltakere/sok", query_string={"q": q}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)


def test_wildcards_in_a_search_are_taken_as_typed(auth, log, db_conn):
    holder = auth.persona("holder")
    assert "Jonas Berg" in _found(holder, log, "Jonas")
    for typed in ("%%", "__", "%_", "Jo%as", "Jo_as"):
        assert "Jonas Berg" not in _found(holder, log, typed), typed  # not every colleague in the municipality
        proposal = holder.get(
            f"/logger/{log.id}/stafettholder/sok", query_string={"q": typed}, headers={"HX-Request": "true"}
        )
        assert "Jonas Berg" not in proposal.get_data(as_text=True), typed
    _staff("Per_Ola 100% Nilsen")
    assert "Per_Ola 100% Nilsen" in _found(holder, log, "100%")
    assert "Per_Ola 100% Nilsen" in _found(holder, log, "per_ola")


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("Øystein Ærø", "øystein"),
        ("Øystein Ærø", "ÆRØ"),
        ("Åse Vik", "åse"),
        ("Áilu Čáhppes", "áilu"),
        ("Áilu Čáhppes", "ČÁHPPES"),
        ("Ŋunnje Đđ", "ŋunnje"),
    ],
)
def test_a_search_ignores_case_of_norwegian_and_sami_letters(auth, log, db_conn, name, typed):
    _staff(name)
    assert name in _found(auth.persona("holder"), log, typed)


def test_the_ke_register_ignores_case_of_norwegian_letters_and_takes_wildcards_as_typed(auth, db_conn):
    unit = Unit.get(Unit.name == "Nordbyen skole")
    for child in ("Ørjan Åsheim", "Lise Li"):
        CoordinatorRecord.create(
            child_name=child,
            kind="koordinator",
            decision="granted",
            decided_on=dt.date(2026, 1, 5),
            person_name="Kari Koordinator",
            unit=unit,
            created_by=user("ke"),
        )
    ke = auth.persona("coordinating_unit")
    assert "Ørjan Åsheim" in ke.get("/ke", query_string={"q": "ørjan åsheim"}).get_data(as_text=True)
    assert "Lise Li" not in ke.get("/ke", query_string={"q": "Li_e"}).get_data(as_text=True)


def test_a_very_long_search_is_answered_and_finds_no_one(auth, log, db_conn):
    holder = auth.persona("holder")
    for typed in ("Jonas" * 12000, "%" * 60000):  # longer than SQLite's own LIKE takes (50,000)
        assert "Jonas Berg" not in _found(holder, log, typed)
        assert auth.persona("coordinating_unit").get("/ke", query_string={"q": typed}).status_code == 200
