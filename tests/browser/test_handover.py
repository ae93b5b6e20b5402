"""Issue 5 in a browser: the holder proposes a new holder in another unit with the active
search, the new holder accepts from the start page, the new unit's leader sees the
arrival and the guardian sees the new holder at once. axe on every page and swap."""

import pytest

from stafettlogg.handover import domain as handover
from tests.conftest import a_log, user


def test_handover_to_a_holder_in_another_unit(server_and_app, page):
    with server_and_app[1].app_context():
        log = a_log(participants=("aktor", "ppt"))
        kindergarten = a_log("pedleder", participants=(), guardian=None)
        handover.propose_handover(user("pedleder"), kindergarten, user("stafettholder"))
        name, other = log.subject.name, kindergarten.subject.name
    p = page.page
    page.login("stafettholder")
    # a waiting proposal to her (from the kindergarten) is on the start page
    assert f"Du er foreslått som ny stafettholder for {other}" in p.inner_text(".card--attention")
    page.goto(f"/logger/{log.id}")
    page.click("a:has-text('Bytt stafettholder')")
    with p.expect_response(lambda r: "/stafettholder/sok?q=Jonas" in r.url):
        p.fill("#handover-q", "Jonas")
    p.wait_for_selector("#handover-results label:has-text('Jonas Berg')")
    page.check()
    p.check("#handover-results input[type=radio]")
    p.fill("#f-note", "Familien flytter til Sørbyen etter høstferien.")
    page.screenshot("handover-propose")
    page.click("button:has-text('Send forslag')")
    assert "Venter på svar" in p.content() and "Jonas Berg" in p.inner_text(".card--attention")
    page.logout()

    page.login("kontaktlaerer")
    assert p.inner_text("#unread-count").startswith("1")  # the proposal, in the header's unread count
    page.click(f".card--attention a:has-text('{name}')")
    assert f"Stafettholder for {name}?" in p.content()
    assert "flyttes til din enhet (Sørbyen skole)" in p.content()
    page.screenshot("handover-respond")
    page.click("button:has-text('Godta og bli stafettholder')")
    assert p.url.endswith(f"/logger/{log.id}")
    assert "Jonas Berg" in p.inner_text(".holder-card") and "Sørbyen skole" in p.inner_text(".holder-card")
    assert "Kari Ottesen → Jonas Berg" in p.content()
    page.logout()

    page.login("enhetsleder2")
    page.goto("/varsler")
    assert "Et barn med stafettlogg har kommet til Sørbyen skole" in p.content()
    page.screenshot("handover-arrival")
    page.logout()

    page.login("foresatt")
    card = p.inner_text(f".log-card:has-text('{name}')")
    assert "Jonas Berg" in card and "Sørbyen skole" in card and "Kari Ottesen" not in card
    page.screenshot("handover-guardian")


def test_unit_leader_chooses_new_holders_before_deactivating(page):
    p = page.page
    page.login("enhetsleder")
    page.goto("/")
    page.click("a:has-text('Administrer ansatte')")
    page.click("tr:has-text('Kari Ottesen') button:has-text('Deaktiver')")
    assert "Velg ny stafettholder før Kari Ottesen deaktiveres" in p.content()
    for select in p.query_selector_all("#reassign-h ~ form select"):
        select.select_option(label="Mari Lund, Spesialpedagog")
    # Kari has already left: an emergency, each with a reason
    for radio in p.query_selector_all("#reassign-h ~ form input[type=radio][value=direct]"):
        radio.check()
    for reason in p.query_selector_all("#reassign-h ~ form textarea"):
        reason.fill("Kari har sluttet, og familiene trenger en kontakt nå.")
    page.screenshot("handover-reassign")
    page.click("button:has-text('Bytt stafettholder og deaktiver')")
    assert "Kari Ottesen er deaktivert" in p.content()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_unit_leader_changes_the_holder_from_the_overview(server_and_app, page, width):
    """seed 001: the holder is changed when the family wishes it, by the unit leader too.
    From the unit's overview, with a reason; the holder is told; the proposed accepts."""
    with server_and_app[1].app_context():
        log = a_log(name="Åse Ødegård")
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click(".site-nav >> text=Oversikt")
    page.click("#rows tr:has-text('Åse Ødegård') a:has-text('Bytt stafettholder')")
    assert "Som enhetsleder kan du foreslå en ny" in p.content()
    with p.expect_response(lambda r: "/stafettholder/sok?q=Mari" in r.url):
        p.fill("#handover-q", "Mari")
    p.wait_for_selector("#handover-results label:has-text('Mari Lund')")
    page.check()
    p.check("#handover-results input[type=radio]")
    page.click("button:has-text('Send forslag')")  # without a reason
    assert "Skriv hvorfor stafettholderen byttes" in p.content()
    p.check("#handover-results input[type=radio]")
    p.fill("#f-note", "Familien ønsker en annen stafettholder.")
    page.screenshot(f"handover-by-leader-{width}")
    page.click("button:has-text('Send forslag')")
    assert "Venter på svar" in p.content() and "har fått beskjed" in p.content()
    page.logout()

    page.login("stafettholder")
    page.goto("/varsler")
    assert f"har foreslått Mari Lund som ny stafettholder for stafettlogg nr. {log.id}" in p.content()
    page.logout()

    page.login("larer")
    page.click(".card--attention a:has-text('Åse Ødegård')")
    page.click("button:has-text('Godta og bli stafettholder')")
    assert p.url.endswith(f"/logger/{log.id}") and "Mari Lund" in p.inner_text(".holder-card")


def _gap_below(p, upper: str, lower: str) -> float:
    """The space between the bottom of `upper` and the top of `lower` (px)."""
    return p.locator(lower).bounding_box()["y"] - (
        p.locator(upper).bounding_box()["y"] + p.locator(upper).bounding_box()["height"]
    )


def test_the_handover_page_keeps_the_lead_apart_from_the_form_and_its_errors(page, log):
    """On a phone the lead paragraph, the error summary and the form each stand apart:
    a box in a .stack once lost the stack's gap, so the summary and the card sat flush
    under the last line of the lead."""
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}/stafettholder")
    assert _gap_below(p, "main .lead", "section[aria-labelledby=propose-h]") >= 16
    page.click("button:has-text('Send forslag')")
    assert "Velg hvem som skal bli ny stafettholder" in p.inner_text(".error-summary")
    assert _gap_below(p, "main .lead", ".error-summary") >= 16
    assert _gap_below(p, ".error-summary", "section[aria-labelledby=propose-h]") >= 16
