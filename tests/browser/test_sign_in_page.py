"""The sign-in page on a phone: what is missing is said at the field itself, not only in
the summary above the form, and the help under the button stands apart from it."""


def test_a_missing_user_name_and_password_are_told_at_each_field(page):
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    page.goto("/login")
    page.click("button[type=submit]")
    for field, message in (("username", "Skriv brukernavnet ditt."), ("password", "Skriv passordet ditt.")):
        error = p.locator(f"#{field}-error")
        assert error.is_visible() and message in error.inner_text()
        # between the field's label and the field, and read with the field
        label, box = p.locator(f"label[for={field}]").bounding_box(), p.locator(f"#{field}").bounding_box()
        assert label["y"] < error.bounding_box()["y"] < box["y"]
        assert p.get_attribute(f"#{field}", "aria-describedby") == f"{field}-error"


def test_the_help_under_the_sign_in_button_stands_apart_from_it(page):
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    page.goto("/login")
    button = p.locator(".card--login button[type=submit]").bounding_box()
    help_text = p.locator("p:has-text('Har du glemt passordet?')").bounding_box()
    assert help_text["y"] - (button["y"] + button["height"]) >= 16


def test_the_error_summary_starts_with_its_heading(page):
    """«Noe mangler» sits at the top of its red box, as in the forms outside a card; the
    card's room above headings left an empty band in the box."""
    p = page.page
    p.set_viewport_size({"width": 390, "height": 900})
    page.goto("/login")
    page.click(".card--login button[type=submit]")
    box, heading = p.locator(".error-summary").bounding_box(), p.locator(".error-summary h2").bounding_box()
    assert heading["y"] - box["y"] < 24  # the box's border and padding, no more
