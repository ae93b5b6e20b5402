"""The administrator's «Utboks» in windows: PAGE_SIZE e-mails shown, «Vis flere» appends
the older ones in place (focus moves to the first new one) until every e-mail is shown.
axe-core at 1280 and 390 px."""

import pytest

from stafettlogg.db import db
from stafettlogg.models import MailStatus, OutboxEmail
from tests.conftest import hourly_mails

SIZE = 4


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_older_mails_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    app.config["PAGE_SIZE"] = SIZE
    with app.app_context(), db.connection_context():
        hourly_mails(2 * SIZE + 1, failed=0, key="browser")
        total = OutboxEmail.select().count()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("admin")
    page.goto("/admin/utboks")
    mails = "main ul.list > li.card"
    assert p.locator(mails).count() == SIZE
    page.check()
    page.screenshot(f"outbox-window-{width}")
    assert page.show_all(mails, "main .items__more a") == total
    assert "E-post nummer 0" in p.inner_text("main")  # the oldest, reached
    assert p.url.endswith("/admin/utboks")  # the address stays the page's own
    # the failed one, appended last, can be sent again from where it is
    p.locator(mails).filter(has_text="E-post nummer 0").get_by_role("button", name="Prøv å sende igjen").click()
    p.wait_for_load_state("networkidle")
    with app.app_context(), db.connection_context():
        again = OutboxEmail.get(OutboxEmail.idempotency_key == "browser-0")
    assert again.status != MailStatus.FAILED
