"""The staff start page in the order a busy holder needs it: what is due (measures to
evaluate, talks) before the list of logs, in the page's own order, so the phone shows it
first and keyboard and screen reader meet it first; the unit leader's own task at the
top, and each link once. axe-core at 1280 and 390 px."""

import pytest
from flask import url_for


def box(p, selector):
    return p.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [1280, 390])
def test_what_is_due_comes_before_the_list_of_logs(page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto("/")
    assert "Forfalt" in p.inner_text("#due-h ~ ul")
    due, logs = box(p, "#due-h"), box(p, ".log-list")
    if width == 390:
        assert due["y"] + due["height"] <= logs["y"]  # above the list, not beside it
    else:
        assert due["x"] + due["width"] <= logs["x"] and due["y"] <= logs["y"] + 1  # the left column
    # the same order for the keyboard and a screen reader: the page's own order
    assert p.evaluate(
        "document.querySelector('#due-h').compareDocumentPosition(document.querySelector('.log-list'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.screenshot(f"start-order-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_sees_each_link_once_and_the_staff_link_at_the_top(page, server_and_app, width):
    _url, app = server_and_app
    with app.test_request_context():
        new, consent = url_for("logs.new"), url_for("logs.consent_templates")
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto("/")
    assert p.locator(f"main a[href='{new}']").count() == 1
    assert p.locator(f"main a[href='{consent}']").count() == 1
    staff = box(p, "main a:has-text('Administrer ansatte')")
    assert staff["y"] + staff["height"] <= box(p, "#due-h")["y"]  # with «Ny stafettlogg», before the rest
    page.screenshot(f"start-leader-{width}")
