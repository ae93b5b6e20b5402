"""«Flytt til en annen enhet» in the browser at 1280 and 390 px: the unit leader goes from
the unit page to a staff member who holds a log in use, forgets to choose the new unit
(a message, the form kept, nothing stored), then moves her and proposes a colleague as
the log's new holder. The moved person is told on her start page and under «Varsler».
axe on every page, the form with and without the error included; no console errors or
CSP violations."""

import pytest

from stafettlogg.models import AuditEvent, Handover, Log, LogStatus, Notification, User
from stafettlogg.org import domain as org
from tests.conftest import a_log, user

MESSAGE = "Velg enheten personen skal flytte til."


@pytest.mark.parametrize("width", [1280, 390])
def test_the_unit_leader_moves_a_holder_and_proposes_a_colleague(page, server_and_app, width):
    with server_and_app[1].app_context():
        log = a_log()  # held by Kari Ottesen, Nordbyen skole
        kari, mari = user("stafettholder"), user("larer")
        child = log.subject.name
        nordbyen, sorbyen = kari.unit_id, user("kontaktlaerer").unit
        held_n = len(org.active_logs_held_by(kari))  # ours and the demo's
        unread = Notification.select().where(Notification.user == kari.id, Notification.read_at.is_null()).count()
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})

    page.login("enhetsleder")
    page.goto(f"/enheter/{nordbyen}")
    page.click("tr:has-text('Kari Ottesen') a:has-text('Endre')")
    page.click("a:has-text('Flytt til en annen enhet')")
    assert p.locator("h1").inner_text() == "Flytt Kari Ottesen til en annen enhet"
    held = p.locator(f"fieldset.fieldset:has-text('{child}')")
    assert held.count() == 1 and "Behold hos Kari Ottesen" in held.locator("select option").first.inner_text()
    # how the log changes hands is asked only for a new holder, grouped under its question
    assert held.locator("fieldset legend").inner_text() == "Hvis du velger en ny stafettholder:"
    assert held.locator("fieldset input[type=radio]").count() == 2
    # the logs' boxes stand apart, not border on border
    boxes = [b.bounding_box() for b in p.locator("#f-reassign fieldset.fieldset").all()]
    assert len(boxes) == held_n and all(a["y"] + a["height"] < b["y"] for a, b in zip(boxes, boxes[1:]))

    # the leader chooses a colleague for the log, but forgets the unit
    held.locator("select").select_option(label="Mari Lund, Spesialpedagog")
    page.screenshot(f"staff-move-held-{width}")
    page.click("button:has-text('Flytt Kari Ottesen')")
    assert MESSAGE in p.inner_text(".error-summary") and MESSAGE in p.inner_text(".field--error")
    assert p.locator("#f-unit_id").get_attribute("aria-invalid") == "true"
    assert held.locator("select").input_value() == str(mari.id)  # what was chosen is kept
    assert held.locator("input[value=propose]").is_checked()
    page.screenshot(f"staff-move-error-{width}")
    with server_and_app[1].app_context():
        assert User.get_by_id(kari.id).unit_id == nordbyen
        assert not Handover.select().where(Handover.log == log.id).exists()
        assert not AuditEvent.select().where(AuditEvent.action == "staff_moved").exists()

    p.select_option("#f-unit_id", label="Sørbyen skole (Oppvekst)")
    # the list comes back with each log's consent line, and Mari still chosen for the log
    p.locator("#f-reassign [role=status]").wait_for()
    held = p.locator(f"fieldset.fieldset:has-text('{child}')")
    assert "Samtykket omfatter ikke Sørbyen skole." in held.inner_text()
    assert held.locator("select").input_value() == str(mari.id)
    assert held.locator("input[value=propose]").is_checked()
    page.click("button:has-text('Flytt Kari Ottesen')")
    assert p.url.endswith(f"/enheter/{nordbyen}")
    done = f"Kari Ottesen er flyttet til Sørbyen skole. Hen er fortsatt stafettholder for {held_n} stafettlogger"
    assert done in p.inner_text("main")
    page.screenshot(f"staff-move-done-{width}")
    assert "Kari Ottesen" not in p.locator("section[aria-labelledby=staff-h]").inner_text()
    with server_and_app[1].app_context():
        assert User.get_by_id(kari.id).unit_id == sorbyen.id
        proposal = Handover.get(Handover.log == log.id)
        assert (proposal.status, proposal.from_user_id, proposal.to_user_id) == ("pending", kari.id, mari.id)
        after = Log.get_by_id(log.id)
        assert (after.holder_id, after.status) == (kari.id, LogStatus.ACTIVE)  # hers until Mari accepts
    page.logout()

    told = "Eva Enhetsleder har flyttet deg fra Nordbyen skole til Sørbyen skole."
    page.login("stafettholder")
    assert "Sørbyen skole" in p.inner_text("main .eyebrow")
    # the notice, one more in the header's unread count
    assert p.inner_text("#unread-count").split()[0] == str(unread + 1)
    page.click("a.notif-link")
    assert told in p.inner_text("main")
    assert f"Du er fortsatt stafettholder for stafettloggene du har i bruk ({held_n})" in p.inner_text("main")
    page.screenshot(f"staff-move-notice-{width}")
    page.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_move_page_says_whether_each_consent_covers_the_unit_chosen(page, server_and_app, width):
    """Choosing the new unit updates the list of logs (htmx): each says its state and
    whether its consent covers the unit; axe on the updated page."""
    with server_and_app[1].app_context():
        log = a_log()
        kari = user("stafettholder")
        child = log.subject.name
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("enhetsleder")
    page.goto(f"/ansatte/{kari.id}/flytt")
    held = p.locator(f"fieldset.fieldset:has-text('{child}')")
    assert "Samtykket omfatter" not in held.inner_text()
    p.select_option("#f-unit_id", label="Sørbyen skole (Oppvekst)")
    p.locator("#f-reassign [role=status]").wait_for()
    page.check()
    held = p.locator(f"fieldset.fieldset:has-text('{child}')")
    assert "Samtykket omfatter ikke Sørbyen skole." in held.inner_text()
    assert "Aktiv" in held.inner_text()
    assert p.locator("#f-unit_id").input_value() != ""  # the choice stays
    page.screenshot(f"staff-move-coverage-{width}")
    page.assert_clean()
