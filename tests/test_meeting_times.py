"""A meeting's time is typed in Oslo's wall-clock time and stored in UTC (dates.from_local,
the one rule for every time typed). The night the clocks go forward (the last Sunday in
March) 02:00–02:59 never happens: such a time is refused with a message, the text kept
and nothing stored, not silently moved an hour on. The night they go back (the last Sunday
in October) 02:00–02:59 happens twice: a time typed is the first, and a saved meeting
shown in its form and saved again unchanged keeps the time it had."""

import datetime as dt
import re

import pytest

from stafettlogg import demo
from stafettlogg.dates import SkippedTime, form_local, from_local
from stafettlogg.logs import sections
from stafettlogg.models import Meeting
from tests.conftest import a_log, a_meeting, user

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}
SKIPPED = "2027-03-28T02:30"  # 02:00 becomes 03:00 in Oslo that night
TWICE = "2026-10-25T02:30"  # 03:00 becomes 02:00 in Oslo that night
FIRST_UTC = dt.datetime(2026, 10, 25, 0, 30)  # 02:30 summer time (+02:00)
SECOND_UTC = dt.datetime(2026, 10, 25, 1, 30)  # 02:30 again, winter time (+01:00)
MESSAGE = "Klokkeslettet finnes ikke denne natten fordi klokka stilles fram fra 02:00 til 03:00."
MESSAGE_NN = "Klokkeslettet finst ikkje denne natta fordi klokka blir stilt fram frå 02:00 til 03:00."


@pytest.mark.parametrize(
    "wall, stored, expected",
    [
        (dt.datetime(2027, 3, 28, 1, 59), None, dt.datetime(2027, 3, 28, 0, 59)),
        (dt.datetime(2027, 3, 28, 3, 0), None, dt.datetime(2027, 3, 28, 1, 0)),
        (dt.datetime(2026, 10, 25, 2, 30), None, FIRST_UTC),
        (dt.datetime(2026, 10, 25, 2, 30), FIRST_UTC, FIRST_UTC),
        (dt.datetime(2026, 10, 25, 2, 30), SECOND_UTC, SECOND_UTC),
        (dt.datetime(2026, 10, 25, 2, 45), SECOND_UTC, dt.datetime(2026, 10, 25, 0, 45)),  # changed: the first
        (dt.datetime(2026, 10, 25, 3, 0), None, dt.datetime(2026, 10, 25, 2, 0)),
        (dt.datetime(2026, 12, 1, 14, 0), None, dt.datetime(2026, 12, 1, 13, 0)),
    ],
)
def test_a_wall_clock_time_is_stored_as_the_rule_says(wall, stored, expected):
    assert from_local(wall, stored) == expected
    assert form_local(expected) == wall.strftime("%Y-%m-%dT%H:%M")  # shown as typed


@pytest.mark.parametrize("minute", [0, 1, 30, 59])
def test_a_time_the_clocks_skip_does_not_exist(minute):
    with pytest.raises(SkippedTime) as raised:
        from_local(dt.datetime(2027, 3, 28, 2, minute))
    assert (raised.value.start, raised.value.end) == (dt.datetime(2027, 3, 28, 2), dt.datetime(2027, 3, 28, 3))


def test_every_stored_time_shown_in_the_form_is_read_back_as_itself():
    """Every minute of both nights (and around them), through the form's text and back."""
    for night in (dt.datetime(2027, 3, 27, 22), dt.datetime(2026, 10, 24, 22)):
        for minutes in range(0, 8 * 60):
            stored = night + dt.timedelta(minutes=minutes)
            shown = form_local(stored)
            assert sections.parse_datetime_local(shown, stored) == stored, shown
            assert form_local(sections.parse_datetime_local(shown)) == shown, shown  # typed anew: shown as typed


@pytest.fixture
def log(db_conn):
    return a_log()


def _form(**fields):
    return {"kind": "samarbeidsmote", "starts_at": "2027-01-05T14:00", "place": "Rom 7 på skolen", **fields}


def _edit_form(client, meeting) -> dict:
    """The meeting's edit form as the page fills it, every field sent back unchanged."""
    html = client.get(f"/logger/{meeting.log_id}/seksjon/meetings/{meeting.id}/endre").get_data(as_text=True)
    starts_at = re.search(r'name="starts_at" type="datetime-local" value="([^"]*)"', html).group(1)
    stored = Meeting.get_by_id(meeting.id)
    return {
        "kind": stored.kind,
        "starts_at": starts_at,
        "place": stored.place,
        "invited": stored.invited or "",
        "agenda": stored.agenda or "",
        "minutes": stored.minutes or "",
        "version": stored.version,
    }


def _save(client, meeting, form, headers=None):
    return client.post(f"/logger/{meeting.log_id}/seksjon/meetings/{meeting.id}", data=form, headers=headers or {})


@pytest.mark.parametrize("headers", [{}, HX], ids=["form", "htmx"])
def test_a_new_meeting_at_a_time_the_clocks_skip_is_refused_and_the_text_kept(auth, log, headers):
    client = auth.persona("holder")
    before = Meeting.select().count()
    response = client.post(f"/logger/{log.id}/seksjon/meetings", data=_form(starts_at=SKIPPED), headers=headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert MESSAGE in html and "Velg et annet klokkeslett." in html
    assert f'value="{SKIPPED}"' in html and "Rom 7 på skolen" in html
    assert Meeting.select().count() == before
    client.set_cookie("lang", "nn")
    html = client.post(f"/logger/{log.id}/seksjon/meetings", data=_form(starts_at=SKIPPED), headers=headers)
    assert MESSAGE_NN in html.get_data(as_text=True)
    assert Meeting.select().count() == before


@pytest.mark.parametrize("headers", [{}, HX], ids=["form", "htmx"])
def test_a_meeting_moved_to_a_time_the_clocks_skip_is_refused_and_stays_where_it_was(auth, log, headers):
    client = auth.persona("holder")
    meeting = a_meeting(log)
    was = Meeting.get_by_id(meeting.id)
    form = {**_edit_form(client, meeting), "starts_at": SKIPPED, "place": "Et annet rom"}
    response = _save(client, meeting, form, headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert MESSAGE in html and f'value="{SKIPPED}"' in html and "Et annet rom" in html
    now = Meeting.get_by_id(meeting.id)
    assert (now.starts_at, now.place, now.version) == (was.starts_at, was.place, was.version)


def test_the_domain_refuses_a_time_the_clocks_skip_on_create_and_on_update(log):
    section = sections.SECTIONS["meetings"]
    holder = user("stafettholder")
    item, errors = sections.create_item(holder, log, section, demo.form_values(**_form(starts_at=SKIPPED)))
    assert item is None and MESSAGE in errors["starts_at"]
    meeting = a_meeting(log)
    form = demo.form_values(**{**_form(starts_at=SKIPPED), "version": meeting.version})
    item, errors = sections.update_item(holder, log, section, meeting, form)
    assert item is None and MESSAGE in errors["starts_at"]
    assert Meeting.get_by_id(meeting.id).starts_at == meeting.starts_at


def test_a_time_typed_in_the_hour_that_happens_twice_is_the_first(auth, log):
    client = auth.persona("holder")
    response = client.post(f"/logger/{log.id}/seksjon/meetings", data=_form(starts_at=TWICE, place="Rom 8"))
    assert response.status_code in (200, 303)
    meeting = Meeting.get(Meeting.place == "Rom 8")
    assert meeting.starts_at == FIRST_UTC
    meeting = a_meeting(log)
    assert _save(client, meeting, {**_edit_form(client, meeting), "starts_at": TWICE}).status_code in (200, 303)
    assert Meeting.get_by_id(meeting.id).starts_at == FIRST_UTC


@pytest.mark.parametrize("stored", [FIRST_UTC, SECOND_UTC], ids=["first", "second"])
@pytest.mark.parametrize("headers", [{}, HX], ids=["form", "htmx"])
def test_a_meeting_in_the_hour_that_happens_twice_saved_again_unchanged_keeps_its_time(auth, log, stored, headers):
    """Finding: a meeting at 02:30 the second time (winter time, 01:30 UTC) showed as
    «02:30» in its form; saved again without a change, it became 02:30 the first time,
    an hour earlier. Now the time the form showed is read back as the time it showed."""
    client = auth.persona("holder")
    meeting = a_meeting(log)
    Meeting.update(starts_at=stored).where(Meeting.id == meeting.id).execute()
    form = _edit_form(client, meeting)
    assert form["starts_at"] == TWICE
    assert _save(client, meeting, form, headers).status_code in (200, 303)
    assert Meeting.get_by_id(meeting.id).starts_at == stored
    # another field changed, the time left as shown: still the same time
    form = {**_edit_form(client, meeting), "place": "Teams"}
    assert _save(client, meeting, form, headers).status_code in (200, 303)
    now = Meeting.get_by_id(meeting.id)
    assert (now.starts_at, now.place) == (stored, "Teams")
    # in the domain too
    section = sections.SECTIONS["meetings"]
    unchanged = demo.form_values(**{**form, "version": now.version})
    item, errors = sections.update_item(user("stafettholder"), log, section, now, unchanged)
    assert not errors and item.starts_at == stored
