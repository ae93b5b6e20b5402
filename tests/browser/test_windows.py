"""A log with many entries: the log page shows the newest PAGE_SIZE, "Vis flere" appends
the next ones in place (focus moves to the first new entry) until none are left; the
same link without JavaScript opens the log page from there. axe-core at 1280 and 390 px."""

import datetime as dt

import pytest

from stafettlogg.db import write_transaction
from stafettlogg.models import CoordinatorRecord, Entry, Unit
from tests.conftest import a_log, user


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

    shown = 50
    while p.locator("#section-entries .items__more a").count():
        p.click("#section-entries .items__more a")
        expected = min(total, shown + 50)
        p.wait_for_function(f"() => document.querySelectorAll('#section-entries li.item').length === {expected}")
        page.check()
        shown = expected
        focused = p.evaluate("() => document.activeElement && document.activeElement.id")
        first_new = p.evaluate(
            f"() => document.querySelectorAll('#section-entries li.item')[{shown - 50 if shown % 50 == 0 else shown - shown % 50}].id"
        )
        assert focused == first_new
    assert shown == total
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
    p.click("#records .items__more a")
    p.wait_for_function(f"() => document.querySelectorAll('#records tbody tr:not(.items__more)').length === {total}")
    assert p.locator("#records .items__more").count() == 0
    page.check()
    page.screenshot(f"ke-window-{width}")
