"""Taking over an earlier log in a browser: a teacher at another school types a closed
child's fødselsnummer, learns only that a log exists; the log's unit leader accepts the
request from the start page; the teacher accepts the handover and gets the log as a
draft that waits for a new consent. At 1280 and 390 px, axe on every page."""

import pytest

from stafettlogg.logs.national_id import with_control_digits

OSKAR_NID = with_control_digits("300614503")  # the demo's closed log


def _go(page, selector):
    page.page.click(selector)
    page.page.wait_for_load_state("networkidle")
    page.check()


@pytest.mark.parametrize("width", [1280, 390])
def test_request_accept_and_take_over(page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("kontaktlaerer")
    page.goto("/logger/ny")
    p.fill("#f-name", "Oskar Nilsen")
    p.fill("#f-birth_date", "2014-06-30")
    p.fill("#f-national_id", OSKAR_NID)
    p.fill("#f-guardian-1-name", "Lars Nilsen")
    p.select_option("#f-guardian-1-relation", "far")
    p.fill("#f-guardian-1-phone", "955 00 000")
    p.fill("#f-concern_title", "Oskar trenger oppfølging")
    _go(page, "button:has-text('Opprett stafettlogg')")
    alert = p.inner_text(".alert--warning")
    assert "Det finnes allerede en stafettlogg" in alert
    assert "Kari Ottesen" not in alert and "Nordbyen" not in alert
    assert p.input_value("#f-national_id") == OSKAR_NID  # what was typed is kept
    page.screenshot(f"takeover-exists-{width}")
    page.goto("/")
    assert "Venter på svar" in p.inner_text("main") and "Oskar" not in p.inner_text("main")
    page.logout()

    page.login("enhetsleder")
    assert "Jonas Berg ber om å overta stafettloggen for Oskar Nilsen" in p.inner_text("main")
    _go(page, "a:has-text('ber om å overta stafettloggen for Oskar Nilsen')")
    assert "har ikke sett noe av innholdet" in p.content()
    page.screenshot(f"takeover-request-{width}")
    _go(page, "button:has-text('Godta og foreslå Jonas Berg som stafettholder')")
    assert "Forslaget om å bli stafettholder er sendt til Jonas Berg" in p.content()
    page.logout()

    page.login("kontaktlaerer")
    assert "Godtatt" in p.inner_text("main")
    _go(page, ".card--attention a:has-text('Oskar Nilsen')")
    assert "Stafettholder for Oskar Nilsen?" in p.content()
    _go(page, "button:has-text('Godta og bli stafettholder')")
    assert "Du er nå stafettholder for Oskar Nilsen" in p.content()
    assert "Oskar var urolig etter flytting" not in p.content()  # nothing before a new consent
    page.screenshot(f"takeover-draft-{width}")
