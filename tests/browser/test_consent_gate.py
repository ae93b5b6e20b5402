"""Consent as the gate in the browser: the holder's consent has run out; the start page
and the log show "Venter på nytt samtykke" and the way to upload a new one; a write is
refused with the reason; the new consent reopens the log. At 1280 and 390 px, axe on
every page, no console errors or CSP violations."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.models import Consent, Guardian
from tests.conftest import a_log, an_item
from tests.files import pdf


def _click(page, selector):
    page.click(selector)


@pytest.mark.parametrize("width", [1280, 390])
def test_expired_consent_waits_and_a_new_consent_reopens_the_log(server_and_app, page, tmp_path, width):
    with server_and_app[1].app_context():  # a log whose consent ran out ten days ago
        log = a_log(participants=("aktor", "ppt"))
        an_item(log, "entries", entry_date=local_today(), body="Samtale med mor om friminuttene.")
        Consent.update(expires_on=local_today() - dt.timedelta(days=10)).where(Consent.log == log).execute()
        name, mother = log.subject.name, Guardian.get(Guardian.log == log, Guardian.relation == "mor").name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})

    page.login("stafettholder")
    card = p.locator(f".log-card:has-text('{name}')")
    assert "Venter på nytt samtykke" in card.inner_text()
    assert f"Last opp nytt samtykke for {name}" in p.inner_text("main")
    page.screenshot(f"consent-gate-start-{width}")

    page.click(f".log-card:has-text('{name}') a")
    main = p.inner_text("main")
    assert "Stafettloggen venter på nytt samtykke" in main and "Samtykket gikk ut" in main
    assert "Samtale med mor" in main  # still readable
    assert p.locator("text=Legg til foresatt").count() == 0 and p.locator("text=Endre opplysninger").count() == 0
    page.screenshot(f"consent-gate-waiting-{width}")

    # a form opened before the consent ran out: saving is refused with the reason, nothing stored
    page.goto(f"/logger/{log.id}/opplysninger")
    p.fill("#f-class_group", "5B")
    page.click("button:has-text('Lagre')")
    assert "venter på nytt samtykke" in p.inner_text("h1") and "Ingenting ble lagret" in p.inner_text("main")
    page.screenshot(f"consent-gate-refused-{width}")

    page.click("a:has-text('Last opp nytt samtykke')")
    assert p.url.endswith(f"/logger/{log.id}/samtykke")
    consent = tmp_path / "samtykke.pdf"
    consent.write_bytes(pdf())
    p.fill("#f-given_by_name", mother)
    p.fill("#f-relation", "mor")
    p.fill("#f-consent_date", local_today().isoformat())
    p.fill("#f-expires_on", (local_today() + dt.timedelta(days=365)).isoformat())
    p.set_input_files("#f-file", str(consent))
    page.screenshot(f"consent-gate-upload-{width}")
    page.click("button:has-text('Last opp samtykke')")
    main = p.inner_text("main")
    assert "Stafettloggen er aktiv" in main and "venter på nytt samtykke" not in main.lower()
    assert p.locator("text=Endre opplysninger").count() == 1
    page.screenshot(f"consent-gate-reopened-{width}")
