"""Searching for a person finds what was typed: «%» and «_» are letters, not wildcards
(the holder's search for a participant or a new holder)."""

import pytest

from stafettlogg.models import Role, User
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
