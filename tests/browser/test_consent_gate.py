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


def fill_consent(page, tmp_path, given_by: str, services=()) -> None:
    """Fill in the consent form: given today by the mother, the signed PDF attached."""
    p = page.page
    consent = tmp_path / "samtykke.pdf"
    consent.write_bytes(pdf())
    p.fill("#f-given_by_name", given_by)
    p.fill("#f-relation", "mor")
    p.fill("#f-consent_date", local_today().isoformat())
    for service in services:
        p.check(f"input[name=services][value='{service}']")
    p.set_input_files("#f-file", str(consent))


def a_log_with_a_talk(server_and_app, **log_args):
    """A log of a_log with a note of a talk with the mother written today."""
    with server_and_app[1].app_context():
        log = a_log(**log_args)
        an_item(log, "entries", entry_date=local_today(), body="Samtale med mor om friminuttene.")
        return log


@pytest.mark.parametrize("width", [1280, 390])
def test_expired_consent_waits_and_a_new_consent_reopens_the_log(server_and_app, page, tmp_path, width):
    log = a_log_with_a_talk(server_and_app, participants=("aktor", "ppt"))
    with server_and_app[1].app_context():  # a log whose consent ran out ten days ago
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
    fill_consent(page, tmp_path, mother)
    p.fill("#f-expires_on", (local_today() + dt.timedelta(days=365)).isoformat())
    page.screenshot(f"consent-gate-upload-{width}")
    page.click("button:has-text('Last opp samtykke')")
    main = p.inner_text("main")
    assert "Stafettloggen er aktiv" in main and "venter på nytt samtykke" not in main.lower()
    assert p.locator("text=Endre opplysninger").count() == 1
    page.screenshot(f"consent-gate-reopened-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_holder_outside_the_scope_closes_reads_only_the_frame_and_reopens_with_consent(
    server_and_app, page, tmp_path, width
):
    """The log came to the teacher at Sørbyen skole; the family would not consent to the
    school, so he closes it. Its content stays hidden from him (the page says why) until
    the family changes its mind: he reopens it and uploads a consent naming his school."""
    from stafettlogg.models import Log
    from tests.conftest import user

    log = a_log_with_a_talk(server_and_app)
    with server_and_app[1].app_context():
        jonas = user("kontaktlaerer")
        Log.update(holder=jonas, unit=jonas.unit_id).where(Log.id == log.id).execute()
        mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor").name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})

    page.login("kontaktlaerer")
    page.goto(f"/logger/{log.id}/avslutt")
    p.check("input[name=keep][value=undecided]")
    page.click("button:has-text('Avslutt stafettloggen')")
    page.goto(f"/logger/{log.id}")
    main = p.inner_text("main")
    assert "Samtykket familien ga, omfatter ikke Sørbyen skole" in main
    assert "Samtale med mor" not in main and "Barnet er mye alene" not in main
    assert p.locator("a:has-text('Arkivutskrift'), a:has-text('Utskrift for familien')").count() == 0
    page.screenshot(f"consent-scope-closed-{width}")

    page.click("a:has-text('Passiv eller gjenåpne')")
    assert p.locator("a:has-text('Arkivutskrift')").count() == 0
    page.click("button:has-text('Gjenåpne og last opp nytt samtykke')")
    assert p.url.endswith(f"/logger/{log.id}/samtykke")
    fill_consent(page, tmp_path, mother, services=["kind:helsestasjon"])  # the nurse takes part
    page.click("button:has-text('Last opp samtykke')")
    main = p.inner_text("main")
    assert "Stafettloggen er aktiv" in main and "Samtale med mor" in main
    page.screenshot(f"consent-scope-reopened-{width}")
    page.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
def test_after_a_withdrawal_a_participant_sees_why_the_log_is_hidden(server_and_app, page, width):
    log = a_log_with_a_talk(server_and_app)
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("foresatt")
    page.goto(f"/mine/{log.id}/trekk-samtykke")
    p.check("input[name=confirm]")
    page.click("main button[type=submit]")
    p.context.clear_cookies()
    page.login("aktor")
    page.goto(f"/logger/{log.id}")
    main = p.inner_text("main")
    assert "Familien har trukket tilbake samtykket" in main and "Samtale med mor" not in main
    page.screenshot(f"consent-withdrawn-participant-{width}")
    page.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_family_sees_in_their_language_that_the_log_waits_for_a_new_consent(server_and_app, page, width):
    log = a_log_with_a_talk(server_and_app)
    with server_and_app[1].app_context():  # the consent ran out three days ago
        Consent.update(expires_on=local_today() - dt.timedelta(days=3)).where(Consent.log == log).execute()
        name = log.subject.name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("foresatt")
    assert "Venter på nytt samtykke" in p.locator(f".log-card:has-text('{name}')").inner_text()
    page.goto(f"/mine/{log.id}?lang=so")
    main = p.inner_text("main")
    assert "Waxaa la sugayaa oggolaansho cusub" in main
    assert "Diiwaanku wuxuu idinka sugayaa oggolaansho cusub." in main and "Wuxuu dhacay" in main
    page.screenshot(f"consent-gate-family-waiting-so-{width}")
    page.assert_clean()
