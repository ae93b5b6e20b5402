"""Taking over an earlier log in a browser: a teacher at another school types a closed
child's fødselsnummer, learns only that a log exists; the log's unit leader accepts the
request from the start page; the teacher accepts the handover and gets the log as a
draft that waits for a new consent. At 1280 and 390 px, axe on every page."""

import pytest

from tests.conftest import an_ended_log


@pytest.mark.parametrize("width", [1280, 390])
def test_request_accept_and_take_over(page, server_and_app, width):
    with server_and_app[1].app_context():  # a closed log at Nordbyen skole, held by Kari Ottesen
        closed = an_ended_log(name="Sander Vik", nid9="140316560", concern="Sander var urolig etter flytting")
    national_id = closed.subject.national_id
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("kontaktlaerer")
    page.goto("/logger/ny")
    p.fill("#f-name", "Sander Vik")
    p.fill("#f-birth_date", closed.subject.birth_date.isoformat())
    p.fill("#f-national_id", national_id)
    p.fill("#f-guardian-1-name", "Lars Vik")
    p.select_option("#f-guardian-1-relation", "far")
    p.fill("#f-guardian-1-phone", "955 00 000")
    p.fill("#f-concern_title", "Sander trenger oppfølging")
    page.click("button:has-text('Opprett stafettlogg')")
    alert = p.inner_text(".alert--warning")
    assert "Det finnes allerede en stafettlogg" in alert
    assert "Kari Ottesen" not in alert and "Nordbyen" not in alert
    assert p.input_value("#f-national_id") == national_id  # what was typed is kept
    page.screenshot(f"takeover-exists-{width}")
    page.goto("/")
    assert "Venter på svar" in p.inner_text("main") and "Sander" not in p.inner_text("main")
    page.logout()

    page.login("enhetsleder")
    # the leader's task names the ended log by its number; its own page names the child
    task = f"Jonas Berg ber om å overta stafettlogg nr. {closed.id}"
    assert task in p.inner_text("main") and "Sander" not in p.inner_text("main")
    page.click(f"a:has-text('{task}')")
    assert "har ikke sett noe av innholdet" in p.content() and "Sander Vik" in p.inner_text("main")
    page.screenshot(f"takeover-request-{width}")
    page.click("button:has-text('Godta og foreslå Jonas Berg som stafettholder')")
    assert "Forslaget om å bli stafettholder er sendt til Jonas Berg" in p.content()
    page.logout()

    page.login("kontaktlaerer")
    assert "Godtatt" in p.inner_text("main")
    page.click(".card--attention a:has-text('Sander Vik')")
    assert "Stafettholder for Sander Vik?" in p.content()
    page.click("button:has-text('Godta og bli stafettholder')")
    assert "Du er nå stafettholder for Sander Vik" in p.content()
    assert "Sander var urolig etter flytting" not in p.content()  # nothing before a new consent
    page.screenshot(f"takeover-draft-{width}")
