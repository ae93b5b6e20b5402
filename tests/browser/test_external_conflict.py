"""Two people edit one child with coordination outside Stafettlogg: the ITO-koordinator
opens the row, the unit leader saves it meanwhile, and the coordinator's save is refused
with what they typed kept and what is stored shown; saved again, it counts. At 1280 and
390 px, axe on every page."""

import pytest

from stafettlogg.models import Unit, User
from stafettlogg.overview import domain


@pytest.mark.parametrize("width", [1280, 390])
def test_a_save_on_an_older_version_is_refused_and_kept(page, server_and_app, width):
    with server_and_app[1].app_context():
        nord = Unit.get(Unit.name == "Nordbyen skole")
        leader = User.get(User.username == "enhetsleder")
        ext = domain.add_external(
            nord, domain.current_school_year(), leader, {"child_name": "Åse Ødegård", "holder": "Kari"}
        )
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("ito")
    page.goto(f"/enheter/{nord.id}/eksterne/{ext.id}")
    page.fill_form({"#f-class_group": "3C", "#f-koordinator": "Per Hansen, PPT"})
    with server_and_app[1].app_context():  # the unit leader saves first
        domain.update_external(ext, leader, {"child_name": "Åse Ødegård", "holder": "Kari", "class_group": "3B"}, 1)
    page.click("button:has-text('Lagre')")
    assert "Noen andre har endret dette barnet" in p.inner_text("main")
    assert p.input_value("#f-class_group") == "3C"
    assert "3B" in p.inner_text("#f-version")
    page.screenshot(f"external-conflict-{width}")
    page.click("button:has-text('Lagre')")
    assert "Endringene er lagret" in p.inner_text("main")
    assert "Åse Ødegård" in p.inner_text("#rows")
    page.assert_clean()
