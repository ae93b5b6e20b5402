"""Meeting mode: autosave, session expiry, conflicts, finalised minutes that no
route can change, corrections, invitations (.ics parsed back), hints, permissions."""

import datetime as dt
import re
import subprocess

import pytest
from playhouse.migrations import Runner

from stafettlogg.archive import documents
from stafettlogg.dates import local, local_today
from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.handover import domain as ho
from stafettlogg.models import (
    AuditEvent,
    Consent,
    Guardian,
    Handover,
    Log,
    Measure,
    Meeting,
    MinutesCorrection,
    User,
    utcnow,
)
from tests.conftest import PERSONAS, _make_app, a_log, a_meeting, an_item, chosen_in, options_of, refused, user

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}


@pytest.fixture
def log(db_conn):
    """Emma Hansen's log, held by Kari Ottesen: her parents Fatima and Tor Hansen, a nurse
    (Karianne Petrusen) and a PP adviser (Per Rådgiver) take part."""
    log = a_log(participants=("aktor", "ppt"), name="Emma Hansen")
    for relation, name in (("mor", "Fatima Hansen"), ("far", "Tor Hansen")):
        Guardian.update(name=name).where(Guardian.log == log, Guardian.relation == relation).execute()
    return log


@pytest.fixture
def meeting(log):
    """An evaluation meeting next week with the family and the services invited, its
    minutes not written yet."""
    invited = "Fatima Hansen (mor)\nTor Hansen (far)\nKarianne Petrusen, helsesykepleier\nPer Rådgiver, PPT"
    return a_meeting(log, invited=invited)


def url(meeting, path=""):
    return f"/logger/{meeting.log_id}/moter/{meeting.id}{path}"


def fresh(meeting) -> Meeting:
    return Meeting.get_by_id(meeting.id)


def autosave(client, meeting, minutes, version, agenda=None, **headers):
    data = {"minutes": minutes, "agenda": meeting.agenda if agenda is None else agenda, "version": version}
    data["autosave"] = "1"
    return client.post(url(meeting, "/referat"), data=data, headers={**HX, **headers})


def oob_version(response) -> int:
    return int(re.search(r'id="minutes-version" value="(\d+)"', response.get_data(as_text=True)).group(1))


# ------------------------------------------------------------------ autosave


def test_meeting_mode_page_has_the_autosaving_editor(auth, meeting):
    html = auth.persona("holder").get(url(meeting)).get_data(as_text=True)
    assert 'class="meeting-mode"' in html
    assert 'hx-trigger="input changed delay:1s, blur"' in html
    assert "queue last" in html
    assert 'id="autosave-status"' in html and 'aria-live="polite"' in html
    assert f'id="minutes-version" value="{meeting.version}"' in html
    assert "js/meeting.js" in html
    # the people who can be ticked as present: the child, the guardians, the participants
    for name in ("Emma Hansen", "Fatima Hansen", "Tor Hansen", "Kari Ottesen", "Karianne Petrusen", "Per Rådgiver"):
        assert f'value="{name}"' in html


def test_saved_today_is_today_in_norway_not_on_the_server_clock(auth, meeting, monkeypatch):
    """At 23:30 UTC it is already tomorrow in Oslo: a save then is "Lagret 00:30", not a date."""
    from stafettlogg import dates, templating

    late_evening_utc = dt.datetime(2026, 12, 3, 23, 30)
    assert dates.local_today(late_evening_utc.replace(tzinfo=dt.UTC)) == dt.date(2026, 12, 4)
    monkeypatch.setattr(templating, "local_today", lambda: dt.date(2026, 12, 4))
    Meeting.update(updated_at=late_evening_utc, version=2).where(Meeting.id == meeting.id).execute()
    with auth.app.test_request_context():
        from flask import render_template

        html = render_template("meetings/_autosave_status.html", meeting=fresh(meeting), error=None)
    assert "Lagret 00:30" in html


def test_autosave_round_trip(auth, meeting):
    client = auth.persona("holder")
    before = AuditEvent.select().where(AuditEvent.action == "meeting_minutes_saved").count()
    response = autosave(client, meeting, "Emma leker med to venner i storefri.", meeting.version)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.search(r"Lagret \d\d:\d\d", body)
    assert oob_version(response) == meeting.version + 1
    assert 'hx-swap-oob="true"' in body
    stored = fresh(meeting)
    assert stored.minutes == "Emma leker med to venner i storefri."
    assert stored.version == meeting.version + 1
    assert AuditEvent.select().where(AuditEvent.action == "meeting_minutes_saved").count() == before + 1

    # the next keystrokes are based on the new version
    response = autosave(client, meeting, "Emma leker med to venner i storefri. Hun smiler.", stored.version)
    assert response.status_code == 200
    assert fresh(meeting).minutes.endswith("Hun smiler.")

    # a blur with unchanged text writes nothing and never conflicts
    version = fresh(meeting).version
    response = autosave(client, meeting, "Emma leker med to venner i storefri. Hun smiler.", version - 1)
    assert response.status_code == 200
    assert fresh(meeting).version == version

    # the page shows it again after a reload
    assert "Hun smiler." in client.get(url(meeting)).get_data(as_text=True)


def test_saved_text_survives_a_server_restart(auth, meeting, database_url):
    autosave(auth.persona("holder"), meeting, "Lagret før omstart.", meeting.version)
    from stafettlogg.db import db

    db.close()
    restarted = _make_app(database_url)
    client = restarted.test_client()
    with db.connection_context():
        session_id = user("stafettholder").get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["last_seen"] = dt.datetime.now(dt.UTC).timestamp()
    assert "Lagret før omstart." in client.get(url(meeting)).get_data(as_text=True)


def test_plain_post_without_javascript_saves_and_redirects(auth, meeting):
    response = auth.persona("holder").post(
        url(meeting, "/referat"), data={"minutes": "Uten JavaScript.", "agenda": "", "version": meeting.version}
    )
    assert response.status_code == 303
    assert fresh(meeting).minutes == "Uten JavaScript."


def test_too_long_minutes_are_refused_and_the_text_kept(auth, meeting):
    long_text = "ord " * 6000
    response = auth.persona("holder").post(
        url(meeting, "/referat"), data={"minutes": long_text, "version": meeting.version}
    )
    assert response.status_code == 422
    assert long_text.strip() in response.get_data(as_text=True)
    assert fresh(meeting).minutes == ""


def test_autosave_after_session_expiry_redirects_to_login_and_saves_after_login(app, auth, meeting):
    client = auth.persona("holder")
    with client.session_transaction() as session:
        session["last_seen"] = session["last_seen"] - (app.config["SESSION_IDLE_MINUTES"] + 5) * 60
    page = f"http://localhost{url(meeting)}"
    response = autosave(client, meeting, "Skrevet mens økten gikk ut.", meeting.version, **{"HX-Current-URL": page})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/login?next=/logger/{meeting.log_id}/moter/{meeting.id}"
    assert response.get_data() == b""
    assert fresh(meeting).minutes == ""  # nothing saved by the refused request

    login = auth.login("stafettholder", query_string={"next": url(meeting)})
    assert login.status_code == 302 and login.headers["Location"] == url(meeting)
    assert 'id="minutes-form"' in client.get(url(meeting)).get_data(as_text=True)
    # the page restores the text kept in the browser and saves it, based on the old version
    response = autosave(client, meeting, "Skrevet mens økten gikk ut.", meeting.version)
    assert response.status_code == 200
    assert fresh(meeting).minutes == "Skrevet mens økten gikk ut."


def test_meeting_js_keeps_drafts_per_meeting_and_forgets_them_at_logout():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "static" / "js"
    meeting_js = (root / "meeting.js").read_text()
    for needle in ("sessionStorage", "htmx:sendError", "htmx:responseError", "beforeunload", "HX-Redirect"):
        assert needle in meeting_js
    assert "stafettlogg:draft:" in (root / "app.js").read_text()  # cleared at logout


# ------------------------------------------------------------------ conflicts


def test_stale_autosave_is_a_conflict_with_both_texts_and_a_merge(auth, meeting):
    client = auth.persona("holder")
    base = meeting.version
    assert autosave(client, meeting, "Teksten fra den andre skjermen.", base).status_code == 200
    response = autosave(client, meeting, "Min tekst fra den første skjermen.", base)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#minutes-editor"
    assert response.headers["HX-Reswap"] == "outerHTML"
    html = response.get_data(as_text=True)
    assert "Teksten fra den andre skjermen." in html
    assert "Min tekst fra den første skjermen." in html
    assert "Lagre sammenslått tekst" in html
    assert f'name="version" value="{base + 1}"' in html
    assert fresh(meeting).minutes == "Teksten fra den andre skjermen."  # never a silent overwrite

    merged = "Teksten fra den andre skjermen. Min tekst fra den første skjermen."
    response = client.post(
        url(meeting, "/referat"), data={"minutes": merged, "agenda": meeting.agenda, "version": base + 1}, headers=HX
    )
    assert response.status_code == 200
    assert 'id="minutes-form"' in response.get_data(as_text=True)
    assert fresh(meeting).minutes == merged


def test_conflict_without_javascript_is_a_409_page_with_the_users_text(auth, meeting):
    client = auth.persona("holder")
    autosave(client, meeting, "Først.", meeting.version)
    response = client.post(url(meeting, "/referat"), data={"minutes": "Andre.", "version": meeting.version})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Først." in html and "Andre." in html and "Lagre sammenslått tekst" in html


@pytest.mark.parametrize("version", [str(2**63), str(-(2**63) - 1), "1e3", ""])
def test_a_version_no_row_can_have_is_a_conflict_with_the_text_kept(auth, meeting, version):
    """A made-up or tampered version (one no integer column holds) is stale like any
    other: 409 with the user's text, nothing stored, never a server error."""
    client = auth.persona("holder")
    measure = an_item(meeting.log, "measures", **_measure_form())
    Measure.update(meeting=meeting).where(Measure.id == measure.id).execute()
    response = autosave(client, meeting, "Teksten min.", version)
    assert response.status_code == 409
    assert "Teksten min." in response.get_data(as_text=True)
    response = client.post(
        url(meeting, f"/tiltak/{measure.id}"), data=_measure_form(what="Endret tiltak.", version=version), headers=HX
    )
    assert response.status_code == 409
    assert "Endret tiltak." in response.get_data(as_text=True)
    assert fresh(meeting).minutes != "Teksten min."
    assert Measure.get_by_id(measure.id).what != "Endret tiltak."


def _measure_form(**overrides):
    data = {
        "what": "Kontaktlærer setter av ti minutter hver mandag til en prat med Emma.",
        "responsible": "Kontaktlærer Kari Ottesen",
        "evaluation_date": (local_today() + dt.timedelta(days=30)).isoformat(),
        "status": "planned",
    }
    data.update(overrides)
    return data


def test_measures_agreed_in_the_meeting(auth, meeting):
    client = auth.persona("holder")
    response = client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    assert response.status_code == 200
    assert "ti minutter hver mandag" in response.get_data(as_text=True)
    measure = Measure.select().where(Measure.meeting == meeting).get()
    assert measure.log_id == meeting.log_id
    # shown in the log's measures section too
    assert "ti minutter hver mandag" in client.get(f"/logger/{meeting.log_id}").get_data(as_text=True)

    # invalid input: 422, the user's text kept, nothing stored
    response = client.post(url(meeting, "/tiltak"), data=_measure_form(responsible="", what="Ny tekst"), headers=HX)
    assert response.status_code == 422
    assert "Ny tekst" in response.get_data(as_text=True)
    assert Measure.select().where(Measure.meeting == meeting).count() == 1

    # inline edit, then a stale edit: conflict with both texts
    edit = client.get(url(meeting, f"/tiltak/{measure.id}/endre"), headers=HX)
    assert edit.status_code == 200 and f'name="version" value="{measure.version}"' in edit.get_data(as_text=True)
    first = client.post(
        url(meeting, f"/tiltak/{measure.id}"), data=_measure_form(what="Første endring.", version=1), headers=HX
    )
    assert first.status_code == 200
    stale = client.post(
        url(meeting, f"/tiltak/{measure.id}"), data=_measure_form(what="Andre endring.", version=1), headers=HX
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Første endring." in html and "Andre endring." in html and "Lagre sammenslått tekst" in html
    assert 'name="version" value="2"' in html
    assert Measure.get_by_id(measure.id).what == "Første endring."


def test_a_measure_agreed_in_the_meeting_is_given_to_no_one_who_has_left(auth, meeting):
    """Meeting mode offers only people still working as responsible for a measure and
    refuses one who has left; a measure already theirs keeps them, marked «Har sluttet:»."""
    client = auth.persona("holder")
    nurse, adviser = user("aktor"), user("ppt")
    first = client.post(url(meeting, "/tiltak"), data=_measure_form(responsible_user=nurse.id), headers=HX)
    assert first.status_code == 200
    measure = Measure.get(Measure.meeting == meeting)
    User.update(active=False).where(User.id == nurse.id).execute()  # she leaves

    page = client.get(url(meeting)).get_data(as_text=True)
    offered = options_of(page, "meeting-new-measure-responsible_user")
    assert str(adviser.id) in offered and str(nurse.id) not in offered

    refused_new = client.post(
        url(meeting, "/tiltak"), data=_measure_form(what="Ny avtale.", responsible_user=nurse.id), headers=HX
    )
    assert refused_new.status_code == 422
    html = refused_new.get_data(as_text=True)
    assert "Karianne Petrusen har sluttet og kan ikke få ansvar for tiltak. Velg en annen." in html
    assert "Ny avtale." in html and Measure.select().where(Measure.meeting == meeting).count() == 1

    select = f"meeting-measure-{measure.id}-responsible_user"
    edit = client.get(url(meeting, f"/tiltak/{measure.id}/endre"), headers=HX).get_data(as_text=True)
    assert options_of(edit, select)[str(nurse.id)] == "Har sluttet: Karianne Petrusen (Helsesykepleier)"
    assert chosen_in(edit, select) == str(nurse.id)
    kept = client.post(
        url(meeting, f"/tiltak/{measure.id}"),
        data=_measure_form(what="Endret i møtet.", responsible_user=nurse.id, version=measure.version),
        headers=HX,
    )
    assert kept.status_code == 200 and Measure.get_by_id(measure.id).what == "Endret i møtet."

    # a second measure, the adviser's, cannot be handed to her
    client.post(
        url(meeting, "/tiltak"), data=_measure_form(what="PPT observerer.", responsible_user=adviser.id), headers=HX
    )
    theirs = Measure.get(Measure.meeting == meeting, Measure.responsible_user == adviser)
    moved = client.post(
        url(meeting, f"/tiltak/{theirs.id}"),
        data=_measure_form(what="Gitt videre.", responsible_user=nurse.id, version=theirs.version),
        headers=HX,
    )
    assert moved.status_code == 422
    assert "Karianne Petrusen har sluttet" in moved.get_data(as_text=True) and "Gitt videre." in moved.get_data(
        as_text=True
    )
    stored = Measure.get_by_id(theirs.id)
    assert stored.responsible_user_id == adviser.id and stored.what == "PPT observerer."


def test_measures_of_other_meetings_are_not_found_here(auth, log, meeting):
    other = an_item(log, "measures", **_measure_form(what="Lekegrupper i storefri, tre dager i uka."))
    assert other.meeting_id is None
    client = auth.persona("holder")
    assert client.get(url(meeting, f"/tiltak/{other.id}/endre")).status_code == 404
    assert client.post(url(meeting, f"/tiltak/{other.id}"), data=_measure_form(version=1)).status_code == 404


# ------------------------------------------------------------------ present


def test_who_is_present_one_name_per_line(auth, meeting):
    client = auth.persona("holder")
    response = client.post(
        url(meeting, "/tilstede"),
        data={
            "present": ["Emma Hansen", "Fatima Hansen", "Karianne Petrusen", "Ukjent Person"],
            "present_other": "Tolk Ali Khan\n",
        },
        headers=HX,
    )
    assert response.status_code == 200 and "Lagret" in response.get_data(as_text=True)
    assert fresh(meeting).present == "Emma Hansen\nFatima Hansen\nKarianne Petrusen\nTolk Ali Khan"
    html = client.get(url(meeting)).get_data(as_text=True)
    assert 'value="Fatima Hansen" checked' in html
    assert 'value="Tor Hansen">' in html


# ------------------------------------------------------------------ finalise, immutability, corrections


def started(meeting) -> None:
    """The meeting is planned for next week; minutes are approved once it has started."""
    Meeting.update(starts_at=utcnow() - dt.timedelta(hours=1)).where(Meeting.id == meeting.id).execute()


def finalise(client, meeting, minutes="Emma har fått en venn. Kontaktlærer følger opp.", start=True):
    if start:
        started(meeting)
    data = {"minutes": minutes, "agenda": meeting.agenda, "version": fresh(meeting).version}
    return client.post(url(meeting, "/godkjenn"), data={**data, "details": details_shown(client, meeting)})


def details_shown(client, meeting) -> str:
    """The time and place the meeting page shows now, as its approval form carries them
    (nothing where the page offers no approval)."""
    page = client.get(url(meeting)).get_data(as_text=True)
    shown = re.search(r'name="details" form="minutes-form" value="(\w+)"', page)
    return shown.group(1) if shown else ""


def test_finalising_saves_the_text_on_screen_and_records_who(auth, meeting):
    client = auth.persona("holder")
    response = finalise(client, meeting)
    assert response.status_code == 303
    stored = fresh(meeting)
    assert stored.minutes == "Emma har fått en venn. Kontaktlærer følger opp."
    assert stored.finalised_at is not None and stored.finalised_by_id == user("stafettholder").id
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "Referatet er godkjent" in html
    assert "data-autosave" not in html
    log_page = client.get(f"/logger/{meeting.log_id}").get_data(as_text=True)
    assert "Referat godkjent" in log_page and url(meeting) in log_page


def test_minutes_are_approved_only_from_the_meetings_start(auth, meeting):
    """Finding: minutes of a meeting dated tomorrow could be approved."""
    client = auth.persona("holder")
    Meeting.update(starts_at=utcnow() + dt.timedelta(days=1)).where(Meeting.id == meeting.id).execute()
    page = client.get(url(meeting)).get_data(as_text=True)
    assert "/godkjenn" not in page and "Referatet kan godkjennes fra møtet starter" in page
    response = finalise(client, meeting, minutes="Skrevet før møtet.", start=False)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Referatet kan godkjennes fra møtet starter" in body and "Skrevet før møtet." in body
    stored = fresh(meeting)
    assert stored.finalised_at is None and stored.minutes == "Skrevet før møtet."  # kept as a draft
    assert not AuditEvent.select().where(AuditEvent.action == "meeting_finalised").exists()
    # a page opened shortly before the meeting offers the button already: kept open
    # through the meeting, it is there when the minutes are read aloud at the end
    Meeting.update(starts_at=utcnow() + dt.timedelta(minutes=5)).where(Meeting.id == meeting.id).execute()
    page = client.get(url(meeting)).get_data(as_text=True)
    assert "/godkjenn" in page and "Referatet kan godkjennes fra møtet starter" in page
    # from its start time it can be approved
    Meeting.update(starts_at=utcnow() - dt.timedelta(minutes=1)).where(Meeting.id == meeting.id).execute()
    assert "Referatet kan godkjennes fra møtet starter" not in client.get(url(meeting)).get_data(as_text=True)
    assert finalise(client, meeting, minutes="Skrevet etter møtet.", start=False).status_code == 303
    assert fresh(meeting).finalised_at is not None


def test_minutes_with_no_one_of_the_family_present_say_why(auth, log, meeting):
    """seed 001: the log is written in meetings where the family is present. Minutes with
    no guardian nor the child ticked as present are approved only with why; the family
    reads it with the minutes, and it is in the archive copy. The text typed is kept."""
    holder = auth.persona("holder")
    Meeting.update(present="Kari Ottesen\nKarianne Petrusen").where(Meeting.id == meeting.id).execute()
    started(meeting)
    page = holder.get(url(meeting)).get_data(as_text=True)
    assert 'name="family_absent"' in page
    refused_now = finalise(holder, meeting, minutes="Skolen og helsesykepleier møttes.")
    html = refused_now.get_data(as_text=True)
    assert refused_now.status_code == 422 and "Ingen fra familien er krysset av som til stede" in html
    assert "Skolen og helsesykepleier møttes." in html and fresh(meeting).finalised_at is None
    started(meeting)
    why = "Mor var syk. Referatet er gjennomgått med henne på telefon."
    data = {"minutes": "Skolen og helsesykepleier møttes.", "version": fresh(meeting).version, "family_absent": why}
    data["details"] = details_shown(holder, meeting)
    assert holder.post(url(meeting, "/godkjenn"), data=data).status_code == 303
    assert (fresh(meeting).family_absent_note, fresh(meeting).finalised_at is not None) == (why, True)
    assert why in holder.get(url(meeting)).get_data(as_text=True)
    assert why in auth.persona("guardian").get(f"/mine/{log.id}").get_data(as_text=True)
    assert why in auth.persona("holder").get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)


def test_minutes_with_the_family_present_need_no_reason(auth, meeting):
    response = finalise(auth.persona("holder"), meeting)  # Fatima Hansen is ticked as present
    assert response.status_code == 303 and fresh(meeting).family_absent_note == ""


def test_approving_without_the_text_approves_only_the_version_the_person_saw(auth, meeting):
    """An approval that carries no text (an old page, a tampered form) approves the minutes
    only as they were when the page was read: changed meanwhile, it is a 409 and nothing
    is approved."""
    client = auth.persona("holder")
    started(meeting)
    client.post(url(meeting, "/referat"), data={"minutes": "Første utkast.", "version": fresh(meeting).version})
    seen = fresh(meeting).version
    Meeting.update(minutes="Endret av en annen.", version=Meeting.version + 1).where(Meeting.id == meeting.id).execute()
    response = client.post(url(meeting, "/godkjenn"), data={"version": seen})
    assert response.status_code == 409
    assert "endret eller godkjent av noen andre" in response.get_data(as_text=True)
    assert fresh(meeting).finalised_at is None
    assert not AuditEvent.select().where(AuditEvent.action == "meeting_finalised").exists()
    assert client.post(url(meeting, "/godkjenn"), data={"version": fresh(meeting).version}).status_code == 303
    assert fresh(meeting).finalised_at is not None


def test_empty_minutes_cannot_be_finalised(auth, meeting):
    response = finalise(auth.persona("holder"), meeting, minutes="")
    assert response.status_code == 422
    assert fresh(meeting).finalised_at is None


def test_no_route_can_change_finalised_minutes(auth, meeting):
    client = auth.persona("holder")
    client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    measure = Measure.select().where(Measure.meeting == meeting).get()
    assert finalise(client, meeting).status_code == 303
    before = fresh(meeting)
    snapshot = (before.minutes, before.agenda, before.present, before.version, before.finalised_at, before.place)
    measure_before = Measure.get_by_id(measure.id).what
    version = before.version
    attempts = [
        ("autosave", lambda: autosave(client, meeting, "Endret i ettertid.", version)),
        ("save", lambda: client.post(url(meeting, "/referat"), data={"minutes": "Endret.", "version": version})),
        (
            "save-fragment",
            lambda: client.post(url(meeting, "/referat"), data={"minutes": "X", "version": version}, headers=HX),
        ),
        ("present", lambda: client.post(url(meeting, "/tilstede"), data={"present": ["Emma Hansen"]})),
        ("finalise again", lambda: finalise(client, meeting, minutes="Ny tekst")),
        ("measure create", lambda: client.post(url(meeting, "/tiltak"), data=_measure_form(what="Nytt"), headers=HX)),
        (
            "measure update",
            lambda: client.post(url(meeting, f"/tiltak/{measure.id}"), data=_measure_form(what="Endret", version=1)),
        ),
        ("measure edit form", lambda: client.get(url(meeting, f"/tiltak/{measure.id}/endre"))),
        (
            "section update",
            lambda: client.post(
                f"/logger/{meeting.log_id}/seksjon/meetings/{meeting.id}",
                data={
                    "kind": "samarbeidsmote",
                    "starts_at": "2030-01-01T10:00",
                    "place": "Annet sted",
                    "minutes": "Endret via seksjonen",
                    "version": version,
                },
            ),
        ),
        ("section delete", lambda: client.post(f"/logger/{meeting.log_id}/seksjon/meetings/{meeting.id}/slett")),
    ]
    for name, attempt in attempts:
        response = attempt()
        assert response.status_code in (409, 422), f"{name}: {response.status_code}"
        after = fresh(meeting)
        assert (
            after.minutes,
            after.agenda,
            after.present,
            after.version,
            after.finalised_at,
            after.place,
        ) == snapshot, name
    assert Measure.select().where(Measure.meeting == meeting).count() == 1
    assert Measure.get_by_id(measure.id).what == measure_before
    # the log page offers no edit or delete for the finalised meeting
    log_page = auth.persona("holder").get(f"/logger/{meeting.log_id}").get_data(as_text=True)
    assert f"/seksjon/meetings/{meeting.id}/endre" not in log_page
    assert f"/seksjon/meetings/{meeting.id}/slett" not in log_page


def test_text_saved_in_a_tab_after_the_minutes_were_approved_is_handed_back_with_why(auth, meeting):
    """Finding: a tab left open while the minutes were approved in another (or a form sent
    again after approving, without JavaScript) was answered 409 with the approved page
    alone: no word of why, and what the person had just typed was gone (SECURITY.md: a
    refused save hands the text back, never discards it)."""
    client = auth.persona("holder")
    version = fresh(meeting).version
    assert finalise(client, meeting).status_code == 303
    typed = "Far kommer også på neste møte, og han tar med Emma."
    response = client.post(url(meeting, "/referat"), data={"minutes": typed, "agenda": "", "version": version})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Referatet er godkjent og kan ikke endres. Skriv en rettelse i stedet." in page
    assert "Din tekst (ikke lagret): referat" in page and typed in page
    assert fresh(meeting).minutes == "Emma har fått en venn. Kontaktlærer følger opp."
    # the approval sent again: why it is refused, and no copy of the text approved
    again = finalise(client, meeting, start=False)
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "Referatet er godkjent og kan ikke endres" in page and "Din tekst (ikke lagret)" not in page


def test_corrections_are_appended_with_author_and_time(auth, meeting):
    client = auth.persona("holder")
    # before approval there is nothing to correct: change the text instead
    assert client.post(url(meeting, "/rettelser"), data={"body": "For tidlig"}).status_code == 422
    finalise(client, meeting)
    assert client.post(url(meeting, "/rettelser"), data={"body": "  "}).status_code == 422
    response = client.post(url(meeting, "/rettelser"), data={"body": "Det var far, ikke mor, som var til stede."})
    assert response.status_code == 303
    correction = MinutesCorrection.get(MinutesCorrection.meeting == meeting)
    assert correction.author_id == user("stafettholder").id
    assert fresh(meeting).minutes == "Emma har fått en venn. Kontaktlærer følger opp."
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "Det var far, ikke mor, som var til stede." in html
    assert "Rettelse" in html and "Kari Ottesen" in html
    assert "Det var far" in client.get(url(meeting, "/les-hoyt")).get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "meeting_correction_added").count() == 1
    # participants read, never correct
    assert auth.persona("participant").post(url(meeting, "/rettelser"), data={"body": "Nei"}).status_code == 403


@pytest.mark.parametrize("persona", ["holder", "participant"])
def test_the_log_page_says_approved_minutes_were_corrected(auth, meeting, persona):
    """Finding: the log page's card shows approved minutes whole, but not that they were
    corrected: a participant reading the log there took «mor var til stede» for the
    record, while the meeting page, the family, the read-aloud page and the archive all
    had «Det var far, ikke mor»."""
    holder = auth.persona("holder")
    finalise(holder, meeting)
    log_url = f"/logger/{meeting.log_id}"
    card = holder.get(log_url).get_data(as_text=True).split(f'id="meetings-{meeting.id}"', 1)[1]
    assert "rettelse" not in card.split("</section>", 1)[0].lower()
    for body in ("Det var far, ikke mor, som var til stede.", "Neste møte er 3. mars."):
        assert holder.post(url(meeting, "/rettelser"), data={"body": body}).status_code == 303
    client = auth.persona(persona)
    for path, headers in ((log_url, {}), (f"{log_url}/seksjon/meetings", HX)):
        card = client.get(path, headers=headers).get_data(as_text=True).split(f'id="meetings-{meeting.id}"', 1)[1]
        card = card.split("</section>", 1)[0]
        assert f'href="{url(meeting)}#rettelser"' in card and "2 rettelser etter godkjenning" in card, path


def test_a_closed_log_is_read_only_in_meeting_mode(auth, meeting):
    Log.update(status="closed").where(Log.id == meeting.log_id).execute()
    client = auth.persona("holder")
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "data-autosave" not in html
    assert autosave(client, meeting, "Etterpå", meeting.version).status_code == 409
    assert fresh(meeting).minutes == ""


# ------------------------------------------------------------------ invitations


def parse_ics(raw: bytes) -> list[tuple[str, dict, str]]:
    """A small RFC 5545 reader: CRLF lines, unfolding, parameters, TEXT unescaping."""
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode("utf-8")) <= 75 for line in physical), "lines are folded at 75 octets"
    logical = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    out = []
    for line in logical:
        head, _sep, value = line.partition(":")
        name, *params = head.split(";")
        value = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
        out.append((name, dict(p.split("=", 1) for p in params), value))
    return out


def test_ics_invitation_is_valid_and_names_no_child(auth, meeting):
    place = "Nordbyen skole; møterom 2, 2. etasje \\ inngang B\nRing på: " + "lang beskrivelse " * 6
    Meeting.update(place=place).where(Meeting.id == meeting.id).execute()
    response = auth.persona("holder").get(url(meeting, "/invitasjon.ics"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    # a file to save, as every download: shown in a browser anyway, nothing in it runs
    assert response.headers["Content-Security-Policy"] == "sandbox"
    lines = parse_ics(response.data)
    names = [name for name, _p, _v in lines]
    assert names[0] == "BEGIN" and lines[0][2] == "VCALENDAR" and lines[-1][2] == "VCALENDAR"
    assert ("BEGIN", {}, "VEVENT") in lines and ("END", {}, "VEVENT") in lines
    props = {name: (params, value) for name, params, value in lines}
    assert props["VERSION"][1] == "2.0"
    assert props["PRODID"][1]
    assert props["UID"][1] == f"stafettlogg-meeting-{meeting.id}@127.0.0.1"
    assert re.fullmatch(r"\d{8}T\d{6}Z", props["DTSTAMP"][1])
    start = dt.datetime.strptime(props["DTSTART"][1], "%Y%m%dT%H%M%SZ")
    end = dt.datetime.strptime(props["DTEND"][1], "%Y%m%dT%H%M%SZ")
    assert start == fresh(meeting).starts_at and end > start
    assert props["LOCATION"][1] == place  # escaping of ; , \ and newlines round-trips
    assert props["SUMMARY"][1] == "Evalueringsmøte – stafettlogg"
    assert props["ORGANIZER"][1] == "mailto:kari.ottesen@demo.kommune.no"
    for name in ("Emma", "Hansen", "Fatima"):
        assert name not in response.data.decode("utf-8"), "calendars are shared: no child or family names"


def test_ics_invitation_is_in_the_language_of_who_downloads_it(auth, meeting):
    client = auth.persona("holder")
    props = {name: value for name, _p, value in parse_ics(client.get(url(meeting, "/invitasjon.ics")).data)}
    assert props["DESCRIPTION"].startswith("Innkalling fra stafettholder Kari Ottesen")
    assert "Dagsorden og referat står i stafettloggen." in props["DESCRIPTION"]
    client.set_cookie("lang", "nn")
    props = {name: value for name, _p, value in parse_ics(client.get(url(meeting, "/invitasjon.ics")).data)}
    assert props["DESCRIPTION"].startswith("Innkalling frå stafetthaldar Kari Ottesen")


def test_invitation_letter_for_guardians_and_participants(auth, meeting):
    html = auth.persona("holder").get(url(meeting, "/invitasjon")).get_data(as_text=True)
    assert "Invitasjon til evalueringsmøte" in html
    for name in ("Fatima Hansen", "Tor Hansen", "Karianne Petrusen", "Per Rådgiver", "Nordbyen skole, møterom 2"):
        assert name in html
    assert "Unntatt offentlighet" in html and "data-print" in html
    assert AuditEvent.select().where(AuditEvent.action == "view:meetings.invitation_letter").count() == 1
    auth.persona("participant").get(url(meeting, "/invitasjon.ics"))
    assert AuditEvent.select().where(AuditEvent.action == "view:meetings.invitation_ics").count() == 1


def test_no_invitations_once_the_minutes_are_approved(auth, meeting):
    client = auth.persona("holder")
    finalise(client, meeting)
    assert client.get(url(meeting, "/invitasjon.ics")).status_code == 404
    assert client.get(url(meeting, "/invitasjon")).status_code == 404


def test_no_invitations_to_a_meeting_of_a_closed_log(auth, meeting):
    """Finding: after the family withdrew consent (the log closed), the meeting page still
    offered the invitation letter and the calendar file of the meeting planned for next
    week, and both were made: an invitation in a log the family had ended. The family's
    page lists no meetings to come in an ended log; the invitations follow the same rule."""
    withdrawn = auth.persona("guardian").post(f"/mine/{meeting.log_id}/trekk-samtykke", data={"confirm": "yes"})
    assert withdrawn.status_code == 303
    assert Log.get_by_id(meeting.log_id).status == "closed"
    client = auth.persona("holder")
    page = client.get(url(meeting)).get_data(as_text=True)
    assert url(meeting, "/invitasjon") not in page and "Kalenderinvitasjon" not in page
    assert client.get(url(meeting, "/invitasjon.ics")).status_code == 404
    assert client.get(url(meeting, "/invitasjon")).status_code == 404


def test_readaloud_view(auth, meeting):
    client = auth.persona("holder")
    autosave(client, meeting, "Emma har det bedre i friminuttene.", meeting.version)
    client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    html = auth.persona("participant").get(url(meeting, "/les-hoyt")).get_data(as_text=True)
    assert 'class="readaloud"' in html and "data-readaloud-button hidden" in html
    assert "Emma har det bedre i friminuttene." in html and "ti minutter hver mandag" in html
    assert "js/readaloud.js" in html


# ------------------------------------------------------------------ plain-language hints


def table_counts():
    from stafettlogg.models import MODELS

    return {model.__name__: model.select().count() for model in MODELS}


def test_hints_in_bokmal_point_at_the_words_and_write_nothing(auth, log):
    client = auth.persona("holder")
    before = table_counts()
    text = "Emma og Fatima Hansen var med.\nDet undersøkes snarest ifm. PPT. Ole Nilsen var der."
    response = client.post(f"/logger/{log.id}/klarsprak", data={"text": text, "form": "nb"}, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<mark class="klarsprak" data-rule="passive">undersøkes</mark>' in html
    assert "snarest" in html and "i forbindelse med" in html and "pedagogisk-psykologisk tjeneste" in html
    assert "Ole Nilsen" in html and "linje 2" in html
    assert "Lesbarhet (LIX)" in html
    assert 'data-rule="other_person">Fatima' not in html and 'data-rule="other_person">Emma' not in html
    assert "klarsprak_form=nb" in response.headers["Set-Cookie"]
    assert table_counts() == before  # no write, not even an audit event


def test_hints_in_nynorsk_and_the_remembered_form(auth, log):
    client = auth.persona("participant")
    response = client.post(f"/logger/{log.id}/klarsprak", data={"text": "Arbeidet utførast snarast.", "form": "nn"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-rule="passive">utførast</mark>' in html
    assert '<option value="nn" selected>' in html
    # without a form the cookie decides
    html = client.post(f"/logger/{log.id}/klarsprak", data={"text": "Arbeidet utførast."}).get_data(as_text=True)
    assert '<option value="nn" selected>' in html and "utførast" in html


def test_clean_text_gets_no_hints_and_every_log_textarea_is_marked(auth, log):
    client = auth.persona("holder")
    html = client.post(
        f"/logger/{log.id}/klarsprak", data={"text": "Emma leker med en venn i storefri.", "form": "nb"}
    ).get_data(as_text=True)
    assert "Ingen råd" in html
    page = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert page.count("data-klarsprak") >= 5
    # every marked field has its panel, which htmx fills from the hints route
    fields = re.findall(r'<textarea id="([^"]+)"[^>]*\bdata-klarsprak\b', page)
    assert len(fields) >= 3
    for field in fields:
        panel = re.search(rf'<div id="{re.escape(field)}-klarsprak" data-klarsprak-body\s+hx-post="([^"]+)"', page)
        assert panel and panel.group(1) == f"/logger/{log.id}/klarsprak", field
        assert f'hx-include="#{field}"' in page


# ------------------------------------------------------------------ permissions


ROUTES = [
    ("GET", ""),
    ("GET", "/les-hoyt"),
    ("GET", "/invitasjon.ics"),
    ("GET", "/invitasjon"),
    ("POST", "/referat"),
    ("POST", "/tilstede"),
    ("POST", "/godkjenn"),
    ("POST", "/rettelser"),
    ("POST", "/tiltak"),
]
READERS = {"holder", "participant"}


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_permissions_for_every_meeting_route(auth, meeting, persona):
    client = auth.persona(persona)
    for method, path in ROUTES:
        response = client.open(url(meeting, path), method=method, data={})
        may = persona == "holder" or (method == "GET" and persona in READERS)
        if persona == "anonymous":
            assert response.status_code in (302, 303) and "/login" in response.headers["Location"], path
        elif may:
            assert response.status_code < 400 or response.status_code in (409, 422), f"{persona} {method} {path}"
        else:
            assert refused(response), f"{persona} {method} {path}: {response.status_code}"
    hints = client.post(f"/logger/{meeting.log_id}/klarsprak", data={"text": "Hei"})
    if persona in READERS:
        assert hints.status_code == 200
    elif persona == "anonymous":
        assert hints.status_code in (302, 303)
    else:
        assert refused(hints)
    if persona != "holder":
        stored = fresh(meeting)
        assert (stored.minutes, stored.present, stored.finalised_at) == ("", meeting.present, None)


def test_participant_reads_but_does_not_write(auth, meeting):
    client = auth.persona("participant")
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "data-autosave" not in html and "Godkjenn referatet" not in html
    assert autosave(client, meeting, "Nei", meeting.version).status_code == 403
    assert fresh(meeting).minutes == ""


def test_a_meeting_of_another_log_is_not_found(auth, meeting):
    other = a_meeting(
        a_log("pedleder", participants=()),
        by="pedleder",
        kind="samarbeidsmote",
        starts_at="2030-01-02T09:00",
        place="Solsiden",
    )
    client = auth.persona("holder")
    assert client.get(url(meeting)).status_code == 200
    assert client.get(f"/logger/{meeting.log_id}/moter/{other.id}").status_code == 404
    assert client.post(f"/logger/{meeting.log_id}/moter/{other.id}/referat", data={"minutes": "x"}).status_code == 404
    assert Meeting.get_by_id(other.id).minutes == ""


# ------------------------------------------------------------------ the rules, without HTTP


def test_domain_rules_without_http(app, log, meeting):
    from stafettlogg.logs.domain import LogError
    from stafettlogg.logs.sections import Conflict
    from stafettlogg.meetings import domain

    holder, nurse = user("stafettholder"), user("aktor")
    with app.test_request_context():
        with pytest.raises(domain.Forbidden):
            domain.save_texts(nurse, log, meeting, {"minutes": "x", "version": meeting.version})
        stored, written = domain.save_texts(holder, log, meeting, {"minutes": "Første.", "version": meeting.version})
        assert written and stored.version == meeting.version + 1
        with pytest.raises(Conflict) as conflict:
            domain.save_texts(holder, log, meeting, {"minutes": "Andre.", "version": meeting.version})
        assert conflict.value.mine == {"minutes": "Andre."} and conflict.value.theirs.minutes == "Første."
        with pytest.raises(LogError):
            domain.add_correction(holder, log, stored, "Rettelse før godkjenning")
        started(stored)
        stored = Meeting.get_by_id(stored.id)
        final = domain.finalise(holder, log, stored, {"version": stored.version})
        assert final.finalised_by_id == holder.id
        for attempt in (
            lambda: domain.save_texts(holder, log, final, {"minutes": "Etterpå.", "version": final.version}),
            lambda: domain.set_present(holder, log, final, ["Emma Hansen"], ""),
            lambda: domain.add_measure(holder, log, final, _measure_form()),
            lambda: domain.finalise(holder, log, final, {}),
        ):
            with pytest.raises(LogError):
                attempt()
        correction = domain.add_correction(holder, log, final, "Far var også til stede.")
        assert domain.corrections(final) == [correction]
        assert Meeting.get_by_id(meeting.id).minutes == "Første."
        assert set(domain.known_names(log)) >= {"Emma Hansen", "Fatima Hansen", "Kari Ottesen", "Karianne Petrusen"}


def test_an_autosave_of_a_meeting_deleted_meanwhile_is_not_found_and_writes_nothing(app, log, meeting):
    """The meeting was read when the request began and deleted before the save's write
    transaction: the save answers 404 (the row is gone), writes no row and no audit event."""
    from werkzeug.exceptions import NotFound

    from stafettlogg.meetings import domain

    holder = user("stafettholder")
    with app.test_request_context():
        read = domain.get_meeting(log, meeting.id)
        assert read is not None and read.id == meeting.id
        assert domain.get_meeting(a_log(), meeting.id) is None  # another log's id: not found
        Meeting.delete_by_id(meeting.id)
        events = AuditEvent.select().count()
        with pytest.raises(NotFound):
            domain.save_texts(holder, log, read, {"minutes": "Sent.", "version": read.version})
    assert Meeting.get_or_none(Meeting.id == meeting.id) is None
    assert AuditEvent.select().count() == events


# ------------------------------------------------------------------ the holder named in the minutes


def test_minutes_name_the_holder_as_of_the_meeting_also_after_a_handover(auth, meeting):
    """Seed 000 point 4: the holder states the role in meetings and in the minutes."""
    from stafettlogg.handover import domain as ho
    from stafettlogg.models import Handover

    kari = user("stafettholder")
    earlier = Meeting.get_by_id(meeting.id)
    Meeting.update(starts_at=dt.datetime(2026, 1, 10, 9), minutes="Emma liker friminuttene.").where(
        Meeting.id == earlier.id
    ).execute()
    # the family's consent names the new holder's school, so the log opens to him at once
    Consent.update(services=Consent.services.concat(f",unit:{user('kontaktlaerer').unit_id}")).where(
        Consent.log == meeting.log_id, Consent.replaced_at.is_null()
    ).execute()
    proposal = ho.propose_handover(kari, Log.get_by_id(meeting.log_id), user("kontaktlaerer"), "")
    ho.accept_handover(user("kontaktlaerer"), Handover.get_by_id(proposal.id))
    later = Meeting.create(
        log=meeting.log_id,
        kind="evalueringsmote",
        starts_at=dt.datetime.now() + dt.timedelta(days=1),
        minutes="Emma leser mer.",
        author=user("kontaktlaerer"),
    )
    jonas = user("kontaktlaerer")
    line_kari = f"<strong>Stafettholder:</strong> {kari.name}, {kari.job_title}"
    line_jonas = f"<strong>Stafettholder:</strong> {jonas.name}, {jonas.job_title}"
    new_holder = auth.login_as("kontaktlaerer")
    for m, line in ((earlier, line_kari), (later, line_jonas)):
        for path in ("", "/les-hoyt"):
            html = new_holder.get(url(m, path)).get_data(as_text=True)
            assert line in html, (m.id, path)
        readaloud = new_holder.get(url(m, "/les-hoyt")).get_data(as_text=True)
        article = readaloud.split("data-readaloud-text", 1)[1]
        first_paragraph = re.sub(r"<[^>]+>", "", article.split("<p", 1)[1].split("</p>", 1)[0])
        assert "er stafettholder for Emma" in first_paragraph
        assert (kari.name if m is earlier else jonas.name) in first_paragraph
    log_page = new_holder.get(f"/logger/{meeting.log_id}").get_data(as_text=True)
    assert line_kari in log_page and line_jonas in log_page
    archive = new_holder.get(f"/logger/{meeting.log_id}/arkivutskrift").get_data(as_text=True)
    assert line_kari in archive and line_jonas in archive


def test_a_refused_autosave_keeps_the_version_the_text_was_based_on(auth, meeting):
    """Finding: an autosave refused for its text (too long) answered with the version the
    meeting had when the request came in. Someone else had saved meanwhile, so the tab took
    their version as its own, and its next autosave overwrote their text without a conflict."""
    client = auth.persona("holder")
    base = meeting.version
    assert autosave(client, meeting, "Teksten fra den andre skjermen.", base).status_code == 200
    response = autosave(client, meeting, "ord " * 6000, base)
    assert response.status_code == 422
    assert "Ikke lagret" in response.get_data(as_text=True)
    assert 'id="minutes-version"' not in response.get_data(as_text=True)  # the tab keeps its own version
    # the tab's next autosave, based on what it had, is a conflict, never an overwrite
    response = autosave(client, meeting, "Min kortere tekst.", base)
    assert response.status_code == 409
    assert fresh(meeting).minutes == "Teksten fra den andre skjermen."


def test_a_refused_save_without_javascript_keeps_the_version_the_text_was_based_on(auth, meeting):
    """Finding: the page that hands back a refused text (too long) carried the version the
    meeting had when the request came in. Saved from that page, the text overwrote what
    someone else had saved meanwhile, without a conflict."""
    client = auth.persona("holder")
    base = meeting.version
    assert autosave(client, meeting, "Teksten fra den andre skjermen.", base).status_code == 200
    long_text = "ord " * 6000
    for response in (
        client.post(url(meeting, "/referat"), data={"minutes": long_text, "agenda": "", "version": base}),
        autosave(client, meeting, long_text, base, **{"HX-Boosted": "true"}),  # the page, not the status line
    ):
        assert response.status_code == 422
        page_version = int(re.search(r'id="minutes-version" value="(\d+)"', response.get_data(as_text=True)).group(1))
        assert page_version == base
        response = client.post(
            url(meeting, "/referat"), data={"minutes": "Min kortere tekst.", "agenda": "", "version": page_version}
        )
        assert response.status_code == 409
        assert fresh(meeting).minutes == "Teksten fra den andre skjermen."


def test_a_refused_list_of_who_is_present_keeps_what_was_typed(auth, meeting):
    """Finding: without JavaScript, a list of others present that was too long came back
    with the message but with the list as stored: what the holder had typed was gone."""
    others = "\n".join(f"Tolk nummer {n}" for n in range(400))
    response = auth.persona("holder").post(
        url(meeting, "/tilstede"), data={"present": ["Tor Hansen"], "present_other": others}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Listen over hvem som er til stede er for lang." in html
    assert "Tolk nummer 399" in html
    assert 'value="Tor Hansen" checked' in html
    assert fresh(meeting).present != "Tor Hansen"


def test_a_measure_is_not_tied_to_minutes_approved_or_a_meeting_deleted_meanwhile(app, log, meeting):
    """Finding: adding or changing a measure from the meeting checked the meeting as the
    request read it, before the write transaction: minutes approved (another tab) or a
    meeting deleted in between still took the measure, or the request failed with a
    server error on the missing meeting."""
    from werkzeug.exceptions import NotFound

    from stafettlogg.logs.domain import LogError
    from stafettlogg.meetings import domain

    holder = user("stafettholder")
    measure = an_item(log, "measures", **_measure_form())
    Measure.update(meeting=meeting).where(Measure.id == measure.id).execute()
    measure = Measure.get_by_id(measure.id)
    with app.test_request_context():
        read = domain.get_meeting(log, meeting.id)
        Meeting.update(minutes="Godkjent.", finalised_at=utcnow(), version=Meeting.version + 1).where(
            Meeting.id == meeting.id
        ).execute()
        with pytest.raises(LogError):
            domain.add_measure(holder, log, read, _measure_form(what="Etter godkjenning."))
        with pytest.raises(LogError):
            domain.update_measure(holder, log, read, measure, _measure_form(what="Endret.", version=measure.version))
        assert Measure.select().where(Measure.what.in_(["Etter godkjenning.", "Endret."])).count() == 0

        other = a_meeting(log)
        read = domain.get_meeting(log, other.id)
        Meeting.delete_by_id(other.id)
        with pytest.raises(NotFound):
            domain.add_measure(holder, log, read, _measure_form(what="Til et slettet møte."))
    assert not Measure.select().where(Measure.what == "Til et slettet møte.").exists()


def test_ics_invitation_has_no_line_or_control_character_from_stored_text(auth, meeting):
    """Finding: the organiser's e-mail address went into the calendar file as stored (a
    staff form only asks for an @), so an address with a line break added properties of
    its own (an attendee, another event); a control character in the place made a line
    calendar programs refuse (RFC 5545 3.3.11: TEXT holds no control characters)."""
    from stafettlogg.models import User

    holder = user("stafettholder")
    User.update(email="kari@demo.kommune.no\r\nATTENDEE:mailto:noen@example.org", name="Kari\x07 Ottesen").where(
        User.id == holder.id
    ).execute()
    # (no NUL: PostgreSQL stores none, and every form field is cleaned of it, typed.py)
    Meeting.update(place="Rom\x0b 2\x1b\t3").where(Meeting.id == meeting.id).execute()
    response = auth.persona("holder").get(url(meeting, "/invitasjon.ics"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    lines = parse_ics(response.data)
    assert "ATTENDEE" not in [name for name, _p, _v in lines]
    props = {name: (params, value) for name, params, value in lines}
    assert props["LOCATION"][1] == "Rom 2\t3"
    assert props["ORGANIZER"][0]["CN"] == '"Kari Ottesen"'


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:30", "9999-12-31T23:30", "1899-12-31T12:00", "2100-01-01T09:00"])
def test_a_meeting_time_no_clock_can_hold_in_utc_is_refused_with_a_message(auth, log, starts_at):
    """Finding: «0001-01-01T00:30» is a valid datetime-local value, but in Oslo time it is
    before the first moment Python can hold in UTC: creating the meeting failed with a
    server error instead of asking for a date and time. At the other end, a meeting at
    23:30 on 31.12.9999 ends in a year no date holds (the letter failed). A date typed
    into the app has a year from 1900 to 2099 (sections.YEARS)."""
    client = auth.persona("holder")
    form = {"kind": "samarbeidsmote", "starts_at": starts_at, "place": "Rom 2"}
    response = client.post(f"/logger/{log.id}/seksjon/meetings", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Sjekk årstallet: datoen må være mellom 1900 og 2099." in html and "Rom 2" in html
    assert not Meeting.select().where(Meeting.log == log, Meeting.place == "Rom 2").exists()


@pytest.mark.parametrize("stale", [False, True])
def test_a_refused_measure_edit_comes_back_inside_the_measures_it_replaces(auth, meeting, stale):
    """Finding: the inline edit form posts with htmx into #meeting-measures (outerHTML). A
    refused edit (a required field empty, or a stale version) answered with the form's list
    item alone: the meeting's other measures and the add form vanished from the page, and
    the form swapped in named a target no longer there, so the corrected text could not be
    saved without reloading the page and losing it."""
    client = auth.persona("holder")
    client.post(url(meeting, "/tiltak"), data=_measure_form(what="Et annet tiltak."), headers=HX)
    client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    measure = Measure.select().where(Measure.meeting == meeting).order_by(Measure.id.desc()).get()
    if stale:
        Measure.update(version=Measure.version + 1).where(Measure.id == measure.id).execute()
        data = _measure_form(what="Min endring.", version=measure.version)
    else:
        data = _measure_form(what="Min endring.", responsible="", version=measure.version)
    response = client.post(url(meeting, f"/tiltak/{measure.id}"), data=data, headers=HX)
    assert response.status_code == (409 if stale else 422)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="meeting-measures"')  # what the form's hx-target swaps out
    assert "Et annet tiltak." in html and "Legg til tiltak" in html
    assert "Min endring." in html and 'hx-target="#meeting-measures"' in html


def test_an_edit_asked_for_after_the_minutes_were_approved_shows_the_measures_and_why(auth, meeting):
    """Finding: «Endre» on a measure whose minutes someone approved meanwhile answered 409
    with the whole error page, which htmx swapped in place of the measure's row (header,
    menu and footer inside the list). The answer is the measures again, saying why, put in
    place of the whole list."""
    client = auth.persona("holder")
    client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    measure = Measure.get(Measure.meeting == meeting)
    Meeting.update(finalised_at=utcnow()).where(Meeting.id == meeting.id).execute()
    response = client.get(url(meeting, f"/tiltak/{measure.id}/endre"), headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and html.lstrip().startswith('<section id="meeting-measures"')
    assert response.headers["HX-Retarget"] == "#meeting-measures" and response.headers["HX-Reswap"] == "outerHTML"
    assert "Referatet er godkjent" in html and "<header" not in html
    whole = client.get(url(meeting, f"/tiltak/{measure.id}/endre"))  # without JavaScript: the meeting page
    assert whole.status_code == 409 and "Referatet er godkjent" in whole.get_data(as_text=True)
    assert (
        auth.persona("same_unit_staff").get(url(meeting, f"/tiltak/{measure.id}/endre"), headers=HX).status_code == 404
    )


def test_minutes_meeting_mode_takes_can_be_kept_when_the_meeting_is_moved(auth, meeting):
    """Finding: meeting mode takes minutes of up to 20 000 characters, but the log page's
    form for the same meeting (moving it, changing the place) refused anything over 5 000:
    a long agenda or draft minutes had to be cut before the meeting could be moved."""
    client = auth.persona("holder")
    minutes = "Emma forteller at det går bedre i storefri. " * 200  # about 8 800 characters
    assert autosave(client, meeting, minutes, meeting.version, agenda=minutes).status_code == 200
    stored = fresh(meeting)
    response = client.post(
        f"/logger/{meeting.log_id}/seksjon/meetings/{meeting.id}",
        data={
            "kind": stored.kind,
            "starts_at": "2030-01-01T10:00",
            "place": "Et annet rom",
            "invited": stored.invited,
            "agenda": stored.agenda,
            "minutes": stored.minutes,
            "version": stored.version,
        },
    )
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:300]
    assert fresh(meeting).place == "Et annet rom" and fresh(meeting).minutes == minutes.strip()


def test_a_meeting_approved_meanwhile_is_not_deleted(app, log, meeting):
    """Finding: deleting a meeting from the log page asked whether its minutes were
    approved of the meeting as the request read it, before the write transaction: minutes
    approved in between (another tab) were deleted with the meeting."""
    from stafettlogg.logs import sections as sec
    from stafettlogg.logs.domain import LogError

    holder = user("stafettholder")
    with app.test_request_context():
        read = sec.get_item(sec.SECTIONS["meetings"], log, meeting.id)
        Meeting.update(minutes="Godkjent.", finalised_at=utcnow(), version=Meeting.version + 1).where(
            Meeting.id == meeting.id
        ).execute()
        with pytest.raises(LogError):
            sec.delete_item(holder, log, sec.SECTIONS["meetings"], read)
    assert fresh(meeting).minutes == "Godkjent."


@pytest.mark.parametrize("start", [True, False])
def test_a_refused_approval_keeps_the_version_the_text_was_based_on(auth, meeting, start):
    """Finding: approving minutes that were too long (before or after the meeting started)
    came back with the text and the version the meeting had by then: saved again from that
    page, the text overwrote what someone else had saved meanwhile, without a conflict."""
    client = auth.persona("holder")
    base = meeting.version
    assert autosave(client, meeting, "Teksten fra den andre skjermen.", base).status_code == 200
    if start:
        started(meeting)
    response = client.post(url(meeting, "/godkjenn"), data={"minutes": "ord " * 6000, "agenda": "", "version": base})
    assert response.status_code == 422
    assert oob_version(response) == base
    response = client.post(url(meeting, "/referat"), data={"minutes": "Kortere.", "agenda": "", "version": base})
    assert response.status_code == 409
    assert fresh(meeting).minutes == "Teksten fra den andre skjermen." and fresh(meeting).finalised_at is None


def test_minutes_approved_meanwhile_are_not_changed_from_the_log_page(auth, log, meeting):
    """Finding: changing a meeting from the log page asked whether its minutes were
    approved of the meeting as the request read it, and wrote by id and version alone:
    minutes approved in between (another tab; approving raises the version by one, so the
    page could send that one) were overwritten, approval and approver left as they were,
    and the family read text no one approved."""
    from stafettlogg.logs import sections as sec
    from stafettlogg.logs.domain import LogError

    holder = user("stafettholder")
    with auth.app.test_request_context():
        read = sec.get_item(sec.SECTIONS["meetings"], log, meeting.id)
        Meeting.update(minutes="Godkjent.", finalised_at=utcnow(), version=Meeting.version + 1).where(
            Meeting.id == meeting.id
        ).execute()
        form = {
            "kind": read.kind,
            "starts_at": "2020-01-01T10:00",
            "place": read.place,
            "agenda": read.agenda,
            "minutes": "Noe helt annet enn det som ble godkjent.",
            "version": str(read.version + 1),  # the version approving gave it
        }
        with pytest.raises(LogError) as refused:
            sec.update_item(holder, log, sec.SECTIONS["meetings"], read, form)
    assert "Skriv en rettelse" in str(refused.value)
    assert fresh(meeting).minutes == "Godkjent." and fresh(meeting).starts_at == meeting.starts_at


def test_a_measure_changed_after_the_minutes_were_approved_says_so_under_them(auth, meeting):
    """Finding: a measure agreed in the meeting is changed from the log page after the
    minutes were approved (a measure lives on; meeting mode no longer edits it): the
    approved meeting and the read-aloud page listed the new text under the approved
    minutes as if agreed then. They say when it was changed."""
    client = auth.persona("holder")
    client.post(url(meeting, "/tiltak"), data=_measure_form(), headers=HX)
    measure = Measure.select().where(Measure.meeting == meeting).get()
    assert finalise(client, meeting).status_code == 303
    marker = "etter at referatet ble godkjent"
    assert marker not in client.get(url(meeting, "")).get_data(as_text=True)
    changed = _measure_form(what="Mor henter Emma kl. 12 hver dag.", version=measure.version)
    assert client.post(f"/logger/{meeting.log_id}/seksjon/measures/{measure.id}", data=changed).status_code == 303
    for page in (url(meeting, ""), url(meeting, "/les-hoyt")):
        text = client.get(page).get_data(as_text=True)
        assert "Mor henter Emma" in text and marker in text, page


def filed_minutes(app, meeting) -> str:
    """The text of the minutes' PDF as filed in the archive."""
    with app.test_request_context():
        data = documents.minutes(Log.get_by_id(meeting.log_id), fresh(meeting)).data
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_approved_minutes_keep_whom_they_named_when_approved(auth, log, meeting):
    """Finding: approved minutes named the holder with the name and job title the holder
    has now, the approver by their name now, and the minutes filed in the archive the
    log's unit now: a new title, a new name or a handover (the log moving to another
    school) changed minutes approved long before. Approved minutes are a record: every
    place that shows them shows whom they named when they were approved."""
    kari, jonas = user("stafettholder"), user("kontaktlaerer")
    assert finalise(auth.persona("holder"), meeting).status_code == 303
    # the holder changes title and name, and hands the log over to another school
    User.update(name="Kari Berg", job_title="Rektor").where(User.id == kari.id).execute()
    Consent.update(services=Consent.services.concat(f",unit:{jonas.unit_id}")).where(
        Consent.log == log.id, Consent.replaced_at.is_null()
    ).execute()
    proposal = ho.propose_handover(User.get_by_id(kari.id), Log.get_by_id(log.id), jonas, "")
    ho.accept_handover(jonas, Handover.get_by_id(proposal.id))
    assert Log.get_by_id(log.id).unit_id == jonas.unit_id  # the log moved with its holder
    line = f"<strong>Stafettholder:</strong> {kari.name}, {kari.job_title}</p>"
    new_holder = auth.login_as("kontaktlaerer")
    page = new_holder.get(url(meeting)).get_data(as_text=True)
    assert line in page and f"· {kari.name}</span>" in page and "Kari Berg" not in page
    readaloud = new_holder.get(url(meeting, "/les-hoyt")).get_data(as_text=True)
    assert line in readaloud and f"{kari.name} er stafettholder for Emma" in readaloud
    for path in (f"/logger/{log.id}", f"/logger/{log.id}/arkivutskrift"):
        assert line in new_holder.get(path).get_data(as_text=True), path
    family = auth.persona("guardian").get(f"/mine/{log.id}").get_data(as_text=True)
    assert line in family
    filed = filed_minutes(auth.app, meeting)
    assert re.search(r"· Nordbyen skole\n", filed, re.I), filed  # the header, in capitals
    assert re.search(rf"Stafettholder:\s+{kari.name}, {kari.job_title}", filed), filed
    assert re.search(rf"Ferdigstilt\s+\S+, {kari.name}", filed), filed
    assert not re.search("Rektor|Kari Berg|Sørbyen skole", filed, re.I), filed
    stored = fresh(meeting)  # kept with the minutes
    assert (stored.holder_name, stored.holder_job_title, stored.finalised_by_name) == (
        kari.name,
        kari.job_title,
        kari.name,
    )
    assert stored.unit_name == "Nordbyen skole"


def test_the_migration_gives_minutes_approved_before_whom_they_showed(auth, log, meeting):
    """0049: minutes approved before kept nothing of whom they named; they get what they
    showed until then: the holder as of the meeting by the holder history (the holder
    before a handover for a meeting before it), with the name and title they have now,
    the log's unit now and the approver's name now. Drafts get nothing."""
    kari, jonas = user("stafettholder"), user("kontaktlaerer")
    assert finalise(auth.persona("holder"), meeting).status_code == 303
    Consent.update(services=Consent.services.concat(f",unit:{jonas.unit_id}")).where(
        Consent.log == log.id, Consent.replaced_at.is_null()
    ).execute()
    proposal = ho.propose_handover(kari, Log.get_by_id(log.id), jonas, "")
    ho.accept_handover(jonas, Handover.get_by_id(proposal.id))
    later = a_meeting(Log.get_by_id(log.id), by="kontaktlaerer")
    Meeting.update(minutes="Emma leser mer.", finalised_at=utcnow(), finalised_by=jonas).where(
        Meeting.id == later.id
    ).execute()
    draft = a_meeting(Log.get_by_id(log.id), by="kontaktlaerer")
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0049_minutes_as_approved")
    User.update(job_title="Rektor").where(User.id == kari.id).execute()
    runner.up()

    def named(m):
        m = fresh(m)
        return (m.holder_name, m.holder_job_title, m.unit_name, m.finalised_by_name)

    assert named(meeting) == (kari.name, "Rektor", "Sørbyen skole", kari.name)
    assert named(later) == (jonas.name, jonas.job_title, "Sørbyen skole", jonas.name)
    assert named(draft) == ("", "", "", "")


def test_a_correction_keeps_the_name_its_author_had_when_writing_it(auth, log, meeting):
    """Finding: a correction under approved minutes was shown with its author's name and
    job title now, so a new name changed what the approved minutes' record said. It keeps
    them as they were when it was written, on the meeting page, the read-aloud page, the
    minutes filed in the archive and the archive print."""
    kari = user("stafettholder")
    client = auth.persona("holder")
    assert finalise(client, meeting).status_code == 303
    body = "Det var far, ikke mor, som var til stede."
    assert client.post(url(meeting, "/rettelser"), data={"body": body}).status_code == 303
    User.update(name="Kari Berg", job_title="Rektor").where(User.id == kari.id).execute()
    page = client.get(url(meeting)).get_data(as_text=True)
    assert re.findall(r"Rettelse · [^<]* · ([^<]*)</p>", page) == [f"{kari.name}, {kari.job_title}"]
    readaloud = client.get(url(meeting, "/les-hoyt")).get_data(as_text=True)
    assert re.findall(r"Rettelse [^<]*, ([^<,]*):</p>", readaloud) == [kari.name]
    archive = client.get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)
    assert re.findall(r"Rettelse [\d.]+ \(([^)]*)\):", archive) == [kari.name]
    filed = filed_minutes(auth.app, meeting)
    assert re.findall(r"Rettelse [\d.]+\s+\(([^)]*)\):", filed) == [kari.name], filed
    stored = MinutesCorrection.get(MinutesCorrection.meeting == meeting)
    assert (stored.author_name, stored.author_job_title) == (kari.name, kari.job_title)


def test_the_migration_gives_corrections_written_before_the_name_they_showed(auth, log, meeting):
    """0053: corrections written before kept nothing of their author; they get what they
    showed until then, the author's name and job title now."""
    assert finalise(auth.persona("holder"), meeting).status_code == 303
    assert auth.persona("holder").post(url(meeting, "/rettelser"), data={"body": "Far var der."}).status_code == 303
    kari = user("stafettholder")
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0053_corrections_as_written")
    User.update(name="Kari Berg", job_title="Rektor").where(User.id == kari.id).execute()
    runner.up()
    stored = MinutesCorrection.get(MinutesCorrection.meeting == meeting)
    assert (stored.author_name, stored.author_job_title, stored.body) == ("Kari Berg", "Rektor", "Far var der.")


def test_approving_unchanged_text_approves_the_meeting_only_at_the_time_and_place_shown(auth, log, meeting):
    """Finding: approving minutes whose text had not changed approved the meeting as it
    was by then, also when its time or place had been changed from the log page after the
    meeting page was read (the form's version cannot tell: it is the autosave's, one
    behind while a save is on its way). The approval carries the time and place the page
    showed: moved meanwhile, nothing is approved and the page shows the meeting as it is."""
    client = auth.persona("holder")
    started(meeting)
    text = "Emma har fått en venn."
    assert autosave(client, meeting, text, fresh(meeting).version).status_code == 200
    read = fresh(meeting)
    shown = details_shown(client, meeting)  # the page as it was read
    form = {"kind": read.kind, "starts_at": local(read.starts_at).strftime("%Y-%m-%dT%H:%M"), "place": "Rådhuset"}
    form.update(invited=read.invited, agenda=read.agenda, minutes=read.minutes, version=read.version)
    moved = client.post(f"/logger/{log.id}/seksjon/meetings/{meeting.id}", data=form)
    assert moved.status_code == 303 and fresh(meeting).place == "Rådhuset"
    approval = {"minutes": text, "agenda": read.agenda, "version": fresh(meeting).version, "details": shown}
    response = client.post(url(meeting, "/godkjenn"), data=approval)
    assert response.status_code == 409 and "Møtet er flyttet eller endret" in response.get_data(as_text=True)
    assert "Rådhuset" in response.get_data(as_text=True) and text in response.get_data(as_text=True)
    assert fresh(meeting).finalised_at is None
    assert not AuditEvent.select().where(AuditEvent.action == "meeting_finalised").exists()
    # the page as it is now approves it
    approval["details"] = details_shown(client, meeting)
    assert client.post(url(meeting, "/godkjenn"), data=approval).status_code == 303
    assert fresh(meeting).finalised_at is not None and fresh(meeting).place == "Rådhuset"


def test_an_approval_racing_the_autosave_is_not_refused(auth, meeting):
    """The cost the version would have had: the page's last autosave has written the text,
    but its answer (the new version) has not reached the page when «Godkjenn» is pressed.
    The same text, one version behind, at the time and place shown: approved."""
    client = auth.persona("holder")
    started(meeting)
    shown, base = details_shown(client, meeting), fresh(meeting).version
    assert autosave(client, meeting, "Emma har fått en venn.", base).status_code == 200
    approval = {"minutes": "Emma har fått en venn.", "agenda": meeting.agenda, "version": base, "details": shown}
    assert client.post(url(meeting, "/godkjenn"), data=approval).status_code == 303
    assert fresh(meeting).finalised_at is not None


def test_approved_minutes_without_measures_do_not_ask_for_one(auth, meeting):
    """Once the minutes are approved no measure can be added to the meeting: the empty
    list says none was agreed, not «Skriv hvem som gjør hva» with nothing to write in."""
    client = auth.persona("holder")
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "Skriv hvem som gjør hva, fra når" in html  # a draft: the call to write one
    finalise(client, meeting)
    html = client.get(url(meeting)).get_data(as_text=True)
    assert "Ingen tiltak ble avtalt i dette møtet." in html
    assert "Skriv hvem som gjør hva, fra når" not in html and "Legg til tiltak" not in html
