"""Issue 7 in a browser: the unit leader opens the overview and downloads the XLSX; KE
records a decision and informs the unit; the decision guide and statistics render.
axe-core runs on every page (zero violations)."""

import datetime as dt
import io
from pathlib import Path

from stafettlogg.dates import local_today


def test_unit_leader_overview_and_xlsx_download(page):
    from openpyxl import load_workbook

    p = page.page
    page.login("enhetsleder")
    p.click(".site-nav >> text=Oversikt")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "Petter Ås Strøm" in p.inner_text("#rows")
    assert "Kari Ottesen, Kontaktlærer" in p.inner_text("#rows")
    page.screenshot("overview-unit")
    with p.expect_download() as info:
        p.click("text=Last ned Excel (XLSX)")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Unntatt offentlighet, offentleglova § 13"
    assert rows[2][0] == "Barn / elev"
    assert any(r[0] == "Petter Ås Strøm" for r in rows[3:])

    # register a child whose coordination is held outside Stafettlogg
    p.fill("#f-child_name", "Åse Ødegård")
    p.fill("#f-class_group", "2A")
    p.fill("#f-barnekoordinator", "Kaspar Vestborg, habiliteringstjenesten")
    p.select_option("#f-records_kept_in", "dips_samspill")
    p.click("button:has-text('Legg til i oversikten')")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "Åse Ødegård" in p.inner_text("#rows")

    p.click(".site-nav >> text=Statistikk")
    p.wait_for_load_state("networkidle")
    page.check()
    assert p.locator("svg.chart").count() == 1
    page.screenshot("overview-statistics")


def test_ke_records_a_decision_and_informs_the_unit(page):
    p = page.page
    page.login("ke")
    p.click(".site-nav >> text=KE-register")
    p.wait_for_load_state("networkidle")
    page.check()
    page.screenshot("ke-register")
    p.click("text=Registrer vedtak")
    p.wait_for_load_state("networkidle")
    page.check()
    p.fill("#f-child_name", "Liv Åsheim")
    p.fill("#f-birth_date", "2019-04-02")
    p.select_option("#f-unit", label="Nordbyen skole")
    p.fill("#f-class_group", "1A")
    p.select_option("#f-kind", "barnekoordinator")
    p.select_option("#f-decision", "granted")
    p.fill("#f-decided_on", (local_today() - dt.timedelta(days=1)).isoformat())
    p.select_option("#f-has_ip", "yes")
    p.fill("#f-person_name", "Kaspar Vestborg")
    p.fill("#f-person_service", "habiliteringstjenesten")
    p.fill("#f-person_contact", "900 77 777")
    p.select_option("#f-consent_to_inform", "yes")
    p.click("button:has-text('Lagre vedtaket')")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "er registrert" in p.content()
    p.click("button:has-text('Informer Nordbyen skole')")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "Enheten ble informert" in p.content()
    page.screenshot("ke-record-informed")

    # the filter works with htmx (and without: it is a GET form)
    p.click(".site-nav >> text=KE-register")
    p.wait_for_load_state("networkidle")
    with p.expect_response(lambda r: "/ke?" in r.url):
        p.select_option("#f-kind", "barnekoordinator")
    page.check()
    assert "Liv Åsheim" in p.inner_text("#records")
    assert "Trine Olsen" not in p.inner_text("#records")

    p.click("text=Årlig avstemming")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "Mangler i KE-registeret" in p.content()
    page.screenshot("ke-reconciliation")
    page.logout()

    # the school's leader got the notice and sees the child in the overview
    page.login("enhetsleder")
    page.goto("/varsler")
    assert "Kaspar Vestborg" in p.content()
    p.click(".site-nav >> text=Oversikt")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "Liv Åsheim" in p.inner_text("#rows")


def test_decision_guide_leads_to_a_new_log(page):
    p = page.page
    page.login("stafettholder")
    p.click(".site-nav >> text=Veileder")
    p.wait_for_load_state("networkidle")
    page.check()
    for answer in ("ja", "ja", "nei", "nei", "nei"):
        p.check(f"#step input[type=radio][value='{answer}']")
        p.click("#step button:has-text('Neste')")
        p.wait_for_load_state("networkidle")
    page.check()
    assert "Stafettlogg med stafettholder" in p.inner_text("#result")
    page.screenshot("guide-result")
    p.click("#result >> text=Opprett ny stafettlogg")
    p.wait_for_load_state("networkidle")
    assert p.url.endswith("/logger/ny")
