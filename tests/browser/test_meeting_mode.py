"""Meeting mode in a real browser: typing with live plain-language hints, the
autosave status turning to "Lagret", presence ticks, the read-aloud view, and unsaved text
that survives a session timeout. axe-core runs on every page and after each htmx swap."""

import datetime as dt

from playwright.sync_api import expect

from stafettlogg.models import Meeting, utcnow
from tests.browser.conftest import Page


def meeting_url(meeting, path=""):
    return f"/logger/{meeting.log_id}/moter/{meeting.id}{path}"


def open_meeting_mode(page, meeting):
    p = page.page
    page.login("stafettholder")
    page.goto(f"/logger/{meeting.log_id}")
    p.click("#section-meetings a:has-text('Åpne møtemodus')")
    p.wait_for_load_state("networkidle")
    page.check()
    assert p.url.endswith(meeting_url(meeting))
    assert "meeting-mode" in p.get_attribute("body", "class")


def _meeting_has_started(app, meeting) -> None:
    """Move the live server's meeting an hour into the past."""
    with app.app_context():
        Meeting.update(starts_at=utcnow() - dt.timedelta(hours=1)).where(Meeting.id == meeting.id).execute()


def test_meeting_mode_typing_hints_autosave_and_read_aloud(page, server_and_app, meeting):
    p = page.page
    open_meeting_mode(page, meeting)
    status = p.locator("#autosave-status")
    expect(status).to_contain_text("Lagres automatisk")

    with p.expect_response(lambda r: r.url.endswith("/referat") and r.request.method == "POST"):
        p.click("#f-minutes")
        p.keyboard.type("Det undersøkes snarest ifm. PPT. Emma leker med to venner i storefri.")
    expect(status).to_contain_text("Lagret")
    # live hints beside the text, pointing at the words
    hints = p.locator("#minutes-hints")
    expect(hints.locator(".hint--passive")).to_contain_text("undersøkes")
    expect(hints.locator(".hint--abbreviation").first).to_contain_text("ifm.")
    expect(hints).to_contain_text("Lesbarhet (LIX)")
    page.check()

    # nynorsk: the choice re-checks the text and is remembered
    with p.expect_response(lambda r: r.url.endswith("/klarsprak")):
        hints.locator("select[data-klarsprak-form]").select_option("nn")
    expect(hints.locator("select[data-klarsprak-form]")).to_have_value("nn")
    page.check()

    # who is present: ticking saves at once
    with p.expect_response(lambda r: r.url.endswith("/tilstede")):
        p.check("input[name=present][value='Karianne Petrusen']")
    expect(p.locator("#present-status")).to_contain_text("Lagret")

    # a measure agreed in the meeting, added inline
    p.click("#meeting-measures summary")
    p.fill("#meeting-new-measure-what", "Kontaktlærer har en prat med Emma hver mandag.")
    p.fill("#meeting-new-measure-responsible", "Kontaktlærer Kari Ottesen")
    p.fill("#meeting-new-measure-evaluation_date", "2030-01-15")
    with p.expect_response(lambda r: r.url.endswith("/tiltak") and r.request.method == "POST"):
        p.click("#meeting-measures button:has-text('Lagre tiltak')")
    expect(p.locator("#meeting-measures .item")).to_contain_text("prat med Emma hver mandag")
    page.check()
    page.screenshot("meeting-mode")

    # saved on the server: a reload shows it, with nothing left to warn about
    p.reload()
    p.wait_for_load_state("networkidle")
    assert "Emma leker med to venner i storefri." in p.input_value("#f-minutes")
    assert p.is_checked("input[name=present][value='Karianne Petrusen']")
    page.check()

    # the read-aloud view for the shared screen
    p.click("a:has-text('Vis for opplesing')")
    p.wait_for_load_state("networkidle")
    page.check()
    expect(p.locator(".readaloud")).to_contain_text("Emma leker med to venner i storefri.")
    expect(p.locator(".readaloud")).to_contain_text("prat med Emma hver mandag")
    size = p.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.readaloud')).fontSize)")
    assert size >= 28
    if p.evaluate("() => 'speechSynthesis' in window"):
        expect(p.locator("[data-readaloud-button]")).to_be_visible()
    else:
        expect(p.locator("[data-readaloud-button]")).to_be_hidden()
    page.screenshot("meeting-readaloud")

    # the printable invitation letter
    page.goto(meeting_url(meeting, "/invitasjon"))
    expect(p.locator("main")).to_contain_text("Invitasjon til evalueringsmøte")
    page.screenshot("meeting-invitation")

    # approve the minutes: only from the meeting's start (the meeting is next week)
    page.goto(meeting_url(meeting))
    expect(p.locator("main")).to_contain_text("Referatet kan godkjennes fra møtet starter")
    assert p.locator("button:has-text('Godkjenn referatet')").count() == 0
    _meeting_has_started(server_and_app[1], meeting)
    # read-only afterwards, corrections appended
    page.goto(meeting_url(meeting))
    p.click("button:has-text('Godkjenn referatet')")
    p.wait_for_load_state("networkidle")
    page.check()
    expect(p.locator("main")).to_contain_text("Referatet er godkjent")
    assert p.locator("#f-minutes").count() == 0
    p.click("#rettelser summary")
    p.fill("#f-correction", "Tor Hansen var også til stede.")
    p.click("#rettelser button:has-text('Legg til rettelse')")
    p.wait_for_load_state("networkidle")
    page.check()
    expect(p.locator("#rettelser .correction")).to_contain_text("Tor Hansen var også til stede.")
    page.screenshot("meeting-finalised")


def test_hints_on_every_log_textarea(page, log):
    p = page.page
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}")
    p.click("#section-entries summary")
    with p.expect_response(lambda r: r.url.endswith("/klarsprak")):
        p.fill("#new-entries-body", "Samtale med mor vedrørende fravær. Hun sier samt at det går bedre.")
    panel = p.locator("#section-entries .klarsprak-hints")
    expect(panel.locator(".hint--old_fashioned").first).to_contain_text("vedrørende")
    page.check()


def test_unsaved_text_survives_a_session_timeout(browser, server_and_app, meeting):
    base, app = server_and_app
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    page = Page(context.new_page(), base)
    p = page.page
    p.on("dialog", lambda dialog: dialog.accept())
    try:
        open_meeting_mode(page, meeting)
        idle = app.config["SESSION_IDLE_MINUTES"]
        app.config["SESSION_IDLE_MINUTES"] = -1  # every next request finds the session expired
        with p.expect_navigation(url=lambda u: "/login" in u):
            p.click("#f-minutes")
            p.keyboard.type("Skrevet mens økten gikk ut.")
        app.config["SESSION_IDLE_MINUTES"] = idle
        assert f"next={meeting_url(meeting)}" in p.url
        assert "Skrevet mens" in p.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
        p.fill("#username", "stafettholder")
        p.fill("#password", "demo-passord")
        with p.expect_response(lambda r: r.url.endswith("/referat") and r.request.method == "POST"):
            p.click("button[type=submit]")
        expect(p.locator("#autosave-status")).to_contain_text("Lagret")
        assert p.input_value("#f-minutes") == "Skrevet mens økten gikk ut."
        page.check()
        # saved, so nothing is kept in the browser any more
        assert "Skrevet mens" not in p.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
        p.reload()
        assert p.input_value("#f-minutes") == "Skrevet mens økten gikk ut."
        page.assert_clean()
    finally:
        context.close()


def test_two_screens_saving_the_same_minutes_see_a_conflict_and_merge(browser, page, meeting):
    p = page.page
    open_meeting_mode(page, meeting)
    other_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    other = Page(other_context.new_page(), page.base)
    try:
        other.login("stafettholder")
        other.goto(meeting_url(meeting))
        # the first screen saves
        with p.expect_response(lambda r: r.url.endswith("/referat") and r.request.method == "POST"):
            p.fill("#f-minutes", "Mor forteller at Emma gleder seg til skolen.")
        expect(p.locator("#autosave-status")).to_contain_text("Lagret")
        # the second screen, still on the old version, saves: a conflict, not an overwrite
        q = other.page
        with q.expect_response(lambda r: r.url.endswith("/referat") and r.status == 409):
            q.fill("#f-minutes", "Far forteller at Emma sover bedre.")
        expect(q.locator("[data-conflict]")).to_be_visible()
        expect(q.locator("#minutes-editor")).to_contain_text("Mor forteller at Emma gleder seg til skolen.")
        assert q.input_value("#merge-minutes") == "Far forteller at Emma sover bedre."
        other.check()
        other.screenshot("meeting-conflict")
        q.fill("#merge-minutes", "Mor forteller at Emma gleder seg til skolen. Far forteller at Emma sover bedre.")
        with q.expect_response(lambda r: r.url.endswith("/referat") and r.status == 200):
            q.click("button:has-text('Lagre sammenslått tekst')")
        expect(q.locator("#minutes-editor .alert--success")).to_be_visible()
        other.check()
        p.reload()
        assert p.input_value("#f-minutes").endswith("Far forteller at Emma sover bedre.")
        other.assert_clean()
    finally:
        other_context.close()


def test_meeting_mode_on_a_phone_keeps_the_header_on_one_row_and_the_text_large(page, meeting):
    """On a phone (390 px) the meeting page's header links (Varsler, name, Logg ut) stay
    on one row as on every other page, while the text read in the meeting stays 20 px;
    a larger root made «Logg ut» wrap to a row of its own."""
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    open_meeting_mode(page, meeting)
    boxes = [p.locator(s).bounding_box() for s in (".notif-link", ".user-name", ".site-header__user button")]
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) < 4, middles
    assert p.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    # a shared screen still gets the larger root
    p.set_viewport_size({"width": 1280, "height": 900})
    # the resize reaches the page's media queries a moment after it is made: wait for it
    p.wait_for_function("innerWidth === 1280")
    p.wait_for_function("getComputedStyle(document.documentElement).fontSize === '19px'", timeout=5000)
