"""Every demo role logs in and finds their way (issue: foundation), on a laptop and on a
phone: axe and the reflow check (nothing wider than the screen) on every page of the
role's menu."""

import pytest

from tests.conftest import a_log

START = {
    "admin": ("Systemansvarlig", ["/omrader", "/enheter", "/admin/utboks"]),
    "omradeleder": ("Områdeleder for Oppvekst", ["/enheter"]),
    "enhetsleder": ("Mine stafettlogger", []),
    "stafettholder": ("Mine stafettlogger", ["/logger/{log}", "/logger/ny", "/logger/samtykkeskjema"]),
    "aktor": ("Mine stafettlogger", ["/logger/{log}"]),
    "foresatt": ("Hei, Fatima Hansen", []),
    "ke": ("Mine stafettlogger", []),
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("username", list(START))
def test_each_demo_role_logs_in_and_finds_their_way(server_and_app, page, username, width):
    page.page.set_viewport_size({"width": width, "height": 900})
    with server_and_app[1].app_context():
        log = a_log()  # held by «stafettholder», «aktor» takes part
    heading, paths = START[username]
    paths = [path.format(log=log.id) for path in paths]
    page.login(username)
    assert heading in page.page.inner_text("h1")
    # the main navigation reaches the role's pages
    for link in page.page.query_selector_all(".site-nav a"):
        href = link.get_attribute("href")
        if href not in paths:
            paths.append(href)
    for path in paths:
        page.goto(path)
        assert page.page.query_selector("h1") is not None
    page.screenshot(f"start-{username}-{width}")
    page.logout()
    assert "/login" in page.page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_adds_and_deactivates_staff(page, width):
    page.page.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click("text=Min enhet")
    page.page.fill("#f-name", "Nora Nyansatt")
    page.page.fill("#f-job_title", "Miljøterapeut")
    page.page.fill("#f-username", "nora.nyansatt")
    page.click("text=Legg inn ansatt >> nth=-1")
    assert "Midlertidig passord" in page.page.content()
    page.page.click("text=Ferdig")
    page.page.wait_for_load_state("networkidle")
    row = page.page.locator("tr", has_text="Nora Nyansatt")
    row.locator("button", has_text="Deaktiver").click()
    page.page.wait_for_load_state("networkidle")
    page.check()
    assert "er deaktivert" in page.page.content()
    page.screenshot(f"unit-staff-{width}")


def test_validation_errors_are_announced_and_keep_input(page):
    page.login("omradeleder")
    page.goto("/enheter")
    page.page.fill("#f-name", "Nordbyen skole")
    page.page.select_option("#f-kind", "skole")
    page.click("button:has-text('Opprett enhet')")
    assert page.page.input_value("#f-name") == "Nordbyen skole"
    assert page.page.evaluate("document.activeElement.classList.contains('error-summary')")


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_gives_a_new_temporary_password(page, width):
    """«Gi nytt midlertidig passord» on the unit page, confirmed, shows the password once."""
    page.page.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click("text=Min enhet")
    row = page.page.locator("tr", has_text="Mari Lund")
    row.locator("button", has_text="Gi nytt midlertidig passord").click()
    page.page.wait_for_load_state("networkidle")
    page.check()
    assert "Nytt midlertidig passord til Mari Lund" in page.page.inner_text("h1")
    assert "Midlertidig passord" in page.page.content()
    page.screenshot(f"unit-new-password-{width}")
