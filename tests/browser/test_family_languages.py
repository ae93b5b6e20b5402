"""The family's own language in the browser: the guardian's view in Arabic (right to
left) and the Polish paper version, on a phone and a laptop; axe (including lang and
dir) finds nothing, and nothing runs off the side of the page."""

import pytest

from tests.conftest import a_measure

WIDTHS = (390, 1280)


def _layout(page, code, direction):
    p = page.page
    assert p.get_attribute("html", "lang") == code
    assert p.get_attribute("html", "dir") == direction
    assert p.evaluate("getComputedStyle(document.body).direction") == direction
    overflow = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the screen"


def _open(page, width, username, path):
    """Signed in as `username` at this screen width, on `path`."""
    page.page.set_viewport_size({"width": width, "height": 900})
    page.login(username)
    page.goto(path)
    return page.page


@pytest.mark.parametrize("width", WIDTHS)
def test_arabic_family_view_right_to_left(page, log, width):
    p = _open(page, width, "foresatt", f"/mine/{log.id}?lang=ar")
    _layout(page, "ar", "rtl")
    text = p.inner_text("main")
    assert "من هو المسؤول عن السجل؟" in text and "Hvem er stafettholder?" not in text
    # the text column starts at the right edge: the heading hugs the right side
    box = p.locator("main h1").bounding_box()
    assert box["x"] + box["width"] > width * 0.5
    # a phone number keeps its digit groups in order (left to right) inside Arabic text
    tel = p.locator("a[href^='tel:']").first
    assert tel.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert tel.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    page.screenshot(f"family-ar-{width}")
    # kept in this browser: the next page without ?lang= is Arabic too
    page.goto(f"/mine/{log.id}/innsyn")
    _layout(page, "ar", "rtl")
    # the menu (a form: the choice is kept on the account) comes back to the same page
    menu = p.locator("nav.language-switch button[lang='pl']")
    assert menu.inner_text() == "polski"
    menu.click()
    p.wait_for_load_state("networkidle")
    page.check()
    _layout(page, "pl", "ltr")
    assert p.url.endswith(f"/mine/{log.id}/innsyn")


@pytest.mark.parametrize("width", WIDTHS)
def test_polish_paper_version(page, server_and_app, log, width):
    with server_and_app[1].app_context():
        a_measure(log, "Kontaktlæreren setter opp faste lekegrupper i storefri.")
    p = _open(page, width, "stafettholder", f"/logger/{log.id}/familieversjon?lang=pl")
    _layout(page, "pl", "ltr")
    text = p.inner_text("main")
    assert "Kto co robi i kiedy?" in text and "Hvem gjør hva, og når?" not in text
    assert "Kontaktlæreren setter opp faste lekegrupper" in text  # the measure, as the holder wrote it
    page.screenshot(f"family-print-pl-{width}")
    page.goto("/logger/samtykkeskjema/ar")
    _layout(page, "ar", "rtl")
    page.screenshot(f"consent-ar-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_guardian_sets_up_a_sign_in_code_in_arabic(page, log, width):
    """A mother with a password (an invitation) adds a sign-in code, reading Arabic: the
    set-up page, the recovery codes and the code at sign-in are in her language, right to
    left, and she is told whom to contact if she loses the phone (not a unit leader)."""
    import pyotp

    p = _open(page, width, "foresatt", "/konto/sikkerhet?lang=ar")
    _layout(page, "ar", "rtl")
    assert p.inner_text("h1") == "تسجيل الدخول والأمان"
    assert p.locator(".qr-code svg").is_visible()
    page.screenshot(f"guardian-second-factor-ar-{width}")
    secret = p.inner_text("#secret-key").replace(" ", "")
    p.fill("#on-password", "demo-passord")
    p.fill("#code", pyotp.TOTP(secret).now())
    p.click("button:has-text('تفعيل رمز تسجيل الدخول')")
    p.wait_for_load_state("networkidle")
    page.check()
    _layout(page, "ar", "rtl")
    codes = p.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and "احتفظ بالرموز الاحتياطية" in p.inner_text("main")
    p.click("text=احتفظت بالرموز – متابعة")
    p.wait_for_load_state("networkidle")
    p.click("form[action$='/logout'] button")  # «تسجيل الخروج»
    p.wait_for_load_state("networkidle")

    page.goto("/login?lang=ar")
    p.fill("#username", "foresatt")
    p.fill("#password", "demo-passord")
    p.click("button[type=submit]")
    p.wait_for_load_state("networkidle")
    assert p.url.endswith("/login/kode")
    page.check()
    _layout(page, "ar", "rtl")
    text = p.inner_text("main")
    assert "تواصل مع المسؤول عن سجل طفلك" in text and "رئيس وحدتهم" not in text
    page.screenshot(f"guardian-second-factor-code-ar-{width}")
    p.fill("#code", codes[0])
    p.click("button[type=submit]")
    p.wait_for_load_state("networkidle")
    page.check()
    assert "لقد استخدمت رمزًا احتياطيًا" in p.inner_text("body")


# The box of the words `text` inside the element (the first text node holding them).
WORDS_BOX = """(element, text) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(text);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top};
    }
    return null;
}"""


def test_arabic_invitees_read_name_first_then_the_bracket(page, server_and_app, log, meeting):
    """The family's next meeting in Arabic: whom it invites reads right to left, each
    Norwegian name first and its Arabic bracket after it (to its left), «Mor 1 Testesen
    (الأم)», not a left-to-right block with the bracket on the name's right."""
    p = _open(page, 1280, "foresatt", f"/mine/{log.id}?lang=ar")
    _layout(page, "ar", "rtl")
    line = p.locator("section[aria-labelledby=plain-meetings-h] p:has-text('المدعوون')")
    mother = log.guardians.order_by("id").first().name.split()[-1]  # «Testesen»
    for name, detail in ((mother, "الأم"), ("Ottesen", "المسؤول عن السجل")):
        name_box, detail_box = line.evaluate(WORDS_BOX, name), line.evaluate(WORDS_BOX, detail)
        assert name_box and detail_box and abs(name_box["top"] - detail_box["top"]) < 5, (name, detail)
        assert detail_box["right"] <= name_box["left"], f"{detail} is not after (left of) {name}"


@pytest.mark.parametrize("code", ["nb", "ar"])
def test_the_print_button_lines_up_with_the_family_actions(page, log, code):
    """«Dette kan dere gjøre» on a phone: «Skriv ut denne siden» (a button) starts where
    the links above it start, at the left or, right to left, at the right, and sits as
    close to them as they sit to each other."""
    p = _open(page, 390, "foresatt", f"/mine/{log.id}?lang={code}")
    # where each one's words are (a button's box is wider than its text)
    boxes = p.locator("ul.plain-actions li > :is(a, button)").evaluate_all(
        """elements => elements.map(e => {
            const range = document.createRange();
            range.selectNodeContents(e);
            const r = range.getBoundingClientRect();
            return {x: r.left, y: r.top, width: r.width, height: r.height};
        })"""
    )
    assert len(boxes) >= 3
    edge = (lambda b: b["x"]) if code == "nb" else (lambda b: b["x"] + b["width"])
    assert all(abs(edge(b) - edge(boxes[0])) < 1 for b in boxes), [edge(b) for b in boxes]
    gaps = [b["y"] - (a["y"] + a["height"]) for a, b in zip(boxes, boxes[1:])]
    assert max(gaps) - min(gaps) < 4, gaps
