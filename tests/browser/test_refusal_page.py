"""The refusal page (403) says calmly whom to ask: staff their unit leader, a family the
holder or the school or kindergarten; the same sentence whatever was asked for, so it
tells nothing about what exists. axe-core at 1280 and 390 px."""

import pytest

REFUSED = "Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"


def refused(page, path):
    page.goto(path)
    assert page.console_errors == [REFUSED]
    page.console_errors.clear()
    return page.page.inner_text("main")


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_are_told_to_ask_their_unit_leader(page, width):
    page.page.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    text = refused(page, "/omrader")
    assert "Du har ikke tilgang til denne siden." in text
    assert "Spør enhetslederen din hvis du mener du skal ha tilgang." in text
    page.screenshot(f"refusal-staff-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_family_is_told_to_ask_the_holder_or_the_school_in_their_language(page, log, width):
    page.page.set_viewport_size({"width": width, "height": 900})
    page.login("foresatt")
    ask = "Spør stafettholderen, eller skolen eller barnehagen, hvis du mener du skal ha tilgang."
    # a staff page, and the staff page of the family's own log: the same words
    assert ask in refused(page, "/omrader") == refused(page, f"/logger/{log.id}")
    english = refused(page, "/omrader?lang=en")
    assert "If you think you should have access, ask the relay log holder, or the school or kindergarten." in english
    page.screenshot(f"refusal-family-{width}")
