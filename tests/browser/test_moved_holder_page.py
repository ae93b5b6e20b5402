"""A holder moved to a unit the log's consent leaves out, in the browser at 1280 and 390
px: she opens the log she still holds, reads why she sees none of its content and where
she works now, is offered no form she could not use, and hands the log over to a
colleague at a unit the consent covers. axe on every page; no console errors or CSP
violations."""

import pytest

from stafettlogg.models import Handover
from stafettlogg.org import domain as org
from tests.conftest import a_log, user

TOLD = "Du arbeider nå ved Sørbyen skole, og samtykket omfatter ikke den enheten."


@pytest.mark.parametrize("width", [1280, 390])
def test_a_moved_holder_outside_the_consent_hands_the_log_over(page, server_and_app, width):
    with server_and_app[1].app_context():
        log = a_log()  # held by Kari Ottesen, Nordbyen skole; the consent names Nordbyen
        org.move_staff(user("enhetsleder"), user("stafettholder"), user("kontaktlaerer").unit_id, {})
        mari = user("larer")
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})

    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    main = p.inner_text("main")
    assert TOLD in main and "Kontaktlærer, Sørbyen skole" in main
    for absent in ("Legg til foresatt", "Finn ansatt å legge til", "Endre opplysninger", "Tilgang for foresatte"):
        assert absent not in main, absent
    page.screenshot(f"moved-holder-log-{width}")

    page.click("a:has-text('Bytt stafettholder')")
    with p.expect_response(lambda r: "/stafettholder/sok?q=Mari" in r.url):
        p.fill("#handover-q", "Mari")
    p.wait_for_selector("#handover-results label:has-text('Mari Lund')")
    page.check()
    p.check("#handover-results label:has-text('Mari Lund') input[type=radio]")
    page.click("button:has-text('Send forslag')")
    assert "Venter på svar" in p.content() and "Mari Lund" in p.inner_text(".card--attention")
    page.check()
    with server_and_app[1].app_context():
        proposal = Handover.get(Handover.log == log.id)
        assert (proposal.status, proposal.to_user_id) == ("pending", mari.id)
    page.screenshot(f"moved-holder-proposed-{width}")
    page.assert_clean()
