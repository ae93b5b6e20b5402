"""The unit's record of deleted logs in windows on the deletion page: PAGE_SIZE rows
shown, «Vis flere» appends the older ones in place (focus moves to the first new row)
until the whole record is shown; so does each queue of ended logs. axe-core at 1280
and 390 px."""

import pytest

from stafettlogg.db import db
from stafettlogg.logs import states
from stafettlogg.models import Log
from tests.conftest import an_ended_log, daily_tombstones, user

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


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_the_next_logs_that_may_be_deleted(page, server_and_app, width):
    """The queue «Kan slettes» in windows, the longest closed first: «Vis flere» under it
    appends the next logs in place until all are shown; the other lists stay as they were."""
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context(), db.connection_context():
        logs = [
            an_ended_log("closed", participants=(), guardian=None, name=f"Slettbar {n}") for n in range(2 * SIZE + 1)
        ]
        unit_id = logs[0].unit_id
        total = Log.select().where(Log.unit == unit_id, states.DELETION_QUEUES["deletable"]()).count()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto(f"/enheter/{unit_id}/sletting")
    rows = "#deletable-h ~ .table-wrap tbody tr:not(.items__more)"
    assert p.locator(rows).count() == SIZE
    assert f"({total})" in p.inner_text("#deletable-h")
    page.check()
    p.locator("#deletable-h").scroll_into_view_if_needed()
    page.screenshot(f"deletable-window-{width}")
    assert page.show_all(rows, "#deletable-h ~ .table-wrap .items__more a") == total
    assert "Slettbar 6" in p.inner_text("#deletable-h ~ .table-wrap")  # the last, reached
    assert p.url.endswith(f"/enheter/{unit_id}/sletting")  # the address stays the page's own
