"""The live plain-language hints as htmx asks for them (meetings/_hints_panel.html): a
panel beside each field, hidden until it has something to say, filled after a pause in
typing with one request, asked again when the language form changes, and never leaving
the page when the session has ended. And one way to confirm (hx-confirm): cancelling
sends nothing, for an htmx form, a plain form and a plain form's button."""

import datetime as dt
from contextlib import contextmanager
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from stafettlogg.models import Meeting, utcnow
from tests.browser.conftest import Page

TEXT = "Vi skal foreta en vurdering av Emma. Arbeidet utførast."  # "-ast" passive: a hint in nynorsk only


@contextmanager
def holder_on(browser, base, path, width=1280):
    """A browser of its own at `width`, the holder signed in and on `path`."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="nb-NO", reduced_motion="reduce")
    page = Page(context.new_page(), base)
    try:
        page.login("stafettholder")
        page.goto(path)
        yield page
    finally:
        context.close()


def meeting_path(meeting) -> str:
    return f"/logger/{meeting.log_id}/moter/{meeting.id}"


def hint_requests(p) -> list:
    seen = []
    p.on("request", lambda r: seen.append(r) if r.url.endswith("/klarsprak") else None)
    return seen


def posted(request) -> dict:
    return {k: v[0] for k, v in parse_qs(request.post_data or "", keep_blank_values=True).items()}


@pytest.mark.parametrize("width", [1280, 390])
def test_typing_shows_hints_after_a_pause_and_the_form_choice_asks_again(browser, live_server, log, width):
    with holder_on(browser, live_server, f"/logger/{log.id}", width) as page:
        p = page.page
        p.click("#section-entries summary")
        panel = p.locator("#section-entries .klarsprak-hints")
        expect(panel).to_be_hidden()  # nothing to say yet
        requests = hint_requests(p)

        p.click("#new-entries-body")
        with p.expect_response(lambda r: r.url.endswith("/klarsprak") and TEXT in posted(r.request).get("body", "")):
            p.keyboard.type(TEXT, delay=5)  # far faster than the pause htmx waits for
        expect(panel.locator(".hint--nominal .hint__rule")).to_have_text("Substantivsyke")
        expect(panel.locator(".hint--passive")).to_have_count(0)
        expect(panel).to_have_attribute("aria-label", "Klarspråk: Tekst")
        typed = [r for r in requests if posted(r).get("body")]
        # one request for the whole sentence (two if the machine stalls a second mid-word)
        assert 1 <= len(typed) <= 2 < len(TEXT), [posted(r) for r in typed]
        typed = typed[-1:]
        assert posted(typed[0]) == {"field": "body", "body": TEXT}  # the field only, not the whole form
        page.check()
        page.screenshot(f"klarsprak-htmx-{width}")

        # another language form: the same text asked again, the answer in nynorsk
        with p.expect_response(lambda r: r.url.endswith("/klarsprak") and "form=nn" in (r.request.post_data or "")):
            panel.locator("select[data-klarsprak-form]").select_option("nn")
        expect(panel.locator(".hint--passive .hint__text")).to_have_text("utførast")
        expect(panel.locator("select[data-klarsprak-form]")).to_have_value("nn")
        assert posted(requests[-1]) == {"form": "nn", "field": "body", "body": TEXT}
        page.check()

        # no text, nothing to say: the panel goes away
        with p.expect_response(lambda r: r.url.endswith("/klarsprak") and posted(r.request).get("body") == ""):
            p.fill("#new-entries-body", "")
        expect(panel).to_be_hidden()
        page.check()
        page.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
def test_text_already_there_gets_hints_on_first_focus_in_meeting_mode(browser, live_server, meeting, width):
    with holder_on(browser, live_server, meeting_path(meeting), width) as page:
        p = page.page
        agenda = p.locator(".klarsprak-part", has=p.locator("#f-agenda-klarsprak"))
        expect(agenda).to_be_hidden()
        expect(p.locator(".klarsprak-part", has=p.locator("#f-minutes-klarsprak"))).to_be_hidden()  # no minutes yet
        expect(p.locator("#minutes-hints .klarsprak-waiting")).to_be_visible()
        assert p.input_value("#f-agenda").strip()
        with p.expect_response(
            lambda r: r.url.endswith("/klarsprak") and "field=agenda" in (r.request.post_data or "")
        ):
            p.focus("#f-agenda")
        expect(agenda).to_be_visible()
        expect(agenda.locator(".eyebrow")).to_have_text("Dagsorden")
        expect(agenda).to_contain_text("Lesbarhet (LIX)")
        expect(p.locator("#minutes-hints .klarsprak-waiting")).to_be_hidden()
        page.check()
        page.assert_clean()


def test_hints_never_leave_the_page_when_the_session_has_ended(browser, server_and_app, log):
    base, app = server_and_app
    with holder_on(browser, base, f"/logger/{log.id}") as page:
        p = page.page
        p.click("#section-entries summary")
        idle = app.config["SESSION_IDLE_MINUTES"]
        app.config["SESSION_IDLE_MINUTES"] = -1  # every next request finds the session expired
        text = "Skrevet mens økten gikk ut."
        with p.expect_response(
            lambda r: r.url.endswith("/klarsprak") and "Skrevet" in (r.request.post_data or "")
        ) as r:
            p.click("#new-entries-body")
            p.keyboard.type(text)
        app.config["SESSION_IDLE_MINUTES"] = idle
        assert r.value.status == 204
        p.wait_for_load_state("networkidle")
        assert p.url == f"{base}/logger/{log.id}"
        assert p.input_value("#new-entries-body") == text
        expect(p.locator("#section-entries .klarsprak-hints")).to_be_hidden()
        page.assert_clean()


def confirming(p, answers: list) -> list:
    """Answer each confirm dialog with the next answer; returns the questions asked."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    p.on("dialog", answer)
    return asked


def posts_to(p, ending: str) -> list:
    seen = []
    p.on("request", lambda r: seen.append(r) if r.method == "POST" and r.url.endswith(ending) else None)
    return seen


def test_cancelling_a_confirm_sends_nothing(browser, live_server, log):
    with holder_on(browser, live_server, f"/logger/{log.id}") as page:
        p = page.page
        answers = [False, True, False]
        asked = confirming(p, answers)

        # an htmx form: htmx asks
        participants = p.locator("#participants li")
        count = participants.count()
        assert count >= 1
        name = participants.first.locator(".person__name").inner_text()
        removals = posts_to(p, "/fjern")
        participants.first.locator("button:has-text('Fjern')").click()
        assert asked == [f"Fjerne {name} fra stafettloggen?"]
        expect(participants).to_have_count(count)
        with p.expect_response(lambda r: r.url.endswith("/fjern") and r.request.method == "POST"):
            participants.first.locator("button:has-text('Fjern')").click()
        expect(participants).to_have_count(count - 1)
        assert len(asked) == 2 and len(removals) == 1
        page.check()

        # a plain form: app.js asks
        guardian = p.locator("form[action*='/foresatte/'][action$='/fjern']").first
        guardian.locator("button").click()
        assert len(asked) == 3 and asked[-1].endswith("som foresatt?")
        p.wait_for_load_state("networkidle")
        assert p.url == f"{live_server}/logger/{log.id}" and len(removals) == 1
        assert answers == []
        page.assert_clean()


def test_cancelling_the_approval_of_the_minutes_keeps_them_a_draft(browser, server_and_app, meeting):
    base, app = server_and_app
    with app.app_context():  # the meeting has started: its minutes may be approved
        Meeting.update(starts_at=utcnow() - dt.timedelta(hours=1)).where(Meeting.id == meeting.id).execute()
    with holder_on(browser, base, meeting_path(meeting)) as page:
        p = page.page
        asked = confirming(p, [False])
        approvals = posts_to(p, "/godkjenn")
        p.click("button:has-text('Godkjenn referatet')")  # a button outside its form, with hx-confirm
        assert asked == ["Godkjenne referatet? Etter godkjenning kan det bare rettes med tillegg."]
        p.wait_for_load_state("networkidle")
        assert approvals == [] and p.url == base + meeting_path(meeting)
        expect(p.locator("main")).to_contain_text("Utkast til referat")
        page.assert_clean()


def test_saving_shows_while_htmx_sends_the_minutes(page, meeting):
    """hx-indicator: "Lagrer …" (a text from the page) shows in place of the last status
    while the autosave is on its way, and goes when the answer is in."""
    p = page.page
    page.login("stafettholder")
    page.goto(meeting_path(meeting))
    held = []
    p.route("**/referat", lambda route: held.append(route), times=1)
    saving, status = p.locator("#autosave-saving"), p.locator("#autosave-status")
    expect(saving).to_be_hidden()
    p.click("#f-minutes")
    p.keyboard.type("Emma leker med to venner.")
    expect(saving).to_be_visible()
    expect(saving).to_have_text("Lagrer …")
    expect(status).to_be_hidden()
    assert len(held) == 1
    with p.expect_response(lambda r: r.url.endswith("/referat")):
        held[0].continue_()
    expect(status).to_contain_text("Lagret")
    expect(saving).to_be_hidden()
    page.check()
