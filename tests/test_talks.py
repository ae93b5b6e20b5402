"""Talks with the child between meetings (seed 002): the agreement (a named adult, how
often), a note of each talk, due/overdue on the log and the start page, the guardians'
summary, who may write, and that a closed log takes no talks."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import sections, talks
from stafettlogg.models import AuditEvent, ChildTalk, ChildTalkAgreement, Consent, Log, LogStatus, User
from tests.conftest import PERSONAS, a_log, options_of, refused, user

pytestmark = pytest.mark.db


@pytest.fixture
def log(db_conn):
    """An active log held by "stafettholder" that "aktor" takes part in, no talks yet."""
    return a_log()


FORMS = {
    "talk_agreements": {"adult": "Kari", "every_days": "7", "start_date": "", "status": "ongoing"},
    "talks": {"talked_on": "", "who": "Kari", "how_it_goes": "Bra"},
}


@pytest.fixture(autouse=True)
def _dated_today():
    """The forms' dates are today in Norway when the test runs (a run may pass midnight)."""
    FORMS["talk_agreements"]["start_date"] = FORMS["talks"]["talked_on"] = local_today().isoformat()


def form(key: str, **changes) -> dict:
    """A valid form of the section `key` ("talk_agreements" or "talks"), with changes."""
    return {**FORMS[key], **changes}


def _agreement(log, every_days=7, start=None, adult="Kontaktlærer Kari Ottesen", **extra):
    return ChildTalkAgreement.create(
        log=log,
        adult=adult,
        every_days=every_days,
        start_date=start or local_today() - dt.timedelta(days=30),
        author=log.holder,
        **extra,
    )


def _talk(log, on, agreement=None, text="Det går bedre i friminuttene"):
    return ChildTalk.create(log=log, agreement=agreement, talked_on=on, who="Kari", how_it_goes=text, author=log.holder)


# ------------------------------------------------------------------ the rule


def test_next_talk_counts_from_the_latest_talk_or_the_start(app, db_conn, log):
    weekly = _agreement(log, 7, start=dt.date(2026, 1, 5))
    monthly = _agreement(log, 30, start=dt.date(2026, 1, 5), adult="Helsesykepleier")
    elsewhere = _agreement(a_log(), 7, start=dt.date(2026, 1, 5))

    def due(agreement):
        return talks.schedule_of([agreement])[0]

    assert due(weekly).due_on == dt.date(2026, 1, 12)
    _talk(log, dt.date(2026, 1, 1), weekly)  # before the start: does not count
    assert due(weekly).due_on == dt.date(2026, 1, 12)
    _talk(log, dt.date(2026, 1, 20), weekly)
    _talk(log, dt.date(2026, 1, 25), monthly)  # under another agreement: does not count
    _talk(log, dt.date(2026, 1, 22))  # under none: counts for every agreement of the log
    _talk(elsewhere.log, dt.date(2026, 1, 28))  # another log's: does not count
    weekly_due = due(weekly)
    assert (weekly_due.last_talk, weekly_due.due_on) == (dt.date(2026, 1, 22), dt.date(2026, 1, 29))
    assert weekly_due.overdue(dt.date(2026, 1, 30)) and not weekly_due.overdue(dt.date(2026, 1, 29))
    assert due(monthly).due_on == dt.date(2026, 2, 24)
    # soonest first: weekly on 29 January, the other log's on 4 February, monthly on 24 February
    assert [d.agreement.id for d in talks.schedule_of([monthly, weekly, elsewhere])] == [
        weekly.id,
        elsewhere.id,
        monthly.id,
    ]


def test_ended_agreements_are_not_due(app, db_conn, log):
    _agreement(log, status="ended")
    assert talks.schedule(log) == []
    assert talks.talks_due(log.holder) == []


# ------------------------------------------------------------------ writing through the log


def test_holder_agrees_and_a_participant_notes_a_talk(auth, db_conn, log):
    holder = auth.persona("holder")
    r = holder.post(
        f"/logger/{log.id}/seksjon/talk_agreements",
        data=form(
            "talk_agreements",
            adult="Kontaktlærer Kari Ottesen",
            start_date=(local_today() - dt.timedelta(days=10)).isoformat(),
            how="En prat etter gymtimen",
        ),
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    agreement = ChildTalkAgreement.get(ChildTalkAgreement.log == log)
    page = r.get_data(as_text=True)
    assert "Kontaktlærer Kari Ottesen" in page and "hver uke" in page and "Forfalt" in page

    participant = auth.persona("participant")
    r = participant.post(
        f"/logger/{log.id}/seksjon/talks",
        data=form(
            "talks",
            agreement=str(agreement.id),
            who="Kari Ottesen",
            how_it_goes="«Det er bedre nå, jeg er med Ali i friminuttene»",
        ),
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    talk = ChildTalk.get(ChildTalk.log == log)
    assert talk.agreement_id == agreement.id and talk.author.username == PERSONAS["participant"]
    due = talks.schedule(Log.get_by_id(log.id))[0]
    assert due.due_on == local_today() + dt.timedelta(days=7) and not due.overdue(local_today())
    # the log page shows both sections, and the talk text with the live hints' hook
    page = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "jeg er med Ali" in page and 'id="section-talks"' in page and "data-klarsprak" in page


def test_bad_talk_keeps_what_was_typed_and_stores_nothing(auth, db_conn, log):
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/talks",
        data=form(
            "talks", talked_on=(local_today() + dt.timedelta(days=3)).isoformat(), who="", how_it_goes="Bra i dag"
        ),
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Samtalen kan ikke ha en dato fram i tid." in page and "Fyll ut" in page and "Bra i dag" in page
    assert not ChildTalk.select().exists()
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/talk_agreements", data={})
    assert r.status_code == 422 and not ChildTalkAgreement.select().exists()
    r = auth.persona("holder").post(
        f"/logger/{log.id}/seksjon/talk_agreements",
        data=form("talk_agreements", every_days="3"),
    )
    assert r.status_code == 422 and "Velg et av alternativene" in r.get_data(as_text=True)


@pytest.mark.parametrize("key", ["talk_agreements", "talks"])
@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_who_may_write_talks(auth, db_conn, persona, key, log):
    r = auth.persona(persona).post(f"/logger/{log.id}/seksjon/{key}", data=form(key))
    may = persona == "holder" or (persona == "participant" and key == "talks")
    model = sections.SECTIONS[key].model
    if may:
        assert r.status_code == 303 and model.select().count() == 1
    else:
        assert refused(r) or r.status_code == 404
        assert model.select().count() == 0


def test_a_closed_log_takes_no_talks(auth, db_conn, log):
    Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
    r = auth.persona("holder").post(f"/logger/{log.id}/seksjon/talks", data=form("talks"))
    assert r.status_code == 409 and not ChildTalk.select().exists()


# ------------------------------------------------------------------ start page and guardians


def test_start_page_shows_due_and_overdue_talks_to_the_holder_and_the_named_adult(auth, db_conn, log):
    _agreement(
        log, 7, start=local_today() - dt.timedelta(days=20), adult="Helsesykepleier Nina", adult_user=user("aktor")
    )
    _agreement(log, 30, start=local_today(), adult="Kontaktlærer Kari")  # due in 30 days: not yet on the list
    for persona, role in (("holder", "holder"), ("participant", "participant")):
        page = auth.persona(persona).get("/").get_data(as_text=True)
        assert "Helsesykepleier Nina snakker med barnet" in page and "Forfalt" in page
        assert "Kontaktlærer Kari snakker" not in page
        # who talks with the child is the log's content: a read of the log, in the reader's role
        assert (
            AuditEvent.get(
                AuditEvent.action == "view:main.index",
                AuditEvent.log_id == log.id,
                AuditEvent.username == PERSONAS[persona],
            ).role
            == role
        )
    page = auth.persona("same_unit_staff").get("/").get_data(as_text=True)
    assert "Helsesykepleier Nina" not in page


def test_start_page_asks_for_no_talk_in_a_log_waiting_for_consent(auth, db_conn, log):
    """No one may write in a log whose consent ran out or does not cover a participant's
    service, and a participant outside it may not read the agreement: the start page
    lists its talks again once a new consent is on file."""
    _agreement(
        log, 7, start=local_today() - dt.timedelta(days=20), adult="Helsesykepleier Nina", adult_user=user("aktor")
    )

    def shown(persona):
        return "Helsesykepleier Nina snakker med barnet" in auth.persona(persona).get("/").get_data(as_text=True)

    assert shown("holder") and shown("participant")
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log).execute()
    assert not shown("holder") and not shown("participant")
    assert talks.talks_due(log.holder) == []
    Consent.update(expires_on=None, services="").where(Consent.log == log).execute()  # only the school
    assert not shown("holder") and not shown("participant")
    Consent.update(services=f"kind:{user('aktor').unit.kind}").where(Consent.log == log).execute()
    assert shown("holder") and shown("participant")


def test_guardians_see_who_talks_how_often_and_when_last_never_what_was_said(auth, db_conn, log):
    agreement = _agreement(log, 14, adult="Kontaktlærer Kari Ottesen")
    _talk(log, local_today() - dt.timedelta(days=2), agreement, text="Hemmelig: jeg gruer meg til jul")
    page = auth.persona("guardian").get(f"/mine/{log.id}").get_data(as_text=True)
    assert "Samtaler med barnet mellom møtene" in page
    assert "Kontaktlærer Kari Ottesen" in page and "Annenhver uke" in page
    assert "Antall samtaler så langt: 1." in page
    assert "gruer meg" not in page


def test_nynorsk(auth, db_conn, log):
    _agreement(log, 7)
    client = auth.persona("holder")
    client.set_cookie("lang", "nn")
    page = client.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Avtale om samtale med barnet" in page and "Samtalar med barnet" in page and "Kvar veke" in page


def test_the_archive_copy_holds_the_agreements_and_what_the_child_said(auth, db_conn, log):
    """The archive print is the whole log filed before it is deleted (seed 003): the talks
    with the child are part of it, or deleting the log loses them without a copy."""
    agreement = _agreement(log, 14, adult="Kontaktlærer Kari Ottesen", how="En prat på vei til gymtimen")
    _talk(log, local_today() - dt.timedelta(days=2), agreement, text="Jeg gruer meg litt til jul")
    page = auth.persona("holder").get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)
    assert "Samtaler med barnet" in page
    assert "Kontaktlærer Kari Ottesen" in page and "En prat på vei til gymtimen" in page
    assert "Jeg gruer meg litt til jul" in page


def test_a_talk_agreement_names_no_one_who_has_left_and_keeps_one_it_named(auth, db_conn, log):
    """«Personen i loggen» is reminded of the talks: the same people as a measure's
    responsible (sections.responsible_people). One who left is neither offered nor taken;
    an agreement that names them keeps them, marked, when edited."""
    nurse = user("aktor")
    agreement = _agreement(log, 7, adult="Helsesykepleier Karianne", adult_user=nurse)
    User.update(active=False).where(User.id == nurse.id).execute()
    holder = auth.persona("holder")
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert str(nurse.id) not in options_of(page, "new-talk_agreements-adult_user")
    before = ChildTalkAgreement.select().count()
    r = holder.post(
        f"/logger/{log.id}/seksjon/talk_agreements",
        data=form("talk_agreements", adult="Helsesykepleier Karianne", adult_user=str(nurse.id)),
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422 and ChildTalkAgreement.select().count() == before
    assert "Karianne Petrusen har sluttet og kan ikke velges. Velg en annen." in r.get_data(as_text=True)
    assert "Helsesykepleier Karianne" in r.get_data(as_text=True)  # what was typed is kept
    edit = holder.get(
        f"/logger/{log.id}/seksjon/talk_agreements/{agreement.id}/endre", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert options_of(edit, f"edit-talk_agreements-{agreement.id}-adult_user")[str(nurse.id)].startswith(
        "Har sluttet: "
    )
