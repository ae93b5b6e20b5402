"""Pick lists of units start with the user's own unit(s); the rest of the municipality
follows behind "Andre enheter", grouped by area, to be searched."""

import re

import pytest

from stafettlogg.logs.queries import unit_choices
from stafettlogg.models import Unit
from tests.conftest import a_log, user

pytestmark = pytest.mark.db


def _names_in_order(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="(?:radio|checkbox)" name="{name}" value="[^"]*"[^>]*> ([^<]+?)\s*</label>', html)


def test_own_unit_first_then_the_rest_by_area(db_conn):
    teacher = user("kontaktlaerer")  # Sørbyen skole
    first, rest = unit_choices(teacher)
    assert [u.name for u in first] == ["Sørbyen skole"]
    others = [u for _area, units in rest for u in units]
    assert "Sørbyen skole" not in [u.name for u in others]
    assert len(first) + len(others) == Unit.select().where(Unit.active).count()
    assert [area for area, _units in rest] == sorted(area for area, _units in rest)
    # what is already chosen comes first too; an excluded unit nowhere
    nordbyen = Unit.get(Unit.name == "Nordbyen skole")
    first, rest = unit_choices(teacher, chosen_ids=[nordbyen.id], exclude_ids=[teacher.unit_id])
    assert [u.name for u in first] == ["Nordbyen skole"]
    assert all(u.id != teacher.unit_id for _a, units in rest for u in units)


def test_new_log_form_offers_the_teachers_own_school_first_and_checked(auth):
    html = auth.login_as("kontaktlaerer").get("/logger/ny").get_data(as_text=True)
    names = _names_in_order(html, "unit_id")
    assert names[0] == "Sørbyen skole" and "Nordbyen skole" in names[1:]
    assert re.search(r'name="unit_id" value="\d+" checked> Sørbyen skole', html)
    first_other = html.index("Andre enheter i kommunen")
    assert html.index("Sørbyen skole") < first_other < html.index("Nordbyen skole")


def test_new_log_in_another_unit_is_kept_after_an_error(auth, db_conn):
    nordbyen = Unit.get(Unit.name == "Nordbyen skole")
    r = auth.login_as("kontaktlaerer").post("/logger/ny", data={"unit_id": str(nordbyen.id), "name": ""})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(rf'name="unit_id" value="{nordbyen.id}" checked> Nordbyen skole', html)
    names = _names_in_order(html, "unit_id")
    assert names[:2] == ["Sørbyen skole", "Nordbyen skole"]  # the chosen one is not hidden away


def test_consent_form_lists_chosen_and_own_units_first_never_the_logs_own(auth, db_conn):
    log = a_log()  # held at Nordbyen skole
    html = auth.login_as("stafettholder").get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    names = _names_in_order(html, "services")
    log_unit = "Nordbyen skole"
    assert log_unit not in names  # always included, so never offered
    assert "Andre enheter i kommunen" in html
    assert len(names) == len(set(names))
    assert html.index("data-choice-search hidden") > 0  # the search field appears with JavaScript only


def test_consent_form_puts_units_already_consented_first(auth, db_conn):
    from stafettlogg.logs import domain
    from stafettlogg.models import Consent, Log

    log = a_log()  # held at Nordbyen skole
    consent = domain.current_consent(Log.get_by_id(log.id))
    far_away = Unit.select().where(Unit.name != "Nordbyen skole").order_by(Unit.name.desc()).first()
    Consent.update(services=f"{consent.services},unit:{far_away.id}").where(Consent.id == consent.id).execute()
    chosen = [f"unit:{far_away.id}"]
    html = auth.login_as("stafettholder").get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    others_start = html.index("Andre enheter i kommunen")
    for service in chosen:
        position = html.index(f'value="{service}" checked')
        assert position < others_start, service
