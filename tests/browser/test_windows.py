"""A log with many entries: the log page shows the newest PAGE_SIZE, "Vis flere" appends
the next ones in place (focus moves to the first new entry) until none are left; the
same link without JavaScript opens the log page from there. axe-core at 1280 and 390 px."""

import datetime as dt
import sqlite3

import pytest

from stafettlogg.textformat import render_markdown

EXTRA = 120  # with the demo's entries: three windows of 50


def add_entries(path):
    conn = sqlite3.connect(path)
    (author,) = conn.execute("SELECT id FROM user WHERE username = 'stafettholder'").fetchone()
    start = dt.date(2025, 1, 1)
    now = dt.datetime(2026, 1, 1).isoformat(sep=" ")
    rows = []
    for i in range(EXTRA):
        body = f"Notat **nummer {i}** om hvordan dagen gikk."
        rows.append(
            (1, (start + dt.timedelta(days=i)).isoformat(), body, str(render_markdown(body)), author, now, now, 1)
        )
    conn.executemany(
        "INSERT INTO entry (log_id, entry_date, body, body_html, author_id, created_at, updated_at, version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    (total,) = conn.execute("SELECT count(*) FROM entry WHERE log_id = 1").fetchone()
    conn.close()
    return total


@pytest.mark.parametrize("width", [1280, 390])
def test_vis_flere_appends_the_next_entries_until_all_are_shown(page, tmp_path, width):
    total = add_entries(tmp_path / "browser.sqlite3")
    p = page.page
    p.set_viewport_size({"width": width, "height": 900})
    page.login("stafettholder")
    page.goto("/logger/1#entries")
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


def test_without_javascript_the_link_opens_the_next_window(browser, live_server, tmp_path):
    """«Vis flere» is a plain link: with JavaScript off it opens the log page from the
    cursor. (axe needs JavaScript; the same page is checked with it on above.)"""
    from tests.browser.conftest import Page

    total = add_entries(tmp_path / "browser.sqlite3")
    viewport = {"width": 390, "height": 900}
    signed_in = browser.new_context(viewport=viewport, locale="nb-NO")
    Page(signed_in.new_page(), live_server).login("stafettholder")
    state = signed_in.storage_state()
    signed_in.close()
    context = browser.new_context(viewport=viewport, locale="nb-NO", java_script_enabled=False, storage_state=state)
    p = context.new_page()
    p.goto(live_server + "/logger/1")
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


def add_decisions(path, count=60):
    conn = sqlite3.connect(path)
    (ke,) = conn.execute("SELECT id FROM user WHERE username = 'ke'").fetchone()
    (unit,) = conn.execute("SELECT id FROM unit WHERE name = 'Nordbyen skole'").fetchone()
    now = dt.datetime(2026, 1, 1).isoformat(sep=" ")
    conn.executemany(
        "INSERT INTO coordinator_record (child_name, unit_id, class_group, kind, decision, decided_on,"
        " person_name, person_service, person_contact, has_ip, consent_to_inform, created_by_id, created_at, version)"
        " VALUES (?, ?, '', 'koordinator', 'granted', ?, 'Kari Koordinator', '', '', 0, 0, ?, ?, 1)",
        [
            (f"Vindu Barn {i:02d}", unit, (dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat(), ke, now)
            for i in range(count)
        ],
    )
    conn.commit()
    (total,) = conn.execute("SELECT count(*) FROM coordinator_record").fetchone()
    conn.close()
    return total


@pytest.mark.parametrize("width", [1280, 390])
def test_the_ke_register_shows_more_decisions_in_place(page, tmp_path, width):
    total = add_decisions(tmp_path / "browser.sqlite3")
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
