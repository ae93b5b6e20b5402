"""Consent as the gate (seed 001): an active log takes writes only while its consent on
file is valid and covers the holder's unit and the participants' services. An expired
consent puts it in the derived state "Venter på nytt samtykke"; a new consent reopens it.
Reminders 30 and 7 days before expiry; a handover out of the consent's scope waits for a
consent covering the new unit; a youth of 16 consents alone."""

import datetime as dt

import pytest
from peewee import fn

from stafettlogg.access import ACCESS
from stafettlogg.dates import local_today
from stafettlogg.logs import states
from stafettlogg.logs.domain import LogError
from stafettlogg.models import (
    AuditEvent,
    Concern,
    Consent,
    Guardian,
    Handover,
    Highlight,
    Log,
    LogStatus,
    Notification,
    OutboxEmail,
    Participant,
    Unit,
)
from tests.conftest import a_consent, a_log, consent_form, url_values, user

pytestmark = pytest.mark.db


@pytest.fixture
def ctx_request(app, db_conn):
    with app.test_request_context():
        yield


@pytest.fixture
def log(app):
    """A log like the seed's: the nurse and the PP adviser take part, so the consent
    names Nordbyen skole, health and PPT."""
    return a_log(participants=("aktor", "ppt"))


def expire(log, days_ago: int = 1) -> None:
    Consent.update(expires_on=local_today() - dt.timedelta(days=days_ago)).where(Consent.log == log).execute()


def consent_expires_in(log, days: int) -> None:
    Consent.update(expires_on=local_today() + dt.timedelta(days=days)).where(Consent.log == log).execute()


def content_counts(log) -> dict:
    log = Log.get_by_id(log.id)
    rows = ("concerns", "highlights", "measures", "meetings", "participants", "guardians", "consents", "handovers")
    return {name: getattr(log, name).count() for name in rows} | {"version": log.version, "status": log.status}


def log_post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and "log_id" in rule.arguments:
            yield rule


# ------------------------------------------------------------------ the table


def test_the_waiting_state_is_declared_in_the_table():
    """Derived, never stored; the routes left open while waiting are real POST routes."""
    assert states.WAITING not in LogStatus.ALL
    assert states.STORED[states.WAITING] == LogStatus.ACTIVE
    assert states.WAITING in states.TRANSITIONS["renew_consent"].sources
    assert states.WAITING not in states.TRANSITIONS["hand_over"].sources
    assert set(ACCESS) >= states.OPEN_WHILE_WAITING
    assert "logs.consent_upload" in states.OPEN_WHILE_WAITING


def test_every_write_route_is_refused_while_waiting_except_the_few_the_table_names(app, auth, db_conn, log):
    """Finding 4: iterate over every POST route on a log; on a log whose consent ran out
    each one is refused with the reason, nothing changes, except the routes the table
    leaves open. A new write route that forgets the gate fails here."""
    values = url_values(app, log)  # rows of this log, made while its consent holds
    expire(log)
    before = content_counts(log)
    checked = []
    for rule in log_post_routes(app):
        allowed_roles = ACCESS[rule.endpoint].split()
        persona = next((p for p in ("holder", "participant") if p in allowed_roles), None)
        if persona is None or rule.endpoint in states.OPEN_WHILE_WAITING:
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        client = auth.persona(persona)
        response = client.post(url, data={"name": "Ny", "body": "Skrevet etter utløp", "title": "x"})
        assert response.status_code == 409, (rule.endpoint, response.status_code)
        assert "Samtykket gikk ut" in response.get_data(as_text=True), rule.endpoint
        htmx = client.post(url, data={}, headers={"HX-Request": "true"})
        assert htmx.status_code == 409 and htmx.headers["HX-Redirect"] == f"/logger/{log.id}", rule.endpoint
        checked.append(rule.endpoint)
    assert content_counts(log) == before
    assert {"logs.item_create", "meetings.save", "logs.participant_add", "handover.propose"} <= set(checked)
    assert len(checked) >= 20


def test_reading_goes_on_while_waiting_and_the_page_says_why(auth, db_conn, log):
    expire(log, 40)
    for persona in ("holder", "participant"):
        page = auth.persona(persona).get(f"/logger/{log.id}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Venter på nytt samtykke" in html
        assert Concern.get(Concern.log == log).title in html  # still readable
        assert f'action="/logger/{log.id}/seksjon/highlights"' not in html  # no write forms
    assert "Last opp nytt samtykke" in auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    guardian = auth.persona("guardian").get(f"/mine/{log.id}")
    assert guardian.status_code == 200


def test_the_refusal_is_in_the_readers_language(auth, db_conn, log):
    expire(log)
    client = auth.persona("holder")
    client.set_cookie("lang", "nn")
    response = client.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Hei"})
    assert response.status_code == 409
    assert "Samtykket gjekk ut" in response.get_data(as_text=True)


def test_domain_functions_refuse_too(ctx_request, db_conn, log):
    from stafettlogg.logs import domain
    from stafettlogg.logs import sections as sec

    expire(log)
    log = Log.get_by_id(log.id)
    with pytest.raises(LogError) as error:
        sec.create_item(user("stafettholder"), log, sec.SECTIONS["highlights"], {"body": "Hei"})
    assert error.value.code == states.WAITING
    with pytest.raises(LogError):
        domain.add_guardian(user("stafettholder"), log, name="Ola", relation="far", phone="999", email="")
    assert "hand_over" not in states.allowed_actions(user("stafettholder"), log)
    assert {"renew_consent", "close"} <= states.allowed_actions(user("stafettholder"), log)


def test_a_new_consent_reopens_the_log(auth, db_conn, log):
    expire(log)
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Før"}).status_code == 409
    response = holder.post(f"/logger/{log.id}/samtykke", data=consent_form(), content_type="multipart/form-data")
    assert response.status_code == 303
    assert states.state_of(Log.get_by_id(log.id)) == LogStatus.ACTIVE
    assert holder.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Etter"}).status_code in (200, 303)
    assert Highlight.select().where(Highlight.log == log, Highlight.body == "Etter").exists()
    page = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Venter på nytt samtykke" not in page


def test_start_page_shows_the_waiting_state(auth, db_conn, log):
    expire(log, 3)
    html = auth.persona("holder").get("/").get_data(as_text=True)
    assert "Venter på nytt samtykke" in html
    assert f'href="/logger/{log.id}/samtykke"' in html


def test_the_unit_overview_shows_the_waiting_state(auth, db_conn, log):
    nordbyen = Log.get_by_id(log.id).unit_id
    url = f"/enheter/{nordbyen}/oversikt"
    assert "Venter på nytt samtykke" not in auth.persona("unit_leader").get(url).get_data(as_text=True)
    expire(log)
    html = auth.persona("unit_leader").get(url).get_data(as_text=True)
    assert "Venter på nytt samtykke" in html


def test_a_consent_must_cover_the_participants_services(auth, db_conn, log):
    holder = auth.persona("holder")
    response = holder.post(
        f"/logger/{log.id}/samtykke", data=consent_form(services=[]), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "der deltakeren" in response.get_data(as_text=True)
    assert Consent.select().where(Consent.log == log).count() == 1


# ------------------------------------------------------------------ reminders


def test_reminders_30_and_7_days_before_and_at_expiry_each_once(app, db_conn, log):
    from stafettlogg.reminders import consent_reminders

    leader, holder = user("enhetsleder"), user("stafettholder")
    expires = local_today() + dt.timedelta(days=30)
    Consent.update(expires_on=expires).where(Consent.log == log).execute()
    mails_before = OutboxEmail.select().where(OutboxEmail.to.in_([leader.email, holder.email])).count()

    def notices(kind):
        return list(Notification.select().where(Notification.kind == kind, Notification.log_id == log))

    with app.test_request_context():
        assert consent_reminders(local_today()) == 2
        assert consent_reminders(local_today()) == 0  # idempotent
        assert consent_reminders(local_today() + dt.timedelta(days=10)) == 0  # nothing new between
        assert {n.user_id for n in notices("consent_expiring")} == {leader.id, holder.id}
        assert consent_reminders(expires - dt.timedelta(days=7)) == 2
        assert consent_reminders(expires - dt.timedelta(days=6)) == 0
        assert len(notices("consent_expiring")) == 4
        assert consent_reminders(expires + dt.timedelta(days=1)) == 2
        assert consent_reminders(expires + dt.timedelta(days=2)) == 0
    assert len(notices("consent_expired")) == 2
    assert AuditEvent.select().where(AuditEvent.action == "consent_expired", AuditEvent.log_id == log).count() == 1
    # the e-mails are queued, without the child's name, and rendered in the reader's language
    mails = OutboxEmail.select().where(OutboxEmail.to.in_([leader.email, holder.email])).count()
    assert mails - mails_before == 6
    text = notices("consent_expiring")[0].text
    assert f"stafettlogg nr. {log.id}" in text and log.subject.name.split()[0] not in text


def test_a_consent_that_ran_out_is_written_to_the_history_once_however_many_runs_overlap(
    app, db_conn, log, monkeypatch
):
    """Two app servers' timers run the reminders at once: the second run writes the
    consent's «Samtykket gikk ut» between the first run's look for it and the first run's
    own write. The history still holds one event (a unique index; the write inserts or
    ignores), and each person is told once."""
    import threading

    from stafettlogg import audit
    from stafettlogg.db import db
    from stafettlogg.reminders import consent_reminders

    expires = local_today() - dt.timedelta(days=1)
    Consent.update(expires_on=expires).where(Consent.log == log).execute()
    actor, raced = audit._actor, []

    def other_server_runs_now(user):  # asked as this run writes its event, after any look for it
        if not raced:
            raced.append(True)

            def run():
                with app.test_request_context(), db.connection_context():
                    consent_reminders(local_today())

            other = threading.Thread(target=run)
            other.start()
            other.join()
        return actor(user)

    monkeypatch.setattr(audit, "_actor", other_server_runs_now)
    with app.test_request_context():
        consent_reminders(local_today())
        consent_reminders(local_today())  # and a third run, the next minute
    assert raced
    events = AuditEvent.select().where(AuditEvent.action == "consent_expired", AuditEvent.log_id == log.id)
    assert events.count() == 1
    told = Notification.select().where(Notification.kind == "consent_expired", Notification.log_id == log.id)
    assert sorted(n.user_id for n in told) == sorted({user("stafettholder").id, user("enhetsleder").id})


def test_a_run_reads_the_waiting_logs_in_a_few_queries_however_many_wait(app, db_conn):
    """Every log waiting for a new consent has its consent run out, and each day's run
    reads them all again: in the same few queries for one such log as for four (no query
    per consent), telling only the people of the log whose consent ran out since, once,
    with its «Samtykket gikk ut» written to the history once. A consent in force that is
    not the log's current one (a newer one is) is no one's concern."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.reminders import consent_reminders

    today = local_today()

    def run_out(log) -> None:
        Consent.update(expires_on=today - dt.timedelta(days=1)).where(Consent.log == log).execute()

    def told(log) -> list:
        return sorted(n.user_id for n in Notification.select().where(Notification.log_id == log.id))

    def waiting_log():
        log = a_log()
        run_out(log)
        return log

    older = a_log()  # its first consent still in force beside the newer one, and run out
    a_consent(older, expires_on=today + dt.timedelta(days=200))
    Consent.update(replaced_at=None, expires_on=today - dt.timedelta(days=1)).where(
        Consent.log == older, Consent.id == Consent.select(fn.MIN(Consent.id)).where(Consent.log == older)
    ).execute()
    people = sorted({user("stafettholder").id, user("enhetsleder").id})
    waiting = [waiting_log()]
    with app.test_request_context():
        assert consent_reminders(today) == 2
        runs = {}
        for more in (0, 3):
            waiting += [waiting_log() for _n in range(more)]
            consent_reminders(today)  # those that ran out before today's
            waiting.append(waiting_log())
            with counting(db) as runs[len(waiting)]:
                assert consent_reminders(today) == 2
        with counting(db) as nothing_new:
            assert consent_reminders(today) == 0
    assert len(runs[6]["sql"]) == len(runs[2]["sql"])
    assert not [sql for sql, _params in nothing_new["sql"] if not sql.lstrip().upper().startswith("SELECT")]
    assert len(nothing_new["sql"]) <= 4
    for log in waiting:
        assert told(log) == people
        events = AuditEvent.select().where(AuditEvent.action == "consent_expired", AuditEvent.log_id == log.id)
        assert events.count() == 1
    assert told(older) == []


def test_send_reminders_cli_runs_twice_sends_once(app, db_conn, log):
    consent_expires_in(log, 7)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "om samtykker: 2." in first.output
    assert "om samtykker: 0." in second.output


def test_a_reminder_reads_in_nynorsk_for_a_nynorsk_reader(app, db_conn, log):
    from stafettlogg.notify import loads
    from stafettlogg.reminders import consent_reminders

    consent_expires_in(log, 5)
    with app.test_request_context():
        consent_reminders(local_today())
    note = Notification.get(Notification.kind == "consent_expiring", Notification.user == user("stafettholder"))
    assert "Avtal et nytt samtykke" in loads(note.message).render("nb")
    assert "Avtal eit nytt samtykke" in loads(note.message).render("nn")


# ------------------------------------------------------------------ handover out of scope


def test_handover_outside_the_consents_scope_waits_for_a_consent_covering_the_new_unit(auth, db_conn, log):
    """Finding 5: the consent covers Nordbyen skole, health and PPT; a handover to a
    teacher at Sørbyen skole is allowed, says so up front, and the log opens to him only
    after he uploads a consent covering his school."""
    jonas = user("kontaktlaerer")
    assert not states.covers(Log.get_by_id(log.id), jonas.unit)
    assert states.covers(Log.get_by_id(log.id), user("stafettholder").unit)
    holder = auth.persona("holder")
    search = holder.get(f"/logger/{log.id}/stafettholder/sok?q=Jonas", headers={"HX-Request": "true"})
    assert "Samtykket omfatter ikke" in search.get_data(as_text=True)
    assert holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": jonas.id}).status_code == 303
    handover = Handover.get(Handover.log == log, Handover.status == "pending")
    new = auth.login_as("kontaktlaerer")
    proposal = new.get(f"/stafettholder/{handover.id}").get_data(as_text=True)
    assert "Samtykket familien har gitt, omfatter ikke" in proposal
    assert new.post(f"/stafettholder/{handover.id}/godta").status_code == 303

    log = Log.get_by_id(log.id)
    assert log.holder_id == jonas.id and states.state_of(log) == states.WAITING
    concern = Concern.get(Concern.log == log).title
    page = new.get(f"/logger/{log.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert concern not in html and "Last opp nytt samtykke" in html
    assert "Samtykket omfatter ikke" in html
    for path in ("/seksjon/concerns", "/sammendrag", "/stafettholder", "/opplysninger"):
        assert new.get(f"/logger/{log.id}{path}").status_code == 409, path
    assert "Last opp samtykke for" in new.get("/").get_data(as_text=True)
    # the former holder, now a participant at a unit the consent covers, still reads
    assert concern in auth.login_as("stafettholder").get(f"/logger/{log.id}").get_data(as_text=True)

    # the family's new consent names Sørbyen skole, health and PPT, not the former school:
    # refused while the former holder takes part; the new holder removes her, then uploads
    new = auth.login_as("kontaktlaerer")
    without_old_school = consent_form(services=["kind:helsestasjon", "kind:ppt"])
    response = new.post(f"/logger/{log.id}/samtykke", data=without_old_school, content_type="multipart/form-data")
    assert response.status_code == 422 and "der deltakeren Kari Ottesen" in response.get_data(as_text=True)
    former = Participant.get(Participant.log == log, Participant.user == user("stafettholder"))
    assert new.post(f"/logger/{log.id}/deltakere/{former.id}/fjern").status_code == 303
    response = new.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=["kind:helsestasjon", "kind:ppt"]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert Consent.get(Consent.log == log, Consent.replaced_at.is_null()).unit_id == jonas.unit_id
    assert states.state_of(Log.get_by_id(log.id)) == LogStatus.ACTIVE
    assert concern in new.get(f"/logger/{log.id}").get_data(as_text=True)


def test_a_new_holder_outside_the_scope_may_close_when_the_family_will_not_consent(auth, db_conn, log):
    jonas = user("kontaktlaerer")
    Log.update(holder=jonas, unit=jonas.unit_id).where(Log.id == log).execute()
    new = auth.login_as("kontaktlaerer")
    form = new.get(f"/logger/{log.id}/avslutt")
    assert form.status_code == 200 and Concern.get(Concern.log == log).title not in form.get_data(as_text=True)
    assert new.get(f"/logger/{log.id}/familieversjon").status_code == 409
    # the gate lets the close form through (what closing asks is the close form's own business)
    response = new.post(f"/logger/{log.id}/avslutt", data={"reason": "other", "keep": ""})
    assert response.status_code != 409, response.get_data(as_text=True)


def test_a_consent_naming_the_new_unit_opens_the_log_at_once(auth, db_conn, log):
    jonas = user("kontaktlaerer")
    Consent.update(services=Consent.services.concat(f",unit:{jonas.unit_id}")).where(Consent.log == log).execute()
    holder = auth.persona("holder")
    holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": jonas.id})
    handover = Handover.get(Handover.log == log, Handover.status == "pending")
    new = auth.login_as("kontaktlaerer")
    assert "omfatter ikke" not in new.get(f"/stafettholder/{handover.id}").get_data(as_text=True)
    new.post(f"/stafettholder/{handover.id}/godta")
    assert states.state_of(Log.get_by_id(log.id)) == LogStatus.ACTIVE


def test_covers_asks_the_consents_own_unit_not_the_logs_current_one(db_conn, log):
    consent = Consent.get(Consent.log == log)
    nordbyen = Unit.get_by_id(consent.unit_id)
    sorbyen = user("kontaktlaerer").unit
    assert states.consent_covers_unit(consent, nordbyen)
    assert not states.consent_covers_unit(consent, sorbyen)
    assert not states.consent_covers_unit(None, nordbyen)
    Log.update(unit=sorbyen).where(Log.id == log).execute()  # moved without a new consent
    assert states.consent_gap(Log.get_by_id(log.id))[0] == states.GAP_HOLDER_UNIT


# ------------------------------------------------------------------ a youth who consents alone


YOUTH = {
    "kind": "ungdom",
    "name": "Sara Testesen",
    "class_group": "VG1",
    "level": "1",
    "concern_title": "Sara har mye fravær",
    "concern_body": "",
}


def _birth(years: int) -> str:
    return (local_today() - dt.timedelta(days=365 * years + 10)).isoformat()  # some days past the birthday


def test_a_youth_of_16_can_have_a_log_without_guardians_and_consent_alone(auth, db_conn):
    """Seed 001: from 16 (the CONSENT_AGE setting) the youth is the only consenting party."""
    holder = auth.persona("holder")
    younger = holder.post("/logger/ny", data=dict(YOUTH, birth_date=_birth(15)))
    assert younger.status_code == 422 and "minst én foresatt" in younger.get_data(as_text=True)
    response = holder.post("/logger/ny", data=dict(YOUTH, birth_date=_birth(17)))
    assert response.status_code == 303
    log = Log.select().order_by(Log.id.desc()).get()
    assert Guardian.select().where(Guardian.log == log).count() == 0
    form = holder.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    assert 'value="youth" checked' in form
    as_guardian = holder.post(
        f"/logger/{log.id}/samtykke", data=consent_form(services=[]), content_type="multipart/form-data"
    )
    assert as_guardian.status_code == 422 and "ingen foresatte" in as_guardian.get_data(as_text=True)
    by_youth = holder.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=[], given_by="youth", given_by_name="Sara Testesen", relation=""),
        content_type="multipart/form-data",
    )
    assert by_youth.status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE
    assert Consent.get(Consent.log == log).given_by == "youth"


def test_the_gaps_of_many_logs_are_the_gaps_of_each(db_conn, monkeypatch):
    """consent_gaps reads a window of logs by prepared reads of at most Prepared.MAX_IDS
    ids (Prepared.rows_in_parts); a longer list is read in parts, with the same answer as
    one log at a time."""
    from stafettlogg.db import Prepared

    logs = [a_log(participants=("aktor", "ppt")) for _n in range(5)]
    expire(logs[1])
    Consent.update(withdrawn_at=dt.datetime.now()).where(Consent.log == logs[3]).execute()
    logs = [Log.get_by_id(log.id) for log in logs]
    one_by_one = {}
    for log in logs:
        one_by_one.update(states.consent_gaps([log]))
    monkeypatch.setattr(Prepared, "MAX_IDS", 2)
    gaps = states.consent_gaps(logs)
    assert gaps == one_by_one
    assert {gap for gap, _detail in gaps.values()} == {states.GAP_EXPIRED, states.GAP_MISSING}


def test_many_logs_name_the_same_participant_outside_the_consent_as_the_log_page(db_conn):
    """A consent that leaves out two participants' units: the list's read (the start page,
    the overviews) names the first of them by name, as the log's own check does."""
    logs = [a_log(participants=("aktor", "ppt")) for _n in range(3)]
    Consent.update(services="").where(Consent.log.in_([log.id for log in logs[:2]])).execute()
    logs = [Log.get_by_id(log.id) for log in logs]
    gaps = states.consent_gaps(logs)
    assert set(gaps) == {logs[0].id, logs[1].id}
    names = sorted(user(name).name for name in ("aktor", "ppt"))
    for log in logs[:2]:
        gap, who = gaps[log.id]
        single = states._single_gap(Log.get_by_id(log.id))
        assert (gap, who.name) == (states.GAP_PARTICIPANT, names[0]) == (single[0], single[1].name)


def test_the_consent_page_of_a_waiting_log_says_why_the_consent_on_file_does_not_do(auth, db_conn, log):
    holder = auth.persona("holder")
    assert "Samtykket som gjelder nå" in holder.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    expire(log)
    page = holder.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    assert "Samtykket på fil" in page and "Samtykket gikk ut" in page and "Samtykket som gjelder nå" not in page


def test_the_handover_page_of_a_log_waiting_for_consent_says_why_not_that_it_has_ended(auth, db_conn, log):
    expire(log)
    html = auth.persona("holder").get(f"/logger/{log.id}/stafettholder").get_data(as_text=True)
    assert "Stafettloggen er avsluttet" not in html
    assert "Samtykket gikk ut" in html and "Send forslag" not in html


def test_a_consent_that_has_already_run_out_is_refused_and_the_one_in_force_stays(auth, db_conn, log):
    """A mistyped year in the expiry date must not replace the consent in force with one
    that has run out (the log would stop taking writes at once)."""
    in_force = states.current_consent(Log.get_by_id(log.id))
    form = consent_form(
        consent_date=(local_today() - dt.timedelta(days=30)).isoformat(),
        expires_on=(local_today() - dt.timedelta(days=1)).isoformat(),
        given_by_name="Fatima Skrivefeil",
    )
    response = auth.persona("holder").post(f"/logger/{log.id}/samtykke", data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Utløpsdatoen har allerede vært" in html and "Fatima Skrivefeil" in html
    assert states.current_consent(Log.get_by_id(log.id)).id == in_force.id
    assert states.state_of(Log.get_by_id(log.id)) == LogStatus.ACTIVE


@pytest.mark.parametrize("why", ["expired", "new_unit"])
def test_a_guardian_is_removed_also_while_the_log_waits_for_a_consent(auth, db_conn, log, why):
    """Removing a guardian (parental responsibility ended, a child moved to a protected
    address) only narrows who sees the log, like removing a participant: also while the
    log waits for a new consent, and by a new holder the consent does not cover yet. The
    guardian no longer sees the log, nor the new unit and holder on its page."""
    holder = "holder"
    if why == "expired":
        expire(log)
    else:
        jonas = user("kontaktlaerer")
        Log.update(holder=jonas, unit=jonas.unit_id).where(Log.id == log).execute()
        holder = "other_unit_staff"
    assert states.state_of(Log.get_by_id(log.id)) == states.WAITING
    mother = Guardian.get(Guardian.log == log, Guardian.user == user("foresatt"))
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 200
    client = auth.persona(holder)
    assert f"/foresatte/{mother.id}/fjern" in client.get(f"/logger/{log.id}").get_data(as_text=True)
    response = client.post(f"/logger/{log.id}/foresatte/{mother.id}/fjern")
    assert response.status_code == 303, response.status_code
    assert not Guardian.select().where(Guardian.id == mother.id).exists()
    assert AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action == "guardian_removed").exists()
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 404


def test_a_consent_must_cover_the_holders_own_unit_when_the_log_is_for_another(auth, db_conn):
    """A holder may make a log for the child's unit elsewhere (a nurse for a school): a
    consent naming only that unit would leave the holder unable to read the log they hold,
    under a log shown as active. The upload says so and stores nothing."""
    from tests.conftest import NEW_CHILD

    school = user("kontaktlaerer").unit
    own = user("stafettholder").unit
    holder = auth.persona("holder")
    holder.post("/logger/ny", data={**NEW_CHILD, "unit_id": str(school.id)})
    log = Log.select().order_by(Log.id.desc()).first()
    assert log.unit_id == school.id and log.holder_id == user("stafettholder").id
    response = holder.post(
        f"/logger/{log.id}/samtykke", data=consent_form(services=[]), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"Samtykket omfatter ikke {own.name}, der du arbeider" in html and "Fatima Hansen" in html
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT and not Consent.select().where(Consent.log == log).exists()
    response = holder.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(services=[f"unit:{own.id}"]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "Lea sover dårlig" in holder.get(f"/logger/{log.id}").get_data(as_text=True)


def test_a_holder_outside_a_consent_on_file_is_told_it_does_not_cover_their_unit(auth, db_conn):
    """A log made for another unit before the upload checked the holder's own unit: the
    refusal names the unit, not «no valid consent»."""
    from tests.conftest import NEW_CHILD

    school = user("kontaktlaerer").unit
    holder = auth.persona("holder")
    holder.post("/logger/ny", data={**NEW_CHILD, "unit_id": str(school.id)})
    log = Log.select().order_by(Log.id.desc()).first()
    Log.update(status=LogStatus.ACTIVE).where(Log.id == log.id).execute()
    Consent.create(
        log=log,
        file=Consent.get(Consent.id == a_log().consents[0].id).file,
        filename="samtykke.pdf",
        given_by="guardian",
        given_by_name="Siv Testesen",
        consent_date=local_today(),
        unit=school.id,
        uploaded_by=user("stafettholder"),
    )
    html = holder.get(f"/logger/{log.id}/seksjon/concerns").get_data(as_text=True)
    assert f"Du arbeider nå ved {user('stafettholder').unit.name}, og samtykket omfatter ikke den enheten" in html
    assert "Det er ikke noe gyldig samtykke" not in html
