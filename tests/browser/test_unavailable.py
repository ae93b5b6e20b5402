"""An htmx save that gets a 503 (database outage) or no answer: the page says so calmly,
keeps what was typed, and the notice goes away when a later request succeeds."""

import pytest

from tests.browser.conftest import ARTIFACTS, Page


@pytest.fixture(params=[1280, 390])
def page(request, browser, live_server):
    context = browser.new_context(
        viewport={"width": request.param, "height": 900}, locale="nb-NO", reduced_motion="reduce"
    )
    p = Page(context.new_page(), live_server)
    yield p
    p.assert_clean()
    context.close()


def test_an_htmx_save_during_an_outage_says_so_and_keeps_the_text(page, log):
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    p = page.page
    notice = p.locator("[data-server-unavailable]")
    assert notice.is_hidden()
    p.click("#section-highlights summary")
    form = p.locator("#section-highlights details.add-form form")
    textarea = p.locator("#new-highlights-body")
    textarea.fill("Barnet leste høyt for klassen")

    def outage(route):
        route.fulfill(status=503, headers={"Retry-After": "30"}, body="<p>Ikke tilgjengelig</p>")

    p.route("**/seksjon/highlights", outage)
    form.locator("button[type=submit]").click()
    notice.wait_for(state="visible")
    assert "Det du skrev, står fortsatt her" in notice.inner_text()
    assert textarea.input_value() == "Barnet leste høyt for klassen"
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / f"htmx-unavailable-{p.viewport_size['width']}.png"))  # what the user sees
    assert notice.bounding_box()["y"] < p.viewport_size["height"]  # in view, not at the top of a long page

    # the database is back: the same click saves, and the notice goes away
    p.unroute("**/seksjon/highlights")
    form.locator("button[type=submit]").click()
    notice.wait_for(state="hidden")
    p.locator("#section-highlights .items", has_text="Barnet leste høyt for klassen").wait_for()
    page.check()
    # the browser and htmx log the 503 it was given on purpose; nothing else may be logged
    page.console_errors[:] = [e for e in page.console_errors if "503" not in e]
