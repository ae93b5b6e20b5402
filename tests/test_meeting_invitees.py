"""Who is invited to a meeting, as data: the holder ticks the log's people when she plans
the meeting (all ticked at first), the free text names anyone else; the «møte i morgen»
reminder goes only to those invited who can still read the log; the meeting page and the
invitation letter list them (seed 002: the holder invites to the samarbeidsmøte)."""

import datetime as dt
import html as html_lib
import re
from pathlib import Path

import pytest

from bench.run import counting
from stafettlogg.archive import documents
from stafettlogg.dates import local, local_today
from stafettlogg.logs import domain as log_domain
from stafettlogg.meetings import domain as meetings
from stafettlogg.models import Guardian, Log, Meeting, Notification, Participant, utcnow
from stafettlogg.reminders import meeting_reminders
from tests.conftest import a_log, a_meeting, user
from tests.files import pdf_text

pytestmark = pytest.mark.db

HX = {"HX-Request": "true"}


@pytest.fixture
def log(db_conn):
    """Held by the holder persona; a nurse (aktor) and a PP adviser (ppt) take part; the
    mother signs in as the guardian persona, the father has no account."""
    return a_log(participants=("aktor", "ppt"))


def staff(username: str) -> str:
    return f"user:{user(username).id}"


def parent(log, relation: str) -> Guardian:
    return Guardian.get(Guardian.log == log.id, Guardian.relation == relation)


def family(log, relation: str) -> str:
    return f"guardian:{parent(log, relation).id}"


def tomorrow() -> str:
    return f"{local_today() + dt.timedelta(days=1):%Y-%m-%d}T14:00"


def plan(client, log, invitees, **fields):
    """The planning form as a browser sends it: the empty value the form carries with
    its checkboxes, then the ticked ones."""
    data = {"kind": "samarbeidsmote", "starts_at": tomorrow(), "place": "Skolen, møterom 2", **fields}
    data["invitees"] = ["", *invitees]
    return client.post(f"/logger/{log.id}/seksjon/meetings", data=data)


def the_meeting(log) -> Meeting:
    return Meeting.select().where(Meeting.log == log.id).order_by(Meeting.id.desc()).get()


def reminded(app) -> set[str]:
    with app.test_request_context():
        meeting_reminders(local_today())
    rows = Notification.select(Notification.user).where(Notification.kind == "meeting_tomorrow")
    return {row.user.username for row in rows}


def test_the_reminder_goes_only_to_those_invited(app, auth, log):
    """Finding: «Du har møte … i morgen» went to the holder and every participant of the
    log, also the PP adviser who was not asked to come."""
    response = plan(auth.persona("holder"), log, [staff("stafettholder"), staff("aktor"), family(log, "mor")])
    assert response.status_code == 303, response.get_data(as_text=True)
    assert reminded(app) == {"stafettholder", "aktor"}  # not ppt; the family gets the letter


def test_everyone_on_the_log_is_ticked_when_a_meeting_is_planned(app, auth, log):
    """The planning form starts with the log's people all ticked (as the reminder went to
    everyone before), each box with its name as label, in a fieldset with a legend; sent
    as it is, everyone is invited."""
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    form = html.split('id="section-meetings"', 1)[1].split("</form>", 1)[0]
    fieldset = form.split('<fieldset class="field field--wide" id="new-meetings-invitees"', 1)[1].split("</fieldset>")[
        0
    ]
    assert "<legend>Hvem inviteres?</legend>" in fieldset
    boxes = re.findall(
        r'<label class="choice"><input type="checkbox" name="invitees" value="([^"]+)"( checked)?> ([^<]+)</label>',
        fieldset,
    )
    assert [(value, bool(checked)) for value, checked, _label in boxes] == [
        (staff("stafettholder"), True),
        (staff("aktor"), True),  # the participants in the order they joined
        (staff("ppt"), True),
        (family(log, "mor"), True),
        (family(log, "far"), True),
    ]
    labels = [html_lib.unescape(label) for _value, _checked, label in boxes]
    holder = user("stafettholder")
    assert labels[0] == f"{holder.name} ({holder.job_title}, stafettholder)"
    assert labels[-2:] == [f"{parent(log, 'mor').name} (mor)", f"{parent(log, 'far').name} (far)"]
    assert "Andre inviterte" in form  # the free text, for anyone else

    everyone = [value for value, _checked, _label in boxes]
    assert plan(auth.persona("holder"), log, everyone).status_code == 303
    assert reminded(app) == {"stafettholder", "aktor", "ppt"}


def test_someone_removed_from_the_log_is_not_reminded_though_invited(app, auth, log):
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), staff("aktor")]).status_code == 303
    with app.test_request_context():
        nurse = Participant.get(Participant.log == log.id, Participant.user == user("aktor"))
        log_domain.remove_participant(user("stafettholder"), log, nurse)
    assert reminded(app) == {"stafettholder"}  # not the nurse, now gone; not ppt, not invited
    page = holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}").get_data(as_text=True)
    assert user("aktor").name not in page.split('class="meeting-invited"', 1)[1].split("</p>", 1)[0]


def test_the_planning_form_refuses_people_not_on_the_log(app, auth, log):
    """Another log's participant and guardian, or no one ticked: the form comes back
    (without JavaScript: the whole page) saying why, with what was written and ticked;
    nothing is stored."""
    other = a_log(participants=("kontaktlaerer",))
    holder = auth.persona("holder")
    before = Meeting.select().count()
    for foreign in (f"user:{user('kontaktlaerer').id}", f"guardian:{parent(other, 'mor').id}", "user:abc"):
        response = plan(holder, log, [staff("aktor"), foreign], place="Helsestasjonen, rom 3")
        assert response.status_code == 422, foreign
        page = html_lib.unescape(response.get_data(as_text=True))
        assert "er ikke med i denne loggen" in page and "«Hvem inviteres?»" in page
        assert 'value="Helsestasjonen, rom 3"' in page  # what was written stays
        assert f'value="{staff("aktor")}" checked' in page  # and what was ticked
        assert f'value="{staff("ppt")}" checked' not in page
    response = plan(holder, log, [], place="Helsestasjonen, rom 3")
    assert response.status_code == 422 and "Kryss av minst én" in response.get_data(as_text=True)
    assert Meeting.select().count() == before


def test_the_letter_and_the_meeting_page_list_whom_the_meeting_invites(app, auth, log):
    holder = auth.persona("holder")
    invited = [staff("stafettholder"), staff("aktor"), family(log, "mor")]
    assert plan(holder, log, invited, invited="Tolk Ali Khan").status_code == 303
    meeting = the_meeting(log)
    letter = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon").get_data(as_text=True))
    addressed = re.search(r"<p>Til: (.*?)</p>", letter, re.S).group(1)
    nurse, mother = user("aktor"), parent(log, "mor")
    assert addressed == f"{nurse.name} ({nurse.job_title}), {mother.name} (mor) og Tolk Ali Khan"
    english = holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=en").get_data(as_text=True)
    assert f"{mother.name} (mother)" in html_lib.unescape(english)  # the family's language
    page = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{meeting.id}").get_data(as_text=True))
    line = page.split('class="meeting-invited"', 1)[1].split("</p>", 1)[0]
    assert nurse.name in line and mother.name in line and "Tolk Ali Khan" in line
    assert user("ppt").name not in line and parent(log, "far").name not in line


def test_a_meeting_planned_before_the_list_invites_everyone(app, auth, log):
    """A meeting with no invitees stored (planned before the list existed, or without it)
    invites everyone on the log: the reminder, the edit form and the letter say so, and a
    line of its free text naming one of them is not listed twice."""
    far = parent(log, "far")
    meeting = a_meeting(log, days=1, invited=f"{far.name} (far)\nTolk Ali Khan")
    assert reminded(app) == {"stafettholder", "aktor", "ppt"}
    holder = auth.persona("holder")
    edit = holder.get(f"/logger/{log.id}/seksjon/meetings/{meeting.id}/endre", headers=HX).get_data(as_text=True)
    for key in (staff("stafettholder"), staff("aktor"), staff("ppt"), family(log, "mor"), family(log, "far")):
        assert f'value="{key}" checked' in edit, key
    letter = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon").get_data(as_text=True))
    addressed = re.search(r"<p>Til: (.*?)</p>", letter, re.S).group(1)
    assert addressed.count(far.name) == 1 and addressed.endswith(" og Tolk Ali Khan")


def test_changing_whom_a_meeting_invites(app, auth, log):
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), staff("aktor")]).status_code == 303
    meeting = the_meeting(log)
    edit = holder.get(f"/logger/{log.id}/seksjon/meetings/{meeting.id}/endre", headers=HX).get_data(as_text=True)
    assert f'value="{staff("aktor")}" checked' in edit and f'value="{staff("ppt")}" checked' not in edit
    form = {
        "kind": "samarbeidsmote",
        "starts_at": tomorrow(),
        "place": "Skolen, møterom 2",
        "version": str(meeting.version),
        "invitees": ["", staff("stafettholder"), staff("ppt")],
    }
    response = holder.post(f"/logger/{log.id}/seksjon/meetings/{meeting.id}", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert reminded(app) == {"stafettholder", "ppt"}


def test_the_meeting_page_reads_as_much_for_many_invited_as_for_one(app, auth, log):
    holder = auth.persona("holder")
    everyone = [staff("stafettholder"), staff("aktor"), staff("ppt"), family(log, "mor"), family(log, "far")]
    assert plan(holder, log, everyone[:1]).status_code == 303
    one = the_meeting(log)
    assert plan(holder, log, everyone, place="Helsestasjonen").status_code == 303
    many = the_meeting(log)
    assert statements(holder, f"/logger/{log.id}/moter/{one.id}") == statements(
        holder, f"/logger/{log.id}/moter/{many.id}"
    )


def statements(client, path: str) -> int:
    from stafettlogg.db import db

    client.get(path)  # the first read of a page builds its prepared reads
    with counting(db) as counter:
        assert client.get(path).status_code == 200
    return len(counter["sql"])


def test_the_holder_who_leads_the_meeting_is_reminded_though_not_ticked(app, auth, log):
    """The holder calls and leads the meetings (seed 002): a meeting planned by her
    predecessor, or one where she left her own box unticked, still reminds her."""
    response = plan(auth.persona("holder"), log, [staff("aktor")])
    assert response.status_code == 303, response.get_data(as_text=True)
    assert reminded(app) == {"stafettholder", "aktor"}


def test_a_chosen_list_stays_chosen_when_the_only_one_invited_is_removed(app, auth, log):
    """Audit finding: the holder invited only the father; his removal from the log took
    the last row with it, and the meeting went back to inviting everyone (the nurse and
    the PP adviser reminded, everyone ticked again)."""
    holder = auth.persona("holder")
    assert plan(holder, log, [family(log, "far")]).status_code == 303
    meeting = the_meeting(log)
    with app.test_request_context():
        log_domain.remove_guardian(user("stafettholder"), log, parent(log, "far"))
    assert reminded(app) == {"stafettholder"}  # she leads it; nobody else was asked
    edit = holder.get(f"/logger/{log.id}/seksjon/meetings/{meeting.id}/endre", headers=HX).get_data(as_text=True)
    assert "checked" not in edit.split(f'id="edit-meetings-{meeting.id}-invitees"', 1)[1].split("</fieldset>", 1)[0]


def test_someone_else_in_the_free_text_is_not_dropped_for_a_name_alike(app, auth, log):
    """Audit finding: «Karianne Petrusen-Hansen, tolk» vanished from the list because the
    invited nurse's name begins it."""
    nurse = user("aktor")
    line = f"{nurse.name}-Hansen, tolk arabisk"
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), staff("aktor")], invited=line).status_code == 303
    letter = html_lib.unescape(
        holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon").get_data(as_text=True)
    )
    assert line in re.search(r"<p>Til: (.*?)</p>", letter, re.S).group(1)
    old = a_meeting(log, days=2, invited=f"{nurse.name} ({nurse.job_title})\n{line}")  # planned before the list
    letter = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{old.id}/invitasjon").get_data(as_text=True))
    addressed = re.search(r"<p>Til: (.*?)</p>", letter, re.S).group(1)
    assert addressed.count(f"{nurse.name} (") == 1 and line in addressed


def test_the_letter_names_an_interpreter_only_for_a_guardian_invited(app, auth, log):
    """Audit finding: «Tolk: arabisk (father)» on the letter of a meeting the father was
    not invited to named him to the family."""
    with app.test_request_context():
        Guardian.update(needs_interpreter=True, language="ar").where(Guardian.id == parent(log, "far").id).execute()
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), family(log, "mor")]).status_code == 303
    letter = html_lib.unescape(
        holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon").get_data(as_text=True)
    )
    assert ">Tolk<" not in letter and parent(log, "far").name not in letter
    assert plan(holder, log, [staff("stafettholder"), family(log, "far")], place="Rådhuset").status_code == 303
    # the letter opens in the father's Arabic (the one it invites); its Norwegian copy:
    letter = html_lib.unescape(
        holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon?lang=nb").get_data(as_text=True)
    )
    assert f"arabisk ({parent(log, 'far').name})" in letter


def test_the_letter_is_in_the_language_of_the_guardians_invited(app, auth, log):
    """Finding: the letter opened in the first guardian's language and offered a copy in
    each guardian's, also of one the meeting did not invite: a meeting with the father
    alone came out in the mother's Arabic, with no Polish for him unless asked."""
    with app.test_request_context():
        Guardian.update(language="ar").where(Guardian.id == parent(log, "mor").id).execute()
        Guardian.update(language="pl").where(Guardian.id == parent(log, "far").id).execute()
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), family(log, "far")]).status_code == 303
    letter = holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon").get_data(as_text=True)
    assert '<html lang="pl"' in letter and 'hreflang="ar"' not in letter
    assert plan(holder, log, [staff("stafettholder")], place="Rådhuset").status_code == 303  # the staff alone
    letter = holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon").get_data(as_text=True)
    assert '<html lang="nb"' in letter and "hreflang" not in letter
    holder.set_cookie("lang", "nn")  # without a guardian to read it, the staff member's form
    letter = holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}/invitasjon").get_data(as_text=True)
    assert '<html lang="nn"' in letter


def test_the_meeting_page_names_an_interpreter_only_for_a_guardian_invited(app, auth, log):
    """Finding: the letter was mended, but the meeting page of the same meeting still said
    «Tolk: arabisk (father)» for a father not invited, so the holder booked an interpreter
    for someone who was not coming."""
    with app.test_request_context():
        Guardian.update(needs_interpreter=True, language="ar").where(Guardian.id == parent(log, "far").id).execute()
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), family(log, "mor")]).status_code == 303
    page = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}").get_data(as_text=True))
    assert "interpreter-note" not in page and f"arabisk ({parent(log, 'far').name})" not in page
    assert plan(holder, log, [staff("stafettholder"), family(log, "far")], place="Rådhuset").status_code == 303
    page = html_lib.unescape(holder.get(f"/logger/{log.id}/moter/{the_meeting(log).id}").get_data(as_text=True))
    assert f"arabisk ({parent(log, 'far').name})" in page.split('class="interpreter-note"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("code", ["en", "pl", "ar"])
def test_the_youth_invited_is_named_in_the_familys_language(app, auth, log, code):
    """Finding: the youth with their own access was listed among the invited as «Emma
    (ungdom)» on the family's «Neste møter» in every language: their relation was the
    stored key, not a label (mor and far were «Mother», «Father»)."""
    youth = Guardian.create(log=log.id, name=log.subject.name, relation="ungdom", email="emma@example.org")
    youth_label = {"en": "youth", "pl": "młoda osoba", "ar": "يافع"}[code]
    a_meeting(log, days=3, invited="")  # planned without a list: everyone on the log
    page = auth.persona("guardian").get(f"/mine/{log.id}?lang={code}").get_data(as_text=True)
    # as read: a name is a bidi isolate in a right-to-left page (sections._named)
    line = invited_line(page, 'id="plain-meetings-h"', "</section>").replace("\u2068", "").replace("\u2069", "")
    assert f"{youth.name} (ungdom)" not in line and f"{youth.name} ({youth_label})" in line, line


def test_a_closed_log_lists_no_meetings_to_come_for_the_family(app, auth, log):
    """Finding: after the family withdrew consent (the log closed), their page said «The
    log was closed … No one writes in it any more» and, under «Neste møter», the meeting
    planned for next week with whom it invites, as if it were still to be held (the
    reminders of it had stopped)."""
    a_meeting(log, days=7, invited="Tolk Ali Khan")
    family_page = auth.persona("guardian")
    assert "Tolk Ali Khan" in family_page.get(f"/mine/{log.id}").get_data(as_text=True)
    assert family_page.post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"}).status_code == 303
    assert Log.get_by_id(log.id).status == "closed"
    pages = {"family page": family_page.get(f"/mine/{log.id}").get_data(as_text=True)}
    pages["family print"] = auth.persona("holder").get(f"/logger/{log.id}/familieversjon").get_data(as_text=True)
    for what, page in pages.items():
        assert "Loggen ble avsluttet" in page and "Tolk Ali Khan" not in page, what
        assert 'id="plain-meetings-h"' not in page and "Stafettholderen tar kontakt" not in page, what


# ------------------------------------------------------------------ every place names the same people
# Finding: the log page's card, the minutes PDF and the archive print showed only the free
# text «Andre inviterte», so the same meeting invited the nurse and the mother on its own
# page and an interpreter alone on the log page and in the archive.


def invited_line(html: str, before: str, after: str) -> str:
    return html_lib.unescape(html.split(before, 1)[1].split(after, 1)[0])


def shown_invited(log, line: str, mother: str = "") -> None:
    """The nurse, the mother (by the name she has, or had) and the interpreter the meeting
    invites; not the PP adviser or the father, who are on the log but not invited."""
    nurse, mother = user("aktor"), mother or parent(log, "mor").name
    assert nurse.name in line and mother in line and "Tolk Ali Khan" in line, line
    assert user("ppt").name not in line and parent(log, "far").name not in line, line


def a_chosen_meeting(client, log) -> Meeting:
    invited = [staff("stafettholder"), staff("aktor"), family(log, "mor")]
    assert plan(client, log, invited, invited="Tolk Ali Khan").status_code == 303
    return the_meeting(log)


@pytest.mark.parametrize("persona", ["holder", "participant"])
def test_the_log_page_card_lists_whom_the_meeting_invites(app, auth, log, persona):
    meeting = a_chosen_meeting(auth.persona("holder"), log)
    for path in (f"/logger/{log.id}", f"/logger/{log.id}/seksjon/meetings"):
        page = auth.persona(persona).get(path, headers=HX if "seksjon" in path else {}).get_data(as_text=True)
        card = page.split(f'id="meetings-{meeting.id}"', 1)[1]
        shown_invited(log, invited_line(card, "<dt>Inviterte</dt>", "</dd>"))


def test_the_log_page_reads_the_invitees_of_all_its_meetings_at_once(app, auth, log):
    holder = auth.persona("holder")
    a_chosen_meeting(holder, log)
    one = statements(holder, f"/logger/{log.id}")
    for n in range(5):
        chosen = [staff("stafettholder"), staff("ppt")] if n % 2 else [family(log, "far")]
        assert plan(holder, log, chosen, place=f"Rom {n}").status_code == 303
    a_meeting(log, days=3)  # planned before the list: everyone
    assert statements(holder, f"/logger/{log.id}") == one


def test_the_family_sees_whom_the_next_meeting_invites(app, auth, log):
    a_chosen_meeting(auth.persona("holder"), log)
    family_page = auth.persona("guardian")
    page = family_page.get(f"/mine/{log.id}").get_data(as_text=True)
    shown_invited(log, invited_line(page, "Inviterte:", "</p>"))
    english = family_page.get(f"/mine/{log.id}?lang=en").get_data(as_text=True)
    line = invited_line(english, "Invited:", "</p>")
    shown_invited(log, line)
    assert f"{parent(log, 'mor').name} (mother)" in line  # in the family's language, as the letter


def approve(app, log, meeting) -> Meeting:
    """The minutes of the meeting (started an hour ago, the mother present) approved by
    the holder."""
    Meeting.update(
        starts_at=utcnow() - dt.timedelta(hours=1), minutes="Emma har fått en venn.", present=parent(log, "mor").name
    ).where(Meeting.id == meeting.id).execute()
    with app.test_request_context():
        meeting = Meeting.get_by_id(meeting.id)
        return meetings.finalise(user("stafettholder"), Log.get_by_id(log.id), meeting, {"version": meeting.version})


def test_the_archive_names_whom_the_meeting_invited_as_when_the_minutes_were_approved(app, auth, log):
    """Approved minutes are a record (as their holder, unit and approver, migration 0049):
    the minutes PDF, the archive print and the log page name those invited when the minutes
    were approved, also after the mother changes her name and the nurse leaves the log."""
    holder = auth.persona("holder")
    meeting = approve(app, log, a_chosen_meeting(holder, log))
    mother, nurse = parent(log, "mor"), user("aktor")
    assert meeting.invited_as_approved.splitlines() == [
        f"{user('stafettholder').name} ({user('stafettholder').job_title}, stafettholder)",
        f"{nurse.name} ({nurse.job_title})",
        f"{mother.name} (mor)",
        "Tolk Ali Khan",
    ]
    with app.test_request_context():
        Guardian.update(name="Fatima Berg").where(Guardian.id == mother.id).execute()
        log_domain.remove_participant(
            user("stafettholder"), log, Participant.get(Participant.log == log.id, Participant.user == nurse)
        )
        fresh = Log.get_by_id(log.id)
        minutes_pdf = " ".join(pdf_text(documents.minutes(fresh, Meeting.get_by_id(meeting.id)).data).split())
        whole_pdf = " ".join(pdf_text(documents.whole_log(fresh).data).split())
    printed = holder.get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)
    card = holder.get(f"/logger/{log.id}").get_data(as_text=True).split(f'id="meetings-{meeting.id}"', 1)[1]
    lines = {
        "minutes PDF": minutes_pdf.split("Inviterte", 1)[1].split("Til stede", 1)[0],
        "whole log PDF": whole_pdf.split("Inviterte:", 1)[1].split("Til stede:", 1)[0],
        "archive print": invited_line(printed, "Inviterte:", "</p>"),
        "log page": invited_line(card, "<dt>Inviterte</dt>", "</dd>"),
    }
    for where, line in lines.items():
        assert f"{mother.name} (mor)" in line and "Fatima Berg" not in line, (where, line)
        shown_invited(log, line, mother=mother.name)


def test_the_calendar_file_names_no_one_invited(app, auth, log):
    """Calendars are synced and shared (meetings/ics.py): the .ics names the holder as
    organiser and no one else invited, with no address of a guardian or participant."""
    with app.test_request_context():
        Guardian.update(email="mor@example.org").where(Guardian.id == parent(log, "mor").id).execute()
    holder = auth.persona("holder")
    meeting = a_chosen_meeting(holder, log)
    calendar = holder.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon.ics").get_data(as_text=True)
    assert "ATTENDEE" not in calendar and "mor@example.org" not in calendar and "Tolk Ali Khan" not in calendar
    for person in (user("aktor"), user("ppt")):
        assert person.name not in calendar and (person.email or "@@") not in calendar
    assert parent(log, "mor").name not in calendar


def test_no_template_names_those_invited_from_the_free_text_alone():
    """Who is invited is said once (meetings.domain.invited_to): a template that shows a
    meeting's free text «Andre inviterte» on its own leaves out the log's people ticked."""
    root = Path(__file__).resolve().parent.parent / "templates"
    alone = re.compile(r"\.invited(_html)?\b|\[\s*['\"]invited(_html)?['\"]\s*\]")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if alone.search(line)
    ]
    assert found == [], found


def test_minutes_approved_before_the_names_were_kept_name_the_log_people_now(app, auth, log):
    """Migration 0054 fills nothing in: minutes approved before it (no names kept) name
    those the meeting invites as the log's people are now, as every list did until then."""
    holder = auth.persona("holder")
    meeting = approve(app, log, a_chosen_meeting(holder, log))
    Meeting.update(invited_as_approved=None).where(Meeting.id == meeting.id).execute()
    with app.test_request_context():
        Guardian.update(name="Fatima Berg").where(Guardian.id == parent(log, "mor").id).execute()
    card = holder.get(f"/logger/{log.id}").get_data(as_text=True).split(f'id="meetings-{meeting.id}"', 1)[1]
    shown_invited(log, invited_line(card, "<dt>Inviterte</dt>", "</dd>"), mother="Fatima Berg (mor)")


def test_minutes_are_not_approved_with_invited_other_than_the_page_showed(app, auth, log):
    """Approved minutes keep whom the meeting invited (named_at_approval): the approval
    carries what the meeting page showed, so a list changed from the log page while the
    holder had the meeting page open is refused, saved as a draft, and approved once
    the page shows the new list."""
    holder = auth.persona("holder")
    assert plan(holder, log, [staff("stafettholder"), staff("aktor")]).status_code == 303
    meeting = the_meeting(log)
    Meeting.update(starts_at=utcnow() - dt.timedelta(hours=1), present=parent(log, "mor").name).where(
        Meeting.id == meeting.id
    ).execute()
    page_url = f"/logger/{log.id}/moter/{meeting.id}"

    def details() -> str:
        page = holder.get(page_url).get_data(as_text=True)
        return re.search(r'name="details" form="minutes-form" value="(\w+)"', page).group(1)

    seen = details()
    changed = {
        "kind": "samarbeidsmote",
        "starts_at": local(Meeting.get_by_id(meeting.id).starts_at).strftime("%Y-%m-%dT%H:%M"),
        "place": "Skolen, møterom 2",
        "version": str(Meeting.get_by_id(meeting.id).version),
        "invitees": ["", staff("stafettholder"), staff("ppt")],
    }
    assert holder.post(f"/logger/{log.id}/seksjon/meetings/{meeting.id}", data=changed).status_code == 303
    approval = {"minutes": "Emma har fått en venn.", "version": str(Meeting.get_by_id(meeting.id).version)}
    refused = holder.post(f"{page_url}/godkjenn", data={**approval, "details": seen})
    assert refused.status_code == 409
    assert "Se over tid, sted og inviterte" in refused.get_data(as_text=True)
    assert Meeting.get_by_id(meeting.id).finalised_at is None
    approval["version"] = str(Meeting.get_by_id(meeting.id).version)
    assert holder.post(f"{page_url}/godkjenn", data={**approval, "details": details()}).status_code in (302, 303)
    kept = Meeting.get_by_id(meeting.id)
    assert kept.finalised_at is not None
    assert user("ppt").name in kept.invited_as_approved and user("aktor").name not in kept.invited_as_approved
