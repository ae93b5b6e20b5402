"""The unit leader archives a closed log (the Fiks Arkiv package is downloaded, and
downloaded again as if the first was lost), types
the archive's case number and deletes the log; at 1280 and 390 px, axe on every page."""

import datetime as dt
import io
import zipfile

import pytest

from stafettlogg.models import Log, LogStatus, utcnow
from tests.conftest import a_log


@pytest.mark.parametrize("width", [1280, 390])
def test_unit_leader_archives_a_closed_log_then_deletes_it(page, server_and_app, width):
    with server_and_app[1].app_context():
        log = a_log(name="Oskar Testesen")
        # closed two months ago because the needs were met; the family said no to keeping it
        Log.update(
            status=LogStatus.CLOSED,
            created_at=utcnow() - dt.timedelta(days=400),
            activated_at=utcnow() - dt.timedelta(days=395),
            closed_at=utcnow() - dt.timedelta(days=60),
            close_reason="needs_met",
            keep_answer="no",
        ).where(Log.id == log.id).execute()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto("/")
    page.click(".site-nav a:has-text('Min enhet')")
    page.click("a:has-text('Avsluttede logger og sletting')")
    page.click("tr:has-text('Oskar Testesen') a:has-text('Arkiver')")
    assert "Ikke arkivert ennå." in p.inner_text("main")
    page.screenshot(f"archive-page-{width}")
    data = page.download("button:has-text('Arkiver')")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "arkivmelding.xml" in names and any(n.endswith(".pdf") for n in names)
    page.goto(p.url.replace(page.base, ""))
    assert "Arkivert." in p.inner_text("main") and "Lastet ned" in p.inner_text("main")
    # the zip was lost before it reached the archive: the same documents again
    again = page.download("button:has-text('Last ned på nytt')")
    assert zipfile.ZipFile(io.BytesIO(again)).namelist() == names
    p.fill("#f-reference", "2027/123")
    page.click("button:has-text('Lagre saksnummer')")
    assert "Saksnummeret er lagret." in p.inner_text("main") and "2027/123" in p.inner_text("main")
    page.screenshot(f"archive-archived-{width}")
    page.click("a:has-text('Sletting')")
    page.click("tr:has-text('Oskar Testesen') a:has-text('Slett')")
    assert "Stafettloggen er arkivert i kommunens arkiv." in p.inner_text("main")
    p.check("#f-confirm")
    page.click("button:has-text('Slett stafettloggen for godt')")
    assert "er slettet" in p.inner_text("main") and "Oskar Testesen" not in p.inner_text("main")
