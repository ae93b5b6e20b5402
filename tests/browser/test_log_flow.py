"""A holder creates a log, uploads consent, adds a measure and a participant (issue: the
stafettlogg itself), with axe on every page and after every htmx swap."""

import datetime as dt

from stafettlogg.dates import local_today
from tests.files import pdf


def test_holder_creates_log_uploads_consent_adds_measure_and_participant(page, tmp_path):
    p = page.page
    page.login("stafettholder")
    page.click(".site-nav >> text=Ny stafettlogg")
    page.fill_form(
        {
            "#f-name": "Vilde Nygård",
            "#f-birth_date": "2017-02-03",
            "#f-class_group": "3B",
            "#f-level": "2",
            "#f-guardian-1-name": "Heidi Nygård",
            "#f-guardian-1-relation": "mor",
            "#f-guardian-1-phone": "912 34 567",
            "#f-concern_title": "Vilde synes det er vanskelig å lese",
        }
    )
    page.click("button:has-text('Opprett stafettlogg')")
    assert "Last opp samtykket for å ta loggen i bruk" in p.content()
    page.screenshot("log-draft")

    page.click(".card--attention a:has-text('Last opp samtykke')")
    consent = tmp_path / "samtykke.pdf"
    consent.write_bytes(pdf())
    p.fill("#f-given_by_name", "Heidi Nygård")
    p.fill("#f-relation", "mor")
    p.check("input[value='kind:helsestasjon']")
    p.set_input_files("#f-file", str(consent))
    page.click("button:has-text('Last opp samtykke')")
    assert "Stafettloggen er aktiv" in p.content()
    log_url = p.url

    # add a measure with htmx: only the measures section changes
    p.click("#section-measures summary")
    page.fill_form(
        {
            "#new-measures-what": "Spesialpedagog leser med Vilde 20 minutter hver dag.",
            "#new-measures-responsible": "Spesialpedagog Mari Lund",
            "#new-measures-evaluation_date": (local_today() + dt.timedelta(days=10)).isoformat(),
            "#new-measures-status": "ongoing",
        }
    )
    with p.expect_response(lambda r: "/seksjon/measures" in r.url and r.request.method == "POST"):
        p.click("#section-measures button:has-text('Lagre')")
    p.wait_for_selector("#section-measures .item")
    assert p.url == log_url  # no page load: the section was swapped
    assert "Spesialpedagog leser med Vilde" in p.inner_text("#section-measures")
    p.wait_for_selector("#log-summary .deadline-list")  # the deadline list refreshed via HX-Trigger
    assert "Spesialpedagog leser" in p.inner_text("#log-summary")
    page.check()

    # add a participant with the active search
    with p.expect_response(lambda r: "/deltakere/sok?q=Karianne" in r.url):
        p.fill("#participant-q", "Karianne")
    p.wait_for_selector("#participant-results li:has-text('Karianne')")
    page.check()
    p.click("#participant-results button:has-text('Legg til')")
    p.wait_for_selector("#participants .person__name:has-text('Karianne Petrusen')")
    page.check()
    page.screenshot("log-active")

    # a service the consent does not cover asks for an extended consent
    with p.expect_response(lambda r: "/deltakere/sok?q=Jonas" in r.url):
        p.fill("#participant-q", "Jonas")
    p.wait_for_selector("#participant-results li:has-text('Jonas Berg')")
    assert "Samtykket omfatter ikke Sørbyen skole" in p.inner_text("#participant-results")


def test_log_page_works_without_javascript(browser, live_server, log):
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(live_server + "/login")
    p.fill("#username", "stafettholder")
    p.fill("#password", "demo-passord")
    p.click("button[type=submit]")
    p.goto(live_server + f"/logger/{log.id}")
    p.click("#section-entries summary")
    p.fill("#new-entries-entry_date", local_today().isoformat())
    p.fill("#new-entries-body", "Skrevet uten JavaScript")
    p.click("#section-entries button:has-text('Lagre')")
    p.wait_for_load_state()
    assert p.url.endswith(f"/logger/{log.id}#entries")
    assert "Skrevet uten JavaScript" in p.inner_text("#section-entries")
    context.close()


def test_what_the_participant_search_takes_stays_in_sight(page, log):
    """The log page's narrow side column: «Navn, stilling eller enhet» (what the search
    for a participant takes) is shown whole under the label and read with the field; as
    a placeholder it was cut off («Navn, stilling eller e») and gone once typing began."""
    p = page.page
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    p.fill("#participant-q", "Kar")
    hint = p.locator("#" + p.get_attribute("#participant-q", "aria-describedby"))
    assert hint.is_visible() and hint.inner_text() == "Navn, stilling eller enhet"
    assert hint.evaluate("e => e.scrollWidth <= e.clientWidth")
    label, field = p.locator("label[for=participant-q]").bounding_box(), p.locator("#participant-q").bounding_box()
    assert label["y"] < hint.bounding_box()["y"] < field["y"]


# Where the focusable elements of the log's layout are, in the order Tab reaches them
# (the page's order: none has a tabindex above 0): 0 the summary, 1 the log, 2 the people.
FOCUS_ORDER = """() => [...document.querySelectorAll(
    '.log-layout :is(a[href], button, input:not([type=hidden]), select, textarea, summary)')]
    .filter(e => e.getClientRects().length)
    .map(e => e.closest('#log-summary') ? 0 : e.closest('.log-layout__main') ? 1 : 2)"""


def test_the_log_page_is_tabbed_through_in_the_order_it_is_seen(page, log):
    """On a phone the log page shows the summary, the log and then the family and the
    participants: Tab goes the same way down the page, not from the summary to the
    guardians' and participants' buttons at the bottom and then back up to the log. A wide
    screen keeps the side column at the left: the summary above the people, the log
    beside them."""
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    regions = p.evaluate(FOCUS_ORDER)
    assert set(regions) == {0, 1, 2} and regions == sorted(regions), regions
    summary, main = p.locator("#log-summary").bounding_box(), p.locator(".log-layout__main").bounding_box()
    people = p.locator("section[aria-labelledby=guardians-h]").bounding_box()
    assert summary["y"] < main["y"] < people["y"]  # as seen on the phone
    p.set_viewport_size({"width": 1280, "height": 900})
    summary, main = p.locator("#log-summary").bounding_box(), p.locator(".log-layout__main").bounding_box()
    people = p.locator("section[aria-labelledby=guardians-h]").bounding_box()
    assert summary["x"] + summary["width"] <= main["x"] and people["x"] + people["width"] <= main["x"]
    assert summary["y"] + summary["height"] <= people["y"] <= summary["y"] + summary["height"] + 24
    assert abs(summary["y"] - main["y"]) < 16  # side by side, from the top
