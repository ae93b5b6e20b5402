"""`make run`'s OpenID provider: the demo identities sign in through the provider's form
(README "Demo identities"), and nothing but the demo starts it."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from stafettlogg.demo import DEMO_MOTHER_PID, DEMO_YOUTH_PID
from stafettlogg.oidc import demo_provider
from tests.conftest import _make_app

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def issuer():
    url, server = demo_provider.start_provider(0)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(database_url, issuer):
    env = demo_provider.demo_environment(issuer)
    yield _make_app(database_url, DEMO_MODE=True, **env)
    from stafettlogg.db import db

    if not db.is_closed():
        db.close()


def through_the_form(browser, start, sub):
    location = browser.get(start).headers["Location"]
    form = requests.get(location, timeout=10)
    assert form.status_code == 200 and sub in form.text  # the person is offered on the form
    answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    return browser.get(f"{back.path}?{back.query}")


def test_the_demo_mother_lands_in_her_childs_view(client, db_conn):
    assert through_the_form(client, "/login/idporten", DEMO_MOTHER_PID).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Emma Hansen" in page and "Sara Ahmadi" not in page


def test_the_demo_youth_reads_her_own_log(client, db_conn):
    assert through_the_form(client, "/login/idporten", DEMO_YOUTH_PID).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sara Ahmadi" in page and "Emma Hansen" not in page


def test_a_demo_staff_member_signs_in_as_staff(client, db_conn):
    assert through_the_form(client, "/login/ansatt", "kari.ottesen@demo.kommune.no").status_code == 302
    assert "Kari Ottesen" in client.get("/").get_data(as_text=True)


def test_a_demo_staff_member_meets_a_second_factor_requirement(client, app, db_conn):
    """`STAFF_OIDC_AMR_VALUES=mfa make run`: the demo's staff sign in with a second factor,
    as the municipality's provider reports one; a sign-in without it is refused."""
    app.config["STAFF_OIDC_AMR_VALUES"] = ["mfa"]
    assert through_the_form(client, "/login/ansatt", "kari.ottesen@demo.kommune.no").status_code == 302
    assert "Kari Ottesen" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    app.config["STAFF_OIDC_AMR_VALUES"] = ["hwk"]
    refused = through_the_form(client, "/login/ansatt", "kari.ottesen@demo.kommune.no")
    assert refused.status_code == 403 and "Kari Ottesen" not in client.get("/").get_data(as_text=True)


def test_the_demo_login_page_offers_both_and_keeps_passwords(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Logg inn med ID-porten" in page and "Logg inn som ansatt" in page and 'name="password"' in page


def test_every_demo_identity_opens_an_account(client, db_conn):
    from stafettlogg.models import User

    for email, name in demo_provider.STAFF_PEOPLE:
        assert User.get(User.login_identity == email).name == name
    assert {pid for pid, _name in demo_provider.IDPORTEN_PEOPLE} == {DEMO_MOTHER_PID, DEMO_YOUTH_PID}


def test_the_provider_starts_only_in_the_demo():
    env = {k: v for k, v in os.environ.items() if k != "STAFETTLOGG_DEMO"}
    done = subprocess.run(
        [sys.executable, "-m", "stafettlogg.oidc.demo_provider", "--port", "0", "--provider-port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "only in the demo" in done.stderr
    # The app (gunicorn app:app) never imports it: only the Makefile's `run` does.
    importers = [
        path.relative_to(ROOT)
        for path in (ROOT / "stafettlogg").rglob("*.py")
        if "demo_provider" in path.read_text(encoding="utf-8") and path.name != "demo_provider.py"
    ]
    assert importers == []
    assert "stafettlogg.oidc.demo_provider" in (ROOT / "Makefile").read_text()
