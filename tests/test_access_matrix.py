"""SECURITY.md "Access": deny by default, declared as data. Walk app.url_map × methods ×
personas: every route is in the table, and what each persona may do matches it."""

import pytest

from stafettlogg.access import ACCESS
from tests.conftest import EMMA_LOG_ID, PERSONAS, user

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


def url_values(app):
    """Real ids from Emma's log and Nordbyen skole for every URL parameter."""
    from stafettlogg.db import db
    from stafettlogg.models import Consent, Guardian, Handover, Highlight, Log, Measure, Meeting, Participant

    with db.connection_context():
        log = Log.get_by_id(EMMA_LOG_ID)
        return {
            "log_id": log.id,
            "unit_id": log.unit_id,
            "staff_id": user("larer").id,
            "consent_id": Consent.select().where(Consent.log == log).first().id,
            "guardian_id": Guardian.select().where(Guardian.log == log).first().id,
            "participant_id": Participant.select().where(Participant.log == log).first().id,
            # A section and an item the participant may change (the highlight "aktor"
            # wrote), and a measure "aktor" is responsible for: the table is about
            # routes; finer rules per item are tested in test_log_permissions.py.
            "key": "highlights",
            "item_id": Highlight.select().where(Highlight.log == log, Highlight.author == user("aktor")).first().id,
            "measure_id": Measure.select()
            .where(Measure.log == log, Measure.responsible_user == user("aktor"))
            .first()
            .id,
            "notification_id": 1,
            # meeting mode
            "meeting_id": Meeting.select().where(Meeting.log == log).first().id,
            # handover: a pending proposal on Emma's log, if the demo has one
            "handover_id": (
                Handover.select().where(Handover.log == log).order_by(Handover.id.desc()).first() or log
            ).id,
            # lifecycle, guardians
            "request_id": 1,
            "token": "ugyldig-token",
            # overviews, KE
            "record_id": 1,
            "external_id": 1,
            "year": 2026,
            "fmt": "csv",
            "form": "nb",
            "filename": "css/app.css",
            # operations: the e-mail queue
            "mail_id": 1,
        }


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


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
    }
    for endpoint, tokens in ACCESS.items():
        assert set(tokens.split()) <= known, endpoint


def refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    return response.status_code in (302, 303, 200) and "/login?next=" in location


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
