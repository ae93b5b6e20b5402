"""A teacher creating a log finds their own school first and searches the rest,
at 1280 px and 390 px; axe finds nothing."""

import pytest

from tests.browser.conftest import Page


@pytest.mark.parametrize("width", [1280, 390])
def test_teacher_picks_own_school_or_searches_another(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    page = Page(context.new_page(), live_server)
    try:
        page.login("kontaktlaerer")
        page.goto("/logger/ny")
        p = page.page
        first = p.locator(".unit-picker > .choice").first
        assert first.inner_text().strip() == "Sørbyen skole"
        assert first.locator("input").is_checked()
        assert not p.locator("text=Nordbyen skole").first.is_visible()  # the rest waits behind "Andre enheter"
        p.click("summary:has-text('Andre enheter i kommunen')")
        p.fill("#f-unit_id-search", "nordby")
        p.locator("[data-choice]:has-text('Nordbyen skole')").wait_for(state="visible")
        visible = [c.inner_text().strip() for c in p.locator("[data-choice]").all() if c.is_visible()]
        assert visible == ["Nordbyen skole"]
        page.check()
        page.screenshot(f"pick-list-search-{width}")
        p.fill("#f-unit_id-search", "finnes ikke")
        p.locator("[data-choice-none]").wait_for(state="visible")
        p.fill("#f-unit_id-search", "")
        assert p.locator("[data-choice]:visible").count() > 1
        page.assert_clean()
    finally:
        context.close()
