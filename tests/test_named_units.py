"""A consent names services by kind ("kind:ppt") or by unit ("unit:12"). The pages that
name them (the guardian's view, the archive) read only the units the consents name,
never every unit of the municipality."""

import pytest

from stafettlogg.models import Unit
from tests.conftest import a_log

pytestmark = pytest.mark.db


def test_the_guardian_view_names_a_consented_unit_and_reads_only_that_unit(auth, db_conn):
    from bench.run import counting
    from stafettlogg.db import db

    other = Unit.get(Unit.name == "Sørbyen skole")
    log = a_log(participants=(), services=[f"unit:{other.id}", "kind:ppt"])
    with counting(db) as counter:
        response = auth.persona("guardian").get(f"/mine/{log.id}")
    html = response.get_data(as_text=True)
    services = html.split("Tjenester som kan være med:", 1)[1].split("</p>", 1)[0]
    assert "Sørbyen skole" in services and "PPT (pedagogisk-psykologisk tjeneste)" in services
    unit_reads = [sql for sql, _params in counter["sql"] if 'SELECT "t1"."id", "t1"."name" FROM "unit"' in sql]
    assert len(unit_reads) == 1 and "WHERE" in unit_reads[0]
