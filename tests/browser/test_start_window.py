"""A holder with many logs: the start page shows PAGE_SIZE cards, «Vis flere» appends the
next ones in place (focus moves to the first new card) until all are shown. axe-core at
1280 and 390 px."""

import re

import pytest

from tests.conftest import a_log

SIZE = 4


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_my_next_logs_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context():
        for n in range(2 * SIZE):
            a_log(name=f"Mange {n} Loggesen", participants=())
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto("/")
    cards = p.locator(".log-list li.log-card")
    assert cards.count() == SIZE
    total = int(re.search(r"(\d+) stafettlogger", p.inner_text("main")).group(1))
    assert total > 2 * SIZE
    page.screenshot(f"start-window-{width}")
    shown = SIZE
    while p.locator(".log-list .items__more a").count():
        p.click(".log-list .items__more a")
        expected = min(total, shown + SIZE)
        p.wait_for_function(f"() => document.querySelectorAll('.log-list li.log-card').length === {expected}")
        focused = p.evaluate("() => document.activeElement && document.activeElement.classList.contains('log-card')")
        assert focused
        page.check()
        shown = expected
    assert shown == total and cards.count() == total
    links = p.locator(".log-card__link").evaluate_all("links => links.map(a => a.href)")
    assert len(set(links)) == total  # every log once
