"""The unit's record of deleted logs in windows on the deletion page: PAGE_SIZE rows
shown, «Vis flere» appends the older ones in place (focus moves to the first new row)
until the whole record is shown. axe-core at 1280 and 390 px."""

import pytest

from stafettlogg.db import db
from tests.conftest import daily_tombstones, user

SIZE = 4
FIRST = 900_000


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_older_deletions_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context(), db.connection_context():
        daily_tombstones("enhetsleder", 2 * SIZE + 1, FIRST)
        unit_id = user("enhetsleder").unit_id
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto(f"/enheter/{unit_id}/sletting")
    rows = "#deleted-h ~ .table-wrap tbody tr:not(.items__more)"
    assert p.locator(rows).count() == SIZE
    page.check()
    p.locator("#deleted-h").scroll_into_view_if_needed()
    page.screenshot(f"deleted-window-{width}")
    assert page.show_all(rows, "#deleted-h ~ .table-wrap .items__more a") == 2 * SIZE + 1
    assert str(FIRST) in p.inner_text("#deleted-h ~ .table-wrap")  # the oldest, reached
    assert p.url.endswith(f"/enheter/{unit_id}/sletting")  # the address stays the page's own
