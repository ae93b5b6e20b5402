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
    assert page.show_all(".log-list li.log-card", ".log-list .items__more a") == total
    links = p.locator(".log-card__link").evaluate_all("links => links.map(a => a.href)")
    assert len(set(links)) == total  # every log once
