"""Headers on every response, errors included; GET never changes anything."""

import pytest

from stafettlogg.db import db
from stafettlogg.models import MODELS, AuditEvent, StatisticsSnapshot, User
from tests.conftest import PERSONAS, routes, url_values

pytestmark = pytest.mark.db

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize("path", ["/login", "/finnes-ikke", "/logger/1", "/healthz"])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    h = r.headers
    assert h["Content-Security-Policy"].startswith(CSP)
    assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in h.get("Vary", "")
    assert h["Cache-Control"] == "no-store"


def test_error_pages_are_norwegian_and_have_headers(auth):
    r = auth.persona("guardian").get("/enheter")
    assert r.status_code == 403
    assert "Du har ikke tilgang til denne siden." in r.get_data(as_text=True)
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_htmx_is_vendored_and_configured(client):
    html = client.get("/login").get_data(as_text=True)
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert '"allowEval":false' in html and '"selfRequestsOnly":true' in html and '"historyCacheSize":0' in html
    assert "<script>" not in html and " hx-on" not in html
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def snapshot():
    counts = {}
    for model in MODELS:
        if model in (AuditEvent, StatisticsSnapshot):
            # reads are audited; statistics counted are kept a few minutes (no user's data)
            continue
        counts[model.__name__] = [tuple(row) for row in model.select().order_by(model.id).tuples()]
    return counts


@pytest.mark.parametrize("persona", ["holder", "unit_leader", "admin", "guardian", "area_leader"])
def test_get_changes_nothing(app, auth, persona):
    """Also with ?lang= (a language this person may read in, not the one stored on their
    account): it chooses the language of that page only; the account's language (which
    e-mails and notices follow) is set by the language menu's POST."""
    values = url_values(app)
    lang = "en" if persona == "guardian" else "nn"
    with db.connection_context():
        assert User.get(User.username == PERSONAS[persona]).language != lang
        before = snapshot()
    for rule, method in routes(app):
        if method != "GET" or rule.endpoint == "static":
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        auth.persona(persona).get(url)
        auth.persona(persona).get(f"{url}?lang={lang}")
    with db.connection_context():
        after = snapshot()
    assert before == after


def test_a_download_is_sandboxed_in_one_place():
    """Every file to save gets `Content-Security-Policy: sandbox` from the one hook that
    sets every response's headers (security.py), whatever view makes it: a view that
    made its own download forgot it (the calendar entry did)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "stafettlogg"
    saying_it = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py") if '"sandbox"' in p.read_text(encoding="utf-8")
    )
    assert saying_it == ["security.py"]
