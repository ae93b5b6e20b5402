"""Samtale med barnet in a real browser: the holder agrees who talks with the child and
how often, notes a talk in the child's words with the live plain-language hints, sees
the next talk due; the guardian sees the summary. 1280 and 390 px, axe-core clean."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from stafettlogg.dates import local_today
from tests.browser.conftest import Page


@pytest.mark.parametrize("width", [1280, 390])
def test_talk_agreement_and_note(browser, live_server, log, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    page = Page(context.new_page(), live_server)
    today = local_today()
    try:
        p = page.page
        page.login("stafettholder")
        page.goto(f"/logger/{log.id}")
        p.click("#section-talk_agreements summary")
        p.fill("#new-talk_agreements-adult", "Kontaktlærer Kari Ottesen")
        p.select_option("#new-talk_agreements-every_days", "7")
        p.fill("#new-talk_agreements-start_date", (today - dt.timedelta(days=10)).isoformat())
        p.select_option("#new-talk_agreements-status", "ongoing")
        p.click("#section-talk_agreements button[type=submit]")
        agreement = p.locator("#section-talk_agreements .item").first
        expect(agreement).to_contain_text("Kontaktlærer Kari Ottesen")
        expect(agreement.locator(".overdue-text")).to_be_visible()  # none yet, due 3 days ago
        page.check()

        p.click("#section-talks summary")
        p.select_option("#new-talks-agreement", label="Kontaktlærer Kari Ottesen")
        p.fill("#new-talks-talked_on", today.isoformat())
        p.fill("#new-talks-who", "Kari Ottesen")
        with p.expect_response(lambda r: r.url.endswith("/klarsprak")):
            p.fill("#new-talks-how_it_goes", "Emma mistrives ikke lenger i friminuttene, hun er med Ali.")
        expect(p.locator("#section-talks .klarsprak-hints .hint--negation")).to_be_visible()
        page.check()
        p.click("#section-talks button[type=submit]")
        expect(p.locator("#section-talks .item")).to_contain_text("hun er med Ali")
        expect(p.locator("#section-talk_agreements .overdue-text")).to_have_count(0)
        page.check()
        page.screenshot(f"talks-{width}")

        page.logout()
        page.login("foresatt")
        page.goto(f"/mine/{log.id}")
        section = p.locator("section[aria-labelledby=plain-talks-h]")
        expect(section).to_contain_text("Kontaktlærer Kari Ottesen")
        expect(section).to_contain_text("Antall samtaler så langt: 1.")
        expect(section).not_to_contain_text("hun er med Ali")
        page.screenshot(f"talks-guardian-{width}")
        page.assert_clean()
    finally:
        context.close()
