"""The holder of a closed log has left: the unit leader finds it on the deletion page
marked «har sluttet», records the family's answer and removes a guardian whose parental
responsibility has ended, in the browser at 1280 and 390 px. axe on every page, no
console errors or CSP violations."""

import pytest

from stafettlogg.db import write_transaction
from stafettlogg.models import Guardian, Log, User
from tests.conftest import an_ended_log


@pytest.mark.parametrize("width", [1280, 390])
def test_the_unit_leader_stands_in_for_a_holder_who_left(page, server_and_app, width):
    with server_and_app[1].app_context():
        closed = an_ended_log(name="Sander Vik")
        with write_transaction():
            Log.update(keep_answer="undecided").where(Log.id == closed.id).execute()
            User.update(active=False).where(User.id == closed.holder_id).execute()
        mother = Guardian.get(Guardian.log == closed, Guardian.relation == "mor").name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    asked = []
    p.on("dialog", lambda dialog: asked.append(dialog.message))  # the page fixture accepts it

    page.login("enhetsleder")
    page.goto(f"/enheter/{closed.unit_id}/sletting")
    row = p.locator("section[aria-labelledby=waiting-h] tr", has_text="Sander Vik")
    assert "har sluttet" in row.inner_text()
    page.screenshot(f"stand-in-queue-{width}")
    page.click("section[aria-labelledby=waiting-h] tr:has-text('Sander Vik') a:has-text('Registrer svar')")
    assert p.locator("h1").inner_text() == "Stafettloggen er avsluttet"
    assert "har sluttet eller byttet enhet" in p.inner_text("main")
    page.screenshot(f"stand-in-page-{width}")

    page.click(f"section[aria-labelledby=guardians-h] li:has-text('{mother}') button:has-text('Fjern')")
    assert asked == [f"Fjerne {mother} som foresatt?"]
    assert f"{mother} er fjernet som foresatt" in p.inner_text("main")
    assert mother not in p.locator("section[aria-labelledby=guardians-h]").inner_text()

    page.click("#keep-h ~ form input[name=keep][value=no]")
    page.click("#keep-h ~ form button[type=submit]")
    assert "familien ønsker ikke at loggen tas vare på" in p.inner_text("main")
    page.screenshot(f"stand-in-answered-{width}")

    page.goto(f"/enheter/{closed.unit_id}/sletting")
    assert "Sander Vik" in p.locator("section[aria-labelledby=deletable-h]").inner_text()
    page.assert_clean()
