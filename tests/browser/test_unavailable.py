"""An htmx save that gets a 503 (database outage) or no answer: the page says so calmly,
keeps what was typed, and the notice goes away when a later request succeeds."""

import pytest

from tests.browser.conftest import ARTIFACTS, page_at


@pytest.fixture(params=[1280, 390])
def page(request, browser, live_server):
    yield from page_at(request.param, browser, live_server)


def highlights_form_open(page, log, notice: str):
    """The holder on the log page, the highlights' add form open; the notice, hidden."""
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    p = page.page
    assert p.locator(notice).is_hidden()
    p.click("#section-highlights summary")
    return p, p.locator(notice)


def test_an_htmx_save_during_an_outage_says_so_and_keeps_the_text(page, log):
    p, notice = highlights_form_open(page, log, "[data-server-unavailable]")
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
    # hints on the text, asked for while the notice shows, are the page's own request:
    # their answer does not take the notice away (it did, a second after the save)
    with p.expect_response(lambda r: r.url.endswith("/klarsprak")):
        textarea.press("End")
        textarea.press_sequentially(".")
    assert notice.is_visible()
    textarea.fill("Barnet leste høyt for klassen")

    # the database is back: the same click saves, and the notice goes away
    p.unroute("**/seksjon/highlights")
    form.locator("button[type=submit]").click()
    notice.wait_for(state="hidden")
    p.locator("#section-highlights .items", has_text="Barnet leste høyt for klassen").wait_for()
    page.check()
    # the browser and htmx log the 503 it was given on purpose; nothing else may be logged
    page.console_errors[:] = [e for e in page.console_errors if "503" not in e]


def test_a_click_on_something_deleted_meanwhile_says_so(page, log):
    """«Endre» on a highlight a colleague deleted a moment ago is refused (404, not
    swapped): the page says so and how to go on, instead of a button that does nothing;
    the notice goes away with the next request that succeeds."""
    from stafettlogg.db import db
    from stafettlogg.models import Highlight

    p, notice = highlights_form_open(page, log, "[data-request-refused]")
    p.fill("#new-highlights-body", "Barnet leste høyt for klassen")
    p.locator("#section-highlights details.add-form form button[type=submit]").click()
    item = p.locator("#section-highlights li", has_text="Barnet leste høyt for klassen")
    item.wait_for()
    with db.connection_context():
        Highlight.delete().where(Highlight.log == log.id).execute()  # deleted in another tab
    item.get_by_role("link", name="Endre").click()
    notice.wait_for(state="visible")
    assert "endret eller slettet av noen andre" in notice.inner_text()
    assert p.locator("[data-server-unavailable]").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / f"htmx-refused-{p.viewport_size['width']}.png"))
    page.check()
    p.click("#section-highlights summary")
    p.fill("#new-highlights-body", "Barnet spilte fotball")
    p.locator("#section-highlights details.add-form form button[type=submit]").click()
    notice.wait_for(state="hidden")
    # the browser logs the 404 it was given; nothing else may be logged
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]


def test_a_section_refreshing_in_the_background_does_not_take_the_notice_away(page, log):
    """A section asked for before «Endre» was refused, answering after it (the log's other
    sections refresh when something is saved), says nothing about what was refused: the
    notice stays until the user's next request succeeds. It went away by itself before, at
    390 px, before anyone could read it."""
    from stafettlogg.db import db
    from stafettlogg.models import Highlight

    p, notice = highlights_form_open(page, log, "[data-request-refused]")
    p.fill("#new-highlights-body", "Barnet leste høyt for klassen")
    p.locator("#section-highlights details.add-form form button[type=submit]").click()
    item = p.locator("#section-highlights li", has_text="Barnet leste høyt for klassen")
    item.wait_for()
    p.locator(".htmx-request").first.wait_for(state="detached")  # saving's refreshes are done

    held = []
    p.route("**/seksjon/talks", lambda route: held.append(route))  # on its way, not yet answered
    with p.expect_request("**/seksjon/talks"):
        p.evaluate("htmx.trigger(document.body, 'log-changed')")
    while not held:
        p.evaluate("0")  # lets Playwright hand the request to the route
    with db.connection_context():
        Highlight.delete().where(Highlight.log == log.id).execute()  # deleted in another tab
    item.get_by_role("link", name="Endre").click()
    notice.wait_for(state="visible")

    with p.expect_response("**/seksjon/talks") as answer:
        held[0].continue_()
    assert answer.value.status == 200
    p.locator("#section-talks.htmx-request").wait_for(state="detached")  # htmx has handled it
    assert notice.is_visible()

    p.unroute("**/seksjon/talks")
    p.click("#section-highlights summary")
    p.fill("#new-highlights-body", "Barnet spilte fotball")
    p.locator("#section-highlights details.add-form form button[type=submit]").click()
    notice.wait_for(state="hidden")
    page.console_errors[:] = [e for e in page.console_errors if "404" not in e]
