"""The holder removes a guardian whose parental responsibility has ended from a closed
log, in the browser at 1280 and 390 px: the «Fjern» button asks first, the guardian is
gone from the list, and the mother can no longer open the log. axe on every page, no
console errors or CSP violations."""

import pytest

from stafettlogg.models import Guardian
from tests.conftest import an_ended_log


@pytest.mark.parametrize("width", [1280, 390])
def test_the_holder_removes_a_guardian_from_a_closed_log(page, server_and_app, width):
    with server_and_app[1].app_context():
        closed = an_ended_log(name="Sander Vik")
        mother = Guardian.get(Guardian.log == closed, Guardian.relation == "mor").name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    asked = []
    p.on("dialog", lambda dialog: asked.append(dialog.message))  # the page fixture accepts it

    page.login("foresatt")
    page.goto(f"/mine/{closed.id}")
    assert "Sander Vik" in p.inner_text("main")
    page.logout()

    page.login("stafettholder")
    page.goto(f"/logger/{closed.id}")
    guardians = p.locator("section[aria-labelledby=guardians-h]")
    assert mother in guardians.inner_text()
    page.screenshot(f"guardian-removal-closed-{width}")
    page.click(f"section[aria-labelledby=guardians-h] li:has-text('{mother}') button:has-text('Fjern')")
    p.wait_for_function(
        "name => !document.querySelector('section[aria-labelledby=guardians-h]').innerText.includes(name)", arg=mother
    )
    assert asked == [f"Fjerne {mother} som foresatt?"]
    page.screenshot(f"guardian-removal-done-{width}")
    page.logout()

    page.login("foresatt")
    page.goto(f"/mine/{closed.id}")
    assert "Sander Vik" not in p.inner_text("main")
    # the browser reports the 404 it was expected to get, and only that
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
    page.console_errors.clear()
