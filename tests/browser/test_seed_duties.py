"""The unit leader delegates the overview to an ITO-koordinator, who opens it and
exports it; then the delegation is revoked. axe-core on every page, at 1280 and 390 px."""

import io

import pytest


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_delegates_and_the_ito_coordinator_exports(page, server_and_app, width):
    from openpyxl import load_workbook

    from tests.conftest import a_log

    with server_and_app[1].app_context():
        a_log(name="Vilde Testesen")  # held at Nordbyen skole

    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.click(".site-nav >> text=Min enhet")
    page.click("button:has-text('Gjør til ITO-koordinator'):has-text('Mari Lund')")
    assert "Mari Lund er ITO-koordinator" in p.content()
    assert "Mari Lund" in p.inner_text("#f-ito")
    page.screenshot(f"ito-delegated-{width}")
    page.logout()

    page.login("larer")
    page.click(".site-nav >> text=Oversikt")
    assert "Vilde Testesen" in p.inner_text("#rows")
    page.screenshot(f"ito-overview-{width}")
    sheet = load_workbook(io.BytesIO(page.download("text=Last ned Excel (XLSX)"))).active
    assert any(r[0] == "Vilde Testesen" for r in sheet.iter_rows(values_only=True))
    p.fill("#f-unit_contact_name", "Mari Lund, ITO-koordinator")
    page.click("button:has-text('Lagre kontaktperson')")
    assert "Mari Lund, ITO-koordinator" in p.inner_text("#rec-h + p + dl")
    page.logout()

    page.login("enhetsleder")
    page.click(".site-nav >> text=Min enhet")
    page.click("#f-ito button:has-text('Avslutt'):has-text('Mari Lund')")
    assert "Mari Lund er ikke lenger ITO-koordinator" in p.content(), p.inner_text("main")
