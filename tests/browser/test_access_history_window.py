"""The guardians' access history in windows: PAGE_SIZE events shown, «Vis flere» appends
the next rows in place (focus moves to the first new row) until the whole history is
shown. axe-core at 1280 and 390 px."""

import datetime as dt

import pytest

from stafettlogg.db import db, write_transaction
from stafettlogg.models import AuditEvent
from tests.conftest import a_log, user

SIZE = 4


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_older_events_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context():
        log = a_log()
        with db.connection_context():
            holder = user("stafettholder")
            start = dt.datetime(2026, 1, 1, 8, 0)
            rows = [
                {
                    "at": start + dt.timedelta(hours=n),
                    "user_id": holder.id,
                    "username": holder.username,
                    "role": "holder",
                    "action": "view:logs.show" if n % 2 else "log_created",
                    "log_id": log.id,
                }
                for n in range(2 * SIZE + 1)
            ]
            with write_transaction():
                AuditEvent.insert_many(rows).execute()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("foresatt")
    page.goto(f"/mine/{log.id}/innsyn")
    rows = p.locator("main table tbody tr:not(.items__more)")
    assert rows.count() == SIZE
    page.check()
    page.screenshot(f"access-history-window-{width}")
    # the seeded events and the guardian's own reads of the page, in windows of SIZE
    assert page.show_all("main table tbody tr:not(.items__more)", "main .items__more a") > 2 * SIZE
    assert "01.01.2026 kl. 09:00" in p.inner_text("main table")  # the oldest event, reached
    assert p.url.endswith(f"/mine/{log.id}/innsyn")  # the address stays the page's own
