"""The second factor in Chromium: an area leader is led to enrolment after the password,
scans (here: reads the key shown on the page), confirms with a code, keeps the recovery
codes, and signs in again with a code — at 1280 and 390 px, axe-core without violations."""

import time

import pyotp
import pytest


@pytest.mark.parametrize("width", [1280, 390])
def test_enrol_and_sign_in_with_a_code(page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    p.goto(page.base + "/login")
    page.check()
    p.fill("#username", "omradeleder")
    p.fill("#password", "demo-passord")
    p.click("button[type=submit]")
    p.wait_for_load_state("networkidle")
    assert p.url.endswith("/konto/sikkerhet")
    page.check()
    assert p.locator(".qr-code svg").is_visible()
    page.screenshot(f"second-factor-enrol-{width}")
    # a wrong code: a clear message, nothing turned on
    p.fill("#on-password", "demo-passord")
    p.fill("#code", "000000")
    page.click("button:has-text('Slå på innloggingskode')")
    assert "Koden stemmer ikke" in p.inner_text("#code-error")
    # anything else leads back here until it is done
    page.goto("/enheter")
    assert p.url.endswith("/konto/sikkerhet")
    secret = page.enrol_second_factor()
    codes = p.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(f"second-factor-recovery-codes-{width}")
    page.click("text=Jeg har tatt vare på kodene")
    assert "/konto/sikkerhet" not in p.url
    page.goto("/enheter")
    assert p.url.endswith("/enheter")
    page.logout()

    sign_in_with_password(page)
    page.check()
    page.screenshot(f"second-factor-code-{width}")
    # the code used for enrolment counts once; the app's next code (accepted 30 s early,
    # as a phone's clock may run ahead) signs in
    totp = pyotp.TOTP(secret)
    p.fill("#code", totp.at(time.time() + 30))
    page.click("button[type=submit]")
    assert "Områdeleder" in p.inner_text("h1")
    page.logout()

    sign_in_with_password(page)
    p.fill("#code", codes[0])  # a recovery code, as the person without the phone
    page.click("button[type=submit]")
    assert "Du brukte en reservekode" in p.content()
    page.logout()

    sign_in_with_password(page)
    p.fill("#code", codes[0])  # used already
    page.click("button[type=submit]")
    assert p.url.endswith("/login/kode") and "Koden stemmer ikke" in p.inner_text("#code-error")
    assert p.input_value("#code") == codes[0]


def sign_in_with_password(page):
    page.page.fill("#username", "omradeleder")
    page.page.fill("#password", "demo-passord")
    page.page.click("button[type=submit]")
    page.page.wait_for_load_state("networkidle")
    assert page.page.url.endswith("/login/kode")
