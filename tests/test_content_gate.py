"""Consent is the legal basis of every read of a log's content, also after the log has
ended, and a draft shows none of it (logs/gate.py with the sets in logs/states.py):

- a holder outside the consent's scope who closes the log (the family will not consent
  to the new unit) does not read it afterwards, nor does the new unit's leader;
- after the family withdraws the consent, the participants no longer read the log; the
  holder and the unit leader do (to archive it and answer the family);
- a log reopened or taken over is a draft: no route shows what it held before the new
  consent is on file, whatever the route (the walk below covers every one)."""

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs import states
from stafettlogg.models import AuditEvent, Consent, Log, LogStatus, utcnow
from tests.conftest import a_consent, a_log, a_meeting, an_item, url_values, user

pytestmark = pytest.mark.db

CONCERN = "Barnet er mye alene i friminuttene"
ENTRY = "Samtale med mor om leksene"
PLACE = "Nordbyen skole, møterom 2"


def body(response) -> str:
    return response.get_data(as_text=True)


def moved_to_sorbyen(log) -> Log:
    """The log was handed to the teacher at Sørbyen skole, a unit its consent does not
    cover (the handover test in test_consent_gate.py walks the handover itself)."""
    jonas = user("kontaktlaerer")
    Log.update(holder=jonas, unit=jonas.unit_id).where(Log.id == log.id).execute()
    return Log.get_by_id(log.id)


def test_a_holder_outside_the_scope_who_closes_the_log_reads_none_of_it_afterwards(auth, db_conn):
    log = a_log()
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    meeting = a_meeting(log)
    log = moved_to_sorbyen(log)
    new = auth.login_as("kontaktlaerer")
    assert new.post(f"/logger/{log.id}/avslutt", data={"reason": "other", "keep": "no"}).status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED

    page = new.get(f"/logger/{log.id}")
    assert page.status_code == 200
    assert CONCERN not in body(page) and ENTRY not in body(page)
    assert "Samtykket familien ga, omfatter ikke Sørbyen skole" in body(page)
    for path in (
        "/seksjon/concerns",
        "/seksjon/entries",
        "/sammendrag",
        "/arkivutskrift",
        "/familieversjon",
        "/arkiv",
        f"/moter/{meeting.id}",
        f"/moter/{meeting.id}/les-hoyt",
        f"/moter/{meeting.id}/invitasjon",
        f"/moter/{meeting.id}/invitasjon.ics",
    ):
        response = new.get(f"/logger/{log.id}{path}")
        assert response.status_code == 409, path
        assert CONCERN not in body(response) and ENTRY not in body(response) and PLACE not in body(response), path
    # the new unit's leader may not print the archive copy of a log the consent never let the unit read
    leader = auth.persona("other_unit_leader")
    for path in ("/arkivutskrift", "/arkiv"):
        response = leader.get(f"/logger/{log.id}{path}")
        assert response.status_code == 409 and CONCERN not in body(response), path
    # what follows from closing stays open to them: the deletion page shows no content
    assert leader.get(f"/logger/{log.id}/slett").status_code == 200

    # the family agrees after all: the holder reopens, uploads a consent naming the school, and reads
    new = auth.login_as("kontaktlaerer")
    assert new.post(f"/logger/{log.id}/gjenapne").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT
    assert ENTRY not in body(new.get(f"/logger/{log.id}"))
    a_consent(Log.get_by_id(log.id), by="kontaktlaerer")
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert ENTRY in body(new.get(f"/logger/{log.id}"))


def test_the_holder_within_the_scope_still_reads_the_closed_log(auth, db_conn):
    log = a_log()
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/avslutt", data={"reason": "needs_met", "keep": "no"}).status_code == 303
    assert ENTRY in body(holder.get(f"/logger/{log.id}"))
    assert ENTRY in body(auth.persona("participant").get(f"/logger/{log.id}"))
    assert auth.persona("unit_leader").get(f"/logger/{log.id}/arkivutskrift").status_code == 200


def test_after_the_family_withdraws_consent_only_the_holder_and_the_unit_leader_read(auth, db_conn):
    log = a_log()
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    meeting = a_meeting(log)
    assert auth.persona("guardian").post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"}).status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED

    participant = auth.persona("participant")
    page = participant.get(f"/logger/{log.id}")
    assert page.status_code == 200 and ENTRY not in body(page) and CONCERN not in body(page)
    assert "Familien har trukket tilbake samtykket" in body(page)
    assert "Trukket tilbake" in body(page)  # the consent fact says so, instead of «Mangler»
    # nor the family's phone and e-mail: they are the log's people, not the participant's now
    assert "911 00 000" not in body(page) and "mor@example.no" not in body(page)
    events = AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.user_id == user("aktor").id)
    read_before = events.count()
    for path in ("/seksjon/entries", "/sammendrag", f"/moter/{meeting.id}", f"/moter/{meeting.id}/les-hoyt"):
        response = participant.get(f"/logger/{log.id}{path}")
        assert response.status_code == 409 and ENTRY not in body(response) and PLACE not in body(response), path
    # refused, they read nothing: the family's access history does not say they read the log
    assert events.count() == read_before

    from bench.run import counting
    from stafettlogg.db import db

    with counting(db) as counter:
        participant.get(f"/logger/{log.id}")
    assert not [sql for sql, _params in counter["sql"] if 'FROM "entry"' in sql]  # the sections are not even read

    holders_page = body(auth.persona("holder").get(f"/logger/{log.id}"))
    assert ENTRY in holders_page and "911 00 000" in holders_page
    printout = auth.persona("unit_leader").get(f"/logger/{log.id}/arkivutskrift")
    assert printout.status_code == 200 and CONCERN in body(printout)
    # the family still reads their own log
    assert CONCERN in body(auth.persona("guardian").get(f"/mine/{log.id}"))


def test_readable_by_asks_the_last_consent_of_an_ended_log(app, db_conn):
    log = a_log()
    with app.test_request_context():
        Log.update(status=LogStatus.CLOSED).where(Log.id == log.id).execute()
        log = Log.get_by_id(log.id)
        assert states.readable_by(user("aktor"), log)
        assert not states.readable_by(user("kontaktlaerer"), log)  # Sørbyen skole: not named
        assert not states.content_readable_by(user("stafettholder"), Log(id=log.id, status=LogStatus.DRAFT))
    with app.test_request_context():
        Consent.update(withdrawn_at=utcnow()).where(Consent.log == log.id).execute()
        assert not states.readable_by(user("aktor"), log)
        assert states.readable_by(user("stafettholder"), log)
        assert states.readable_by(user("enhetsleder"), log)
    with app.test_request_context():
        Consent.delete().where(Consent.log == log.id).execute()  # closed before any consent
        assert not states.readable_by(user("stafettholder"), log)


@pytest.mark.parametrize("how", ["reopened", "taken_over"])
def test_no_route_shows_a_drafts_earlier_content(app, auth, db_conn, how):
    """Every GET route on a log, walked as the holder and the participant of a log that
    held content and is a draft again: none shows it; every route that is not named as
    showing no content (states.WITHOUT_CONTENT) is refused."""
    log = a_log()
    values = url_values(app, log)
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    Log.update(status=LogStatus.DRAFT).where(Log.id == log.id).execute()
    if how == "taken_over":
        log = moved_to_sorbyen(log)
    holder = auth.login_as(Log.get_by_id(log.id).holder.username)
    participant = auth.persona("participant")
    walked = 0
    for rule in app.url_map.iter_rules():
        if (
            "log_id" not in rule.arguments
            or "GET" not in rule.methods
            or rule.endpoint.startswith("guardian.")
            and (rule.rule.startswith("/mine/"))
        ):
            continue
        path = rule.build(values, append_unknown=False)[1]
        for client in (holder, participant):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(path, headers=headers)
                text = body(response)
                assert CONCERN not in text and ENTRY not in text and PLACE not in text, (path, headers)
                assert "Barnet hoppet tau" not in text, path
                if rule.endpoint not in states.WITHOUT_CONTENT:
                    assert response.status_code in (403, 404, 409), (path, response.status_code)
        walked += 1
    assert walked >= 20


def test_the_sets_of_routes_name_real_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for name in ("OPEN_OUTSIDE_SCOPE", "HANDING_OVER", "WITHOUT_CONTENT", "OPEN_WHILE_WAITING"):
        assert getattr(states, name) <= endpoints, name
    assert states.OPEN_OUTSIDE_SCOPE | states.HANDING_OVER <= states.WITHOUT_CONTENT
