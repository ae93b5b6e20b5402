"""A holder who moved to another unit than the one they held the log from (and not into
the log's own unit) has left it (access.holder_left). A log in use stays with them until
it is handed over (seed 002: «Stafetthaldar held i stafettpinnen til han er motteken og
akseptert av ein ny stafetthaldar»): they keep working in it, and nobody else could. An
ended log (closed, passive) no longer does: the leader of its unit stands in for them
(token stand_in), yet the token holder still let the moved former holder read the
child's ended log, reopen it, answer takeover requests for it and find it on their start
page, though the child is no longer in their unit. A public-health nurse who made a log
for a kindergarten, or a holder who moved into the log's own unit, keeps it.

Tests marked "guard" pass on the code before this rule as well: they pin what must not
change (a log in use stays with its holder)."""

import datetime as dt

import pytest

from stafettlogg import access
from stafettlogg.access import holder_left, log_tokens
from stafettlogg.dates import local_today
from stafettlogg.db import write_transaction
from stafettlogg.handover import domain as ho
from stafettlogg.logs import domain
from stafettlogg.models import (
    Entry,
    Handover,
    Log,
    LogRequest,
    LogStatus,
    Notification,
    Participant,
    Unit,
    User,
    utcnow,
)
from tests.conftest import LOG_HIDDEN, a_log, an_ended_log, an_item, child_form, routes, url_values, user

pytestmark = pytest.mark.db

HOLDER = "stafettholder"  # kontaktlærer at Nordbyen skole


def _move(username: str, unit_id: int) -> None:
    with write_transaction():
        User.update(unit=unit_id).where(User.username == username).execute()


def _sorbyen() -> int:
    return user("kontaktlaerer").unit_id  # another school


def _end(log: Log, status: str = LogStatus.CLOSED) -> Log:
    """The log, closed (or passive) 60 days ago, as an_ended_log makes one."""
    with write_transaction():
        Log.update(status=status, closed_at=utcnow() - dt.timedelta(days=60), close_reason="needs_met").where(
            Log.id == log.id
        ).execute()
    return Log.get_by_id(log.id)


def _hidden(response) -> bool:
    """The answer a log the caller has no role on gets: as for a log that does not exist."""
    return response.status_code == 404 and LOG_HIDDEN in response.get_data(as_text=True)


def _notices(username: str, log: Log, kind: str):
    return Notification.select().where(
        Notification.user == user(username).id, Notification.log_id == log.id, Notification.kind == kind
    )


# ------------------------------------------------------------------ an ended log


@pytest.mark.parametrize("status", [LogStatus.CLOSED, LogStatus.PASSIVE])
def test_a_moved_former_holder_gets_on_every_route_of_an_ended_log_what_someone_not_on_it_gets(
    app, auth, db_conn, status
):
    """Every route of the ended log (pages, fragments, files, the consent and guardian
    pages, every POST) and the takeover request about it answer the former holder who
    moved away as they answer another unit's leader: 404, the child not named, nothing
    changed."""
    values = url_values(app)
    log = _end(Log.get_by_id(values["log_id"]), status)
    _move(HOLDER, _sorbyen())
    versions = (log.version, log.status, Entry.select().count(), Participant.select().count())
    differences = []
    for rule, method in routes(app):
        if not {"log_id", "request_id"} & set(rule.arguments):
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        response = auth.login_as(HOLDER).open(url, method=method, data={})
        stranger = auth.persona("other_unit_leader").open(url, method=method, data={})
        if "log_id" in rule.arguments and not _hidden(response):
            differences.append(f"{method} {url}: {response.status_code}")
        elif response.status_code != stranger.status_code or log.subject.name in response.get_data(as_text=True):
            differences.append(f"{method} {url}: {response.status_code}, another unit's leader {stranger.status_code}")
    assert differences == []
    fresh = Log.get_by_id(log.id)
    assert (fresh.version, fresh.status, Entry.select().count(), Participant.select().count()) == versions
    assert log_tokens(user(HOLDER), fresh) == set()
    assert "stand_in" in log_tokens(user("enhetsleder"), fresh)  # the unit leader stands in


def test_a_moved_former_holder_cannot_reopen_the_ended_log_by_its_national_id(auth, db_conn):
    """The create form's fødselsnummer offered the former holder to reopen the log; one
    who moved away is told what anyone not on it is told, and the request goes to the
    leader of the log's unit."""
    log = an_ended_log(nid9="140316560")
    _move(HOLDER, _sorbyen())
    former = auth.login_as(HOLDER)
    found = former.post("/logger/ny", data=child_form(log))
    assert found.status_code == 409
    assert "/logger/gjenapne" not in found.get_data(as_text=True)
    assert former.post("/logger/gjenapne", data=child_form(log)).status_code == 422
    assert Log.get_by_id(log.id).status == LogStatus.CLOSED
    request = LogRequest.get(LogRequest.log == log.id)
    assert f"/foresporsler/{request.id}" in auth.login_as("enhetsleder").get("/").get_data(as_text=True)


def test_the_unit_leader_may_give_the_ended_log_back_to_its_former_holder_who_moved(auth, db_conn):
    """The former holder who moved asks for the ended log like anyone else; the leader of
    its unit accepted and was refused («… er allerede stafettholder»: the log still named
    her), so nobody could. Now the proposal goes to her, and on her yes the log reopens to
    her as a draft in her new school."""
    log = an_ended_log(nid9="140316570")
    _move(HOLDER, _sorbyen())
    assert auth.login_as(HOLDER).post("/logger/ny", data=child_form(log)).status_code == 409
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.login_as("enhetsleder").post(f"/foresporsler/{request.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert handover.to_user_id == user(HOLDER).id
    assert auth.login_as(HOLDER).post(f"/stafettholder/{handover.id}/godta").status_code == 303
    after = Log.get_by_id(log.id)
    assert (after.status, after.holder_id, after.unit_id) == (LogStatus.DRAFT, user(HOLDER).id, _sorbyen())
    assert "holder" in log_tokens(user(HOLDER), after)
    name = user(HOLDER).name
    page = auth.login_as(HOLDER).get(f"/logger/{log.id}").get_data(as_text=True)
    assert f"{name} fikk loggen tilbake" in page  # the history says what happened,
    assert f"{name} → {name}" not in page  # not a handover from her to herself


def test_a_request_for_an_ended_log_whose_holder_moved_is_the_unit_leaders_not_theirs(auth, db_conn):
    """The closed log's former holder moved to another school: a request for the log is
    the unit leader's to answer (takeover.responsible_for), not hers; she can neither read
    nor answer it, and it is not on her start page."""
    log = an_ended_log(nid9="140316530")
    _move(HOLDER, _sorbyen())
    assert auth.login_as("larer").post("/logger/ny", data=child_form(log)).status_code == 409
    request = LogRequest.get(LogRequest.log == log.id)
    former = auth.login_as(HOLDER)
    assert former.get(f"/foresporsler/{request.id}").status_code == 404
    assert former.post(f"/foresporsler/{request.id}/godta").status_code == 404
    assert former.post(f"/foresporsler/{request.id}/avsla", data={"reason": "Nei"}).status_code == 404
    assert f"/foresporsler/{request.id}" not in former.get("/").get_data(as_text=True)
    assert LogRequest.get_by_id(request.id).status == "pending"
    leader = auth.login_as("enhetsleder")
    assert f"/foresporsler/{request.id}" in leader.get("/").get_data(as_text=True)
    assert leader.post(f"/foresporsler/{request.id}/godta").status_code == 303
    assert leader.post(f"/foresporsler/{request.id}/trekk-tilbake").status_code == 303  # and may take it back
    assert Handover.get(Handover.log == log.id).status == "cancelled"


# ------------------------------------------------------------------ a log in use


def test_guard_the_moved_holder_of_a_log_in_use_still_reads_writes_and_hands_it_over(auth, db_conn):
    """Guard. Seed 002: the holder keeps the baton until a new holder has accepted it, also
    after moving: they read and write in the log, propose a handover and take it back
    (handover.may_withdraw, by the token holder), until someone accepts. (The consent
    here covers schools, so their new one too: otherwise the consent gate keeps the
    content closed until one that does is uploaded, as for any holder.)"""
    log = a_log(services=("kind:skole",))
    _move(HOLDER, _sorbyen())
    holder = auth.login_as(HOLDER)
    page = holder.get(f"/logger/{log.id}")
    assert page.status_code == 200 and log.subject.name in page.get_data(as_text=True)
    before = Entry.select().where(Entry.log == log.id).count()
    entry = {"entry_date": local_today().isoformat(), "body": "Flyttet, men loggen er min til den er overlevert."}
    assert holder.post(f"/logger/{log.id}/seksjon/entries", data=entry).status_code == 303
    assert Entry.select().where(Entry.log == log.id).count() == before + 1
    assert holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert ho.may_withdraw(user(HOLDER), handover, Log.get_by_id(log.id))
    assert holder.post(f"/logger/{log.id}/stafettholder/trekk-tilbake").status_code == 303
    assert Handover.get_by_id(handover.id).status == "cancelled"
    assert "holder" in log_tokens(user(HOLDER), Log.get_by_id(log.id))


def test_the_moved_holder_whom_the_consent_leaves_out_still_hands_the_log_over(auth, db_conn):
    """The consent names Nordbyen skole only, and Kari moved to Sørbyen skole: she reads
    none of the content, but the log is still hers until a new holder accepts it (seed
    002). Handing it over shows no content, so she may: the holder page, the search and
    the proposal were refused «omfatter ikke Sørbyen skole», and only the unit leader
    could move the log on."""
    log = a_log()
    an_item(log, "entries", body="Innhold bare Nordbyen skole skal lese", entry_date=local_today())
    _move(HOLDER, _sorbyen())
    holder = auth.login_as(HOLDER)
    assert holder.get(f"/logger/{log.id}/seksjon/entries").status_code == 409  # no content
    page = holder.get(f"/logger/{log.id}/stafettholder")
    assert page.status_code == 200 and "Innhold bare Nordbyen" not in page.get_data(as_text=True)
    assert holder.get(f"/logger/{log.id}/stafettholder/sok?q=Mari").status_code == 200
    assert holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert auth.login_as("larer").post(f"/stafettholder/{handover.id}/godta").status_code == 303
    assert Log.get_by_id(log.id).holder_id == user("larer").id


def test_guard_the_moved_holder_of_a_log_in_use_answers_a_takeover_request(auth, db_conn):
    """Guard. A request for a log in use goes to its holder, moved or not; the unit leader
    of the log's unit may answer it too (and the holder is then told they are holder until
    the proposal is accepted)."""
    log = a_log(nid9="140316540")
    _move(HOLDER, _sorbyen())
    assert auth.login_as("larer").post("/logger/ny", data=child_form(log)).status_code == 409
    request = LogRequest.get(LogRequest.log == log.id)
    holder = auth.login_as(HOLDER)
    assert f"/foresporsler/{request.id}" in holder.get("/").get_data(as_text=True)
    assert holder.get(f"/foresporsler/{request.id}").status_code == 200
    assert auth.login_as("enhetsleder").post(f"/foresporsler/{request.id}/godta").status_code == 303
    assert _notices(HOLDER, log, "log_request_accepted").exists()
    assert auth.login_as(HOLDER).post(f"/foresporsler/{request.id}/trekk-tilbake").status_code == 303
    assert Handover.get(Handover.log == log.id).status == "cancelled"


def test_guard_the_moved_holder_is_told_they_are_still_holder_when_their_proposal_is_declined(auth, db_conn):
    """Guard. «Du er fortsatt stafettholder» is true of a log in use: it stays theirs."""
    log = a_log()
    holder = auth.login_as(HOLDER)
    assert holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    _move(HOLDER, _sorbyen())
    declined = auth.login_as("larer").post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Har ikke tid."})
    assert declined.status_code == 303
    assert _notices(HOLDER, log, "handover_declined").exists()


def test_a_moved_holder_is_not_kept_on_as_participant_when_their_proposal_is_accepted(auth, db_conn):
    """When someone accepts the proposal the holder made, the role moves; one who moved
    away (the child is no longer in their unit) does not keep reading the log as a
    participant, as a holder who stays does."""
    log = a_log()
    holder = auth.login_as(HOLDER)
    assert holder.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user("larer").id}).status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    _move(HOLDER, _sorbyen())
    assert auth.login_as("larer").post(f"/stafettholder/{handover.id}/godta").status_code == 303
    after = Log.get_by_id(log.id)
    assert after.holder_id == user("larer").id
    assert not Participant.select().where(Participant.log == log.id, Participant.user == user(HOLDER).id).exists()
    assert log_tokens(user(HOLDER), after) == set()
    assert _hidden(auth.login_as(HOLDER).get(f"/logger/{log.id}"))


def test_guard_the_moved_holder_of_a_log_in_use_is_still_offered_as_responsible_for_a_measure(app, db_conn):
    """Guard. They still hold the log, so the people working in it may still give them a
    measure or the talks (sections.responsible_people)."""
    from stafettlogg.logs import sections

    log = a_log(participants=["aktor"])
    _move(HOLDER, _sorbyen())
    with app.test_request_context():
        people = sections.responsible_people(Log.get_by_id(log.id))
    assert user(HOLDER) in people and user("aktor") in people


def test_the_unit_leader_assigns_directly_for_a_holder_who_moved_who_is_not_kept_on(app, db_conn):
    """The leader of the log's unit may make someone else holder of a log in use whose
    holder moved away (as before); the moved holder is no longer kept on as participant."""
    log = a_log()
    _move(HOLDER, _sorbyen())
    with app.test_request_context():
        ho.assign_holder_directly(user("enhetsleder"), Log.get_by_id(log.id), user("larer"), "Kari jobber ved Sørbyen.")
    after = Log.get_by_id(log.id)
    assert after.holder_id == user("larer").id
    assert log_tokens(user(HOLDER), after) == set()


# ------------------------------------------------------------------ start page, nurse, SQL


def test_the_start_page_lists_a_log_in_use_the_moved_holder_holds_but_not_an_ended_one(app, auth, db_conn):
    """The start page's logs (queries.my_log_ids: access.held_by) after moving: the log in
    use is still there, the ended one is not; before moving, both were."""
    from stafettlogg.logs import queries

    in_use, draft, ended = a_log(), a_log(consent=False), an_ended_log()
    passive = an_ended_log(LogStatus.PASSIVE)
    ours = {in_use.id, draft.id, ended.id, passive.id}

    def listed():
        with app.test_request_context():
            ids = {log.id for log in queries.my_logs(user(HOLDER)).items}
        page = auth.login_as(HOLDER).get("/").get_data(as_text=True)
        assert all((f'href="/logger/{i}"' in page) is (i in ids) for i in ours)
        return ids & ours

    assert listed() == ours
    _move(HOLDER, _sorbyen())
    assert listed() == {in_use.id, draft.id}


def _made_for_the_kindergarten(app) -> Log:
    """A draft the public-health nurse (aktor, Helsestasjonen) made for a kindergarten."""
    with app.test_request_context():
        return domain.create_log(
            user("aktor"),
            kind="barn",
            name="Nora Helsestasjonsbarn",
            birth_date=dt.date(2021, 5, 2),
            national_id=None,
            unit=user("styrer").unit,
            class_group="Blåbær",
            level=1,
            concern_title="Spiser lite",
            concern_body="",
            guardians=[{"name": "Mor Nora", "relation": "mor", "phone": "911 00 000", "email": ""}],
        )


def _third_unit(*not_these: int) -> int:
    return Unit.select(Unit.id).where(Unit.id.not_in(list(not_these))).order_by(Unit.id).first().id


CASES = {
    # case: (the unit the nurse is in now, whether she has not left the log she made)
    "moved_away": lambda log, holder: (_third_unit(holder.unit_id, log.unit_id), False),
    "still_at_the_health_station": lambda log, holder: (holder.unit_id, True),
    "moved_into_the_logs_unit": lambda log, holder: (log.unit_id, True),
}


def test_the_nurse_keeps_an_ended_log_exactly_while_she_has_not_left(app, auth, db_conn):
    """The nurse made the log for a kindergarten (the log's unit is not hers): she has not
    left, nor has she when she takes a job at that kindergarten; moved to a third unit she
    has, and the ended log is no longer hers (the draft in use still is). Her page, her
    start page, the token and the SQL (held_by) say the same."""
    for case, where in CASES.items():
        for ended in (True, False):
            log = _made_for_the_kindergarten(app)
            if ended:
                log = _end(log)
            nurse = user("aktor")
            unit_now, stays = where(log, nurse)
            keeps = stays or not ended
            _move("aktor", unit_now)
            log = Log.get_by_id(log.id)
            what = (case, log.status)
            assert holder_left(log, user("aktor")) is not stays, what
            assert ("holder" in log_tokens(user("aktor"), log)) is keeps, what
            assert Log.select().where(Log.id == log.id, access.held_by(nurse.id)).exists() is keeps, what
            client = auth.login_as("aktor")
            page = client.get(f"/logger/{log.id}/avslutt" if ended else f"/logger/{log.id}")
            assert page.status_code == (200 if keeps else 404), what
            assert (f'href="/logger/{log.id}"' in client.get("/").get_data(as_text=True)) is keeps, what
            _move("aktor", nurse.unit_id)  # back to the health station for the next case


def test_the_sql_and_the_python_rule_agree(db_conn):
    """held_by (the start page's logs) is the token holder in SQL: for each state of the
    log, a holder active or not, in the unit they held the log from, the log's unit, a
    third unit or none, with the unit they held it from recorded or not."""
    log = a_log()
    holder = user(HOLDER)
    school, other = holder.unit_id, _sorbyen()
    third = _third_unit(school, other)
    for status in (*LogStatus.OPEN, *LogStatus.ENDED):
        for recorded in (None, other):
            for active in (True, False):
                for unit in (school, other, third, None):
                    with write_transaction():
                        Log.update(holder_unit_id=recorded, status=status).where(Log.id == log.id).execute()
                        User.update(active=active, unit=unit).where(User.id == holder.id).execute()
                    fresh, now = Log.get_by_id(log.id), User.get_by_id(holder.id)
                    held = Log.select().where(Log.id == log.id, access.held_by(holder.id)).exists()
                    assert held is ("holder" in log_tokens(now, fresh)), (status, recorded, active, unit)
                    assert held is (status in LogStatus.OPEN or not holder_left(fresh, now))


def _told(username: str, kind: str, log: Log) -> bool:
    return (
        Notification.select()
        .where(Notification.user == user(username).id, Notification.kind == kind, Notification.log_id == log.id)
        .exists()
    )


def test_what_the_family_does_with_an_ended_log_is_told_to_whoever_looks_after_it(db_conn):
    """The family withdraws its consent (the log closes) or asks for deletion: the holder
    who has moved away no longer holds the ended log, so the leader who stands in is told,
    not them (their notice would lead to a page that answers 404)."""
    from stafettlogg.logs import lifecycle

    withdrawn, deleted = a_log(name="Ida Flytter"), an_ended_log()
    home = user(HOLDER).unit_id
    _move(HOLDER, _sorbyen())
    lifecycle.withdraw_consent(user("foresatt"), Log.get_by_id(withdrawn.id))
    assert _told("enhetsleder", "consent_withdrawn", withdrawn)
    assert not _told(HOLDER, "consent_withdrawn", withdrawn)
    lifecycle.request_deletion(user("foresatt"), Log.get_by_id(deleted.id), "")
    assert _told("enhetsleder", "deletion_requested", deleted)
    assert not _told(HOLDER, "deletion_requested", deleted)
    # the holder who has not moved is told, as before
    _move(HOLDER, home)
    stays = an_ended_log()
    lifecycle.request_deletion(user("foresatt"), Log.get_by_id(stays.id), "")
    assert _told(HOLDER, "deletion_requested", stays) and _told("enhetsleder", "deletion_requested", stays)


def test_a_declined_give_back_does_not_read_as_given_back_in_the_archive_copy(auth, db_conn):
    """The archive copy lists every proposal with its answer: one to give the ended log
    back to its former holder that she declined is not «Kari fikk loggen tilbake: takket
    nei» (she did not get it), nor a handover from her to herself."""
    log = an_ended_log(nid9="140316580")
    _move(HOLDER, _sorbyen())
    assert auth.login_as(HOLDER).post("/logger/ny", data=child_form(log)).status_code == 409
    request = LogRequest.get(LogRequest.log == log.id)
    assert auth.login_as("enhetsleder").post(f"/foresporsler/{request.id}/godta").status_code == 303
    handover = Handover.get(Handover.log == log.id, Handover.status == "pending")
    declined = auth.login_as(HOLDER).post(f"/stafettholder/{handover.id}/avsla", data={"reason": "Nei takk"})
    assert declined.status_code == 303 and Handover.get_by_id(handover.id).status == "declined"
    page = auth.login_as("enhetsleder").get(f"/logger/{log.id}/arkivutskrift")
    html = page.get_data(as_text=True)
    name = user(HOLDER).name
    assert page.status_code == 200
    assert "fikk loggen tilbake" not in html and f"{name} → {name}" not in html
    assert f"Tilbake til {name}: takket nei" in html
