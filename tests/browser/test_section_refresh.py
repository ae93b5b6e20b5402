"""The log page's sections that refresh after a save elsewhere on the page (the talks
offer the agreements; htmx `log-changed`) never throw away a form the person has open in
them: the refresh waits until the form is closed. 1280 and 390 px, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import page_at


@pytest.fixture(params=[1280, 390])
def page(request, browser, live_server):
    yield from page_at(request.param, browser, live_server)


def test_a_save_elsewhere_keeps_what_is_typed_in_an_open_form(page, log):
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    p = page.page
    p.click("#section-talk_agreements summary")
    adult = p.locator("#new-talk_agreements-adult")
    adult.fill("Kontaktlærer Kari Ottesen")

    # a highlight saved meanwhile: the summary refreshes, the open form stays as typed
    p.click("#section-highlights summary")
    p.fill("#new-highlights-body", "Barnet leste høyt for klassen")
    with p.expect_response(lambda r: r.url.endswith("/sammendrag")):
        p.locator("#section-highlights details.add-form form button[type=submit]").click()
    p.locator(".htmx-request").first.wait_for(state="detached")
    expect(p.locator("#section-highlights li", has_text="Barnet leste høyt for klassen")).to_be_visible()
    expect(adult).to_have_value("Kontaktlærer Kari Ottesen")
    expect(p.locator("#section-talk_agreements details.add-form")).to_have_attribute("open", "")

    # closed without saving: the section catches up with the save it waited for
    with p.expect_response(lambda r: r.url.endswith("/seksjon/talk_agreements")) as refreshed:
        p.click("#section-talk_agreements summary")
    assert refreshed.value.status == 200
    p.locator(".htmx-request").first.wait_for(state="detached")
    expect(p.locator("#section-talk_agreements details.add-form")).not_to_have_attribute("open", "")
    page.check()
