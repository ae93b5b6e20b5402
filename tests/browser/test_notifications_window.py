"""«Varsler» in windows: PAGE_SIZE notices shown, «Vis flere» appends the older ones in
place (focus moves to the first new one) until every notice is shown, and each can still
be opened. axe-core at 1280 and 390 px."""

import pytest

from stafettlogg.db import db
from stafettlogg.models import Notification
from tests.conftest import hourly_notices

SIZE = 4


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_older_notices_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context(), db.connection_context():
        Notification.delete().execute()
        hourly_notices("stafettholder", 2 * SIZE + 1)
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto("/varsler")
    notices = "main ul.notifications > li.notification"
    assert p.locator(notices).count() == SIZE
    page.check()
    page.screenshot(f"notifications-window-{width}")
    assert page.show_all(notices, "main .items__more a") == 2 * SIZE + 1
    assert "Varsel nummer 0" in p.inner_text("main")  # the oldest, reached
    assert p.url.endswith("/varsler")  # the address stays the page's own
    # an appended notice can be marked as read like the first ones
    oldest = p.locator(notices).last
    oldest.get_by_role("button", name="Merk som lest").click()
    p.wait_for_url("**/varsler")
    with app.app_context(), db.connection_context():
        read = [n.text for n in Notification.select().where(Notification.read_at.is_null(False))]
    assert read == ["Varsel nummer 0"]
