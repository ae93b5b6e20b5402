"""Sign in through the OpenID provider's own form in Chromium, as `make run` offers it: a
guardian with ID-porten reads her child's log, a staff member signs in as staff. Every
request outside 127.0.0.0/8 is refused (the provider's form asks a CDN for its CSS)."""

import ipaddress
import shutil
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from stafettlogg.demo import DEMO_MOTHER_PID
from stafettlogg.models import Guardian
from stafettlogg.oidc import demo_provider
from tests.browser.conftest import Page
from tests.conftest import a_log

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


@pytest.fixture
def oidc_live_server(template_database, tmp_path):
    """The app with the demo provider as ID-porten and as the staff provider, local
    login off (as in production with a staff provider)."""
    from tests.conftest import _make_app

    issuer, provider = demo_provider.start_provider(0)
    path = tmp_path / "browser.sqlite3"
    shutil.copy(template_database, path)
    app = _make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, TESTING=False, **demo_provider.demo_environment(issuer))
    server = make_server("127.0.0.1", 0, app, threaded=True)  # a free port, bound at once
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", issuer, app
    server.shutdown()
    server.server_close()
    provider.shutdown()
    thread.join(timeout=5)


def local_only(route):
    host = urlsplit(route.request.url).hostname or ""
    try:
        local = ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        local = host == "localhost"
    if local:
        route.continue_()
    else:
        route.abort()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def oidc_page(request, browser, oidc_live_server):
    base, issuer, app = oidc_live_server
    context = browser.new_context(
        viewport={"width": request.param, "height": 900}, locale="nb-NO", reduced_motion="reduce"
    )
    context.route("**/*", local_only)
    page = Page(context.new_page(), base)
    page.issuer = issuer
    page.app = app
    page.width = request.param
    yield page
    page.assert_clean()
    context.close()


def through_the_provider(page, button, sub, typed=False):
    """Press our button, pick the person on the provider's form, come back. The provider's
    page is not ours: no axe there, and its CDN request refused by us is expected; back on
    our pages everything is checked again."""
    before = len(page.console_errors)
    page.page.click(f"text={button}")
    page.page.wait_for_url(page.issuer + "/**")
    page.page.wait_for_load_state("load")
    if typed:
        page.page.fill('input[name="sub"]', sub)
        page.page.click("button:text('Authorize')")
    else:
        page.page.click(f'button[name="sub"][value="{sub}"]')
    page.page.wait_for_url(page.base + "/**")
    page.page.wait_for_load_state("networkidle")
    refused = page.console_errors[before:]
    assert all("Failed to load resource" in e for e in refused), refused
    del page.console_errors[before:]


def test_guardian_signs_in_with_idporten_and_reads_the_log(oidc_page):
    page = oidc_page
    with page.app.app_context():  # a log where the holder recorded the mother's number
        log = a_log()
        Guardian.update(national_id=DEMO_MOTHER_PID).where(Guardian.log == log, Guardian.relation == "mor").execute()
        name = log.subject.name
    page.goto("/login")
    assert page.page.locator("#password").count() == 0  # local login off: no password form
    page.screenshot(f"oidc-login-{page.width}")
    through_the_provider(page, "Logg inn med ID-porten", DEMO_MOTHER_PID)
    page.check()
    assert name in page.page.content()
    page.click(f"text={name}")
    assert page.page.url.endswith(f"/mine/{log.id}")
    assert page.page.locator("h1").first.inner_text().strip()
    page.screenshot(f"oidc-guardian-log-{page.width}")


def test_staff_signs_in_as_staff(oidc_page):
    page = oidc_page
    page.goto("/login")
    through_the_provider(page, "Logg inn som ansatt", "kari.ottesen@demo.kommune.no")
    page.check()
    assert "Kari Ottesen" in page.page.content()
    page.screenshot(f"oidc-staff-start-{page.width}")


def test_an_unknown_staff_identity_sees_the_calm_page(oidc_page):
    page = oidc_page
    page.goto("/login")
    through_the_provider(page, "Logg inn som ansatt", "ukjent@demo.kommune.no", typed=True)
    page.check()
    assert page.page.locator("h1").inner_text() == "Ingen konto i Stafettlogg"
    page.screenshot(f"oidc-staff-unknown-{page.width}")


def test_break_glass_form_for_the_administrator(oidc_page):
    page = oidc_page
    page.goto("/login")
    page.click("text=Nødinnlogging for systemadministrator")
    page.page.fill("#username", "admin")
    page.page.fill("#password", "demo-passord")
    page.page.click("button[type=submit]")
    page.page.wait_for_load_state("networkidle")
    assert "/login" not in page.page.url
    page.check()
