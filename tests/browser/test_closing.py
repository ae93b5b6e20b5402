"""Closing asks, never assumes, in the browser at 1280 and 390 px: closing without an
answer is refused and keeps the note; "Ikke avklart ennå" closes the log, the unit
leader sees it waiting (not deletable); the holder records "Nei" later and it moves to
"Kan slettes". axe on every page, no console errors or CSP violations."""

import pytest


def queue(page):
    """The unit leader's page of ended logs, reached from the menu."""
    page.click(".site-nav a:has-text('Min enhet')")
    page.click("a:has-text('Avsluttede logger og sletting')")


@pytest.mark.parametrize("width", [1280, 390])
def test_closing_asks_whether_to_keep_the_log(page, log, width):
    name, close = log.subject.name, f"/logger/{log.id}/avslutt"
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto(close)
    assert p.locator("input[name=keep]:checked").count() == 0  # nothing preselected
    p.fill("#f-note", "Barnet har det bra nå.")
    page.click("button:has-text('Avslutt stafettloggen')")
    summary = p.inner_text(".error-summary")
    assert "Svar på om loggen skal tas vare på" in summary
    assert p.input_value("#f-note") == "Barnet har det bra nå."  # kept
    page.screenshot(f"closing-no-answer-{width}")
    page.click(".error-summary a[href='#f-keep']")
    p.check("input[name=keep][value=undecided]")
    page.click("button:has-text('Avslutt stafettloggen')")
    assert "Den slettes ikke før familien har svart" in p.inner_text("main")
    page.goto(close)
    assert "Ikke avklart ennå" in p.inner_text("main")
    page.screenshot(f"closing-undecided-{width}")
    page.logout()

    page.login("enhetsleder")
    queue(page)
    assert name in p.inner_text("section:has(#waiting-h)")
    assert name not in p.inner_text("section:has(#deletable-h)")
    page.screenshot(f"closing-queue-waiting-{width}")
    page.logout()

    page.login("stafettholder")
    page.goto(close)
    page.click("button:has-text('Lagre svaret')")  # no answer chosen: refused
    assert "Svar på om loggen skal tas vare på" in p.inner_text(".error-summary")
    p.check("input[name=keep][value=no]")
    page.click("button:has-text('Lagre svaret')")
    assert "familien ønsker ikke at loggen tas vare på" in p.inner_text("main")
    page.logout()

    page.login("enhetsleder")
    queue(page)
    assert name in p.inner_text("section:has(#deletable-h)")
    page.screenshot(f"closing-queue-deletable-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_closing_page_names_minutes_still_to_approve(page, server_and_app, log, meeting, width):
    """A meeting held whose minutes are not approved: the closing page says so and leads
    to the meeting, where the holder approves them before closing."""
    import datetime as dt

    from stafettlogg.models import Meeting

    with server_and_app[1].app_context():
        Meeting.update(starts_at=dt.datetime.now() - dt.timedelta(days=1)).where(Meeting.id == meeting.id).execute()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}/avslutt")
    warning = p.locator("section:has(#awaiting-h)")
    assert "Ett referat er ikke godkjent" in warning.inner_text()
    page.screenshot(f"closing-minutes-to-approve-{width}")
    warning.locator("a").click()
    p.wait_for_url(f"**/logger/{log.id}/moter/{meeting.id}")
    assert p.locator("h1").count() == 1
    page.logout()
