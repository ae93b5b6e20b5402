"""The live plain-language hints in a real browser: the nominal-style, negation and
family-word hints show with their label and explanation, in bokmål and in nynorsk, on a
wide and a narrow screen, with axe-core clean after each update."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Page
from tests.conftest import a_log

TEXT = {
    "nb": "Vi skal foreta en vurdering av Emma. Emma mistrives ikke i klassen. Broren var med. Vi møtes kl. 10.",
    "nn": "Vi skal gjennomføre ei kartlegging. Emma mistrivst ikkje i klassen. Broren var med. Vi møtest kl. 10.",
}
LABELS = {
    "nb": ("Substantivsyke", "Nektende form", "Annen person?", "Skriv: «vurdere»", "Skriv det positivt: «trives»."),
    "nn": ("Substantivsjuke", "Nektande form", "Annan person?", "Skriv: «kartleggje»", "Skriv det positivt: «trivst»."),
}


@pytest.fixture
def log(server_and_app):
    """Emma Hansen's log on the live server: the texts speak of Emma, so she is no
    "other person" to the hints."""
    with server_and_app[1].app_context():
        return a_log(name="Emma Hansen")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("form", ["nb", "nn"])
def test_new_rules_show_live_beside_the_text(browser, live_server, log, form, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    page = Page(context.new_page(), live_server)
    try:
        p = page.page
        page.login("stafettholder")
        if form == "nn":
            context.add_cookies([{"name": "lang", "value": "nn", "url": live_server}])
        page.goto(f"/logger/{log.id}")
        p.click("#section-entries summary")
        with p.expect_response(lambda r: r.url.endswith("/klarsprak")):
            p.fill("#new-entries-body", TEXT[form])
        panel = p.locator("#section-entries .klarsprak-hints")
        expect(panel.locator(".hint--nominal")).to_be_visible()
        nominal, negation, other, replacement, positive = LABELS[form]
        expect(panel.locator(".hint--nominal .hint__rule")).to_have_text(nominal)
        expect(panel.locator(".hint--nominal")).to_contain_text(replacement)
        expect(panel.locator(".hint--negation .hint__rule")).to_have_text(negation)
        expect(panel.locator(".hint--negation")).to_contain_text(positive)
        expect(panel.locator(".hint--other_person .hint__text")).to_have_text("Broren")
        expect(panel.locator(".hint--other_person .hint__rule")).to_have_text(other)
        expect(panel.locator(".hint--abbreviation")).to_have_count(0)  # "kl. 10" is the convention
        expect(panel.locator("select[data-klarsprak-form]")).to_have_value(form)
        page.check()
        ARTIFACTS.mkdir(exist_ok=True)
        panel.screenshot(path=str(ARTIFACTS / f"klarsprak-hints-{form}-{width}.png"))
        page.assert_clean()
    finally:
        context.close()
