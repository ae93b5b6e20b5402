"""Issue 7 in a browser: the unit leader opens the overview and downloads the XLSX; KE
records a decision and informs the unit; the decision guide and statistics render; «Vis
flere» appends the overview's next rows at 1280 and 390 px. axe-core runs on every page
(zero violations)."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest

from stafettlogg.dates import local_today
from tests.conftest import a_log


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_overview_and_xlsx_download(page, width):
    """On a phone the overview's rows read as cards (.table--stack), each cell under its
    column's name; the page's reflow check fails if the table scrolls sideways."""
    from openpyxl import load_workbook

    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click(".site-nav >> text=Oversikt")
    assert "Petter Ås Strøm" in p.inner_text("#rows")
    assert "Kari Ottesen, Kontaktlærer" in p.inner_text("#rows")
    page.screenshot(f"overview-unit-{width}")
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
    page.fill_form(
        {
            "#f-child_name": "Åse Ødegård",
            "#f-class_group": "2A",
            "#f-barnekoordinator": "Kaspar Vestborg, habiliteringstjenesten",
            "#f-records_kept_in": "dips_samspill",
        }
    )
    page.click("button:has-text('Legg til i oversikten')")
    assert "Åse Ødegård" in p.inner_text("#rows")

    page.click(".site-nav >> text=Statistikk")
    assert p.locator("svg.chart").count() == 1
    page.screenshot(f"overview-statistics-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_ke_records_a_decision_and_informs_the_unit(page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("ke")
    page.click(".site-nav >> text=KE-register")
    page.screenshot(f"ke-register-{width}")
    page.click("text=Registrer vedtak")
    p.select_option("#f-unit", label="Nordbyen skole")
    page.fill_form(
        {
            "#f-child_name": "Liv Åsheim",
            "#f-birth_date": "2019-04-02",
            "#f-class_group": "1A",
            "#f-kind": "barnekoordinator",
            "#f-decision": "granted",
            "#f-decided_on": (local_today() - dt.timedelta(days=1)).isoformat(),
            "#f-has_ip": "yes",
            "#f-person_name": "Kaspar Vestborg",
            "#f-person_service": "habiliteringstjenesten",
            "#f-person_contact": "900 77 777",
            "#f-consent_to_inform": "yes",
        }
    )
    page.click("button:has-text('Lagre vedtaket')")
    assert "er registrert" in p.content()
    page.click("button:has-text('Informer Nordbyen skole')")
    assert "Enheten ble informert" in p.content()
    page.screenshot(f"ke-record-informed-{width}")

    # the filter works with htmx (and without: it is a GET form)
    p.click(".site-nav >> text=KE-register")
    p.wait_for_load_state("networkidle")
    with p.expect_response(lambda r: "/ke?" in r.url):
        p.select_option("#f-kind", "barnekoordinator")
    page.check()
    assert "Liv Åsheim" in p.inner_text("#records")
    assert "Trine Olsen" not in p.inner_text("#records")

    page.click("text=Årlig avstemming")
    assert "Mangler i KE-registeret" not in p.content()  # the list of units names no child
    page.screenshot(f"ke-reconciliation-{width}")
    page.click("table >> text=Nordbyen skole")
    assert "Mangler i KE-registeret" in p.content()
    page.screenshot(f"ke-reconciliation-unit-{width}")
    p.fill("#ke-contact", "Kristin Koordinator")
    p.select_option("#status", "reviewed")
    page.click("button:has-text('Lagre for Nordbyen skole')")
    assert "Gjennomgangen for Nordbyen skole er lagret" in p.content()
    assert "Kristin Koordinator" in p.inner_text("table")
    page.logout()

    # the school's leader got the notice and sees the child in the overview
    page.login("enhetsleder")
    page.goto("/varsler")
    assert "Kaspar Vestborg" in p.content()
    page.click(".site-nav >> text=Oversikt")
    assert "Liv Åsheim" in p.inner_text("#rows")


def test_decision_guide_leads_to_a_new_log(page):
    p = page.page
    page.login("stafettholder")
    page.click(".site-nav >> text=Veileder")
    for answer in ("ja", "ja", "nei", "nei", "nei"):
        p.check(f"#step input[type=radio][value='{answer}']")
        page.click("#step button:has-text('Neste')")
    assert "Stafettlogg med stafettholder" in p.inner_text("#result")
    page.screenshot("guide-result")
    p.click("#result >> text=Opprett ny stafettlogg")
    p.wait_for_load_state("networkidle")
    assert p.url.endswith("/logger/ny")


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_the_overviews_next_rows_until_all_are_shown(page, server_and_app, width):
    _url, app = server_and_app
    size = 3
    app.config["PAGE_SIZE"] = size
    with app.app_context():
        for n in range(2 * size):
            a_log(name=f"Rad {n} Oversiktsen", participants=())
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click(".site-nav >> text=Oversikt")
    rows = p.locator("#rows tbody tr:not(.items__more)")
    assert rows.count() == size
    total = int(re.search(r"Barn og elever \((\d+)\)", p.inner_text("#rows-h")).group(1))
    assert total > 2 * size
    page.screenshot(f"overview-window-{width}")
    shown = page.show_all("#rows tbody tr:not(.items__more)", "#rows .items__more a")
    names = rows.evaluate_all("rows => rows.map(r => r.querySelector('th').firstChild.textContent.trim())")
    assert shown == total and len(names) == total
    assert sum(1 for name in names if name.startswith("Rad ")) == 2 * size


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_the_next_units_of_the_statistics(page, server_and_app, width):
    """An area with more units than a window: the per-unit table shows PAGE_SIZE of them
    by name, «Vis flere» appends the rest in place, the sum is of every unit."""
    from stafettlogg.models import Unit

    _url, app = server_and_app
    app.config["PAGE_SIZE"] = 3
    with app.app_context():
        area = Unit.get(Unit.name == "Nordbyen skole").area
        for n in range(5):
            Unit.create(area=area, name=f"Statistikk skole {n}", kind="skole")
        total = Unit.select().where(Unit.area == area, Unit.active == True).count()  # noqa: E712
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("omradeleder")
    page.click(".site-nav >> text=Statistikk")
    rows = p.locator("#units tbody tr:not(.items__more)")
    assert rows.count() == 3
    assert f"Per enhet ({total})" in p.inner_text("#units-h")
    page.screenshot(f"statistics-window-{width}")
    assert page.show_all("#units tbody tr:not(.items__more)", "#units .items__more a") == total
    names = rows.evaluate_all("rows => rows.map(r => r.querySelector('th').textContent.trim())")
    assert len(set(names)) == total and sum(1 for n in names if n.startswith("Statistikk skole")) == 5
