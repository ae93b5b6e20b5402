"""A log with many entries: the log page shows the newest PAGE_SIZE, "Vis flere" appends
the next ones in place (focus moves to the first new entry) until none are left; the
same link without JavaScript opens the log page from there. axe-core at 1280 and 390 px."""

import datetime as dt

import pytest

from stafettlogg.db import write_transaction
from stafettlogg.models import CoordinatorRecord, Entry, Evaluation, Highlight, Measure, Meeting, Unit
from tests.conftest import a_log, a_measure, user


def insert(app, model, rows: list[dict], *where) -> int:
    """`rows` into the live server's database; returns how many such rows it then holds."""
    with app.app_context():
        with write_transaction():
            model.insert_many(rows).execute()
        return model.select().where(*where).count() if where else model.select().count()


def log_with_entries(app, count=120):
    """A log of the holder's with `count` notes (with Markdown), one a day: more than two
    windows of 50. Returns the log and its number of notes."""
    with app.app_context():
        log, author = a_log(), user("stafettholder")
    start = dt.date(2025, 1, 1)
    rows = [
        {
            "log": log,
            "entry_date": start + dt.timedelta(days=i),
            "body": f"Notat **nummer {i}** om hvordan dagen gikk.",
            "author": author,
        }
        for i in range(count)
    ]
    return log, insert(app, Entry, rows, Entry.log == log)


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_the_next_entries_until_all_are_shown(page, server_and_app, width):
    log, total = log_with_entries(server_and_app[1])
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}#entries")
    entries = p.locator("#section-entries li.item")
    assert entries.count() == 50
    assert f"({total})" in p.inner_text("#entries-h")
    page.screenshot(f"entries-window-{width}")

    assert page.show_all("#section-entries li.item", "#section-entries .items__more a") == total
    ids = p.evaluate("() => Array.from(document.querySelectorAll('#section-entries li.item')).map(li => li.id)")
    assert len(set(ids)) == total  # no entry twice
    page.screenshot(f"entries-all-{width}")


def test_without_javascript_the_link_opens_the_next_window(browser, server_and_app):
    """«Vis flere» is a plain link: with JavaScript off it opens the log page from the
    cursor. (axe needs JavaScript; the same page is checked with it on above.)"""
    from tests.browser.conftest import Page

    live_server, app = server_and_app
    log, total = log_with_entries(app)
    viewport = {"width": 390, "height": 900}
    signed_in = browser.new_context(viewport=viewport, locale="nb-NO")
    Page(signed_in.new_page(), live_server).login("stafettholder")
    state = signed_in.storage_state()
    signed_in.close()
    context = browser.new_context(viewport=viewport, locale="nb-NO", java_script_enabled=False, storage_state=state)
    p = context.new_page()
    p.goto(f"{live_server}/logger/{log.id}")
    assert "Vis flere" in p.content() and "Til de nyeste" not in p.content()
    p.click("#section-entries .items__more a")
    p.wait_for_load_state("load")
    assert "etter=" in p.url
    html = p.content()
    section = html[html.index('id="section-entries"') :]
    section = section[: section.index("</section>")]
    assert section.count('class="item"') == 50
    assert "Til de nyeste" in section
    assert f"({total})" in section
    context.close()


def add_decisions(app, count=60) -> int:
    """`count` granted coordinator decisions for Nordbyen skole in KE's register; returns
    how many the register then holds."""
    with app.app_context():
        ke, unit = user("ke"), Unit.get(Unit.name == "Nordbyen skole")
    rows = [
        {
            "child_name": f"Vindu Barn {i:02d}",
            "unit": unit,
            "kind": "koordinator",
            "decision": "granted",
            "decided_on": dt.date(2025, 1, 1) + dt.timedelta(days=i),
            "person_name": "Kari Koordinator",
            "created_by": ke,
        }
        for i in range(count)
    ]
    return insert(app, CoordinatorRecord, rows)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_ke_register_shows_more_decisions_in_place(page, server_and_app, width):
    total = add_decisions(server_and_app[1])
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("ke")
    page.goto("/ke")
    rows = p.locator("#records tbody tr:not(.items__more)")
    assert rows.count() == 50
    assert f"({total})" in p.inner_text("#records-h")
    assert page.show_all("#records tbody tr:not(.items__more)", "#records .items__more a") == total
    page.screenshot(f"ke-window-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_guardians_see_more_minutes_highlights_and_measures_in_place(page, server_and_app, width):
    """The guardians' view shows the newest PAGE_SIZE approved minutes, highlights and ended measures;
    «Vis flere» adds the older ones in place, in the family's language."""
    app = server_and_app[1]
    size = 3
    app.config["PAGE_SIZE"] = size
    with app.app_context():
        log, author = a_log(), user("stafettholder")
    start = dt.datetime(2025, 1, 6, 14)
    meetings = [
        {
            "log": log,
            "kind": "evalueringsmote",
            "starts_at": start + dt.timedelta(weeks=6 * i),
            "place": "Nordbyen skole",
            "minutes": f"Vi ble enige om **tiltak {i}**.",
            "present": "Mor\nKontaktlærer",
            "finalised_at": start + dt.timedelta(weeks=6 * i, hours=2),
            "finalised_by": author,
            "author": author,
        }
        for i in range(2 * size + 1)
    ]
    highlights = [
        {
            "log": log,
            "body": f"Barnet lo i storefri, dag {i}.",
            "created_at": start + dt.timedelta(days=i),
            "author": author,
        }
        for i in range(2 * size + 2)
    ]
    ended = [
        {"log": log, "what": f"Leksehjelp to dager i uken, runde {i}.", "responsible": "Kontaktlærer",
         "evaluation_date": (start + dt.timedelta(weeks=6 * i)).date(), "status": "ended",
         "created_at": start + dt.timedelta(weeks=6 * i), "author": author}
        for i in range(2 * size + 1)
    ]  # fmt: skip
    total_measures = insert(app, Measure, ended, Measure.log == log)
    total_minutes = insert(app, Meeting, meetings, Meeting.log == log, Meeting.finalised_at.is_null(False))
    total_highlights = insert(app, Highlight, highlights, Highlight.log == log)
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("foresatt")
    page.goto(f"/mine/{log.id}?lang=pl")
    assert p.locator("article.plain-minutes").count() == size
    page.screenshot(f"family-window-{width}")
    assert (
        page.show_all("article.plain-minutes", "section[aria-labelledby=plain-minutes-h] .items__more a")
        == total_minutes
    )
    highlights_shown = "section[aria-labelledby=plain-highlights-h] li:not(.items__more)"
    assert (
        page.show_all(highlights_shown, "section[aria-labelledby=plain-highlights-h] .items__more a")
        == total_highlights
    )
    measures = "section[aria-labelledby=plain-measures-h]"
    assert page.show_all(f"{measures} li.plain-measure", f"{measures} .items__more a") == total_measures
    assert "Pokaż więcej" not in p.inner_text("main")  # every «Vis flere» used up
    assert p.url.endswith(f"/mine/{log.id}?lang=pl")  # the address stays the page's own
    page.screenshot(f"family-window-all-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_all_evaluations_of_a_measure_on_asking(page, server_and_app, width):
    """A measure evaluated seven times shows the latest three; «Vis alle 7 evalueringene»
    shows all of them in place, with the focus on the list."""
    app = server_and_app[1]
    with app.app_context():
        log, author = a_log(), user("stafettholder")
        measure = a_measure(log)
    rows = [
        {
            "measure": measure.id,
            "evaluated_on": dt.date(2025, 1, 6) + dt.timedelta(weeks=6 * i),
            "what_worked": f"Evaluering nummer {i}: lekegruppene virker.",
            "decision": "continue",
            "author": author,
        }
        for i in range(7)
    ]
    insert(app, Evaluation, rows)
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto(f"/logger/{log.id}#measures")
    shown = p.locator(f"#measures-{measure.id} .evaluations li")
    assert shown.count() == 3
    page.click(f"#measures-{measure.id} .evaluations__more a")
    p.wait_for_function(f"() => document.querySelectorAll('#measures-{measure.id} .evaluations li').length === 7")
    assert p.evaluate("() => document.activeElement && document.activeElement.tagName === 'UL'")
    assert p.locator(f"#measures-{measure.id} .evaluations__more").count() == 0
    page.screenshot(f"evaluations-all-{width}")
