"""The unit leader archives a closed log (the Fiks Arkiv package is downloaded), types
the archive's case number and deletes the log; at 1280 and 390 px, axe on every page."""

import io
import zipfile
from pathlib import Path

import pytest


def _click(page, selector):
    page.page.click(selector)
    page.page.wait_for_load_state("networkidle")
    page.check()


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_archives_a_closed_log_then_deletes_it(page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto("/")
    _click(page, ".site-nav a:has-text('Min enhet')")
    _click(page, "a:has-text('Avsluttede logger og sletting')")
    _click(page, "tr:has-text('Oskar Nilsen') a:has-text('Arkiver')")
    assert "Ikke arkivert ennå." in p.inner_text("main")
    page.screenshot(f"archive-page-{width}")
    with p.expect_download() as info:
        p.click("button:has-text('Arkiver')")
    data = Path(info.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "arkivmelding.xml" in names and any(n.endswith(".pdf") for n in names)
    page.goto(p.url.replace(page.base, ""))
    assert "Arkivert." in p.inner_text("main")
    p.fill("#f-reference", "2027/123")
    _click(page, "button:has-text('Lagre saksnummer')")
    assert "Saksnummeret er lagret." in p.inner_text("main") and "2027/123" in p.inner_text("main")
    page.screenshot(f"archive-archived-{width}")
    _click(page, "a:has-text('Sletting')")
    _click(page, "tr:has-text('Oskar Nilsen') a:has-text('Slett')")
    assert "Stafettloggen er arkivert i kommunens arkiv." in p.inner_text("main")
    p.check("#f-confirm")
    _click(page, "button:has-text('Slett stafettloggen for godt')")
    assert "er slettet" in p.inner_text("main") and "Oskar Nilsen" not in p.inner_text("main")
