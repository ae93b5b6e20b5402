"""Close, passive, reopen, delete (seed 001 "Rutine for avslutning av stafettlogg") and
the guardians' own view: transitions over states × roles, the purge, invitations,
guardian isolation and read-only guardians."""

import datetime as dt
import io
import re

import pytest

from stafettlogg.access import ACCESS
from stafettlogg.archive import domain as archive_domain
from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.guardians import domain as invitations
from stafettlogg.logs import domain, sections, states
from stafettlogg.logs import lifecycle as life
from stafettlogg.logs.domain import LogError
from stafettlogg.models import (
    MODELS,
    AuditEvent,
    Consent,
    DeletionRequest,
    Entry,
    Guardian,
    GuardianInvitation,
    Handover,
    Log,
    LogStatus,
    LogTombstone,
    Meeting,
    MinutesCorrection,
    Notification,
    OutboxEmail,
    Role,
    Subject,
    User,
    utcnow,
)
from stafettlogg.takeover import domain as requests
from tests import files
from tests.conftest import (
    LOG_HIDDEN,
    PERSONAS,
    a_consent,
    a_log,
    a_meeting,
    an_ended_log,
    an_item,
    refused,
    routes,
    url_values,
    user,
)

pytestmark = pytest.mark.db


def with_content(log) -> Log:
    """The log with what a family and the professionals write in it: a goal, two
    measures, the participant's highlight, the holder's free entry and an evaluation
    meeting next week."""
    an_item(log, "goals", body="Barnet har en venn å være sammen med i friminuttene innen jul.")
    measures = (
        ("Kontaktlærer setter opp faste lekegrupper i storefri, tre dager i uka.", "Kontaktlærer Kari Ottesen", 5),
        ("Mor og far spør barnet hver fredag hva som var fint i uka.", "Mor og far", 40),
    )
    for what, responsible, days in measures:
        evaluation_date = local_today() + dt.timedelta(days=days)
        an_item(log, "measures", what=what, responsible=responsible, status="ongoing", evaluation_date=evaluation_date)
    an_item(log, "highlights", by="aktor", body="Barnet hoppet tau i storefri.")
    an_item(log, "entries", entry_date=local_today() - dt.timedelta(days=10), body="Samtale med mor. Det går bedre.")
    next_week = dt.datetime.combine(local_today() + dt.timedelta(days=6), dt.time(14, 0))
    an_item(log, "meetings", kind="evalueringsmote", starts_at=next_week.strftime("%Y-%m-%dT%H:%M"), place="Rom 2")
    return log


def guardian_of(log, relation: str) -> Guardian:
    return Guardian.get(Guardian.log == log, Guardian.relation == relation)


# ------------------------------------------------------------------ states × roles

# Every persona, and the role on the test's log (access.log_tokens) the table speaks of.
PERSONA_ROLE = {
    "holder": "holder",
    "participant": "participant",
    "same_unit_staff": None,
    "unit_leader": "unit_leader",
    "other_unit_staff": None,
    "other_unit_leader": None,
    "guardian": "guardian",
    "coordinating_unit": None,
    "area_leader": None,
    "admin": None,
}
# the stored statuses, and the state derived from an expired consent
STATES = (LogStatus.DRAFT, LogStatus.ACTIVE, states.WAITING, LogStatus.CLOSED, LogStatus.PASSIVE)


def _upload(u, log):
    return a_consent(log, u.username)


def _propose(u, log):
    from stafettlogg.handover import domain as handover

    try:
        return handover.propose_handover(u, log, user("larer"))
    except handover.HandoverError as e:
        raise LogError(str(e)) from e


def _for_leaving_holder(how):
    """The unit leader chooses a new holder for the holder who leaves (seed 002)."""
    from stafettlogg.handover import domain as handover

    def call(u, log):
        try:
            if how == "propose":
                return handover.propose_for_leaving_holder(u, log, user("larer"), leaving=user("stafettholder"))
            return handover.assign_holder_directly(
                u, log, user("larer"), "Sluttet brått.", leaving=user("stafettholder")
            )
        except handover.HandoverError as e:
            raise LogError(str(e)) from e

    return call


def _log_request(log):
    from stafettlogg.models import LogRequest

    found = LogRequest.get_or_none(LogRequest.log == log.id, LogRequest.status == "pending")
    return found or LogRequest.create(log=log.id, requester=user(PERSONAS["other_unit_staff"]))


def _take_over(u, log):
    from stafettlogg.db import write_transaction

    with write_transaction():
        return states.apply(u, log, "take_over", **states.REOPEN_RESET)


def _accept_handover(u, log):
    # no persona is a proposed holder: tests/test_handover.py drives accept_handover itself
    return states.check(u, log, "accept_handover")


# How a test drives each action of the code's own table through the public functions.
CALLS = {
    "activate": _upload,
    "renew_consent": _upload,
    "close": lambda u, log: life.close_log(u, log, "needs_met", keep="undecided"),
    "make_passive": lambda u, log: life.make_passive(u, log, "Mor Testesen"),
    "answer_keep": lambda u, log: life.record_keep_answer(u, log, "no"),
    "reopen": lambda u, log: life.reopen(u, log),
    "withdraw_consent": lambda u, log: life.withdraw_consent(u, log),
    "request_deletion": lambda u, log: life.request_deletion(u, log, ""),
    "hand_over": _propose,
    "accept_handover": _accept_handover,
    "propose_holder": _for_leaving_holder("propose"),
    "assign_holder": _for_leaving_holder("direct"),
    "accept_request": lambda u, log: requests.accept(u, _log_request(log)),
    "decline_request": lambda u, log: requests.decline(u, _log_request(log), "Barnet har flyttet igjen."),
    "take_over": _take_over,  # no persona is a proposed holder: tests/test_takeover.py drives the rest
    "invite_guardian": lambda u, log: invitations.invite_guardian(
        u, log, Guardian.get(Guardian.log == log.id, Guardian.relation == "far")
    ),
    # asked as the archive's pages and domain ask it (content_readable_by, then the table)
    "archive": lambda u, log: archive_domain.ensure_may_archive(u, log),
    "delete": lambda u, log: life.delete_log(
        u,
        log,
        life.deletion_reason(log) or "not_kept",
        "aldri tatt i bruk",
        agreed_with="guardian",  # a passive log: the family agreed to its deletion today
        agreed_on=local_today(),
    ),
}


def one_upload_function(state, persona):
    return persona == "holder" and state in states.IN_USE


def test_every_action_in_the_table_is_driven():
    assert set(CALLS) == set(states.TRANSITIONS)
    assert all(set(t.roles) <= set(states.ROLES) for t in states.TRANSITIONS.values())
    assert all(set(t.blockers) <= set(states.BLOCKERS) for t in states.TRANSITIONS.values())


def snapshot(log_id: int) -> dict:
    return {
        "log": Log.select().where(Log.id == log_id).dicts().get(),
        "consents": list(Consent.select().where(Consent.log == log_id).order_by(Consent.id).dicts()),
        "requests": DeletionRequest.select().count(),
        "handovers": Handover.select().count(),
        "tombstones": LogTombstone.select().count(),
        "audit": AuditEvent.select().count(),
    }


def _set_up_blocker(name: str, log_id: int) -> None:
    if name == "deletion_requested":
        DeletionRequest.create(log=log_id, requested_by=user("foresatt"), reason="")
    elif name == "pending_handover":
        Handover.create(
            log=log_id,
            from_user=user("stafettholder"),
            to_user=user("aktor"),
            created_by=user("stafettholder"),
        )
    elif name == "kept_by_agreement":
        Log.update(guardian_agreed_to_keep=True, keep_answer="yes").where(Log.id == log_id).execute()
    elif name == "keep_unanswered":
        Log.update(guardian_agreed_to_keep=False, keep_answer="").where(Log.id == log_id).execute()
    elif name == "not_archived":
        pass  # nothing was sent to the archive; the delete call carries a reason that waives it
    else:
        pytest.fail(f"the test does not know how to set up the blocker {name}")


# Each action free of blockers, and each action with each of the blockers the table names.
CASES = [(action, None) for action in sorted(states.TRANSITIONS)] + [
    (action, blocker) for action in sorted(states.TRANSITIONS) for blocker in states.TRANSITIONS[action].blockers
]


def test_every_blocker_is_set_up_by_the_driven_test():
    assert {blocker for _action, blocker in CASES if blocker} == set(states.BLOCKERS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("action", "blocker"), CASES, ids=[f"{a}-{b or 'free'}" for a, b in CASES])
def test_every_action_from_every_state_as_every_role(ctx, log, action, state, blocker):
    """The code's own table says who may do what from where; each person is driven
    through the real function, and allowed_actions answers the same."""
    transition, log_id = states.TRANSITIONS[action], log.id
    # an ended log the family said no to keeping (the delete call carries an archive waiver): only the blocker under test applies
    stored = states.STORED.get(state, state)
    Log.update(
        status=stored,
        closed_at=None if stored in states.OPEN else utcnow(),
        keep_answer="" if stored in states.OPEN else "no",
    ).where(Log.id == log_id).execute()
    if state == states.WAITING:  # the consent on file ran out yesterday
        Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log_id).execute()
    if blocker is not None:
        _set_up_blocker(blocker, log_id)
    log = Log.get_by_id(log_id)
    assert states.state_of(log) == state
    blocked_now = blocker is not None and blocker in states.blocking(action, log)
    may = {
        persona: role is not None
        and role in transition.roles
        and state in transition.sources_for(role)
        and not blocked_now
        for persona, role in PERSONA_ROLE.items()
    }
    for persona, expected in may.items():
        assert (action in states.allowed_actions(user(PERSONAS[persona]), log)) == expected, (action, state, persona)
    before = snapshot(log_id)
    for persona, expected in may.items():
        if expected or (action in ("activate", "renew_consent") and one_upload_function(state, persona)):
            continue  # one upload function serves both: a draft is activated, an active log's consent renewed
        with pytest.raises(LogError) as error:
            CALLS[action](user(PERSONAS[persona]), Log.get_by_id(log_id))
        assert str(error.value) and not re.search(r"[A-Za-z]+Error|Traceback", str(error.value))
        assert snapshot(log_id) == before, f"{action} by {persona} from {state} changed something"
    winner = next((p for p, ok in may.items() if ok), None)
    if winner is not None:
        CALLS[action](user(PERSONAS[winner]), Log.get_by_id(log_id))
        after = Log.get_or_none(Log.id == log_id)
        if transition.target == states.PURGED:
            assert after is None and LogTombstone.get(LogTombstone.log_id == log_id)
        elif transition.target is not None:
            assert after.status == transition.target
            assert after.version == before["log"]["version"] + 1
        elif action == "request_deletion":
            assert after.status in states.ENDED and life.open_deletion_request(after) is not None


def test_close_with_ip_requires_the_koordinator(ctx, log):
    holder = user("stafettholder")
    with pytest.raises(LogError, match="koordinatoren") as error:
        life.close_log(holder, log, "ip_created", keep="undecided")
    assert error.value.field == "coordinator_name"
    with pytest.raises(LogError, match="tjeneste"):
        life.close_log(holder, log, "ip_created", coordinator_name="Kristin Koordinator", keep="undecided")
    assert Log.get_by_id(log.id).status == "active"
    life.close_log(holder, log, "ip_created", "", "Kristin Koordinator", "Koordinerende enhet", keep="undecided")
    closed = Log.get_by_id(log.id)
    assert (closed.status, closed.close_reason, closed.coordinator_name, closed.coordinator_service) == (
        "closed",
        "ip_created",
        "Kristin Koordinator",
        "Koordinerende enhet",
    )
    assert closed.closed_at is not None
    assert AuditEvent.select().where(AuditEvent.action == "log_closed", AuditEvent.log_id == log.id).exists()


def test_close_without_reason_and_read_only_afterwards(auth, log, db_conn):
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/avslutt", data={"keep": "undecided"})
    assert r.status_code == 303
    assert Log.get_by_id(log.id).status == "closed" and Log.get_by_id(log.id).close_reason == ""
    r = c.post(f"/logger/{log.id}/seksjon/entries", data={"entry_date": "2026-01-01", "body": "Nytt"})
    assert r.status_code == 409 and not Entry.select().where(Entry.body == "Nytt").exists()
    # a participant was told
    assert Notification.select().where(Notification.user == user("aktor"), Notification.kind == "log_closed").exists()


def test_the_close_page_names_minutes_held_and_not_approved(auth, log, db_conn):
    """Minutes are approved only while the log is open: the holder about to close it is
    shown the meetings held whose minutes are not approved, with a link to each; a meeting
    still to come, or approved minutes, are not named."""
    held, approved, planned = a_meeting(log), a_meeting(log), a_meeting(log)
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    Meeting.update(starts_at=yesterday).where(Meeting.id.in_([held.id, approved.id])).execute()
    Meeting.update(finalised_at=dt.datetime.now()).where(Meeting.id == approved.id).execute()
    holder = auth.persona("holder")
    audited = AuditEvent.select().where(AuditEvent.log_id == log.id).count()
    page = holder.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)
    assert "Ett referat er ikke godkjent" in page
    assert f"/logger/{log.id}/moter/{held.id}" in page
    assert f"/moter/{approved.id}" not in page and f"/moter/{planned.id}" not in page
    assert AuditEvent.select().where(AuditEvent.log_id == log.id).count() > audited
    Meeting.update(finalised_at=dt.datetime.now()).where(Meeting.id == held.id).execute()
    assert "ikke godkjent" not in holder.get(f"/logger/{log.id}/avslutt").get_data(as_text=True)


def test_passive_by_youth_requires_16(ctx, log):
    holder = user("stafettholder")
    life.close_log(holder, log, keep="undecided")
    with pytest.raises(LogError, match="16 år"):
        life.make_passive(holder, log, "Testbarn Testesen", agreed_as="youth")
    with pytest.raises(LogError) as error:
        life.make_passive(holder, log, "  ")
    assert error.value.field == "agreed_by_name"
    life.make_passive(holder, log, "Mor Testesen")
    kept = Log.get_by_id(log.id)
    assert (kept.status, kept.guardian_agreed_to_keep, kept.keep_agreed_by, kept.keep_agreed_on) == (
        "passive",
        True,
        "Mor Testesen",
        local_today(),
    )


def test_close_form_with_a_wrong_agreement_changes_nothing(auth, log, db_conn):
    c = auth.persona("holder")
    data = {"reason": "needs_met", "keep": "yes", "agreed_by_name": "Testbarn Testesen", "agreed_as": "youth"}
    r = c.post(f"/logger/{log.id}/avslutt", data=data)
    assert r.status_code == 422 and "16 år" in r.get_data(as_text=True)
    assert Log.get_by_id(log.id).status == "active"
    r = c.post(f"/logger/{log.id}/avslutt", data=dict(data, agreed_by_name="Mor Testesen", agreed_as="guardian"))
    assert r.status_code == 303
    log = Log.get_by_id(log.id)
    assert (log.status, log.close_reason, log.keep_agreed_by) == ("passive", "needs_met", "Mor Testesen")


def test_reopen_keeps_the_whole_history_and_needs_new_consent(auth, log, db_conn, app):
    with_content(log)
    with app.test_request_context():
        counts = {m.__name__: m.select().where(m.log == log).count() for m in (Entry, Meeting, Consent, Guardian)}
        life.close_log(user("stafettholder"), log, keep="undecided")
        life.make_passive(user("stafettholder"), log, "Mor Testesen")
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/gjenapne")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/logger/{log.id}/samtykke")
    reopened = Log.get_by_id(log.id)
    assert reopened.status == "draft" and not reopened.guardian_agreed_to_keep and reopened.closed_at is None
    assert {
        m.__name__: m.select().where(m.log == reopened).count() for m in (Entry, Meeting, Consent, Guardian)
    } == counts
    upload = {
        "given_by": "guardian",
        "given_by_name": "Mor Testesen",
        "relation": "mor",
        "consent_date": local_today().isoformat(),
        "services": ["kind:helsestasjon", "kind:ppt"],
        "file": (io.BytesIO(files.pdf()), "nytt.pdf"),
    }
    r = c.post(f"/logger/{log.id}/samtykke", data=upload, content_type="multipart/form-data")
    assert r.status_code == 303
    assert Log.get_by_id(log.id).status == "active"
    assert Consent.select().where(Consent.log == log.id).count() == counts["Consent"] + 1
    assert "Samtale med mor" in c.get(f"/logger/{log.id}").get_data(as_text=True)


# ------------------------------------------------------------------ guardians' actions over HTTP


def test_guardian_withdraws_consent_and_the_log_closes(auth, log, db_conn):
    c = auth.persona("guardian")
    r = c.post(f"/mine/{log.id}/trekk-samtykke", data={})
    assert r.status_code == 422 and Log.get_by_id(log.id).status == "active"
    r = c.post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"})
    assert r.status_code == 303
    log = Log.get_by_id(log.id)
    assert (log.status, log.close_reason) == ("closed", "consent_withdrawn")
    assert Consent.select().where(Consent.log == log, Consent.withdrawn_at.is_null()).count() == 0
    assert (
        Notification.select()
        .where(Notification.user == user("stafettholder"), Notification.kind == "consent_withdrawn")
        .exists()
    )
    page = c.get(f"/mine/{log.id}").get_data(as_text=True)
    assert "Samtykket ble trukket tilbake" in page


def test_a_passive_log_is_deleted_only_by_a_recorded_agreement(auth, db_conn):
    """seed 001: «Enhetsleder kan etter avtale slette en logg som er satt passiv.» The
    family agreed to keep it: the delete form asks with whom (a guardian or the youth) and
    when the deletion was agreed; without it nothing is deleted and what was typed stays;
    the tombstone keeps the role and the day, no name."""
    from tests.conftest import an_ended_log

    ida = an_ended_log(LogStatus.PASSIVE)
    leader = auth.persona("unit_leader")
    page = leader.get(f"/logger/{ida.id}/slett").get_data(as_text=True)
    assert "Hvem avtalte dere slettingen med?" in page and 'name="agreed_on"' in page
    form = {"reason": "passive_by_agreement", "confirm": "yes", "archive_waiver": "Kopi i Visma"}
    cases = [
        ({}, "Velg hvem dere avtalte slettingen med."),
        ({"agreed_with": "guardian"}, "Skriv datoen dere avtalte slettingen."),
        ({"agreed_with": "guardian", "agreed_on": "31.02.2026"}, "Skriv datoen som dd.mm.åååå."),
        ({"agreed_with": "guardian", "agreed_on": (local_today() + dt.timedelta(days=1)).isoformat()}, "fremtiden"),
        ({"agreed_with": "guardian", "agreed_on": (local_today() - dt.timedelta(days=90)).isoformat()}, "avsluttet"),
        ({"agreed_with": "aunt", "agreed_on": local_today().isoformat()}, "Velg hvem"),
    ]
    for extra, says in cases:
        r = leader.post(f"/logger/{ida.id}/slett", data={**form, **extra})
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and says in html, (extra, r.status_code)
        assert "Kopi i Visma" in html and Log.get_or_none(Log.id == ida.id) is not None
    day = local_today() - dt.timedelta(days=2)
    r = leader.post(
        f"/logger/{ida.id}/slett", data={**form, "agreed_with": "youth", "agreed_on": day.strftime("%d.%m.%Y")}
    )
    assert r.status_code == 303 and Log.get_or_none(Log.id == ida.id) is None
    tombstone = LogTombstone.get(LogTombstone.log_id == ida.id)
    assert (tombstone.reason, tombstone.agreed_with, tombstone.agreed_on) == ("passive_by_agreement", "youth", day)


def test_other_deletions_carry_no_agreement(ctx):
    from tests.conftest import an_ended_log

    oskar = an_ended_log()
    life.delete_log(user("enhetsleder"), oskar, "not_kept", "aldri tatt i bruk", agreed_with="guardian")
    tombstone = LogTombstone.get(LogTombstone.log_id == oskar.id)
    assert (tombstone.agreed_with, tombstone.agreed_on) == ("", None)


def test_guardian_asks_for_deletion_unit_leader_refuses_then_deletes(app, auth, db_conn):
    from stafettlogg.org.domain import create_user

    with db.connection_context():  # a mother whose account exists only for this log
        create_user(Role.GUARDIAN, "mor.sletting", "Mor Sletting", password="en lang og god setning")
    log = a_log(guardian="mor.sletting")
    closed, passive = an_ended_log(), an_ended_log(LogStatus.PASSIVE)
    c = auth.login_as("mor.sletting")
    r = c.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes", "reason": "Vi flytter."})
    assert r.status_code == 303
    request = DeletionRequest.get(DeletionRequest.log == log.id)
    assert Log.get_by_id(log.id).status == "closed"  # an open log closes when deletion is asked for
    assert (
        Notification.select()
        .where(Notification.user == user("enhetsleder"), Notification.kind == "deletion_requested")
        .exists()
    )
    r = c.post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes"})
    assert r.status_code == 422 and DeletionRequest.select().count() == 1

    leader = auth.persona("unit_leader")
    queue = leader.get(f"/enheter/{Log.get_by_id(log.id).unit_id}/sletting").get_data(as_text=True)
    assert all(ended.subject.name in queue for ended in (log, closed, passive))
    r = leader.post(f"/logger/{log.id}/sletting/{request.id}/avvis", data={"response": ""})
    assert r.status_code == 422 and DeletionRequest.get_by_id(request.id).handled_at is None
    long_answer = "Arkivlova krev at vi tek vare på referata. " * 50  # over 2,000 characters
    r = leader.post(f"/logger/{log.id}/sletting/{request.id}/avvis", data={"response": long_answer})
    assert r.status_code == 422 and DeletionRequest.get_by_id(request.id).handled_at is None
    assert long_answer.strip() in r.get_data(as_text=True)  # what the leader wrote is kept to shorten
    r = leader.post(f"/logger/{log.id}/sletting/{request.id}/avvis", data={"response": "Vi må ta vare på referatene."})
    assert r.status_code == 303 and DeletionRequest.get_by_id(request.id).outcome == "refused"
    page = auth.login_as("mor.sletting").get(f"/mine/{log.id}").get_data(as_text=True)
    assert "Vi må ta vare på referatene." in page

    # a closed log nobody agreed to keep may be deleted; the confirmation is required
    leader = auth.persona("unit_leader")
    r = leader.post(f"/logger/{log.id}/slett", data={"reason": "not_kept"})
    assert r.status_code == 422 and Log.get_or_none(Log.id == log.id) is not None
    r = leader.post(
        f"/logger/{log.id}/slett",
        data={"reason": "passive_by_agreement", "confirm": "yes", "archive_waiver": "Kopi i Visma"},
    )
    assert r.status_code == 409 and Log.get_or_none(Log.id == log.id) is not None
    r = leader.post(f"/logger/{log.id}/slett", data={"reason": "not_kept", "confirm": "yes"})
    assert r.status_code == 422 and Log.get_or_none(Log.id == log.id) is not None  # not archived
    r = leader.post(
        f"/logger/{log.id}/slett", data={"reason": "not_kept", "confirm": "yes", "archive_waiver": "Kopi i Visma"}
    )
    assert r.status_code == 303
    assert Log.get_or_none(Log.id == log.id) is None
    tomb = LogTombstone.get(LogTombstone.log_id == log.id)
    assert (tomb.reason, tomb.deleted_by.username, tomb.archive_waiver) == ("not_kept", "enhetsleder", "Kopi i Visma")
    assert auth.persona("holder").get(f"/logger/{log.id}").status_code == 404
    assert User.get_or_none(User.username == "mor.sletting") is None  # the account existed only for this log


def test_a_guardian_whose_account_was_deactivated_is_not_mailed_that_the_log_was_deleted(ctx):
    """The mother asked for deletion, then her account was deactivated: the log is still
    deleted as she asked, but no e-mail goes to the account («Stafettloggen er slettet»),
    as nothing goes to anyone whose account is deactivated."""
    log = a_log(guardian="foresatt")
    User.update(email="mother.account@example.no").where(User.username == "foresatt").execute()
    life.request_deletion(user("foresatt"), log, "Vi flytter.")
    User.update(active=False).where(User.username == "foresatt").execute()
    life.delete_log(user("enhetsleder"), log, "guardian_request", "Kopi i Visma")
    assert Log.get_or_none(Log.id == log.id) is None
    assert not OutboxEmail.select().where(OutboxEmail.to == "mother.account@example.no").exists()


# ------------------------------------------------------------------ the purge


NAME = "Solveig Slettesen"


def _rows_holding(text: str) -> list[str]:
    """Every table, every column: rows holding the text (case-insensitive)."""
    needle, raw = text.lower(), text.encode()
    found = []
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT * FROM "{table}"')
        for row in cursor.fetchall():
            for value in row:
                if isinstance(value, str) and needle in value.lower():
                    found.append(f"{table}: {value[:80]}")
                elif isinstance(value, (bytes, memoryview)) and raw in bytes(value):
                    found.append(f"{table}: <bytes>")
    return found


def _pdf_with(text: str) -> bytes:
    base = files.pdf()
    return base.replace(b"(Samtykke til stafettlogg - signert)", b"(" + text.encode() + b")")


def test_delete_purges_every_table_and_the_sqlite_file(app, db_conn):
    with app.test_request_context():
        holder, nurse, leader = user("stafettholder"), user("aktor"), user("enhetsleder")
        log = domain.create_log(
            holder,
            kind="ungdom",
            name=NAME,
            birth_date=dt.date(2008, 1, 15),
            national_id=None,
            unit=holder.unit,
            class_group="10C",
            level=2,
            concern_title=f"{NAME} har mye fravær",
            concern_body=f"{NAME} sier det er tungt.",
            guardians=[{"name": "Per Slettesen", "relation": "far", "phone": "912 00 000", "email": "per@example.no"}],
        )
        from stafettlogg.demo import _Upload

        domain.upload_consent(
            holder,
            log,
            _Upload(_pdf_with(NAME), "samtykke.pdf"),
            given_by="youth",
            given_by_name=NAME,
            relation="",
            consent_date=local_today(),
            expires_on=None,
            services=["kind:helsestasjon"],
            max_bytes=10 * 1024 * 1024,
            consent_age=16,
        )
        log = Log.get_by_id(log.id)
        domain.add_participant(holder, log, nurse)
        S = sections.SECTIONS
        concern = log.concerns[0]
        sections.create_item(holder, log, S["goals"], {"concern": str(concern.id), "body": f"{NAME} er på skolen"})
        sections.create_item(
            holder,
            log,
            S["measures"],
            {
                "what": f"{NAME} møter helsesykepleier",
                "responsible": "Helsesykepleier",
                "status": "ongoing",
                "evaluation_date": local_today().isoformat(),
            },
        )
        measure = log.measures[0]
        _evaluation, errors = sections.add_evaluation(
            holder,
            log,
            measure,
            {
                "evaluated_on": local_today().isoformat(),
                "what_worked": f"{NAME} kom hver gang",
                "decision": "continue",
            },
        )
        assert errors == {}
        sections.create_item(nurse, log, S["highlights"], {"body": f"{NAME} smilte"})
        sections.create_item(
            holder, log, S["entries"], {"entry_date": local_today().isoformat(), "body": f"Samtale med {NAME}"}
        )
        _item, errors = sections.create_item(
            holder,
            log,
            S["meetings"],
            {"kind": "samarbeidsmote", "starts_at": "2026-12-01T10:00", "place": "Rom 1", "agenda": f"Om {NAME}"},
        )
        assert errors == {}
        meeting = log.meetings[0]
        Meeting.update(minutes=f"{NAME} var med", present=NAME, finalised_at=utcnow(), finalised_by=holder).where(
            Meeting.id == meeting.id
        ).execute()
        MinutesCorrection.create(meeting=meeting, body=f"Rettelse om {NAME}", author=holder)
        Handover.create(log=log, from_user=holder, to_user=user("larer"), note=f"Gjelder {NAME}", created_by=holder)
        # the youth gets their own access by invitation, and asks for deletion
        youth = invitations.add_youth(holder, log, phone="", email="solveig@example.no")
        invitation, token = invitations.invite_guardian(holder, log, youth)
        account = invitations.accept_invitation(
            token,
            code=invitation.code,
            username="solveig",
            password="en lang og god setning",
            repeat="en lang og god setning",
        )
        assert account.name == NAME and account.role == "guardian"
        father = Guardian.get(Guardian.log == log, Guardian.name == "Per Slettesen")
        invitations.send_invitation(holder, log, father)  # e-mailed: his address, the holder's and unit's names
        assert OutboxEmail.select().where(OutboxEmail.to == "per@example.no", OutboxEmail.log_id == log.id).exists()
        Notification.create(user=holder, kind="test", text=f"Om {NAME}", log_id=log.id, dedupe_key="purge-test")
        life.request_deletion(account, log, f"{NAME} vil ikke ha loggen")
        assert _rows_holding(NAME), "the test must first put the name in the database"

        from bench.run import counting

        with counting(db) as counter:
            life.delete_log(leader, Log.get_by_id(log.id), "guardian_request", "aldri tatt i bruk")
        # no VACUUM in the unit leader's request: it would lock the whole file for as long as it runs
        assert not [sql for sql, _params in counter["sql"] if "VACUUM" in sql.upper()]

        assert _rows_holding(NAME) == []
        assert _rows_holding("Slettesen") == []
        assert Log.get_or_none(Log.id == log.id) is None
        assert User.get_or_none(User.username == "solveig") is None
        tomb = LogTombstone.get(LogTombstone.log_id == log.id)
        assert (tomb.reason, tomb.unit_id, tomb.deleted_by_id) == ("guardian_request", holder.unit_id, leader.id)
        # the audit keeps ids only, and the deletion itself is recorded
        assert AuditEvent.select().where(AuditEvent.action == "log_deleted", AuditEvent.log_id == log.id).exists()
        # the e-mails about the log go with it; the youth is told it is deleted
        assert not OutboxEmail.select().where(OutboxEmail.log_id == log.id).exists()
        assert not OutboxEmail.select().where(OutboxEmail.to == "per@example.no").exists()
        assert OutboxEmail.select().where(OutboxEmail.to == "solveig@example.no").count() == 1
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        path = Path(url.split("sqlite:///", 1)[1])
        for candidate in (path, Path(f"{path}-wal")):
            if candidate.exists():
                data = candidate.read_bytes()
                assert NAME.encode() not in data, f"{candidate.name} still holds the name"
                assert b"Slettesen" not in data


def test_subject_shared_by_another_log_is_kept(ctx):
    oskar = an_ended_log()
    other = Log.create(
        subject=oskar.subject, unit=oskar.unit, holder=oskar.holder, created_by=oskar.holder, status="closed"
    )
    life.delete_log(user("enhetsleder"), oskar, "not_kept", "aldri tatt i bruk")
    assert Subject.get_or_none(Subject.id == other.subject_id) is not None
    assert Log.get_or_none(Log.id == oskar.id) is None


# ------------------------------------------------------------------ invitations


def test_invitation_is_single_use_expiring_and_stores_only_a_hash(auth, log, db_conn, app):
    c = auth.persona("holder")
    tor = guardian_of(log, "far")  # no account yet
    r = c.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": tor.id})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    token = re.search(r"/invitasjon/([A-Za-z0-9_\-]+)", page).group(1)
    code = re.search(r'invitation-code__digits" dir="ltr">(\d{4} \d{4})<', page).group(1)
    invitation = GuardianInvitation.get(GuardianInvitation.guardian == tor)
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert code.replace(" ", "") not in invitation.code_hash and len(invitation.code_hash) == 64
    assert invitation.expires_at > utcnow() + dt.timedelta(days=6)

    anon = app.test_client()
    assert anon.get(f"/invitasjon/{token}").status_code == 200
    r = anon.post(
        f"/invitasjon/{token}", data={"code": code, "username": "tor.hansen", "password": "kort", "repeat": "kort"}
    )
    assert r.status_code == 422 and "minst 12 tegn" in r.get_data(as_text=True)
    assert User.get_or_none(User.username == "tor.hansen") is None
    good = {
        "code": code,
        "username": "tor.hansen",
        "password": "far leser avisen hver morgen",
        "repeat": "far leser avisen hver morgen",
    }
    r = anon.post(f"/invitasjon/{token}", data=good)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/mine/{log.id}")
    account = User.get(User.username == "tor.hansen")
    assert account.role == "guardian" and Guardian.get_by_id(tor.id).user_id == account.id
    assert anon.get(f"/mine/{log.id}").status_code == 200  # logged in

    # single use
    other = app.test_client()
    assert other.get(f"/invitasjon/{token}").status_code == 404
    r = other.post(f"/invitasjon/{token}", data=dict(good, username="tor2"))
    assert r.status_code == 404 and User.get_or_none(User.username == "tor2") is None


def test_expired_invitation_and_new_link_replaces_old(ctx, log, app):
    holder, tor = user("stafettholder"), guardian_of(log, "far")
    _first, old_token = invitations.invite_guardian(holder, log, tor)
    _second, new_token = invitations.invite_guardian(holder, log, tor)
    assert invitations.find_invitation(old_token) is None and invitations.find_invitation(new_token) is not None
    GuardianInvitation.update(expires_at=utcnow() - dt.timedelta(seconds=1)).where(
        GuardianInvitation.id == _second.id
    ).execute()
    assert invitations.find_invitation(new_token) is None
    with pytest.raises(LogError):
        invitations.accept_invitation(
            new_token, code=_second.code, username="tor.x", password="en lang god setning", repeat="en lang god setning"
        )
    assert User.get_or_none(User.username == "tor.x") is None
    # a guardian who already has access is not invited again
    with pytest.raises(LogError, match="allerede tilgang"):
        invitations.invite_guardian(holder, log, guardian_of(log, "mor"))


def test_invitation_is_emailed_without_child_data(auth, db_conn):
    log = a_log(name="Vilde Hansen", guardian=None)
    mother = guardian_of(log, "mor")
    r = auth.persona("holder").post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": mother.id})
    assert r.status_code == 200 and "sendt på e-post" in r.get_data(as_text=True)
    mail = OutboxEmail.select().where(OutboxEmail.to == mother.email).order_by(OutboxEmail.id.desc()).get()
    assert "/invitasjon/" in mail.body and "Vilde" not in mail.body and "Hansen" not in mail.body
    assert "Testesen" not in mail.body  # nor the parents' family name


def test_existing_guardian_account_links_a_second_child(auth, log, db_conn, app):
    holder_b = user("pedleder")
    sofie = a_log("pedleder", participants=(), guardian=None)  # another unit's log
    anne = guardian_of(sofie, "mor")
    with app.test_request_context():
        inv, token = invitations.invite_guardian(holder_b, sofie, anne)
    c = auth.persona("guardian")  # the mother of `log`, already a guardian account
    r = c.post(f"/invitasjon/{token}", data={"action": "link", "code": inv.code})
    assert r.status_code == 303
    assert Guardian.get_by_id(anne.id).user_id == user("foresatt").id
    # linking with a wrong password is delayed like the login form
    with app.test_request_context():
        tor = guardian_of(log, "far")
        inv, token = invitations.invite_guardian(user("stafettholder"), log, tor)
    anon = app.test_client()
    wrong = {
        "action": "link",
        "code_link": inv.code,
        "existing_username": "foresatt",
        "existing_password": "feil passord her",
    }
    statuses = [anon.post(f"/invitasjon/{token}", data=wrong).status_code for _i in range(6)]
    assert statuses == [422] * 6 and Guardian.get_by_id(tor.id).user_id is None
    right = dict(wrong, existing_password="demo-passord")
    assert "flere mislykkede forsøk på denne kontoen" in anon.post(f"/invitasjon/{token}", data=right).get_data(
        as_text=True
    )
    assert Guardian.get_by_id(tor.id).user_id is None
    # staff cannot use a guardian's link
    with app.test_request_context():
        _inv, token = invitations.invite_guardian(user("stafettholder"), log, tor)
    assert auth.persona("holder").post(f"/invitasjon/{token}", data={}).status_code == 409
    assert Guardian.get_by_id(tor.id).user_id is None


def test_youth_16_gets_own_access_younger_does_not(ctx, log):
    holder = user("stafettholder")
    with pytest.raises(LogError, match="16 år"):
        invitations.add_youth(holder, log, phone="900 00 000", email="")
    Subject.update(birth_date=local_today().replace(year=local_today().year - 16) - dt.timedelta(days=1)).where(
        Subject.id == log.subject_id
    ).execute()
    youth = invitations.add_youth(holder, Log.get_by_id(log.id), phone="900 00 000", email="")
    assert (youth.name, youth.relation) == (log.subject.name, "ungdom")
    inv, token = invitations.invite_guardian(holder, log, youth)
    account = invitations.accept_invitation(
        token, code=inv.code, username="emma", password="min egen lange setning", repeat="min egen lange setning"
    )
    from stafettlogg.access import log_tokens

    assert log_tokens(account, log) == {"guardian"}


def test_the_youth_reads_of_their_own_log_not_of_their_child(app, db_conn, log):
    """A youth with own access signs in to «Her ser du stafettloggen din», a parent to
    «… for barnet ditt» (found by review)."""
    holder = user("stafettholder")
    Subject.update(birth_date=local_today().replace(year=local_today().year - 17)).where(
        Subject.id == log.subject_id
    ).execute()
    with app.test_request_context():
        youth = invitations.add_youth(holder, Log.get_by_id(log.id), phone="900 00 000", email="")
        inv, token = invitations.invite_guardian(holder, log, youth)
        password = "min egen lange setning"
        invitations.accept_invitation(token, code=inv.code, username="emma", password=password, repeat=password)
    client = app.test_client()
    client.post("/login", data={"username": "emma", "password": password})
    page = client.get("/").get_data(as_text=True)
    assert "Her ser du stafettloggen din." in page and "barnet ditt" not in page
    parent = app.test_client()
    parent.post("/login", data={"username": "foresatt", "password": "demo-passord"})
    assert "Her ser du stafettloggen for barnet ditt." in parent.get("/").get_data(as_text=True)


# ------------------------------------------------------------------ the guardians' view


def test_guardian_view_plain_language_finalised_minutes_only(auth, log, db_conn):
    holder = user("stafettholder")
    with_content(log)
    for days_ago, minutes, finalised in (
        (20, "Ferdig referat fra møtet", True),
        (1, "UTKAST som ikke er ferdig", False),
    ):
        Meeting.create(
            log=log.id,
            kind="samarbeidsmote",
            starts_at=utcnow() - dt.timedelta(days=days_ago),
            minutes=minutes,
            author=holder,
            finalised_at=utcnow() if finalised else None,
            finalised_by=holder if finalised else None,
        )
    page = auth.persona("guardian").get(f"/mine/{log.id}").get_data(as_text=True)
    assert "Kari Ottesen" in page and "900 22 222" in page  # who the holder is, how to reach them
    assert "Hvem gjør hva, og når?" in page and "faste lekegrupper" in page and "Mor og far" in page
    assert "Evalueringsmøte" in page  # the upcoming meeting
    assert "Ferdig referat fra møtet" in page
    assert "UTKAST" not in page  # never drafts
    assert "Samtale med mor" not in page  # free entries are the professionals' notes
    assert f"{guardian_of(log, 'mor').name} ga skriftlig samtykke" in page and "Aktiv" in page


def test_guardian_sees_access_history_with_role_and_unit_not_usernames(auth, log, db_conn):
    auth.persona("participant").get(f"/logger/{log.id}")
    page = auth.persona("guardian").get(f"/mine/{log.id}/innsyn").get_data(as_text=True)
    assert "Helsestasjonen sentrum" in page and "Deltaker" in page and "Leste i stafettloggen" in page
    assert "Stafettholder" in page and "Lastet opp samtykke" in page
    assert "aktor" not in page and "stafettholder<" not in page and "Karianne" not in page


def test_family_print_is_plain_and_marked(auth, log, db_conn):
    with_content(log)
    r = auth.persona("holder").get(f"/logger/{log.id}/familieversjon")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Unntatt offentlighet, offentleglova § 13" in page
    assert "Hvem gjør hva, og når?" in page and "Samtale med mor" not in page
    assert r.headers["Cache-Control"].startswith("no-store")
    assert AuditEvent.select().where(AuditEvent.action == "view:guardian.family_print").exists()


def test_archive_print_whole_log_for_unit_leader_only_when_ended(auth, log, db_conn):
    with_content(log)
    leader = auth.persona("unit_leader")
    r = leader.get(f"/logger/{log.id}/arkivutskrift")
    assert r.status_code == 409 and "faste lekegrupper" not in r.get_data(as_text=True)
    oskar = an_ended_log(concern="Oskar var urolig etter flytting")
    r = leader.get(f"/logger/{oskar.id}/arkivutskrift")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Unntatt offentlighet, offentleglova § 13" in page
    assert "Oskar var urolig etter flytting" in page and "Samtykker" in page and "Tilgangslogg" in page
    assert (
        AuditEvent.select()
        .where(AuditEvent.action == "view:archive.archive_print", AuditEvent.log_id == oskar.id)
        .exists()
    )
    holder_page = auth.persona("holder").get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True)
    assert "Samtale med mor" in holder_page and "Stafettholdere" in holder_page


# ------------------------------------------------------------------ guardians write nothing; isolation

GUARDIAN_WRITES = {
    "guardian.withdraw",
    "guardian.deletion_request",
    "auth.logout",
    "auth.password",
    # a guardian with a password may set up (and turn off) a second factor for it
    "signin.confirm",
    "signin.turn_off",
    "main.notification_read",
    "guardian.invitation_accept",
}
CONTENT = [m for m in MODELS if m.__name__ not in ("AuditEvent", "LoginFailure")]


def _counts():
    return {m.__name__: m.select().count() for m in CONTENT}


def test_guardians_are_refused_every_write_route(app, auth, log, db_conn):
    values = url_values(app, log)
    before = _counts()
    log_before = Log.select().where(Log.id == values["log_id"]).dicts().get()
    problems = []
    for rule, method in routes(app):
        if method == "GET" or rule.endpoint in GUARDIAN_WRITES or "anonymous" in ACCESS[rule.endpoint]:
            continue  # public routes (login, language) hold no log data; the counts below still apply
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        response = auth.persona("guardian").open(url, method=method, data={"body": "x", "title": "x", "name": "x"})
        if not refused(response) and response.status_code != 404:
            problems.append(f"{method} {url}: {response.status_code}")
    assert problems == []
    assert _counts() == before
    assert Log.select().where(Log.id == values["log_id"]).dicts().get() == log_before


def _texts_of(log_id: int) -> list[str]:
    """What only someone who may read the log knows: the child's and the guardians' names,
    the measures and the free entries."""
    log = Log.get_by_id(log_id)
    return [
        log.subject.name,
        *(g.name for g in log.guardians),
        *(m.what for m in log.measures),
        *(e.body for e in log.entries),
    ]


def test_guardian_of_another_child_reaches_nothing_of_emma(app, auth, log, db_conn):
    sofie = a_log("pedleder", participants=(), guardian=None)  # a child at another unit
    with app.test_request_context():
        anne = guardian_of(sofie, "mor")
        inv, token = invitations.invite_guardian(user("pedleder"), sofie, anne)
        invitations.accept_invitation(
            token,
            code=inv.code,
            username="anne.lie",
            password="sofie og mamma i hagen",
            repeat="sofie og mamma i hagen",
        )
    values = url_values(app, with_content(log))
    texts = _texts_of(values["log_id"])
    assert len(texts) >= 6, "the log the routes are built for must hold content"
    problems = []
    for rule, method in routes(app):
        if rule.endpoint == "static":
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        client = auth.login_as("anne.lie")
        response = client.open(url, method=method, data={})
        body = response.get_data(as_text=True)
        scoped = set(rule.arguments) & {"log_id", "unit_id", "staff_id"}
        if scoped and response.status_code not in (403, 404) and not refused(response):
            problems.append(f"{method} {url}: {response.status_code}")
        if any(text in body for text in texts):
            problems.append(f"{method} {url}: shows the log's data")
    assert problems == []
    own = auth.login_as("anne.lie").get(f"/mine/{sofie.id}")
    assert own.status_code == 200 and sofie.subject.name in own.get_data(as_text=True)
    # not their child's: the same answer as for a log that does not exist
    assert auth.persona("guardian").get(f"/mine/{sofie.id}").status_code == 404
    assert auth.login_as("anne.lie").get(f"/mine/{values['log_id']}/innsyn").status_code == 404
    other, missing = (auth.persona("guardian").get(path) for path in (f"/mine/{sofie.id}", "/mine/99999999"))
    assert other.status_code == missing.status_code == 404
    assert LOG_HIDDEN in other.get_data(as_text=True) and LOG_HIDDEN in missing.get_data(as_text=True)


def test_closing_a_log_withdraws_a_pending_handover(log, db_conn):
    from stafettlogg.handover import domain as ho

    proposal = ho.propose_handover(user("stafettholder"), log, user("larer"), "Ny lærer")
    life.close_log(user("stafettholder"), Log.get_by_id(log.id), reason="needs_met", keep="undecided")
    assert Handover.get_by_id(proposal.id).status == "cancelled"
    assert Handover.get_by_id(proposal.id).decline_reason == "log_closed"  # a code, not text in one language
    assert (
        Notification.select()
        .where(Notification.user == user("larer"), Notification.kind == "handover_cancelled")
        .exists()
    )


def test_who_may_change_an_item_is_said_once():
    """The rule for Endre/Slett on an item lives in logs/sections.py (can_change,
    may_change_each); templates ask item_controls (logs/controls.py), nothing
    restates it."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    pattern = re.compile(r"participant_edits_own|\.finalised_at is not None")
    found = [
        str(p.relative_to(root))
        for p in [*(root / "templates").rglob("*.html"), *(root / "stafettlogg").rglob("*.py")]
        if p.name != "sections.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_template_or_module_restates_the_open_or_ended_states():
    """The states a log is open or ended in are named once (LogStatus.OPEN/ENDED, used by
    logs/states.py); templates ask log_actions / log_is_open / log_has_ended."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    pattern = re.compile(
        r"""\(\s*['"]draft['"]\s*,\s*['"]active['"]\s*\)|\(\s*['"]closed['"]\s*,\s*['"]passive['"]\s*\)"""
        r"|LogStatus\.DRAFT,\s*LogStatus\.ACTIVE|LogStatus\.CLOSED,\s*LogStatus\.PASSIVE"
    )
    found = [
        str(p.relative_to(root))
        for p in [*(root / "templates").rglob("*.html"), *(root / "stafettlogg").rglob("*.py")]
        if p.name != "states.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_guardians_login_name_is_not_kept_in_the_audit_after_deletion(ctx):
    """Families choose their login names, and they hold their names ("kari.slettesen", or
    the youth's own). The audit keeps ids, never data: once the log and the family's
    accounts are deleted, no audit row holds the name a guardian signed in with."""
    holder, leader = user("stafettholder"), user("enhetsleder")
    log = a_log(name="Tiril Slettesen")
    mother = domain.add_guardian(holder, log, name="Kari Slettesen", relation="mor", phone="912 00 000", email="")
    invitation, token = invitations.invite_guardian(holder, log, mother)
    account = invitations.accept_invitation(
        token, code=invitation.code, username="kari.slettesen", password="en lang og god setning",
        repeat="en lang og god setning",
    )  # fmt: skip
    life.request_deletion(account, Log.get_by_id(log.id))
    assert AuditEvent.select().where(AuditEvent.user_id == account.id).exists()

    life.delete_log(leader, Log.get_by_id(log.id), "guardian_request", "aldri tatt i bruk")

    assert User.get_or_none(User.id == account.id) is None
    assert not AuditEvent.select().where(AuditEvent.username.contains("slettesen")).exists()
    assert AuditEvent.select().where(AuditEvent.user_id == account.id).exists()  # the id stays


def test_a_second_click_on_slett_while_the_first_deletes_gets_the_queue_not_an_error(auth, db_conn, monkeypatch):
    """A double click on «Slett»: the second request passed the access check before the
    first committed, and finds the log gone. It is sent to the unit's queue with a
    clear message, never a 500, and nothing is audited as a read of a deleted log."""
    log = an_ended_log()
    real_delete = life.delete_log

    def deleted_meanwhile(by, log, reason, archive_waiver="", **agreement):
        real_delete(by, Log.get_by_id(log.id), reason, archive_waiver, **agreement)  # the first click
        return real_delete(by, log, reason, archive_waiver, **agreement)

    monkeypatch.setattr(life, "delete_log", deleted_meanwhile)
    leader = auth.persona("unit_leader")
    r = leader.post(
        f"/logger/{log.id}/slett", data={"confirm": "yes", "reason": "not_kept", "archive_waiver": "aldri tatt i bruk"}
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/enheter/{log.unit_id}/sletting")
    assert "Stafettloggen finnes ikke lenger." in leader.get(r.headers["Location"]).get_data(as_text=True)
    assert not AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action.startswith("view:")).exists()


def test_refusing_a_request_for_a_log_deleted_meanwhile_gets_the_queue_not_an_error(auth, app, db_conn, monkeypatch):
    log = an_ended_log()
    with app.test_request_context():
        request = life.request_deletion(user("foresatt"), log, "")
    real_refuse = life.refuse_deletion

    def deleted_meanwhile(by, log, request, response):
        life.delete_log(by, Log.get_by_id(log.id), "guardian_request", "aldri tatt i bruk")
        return real_refuse(by, log, request, response)

    monkeypatch.setattr(life, "refuse_deletion", deleted_meanwhile)
    r = auth.persona("unit_leader").post(
        f"/logger/{log.id}/sletting/{request.id}/avvis", data={"response": "Arkivloven krever at vi tar vare på den."}
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/enheter/{log.unit_id}/sletting")
