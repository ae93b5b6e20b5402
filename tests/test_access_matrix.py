"""SECURITY.md "Access": deny by default, declared as data. Walk app.url_map × methods ×
personas: every route is in the table, and what each persona may do matches it."""

import pytest

from stafettlogg.access import ACCESS
from tests.conftest import PERSONAS, refused, routes, url_values

pytestmark = pytest.mark.db

# What each persona is, towards Emma's log (id 1, Nordbyen skole) and towards Nordbyen
# skole, written out by hand so the test does not trust the code it checks.
GLOBAL = {
    "anonymous": {"anonymous"},
    "holder": {"authenticated", "staff"},
    "participant": {"authenticated", "staff"},
    "same_unit_staff": {"authenticated", "staff"},
    "unit_leader": {"authenticated", "staff", "unit_leader"},
    "ito_coordinator": {"authenticated", "staff"},
    "other_unit_staff": {"authenticated", "staff"},
    "other_unit_leader": {"authenticated", "staff", "unit_leader"},
    "guardian": {"authenticated", "guardian"},
    "coordinating_unit": {"authenticated", "staff", "coordinating_unit"},
    "area_leader": {"authenticated", "area_leader"},
    "admin": {"authenticated", "admin"},
}
ON_EMMAS_LOG = {
    "holder": {"holder"},
    "participant": {"participant"},
    "unit_leader": {"unit_leader"},
    "guardian": {"guardian"},
}
ON_NORDBYEN = {
    "unit_leader": {"unit_leader"},
    "ito_coordinator": {"ito_coordinator"},
    "area_leader": {"area_leader"},
    "admin": {"admin"},
}


def scope_of(rule) -> str:
    if "log_id" in rule.arguments:
        return "log"
    if "staff_id" in rule.arguments or "unit_id" in rule.arguments:
        return "unit"
    return "global"


def expected_allowed(persona: str, rule) -> bool:
    tokens = {"log": ON_EMMAS_LOG, "unit": ON_NORDBYEN}.get(scope_of(rule))
    tokens = GLOBAL[persona] if tokens is None else tokens.get(persona, set())
    if scope_of(rule) != "global" and persona == "anonymous":
        tokens = set()
    return bool(tokens & set(ACCESS[rule.endpoint].split()))


def test_every_route_is_in_the_access_table(app):
    missing = sorted({rule.endpoint for rule, _m in routes(app)} - set(ACCESS))
    assert missing == [], f"routes missing from stafettlogg/access.py ACCESS: {missing}"
    unknown = sorted(set(ACCESS) - {rule.endpoint for rule, _m in routes(app)})
    assert unknown == [], f"ACCESS lists endpoints that do not exist: {unknown}"


def test_access_tokens_are_known():
    known = {
        "anonymous",
        "authenticated",
        "staff",
        "admin",
        "area_leader",
        "unit_leader",
        "ito_coordinator",
        "coordinating_unit",
        "guardian",
        "holder",
        "participant",
        "stand_in",
    }
    for endpoint, tokens in ACCESS.items():
        assert set(tokens.split()) <= known, endpoint


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_matrix(app, auth, persona):
    values = url_values(app)
    differences = []
    for rule, method in routes(app):
        if rule.endpoint == "static":
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        client = auth.persona(persona)  # again each time: logout ends the session
        response = client.open(url, method=method, data={})
        allowed = not refused(response)
        if response.status_code >= 500:
            differences.append(f"{method} {url}: {response.status_code} server error")
        elif allowed != expected_allowed(persona, rule):
            differences.append(
                f"{method} {url} ({rule.endpoint}): got {response.status_code}, "
                f"expected {'allowed' if expected_allowed(persona, rule) else 'refused'}"
            )
    assert differences == []
