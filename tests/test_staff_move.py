"""«Flytt til en annen enhet»: the leader of a staff member's unit moves the account to
another unit of the municipality (a teacher who changes school) instead of deactivating
it (org.domain.move_staff). Logs in use they hold stay theirs until handed over (seed
002: «Stafetthaldar held i stafettpinnen til han er motteken og akseptert av ein ny
stafetthaldar»); ended logs pass to the old unit's leader standing in; what they read of
a log they take part in is what its consent says of their new unit."""

import datetime as dt

import pytest

from stafettlogg import reminders
from stafettlogg.access import log_tokens
from stafettlogg.dates import local_today
from stafettlogg.db import open_database, write_transaction
from stafettlogg.handover import domain as ho
from stafettlogg.messages import loads
from stafettlogg.models import (
    AuditEvent,
    ChildTalkAgreement,
    Consent,
    Handover,
    ItoDelegation,
    Log,
    LogStatus,
    Notification,
    Participant,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from stafettlogg.org import domain
from tests.conftest import (
    LOG_HIDDEN,
    PERSONAS,
    a_log,
    a_measure,
    a_meeting,
    an_ended_log,
    an_item,
    refused,
    second_waits_for_first,
    user,
)

pytestmark = pytest.mark.db

HOLDER = "stafettholder"  # Kari Ottesen, kontaktlærer at Nordbyen skole
ENTRY = "Samtale med mor om leksene"
REASON = "Kari har begynt på Sørbyen skole i dag, og mor trenger svar denne uken."


def _sorbyen() -> Unit:
    return user("kontaktlaerer").unit


def _nordbyen() -> Unit:
    return user("enhetsleder").unit


def _move(auth, username: str, unit: Unit, **form):
    """POST the move form for `username` as the leader of Nordbyen skole."""
    return _leader_post(auth, f"/ansatte/{user(username).id}/flytt", {"unit_id": str(unit.id), **form})


def _leader_post(auth, url, data):
    return auth.login_as("enhetsleder").post(url, data=data)


def _events(action: str):
    return AuditEvent.select().where(AuditEvent.action == action)


def _notices(username: str, kind: str) -> list[Notification]:
    return list(Notification.select().where(Notification.user == user(username).id, Notification.kind == kind))


def _body(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ the move


def test_the_unit_leader_moves_a_teacher_to_another_school(auth, db_conn):
    """The account changes unit; audited with where from and to; the person and the new
    unit's leader are told, each in their own language (a stored message key)."""
    mari = user("larer")
    r = _move(auth, "larer", _sorbyen())
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/enheter/{_nordbyen().id}")
    assert user("larer").unit_id == _sorbyen().id and user("larer").active
    moved = _events("staff_moved").get()
    assert (moved.object_id, moved.user_id, moved.actor_unit_id) == (mari.id, user("enhetsleder").id, _nordbyen().id)
    assert _events("staff_moved_from").get().object_id == _nordbyen().id
    assert _events("staff_moved_to").get().object_id == _sorbyen().id
    (told,) = _notices("larer", "staff_moved")
    assert told.text == "Eva Enhetsleder har flyttet deg fra Nordbyen skole til Sørbyen skole."
    assert loads(told.message).render("nn").startswith("Eva Enhetsleder har flytta deg frå Nordbyen skole")
    (joined,) = _notices("enhetsleder2", "staff_joined")
    assert joined.text == "Mari Lund, Spesialpedagog, er flyttet fra Nordbyen skole til enheten din, Sørbyen skole."
    assert loads(joined.message).render("nn").startswith("Mari Lund, Spesialpedagog, er flytta frå Nordbyen skole")
    assert joined.url == f"/enheter/{_sorbyen().id}"
    assert _notices("enhetsleder", "staff_joined") == []
    # the new unit's leader finds her among their staff, and may change her (she is theirs now)
    leader2 = auth.login_as("enhetsleder2")
    assert "Mari Lund" in _body(leader2.get(f"/enheter/{_sorbyen().id}"))
    assert leader2.get(f"/ansatte/{mari.id}").status_code == 200
    assert auth.login_as("enhetsleder").get(f"/ansatte/{mari.id}").status_code == 403


def test_the_move_ends_the_ito_coordinator_task_of_the_old_unit(auth, db_conn):
    ito = user("ito")
    assert _move(auth, "ito", _sorbyen()).status_code == 303
    assert ItoDelegation.get(ItoDelegation.user == ito.id).revoked_at is not None
    assert _events("ito_revoked").where(AuditEvent.object_id == ito.id).exists()
    assert auth.login_as("ito").get(f"/enheter/{_nordbyen().id}/oversikt").status_code in (403, 404)


def test_the_staff_edit_page_offers_the_move_and_the_move_page_lists_the_logs_held(auth, db_conn):
    """The edit page links to the move; the move page names each log in use the person
    holds (a read of each, audited), offers to keep it with them or to choose a new
    holder, and says what keeping it means."""
    log = a_log()
    leader = auth.login_as("enhetsleder")
    kari = user(HOLDER)
    assert f"/ansatte/{kari.id}/flytt" in _body(leader.get(f"/ansatte/{kari.id}"))
    page = leader.get(f"/ansatte/{kari.id}/flytt")
    html = _body(page)
    assert page.status_code == 200
    assert log.subject.name in html and "Behold hos Kari Ottesen" in html
    assert "Stafettholderen beholder stafettloggen til en ny stafettholder har tatt imot den." in html
    assert "Sørbyen skole (Oppvekst)" in html and "Nordbyen skole (Oppvekst)" not in html
    read = _events("view:org.staff_move").where(AuditEvent.log_id == log.id).get()
    assert (read.user_id, read.object_id) == (user("enhetsleder").id, kari.id)
    # a unit leader is replaced by appointing: no move offered for them
    leader_id = user("enhetsleder").id
    assert f"/ansatte/{leader_id}/flytt" not in _body(leader.get(f"/ansatte/{leader_id}"))


def test_logs_in_use_stay_with_the_moved_holder_until_handed_over(auth, db_conn):
    """Seed 002: left with her, the log in use is still hers in her new school: she reads
    and writes it (its consent names schools); nobody else became holder."""
    log = a_log(services=("kind:skole",))
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    fresh = Log.get_by_id(log.id)
    assert fresh.holder_id == user(HOLDER).id and fresh.unit_id == _nordbyen().id
    assert "holder" in log_tokens(user(HOLDER), fresh)
    kari = auth.login_as(HOLDER)
    assert ENTRY in _body(kari.get(f"/logger/{log.id}"))
    assert kari.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Fin dag"}).status_code in (200, 303)
    (told,) = _notices(HOLDER, "staff_moved")
    assert "Du er fortsatt stafettholder for" in told.text


def test_an_ended_log_of_the_moved_holder_passes_to_the_old_unit_leader_standing_in(auth, db_conn):
    ended = an_ended_log()
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    fresh = Log.get_by_id(ended.id)
    assert log_tokens(user(HOLDER), fresh) == set()
    assert "stand_in" in log_tokens(user("enhetsleder"), fresh)
    response = auth.login_as(HOLDER).get(f"/logger/{ended.id}")
    assert response.status_code == 404 and LOG_HIDDEN in _body(response)


def test_the_leader_proposes_a_new_holder_on_the_move(auth, db_conn):
    """A proposal the new holder accepts; until then the moved person keeps the log. The
    history says why (a move, not that she quits)."""
    log = a_log()
    mari = user("larer")
    r = _move(auth, HOLDER, _sorbyen(), **{f"holder_{log.id}": str(mari.id), f"mode_{log.id}": "propose"})
    assert r.status_code == 303, _body(r)
    proposal = Handover.get(Handover.log == log.id, Handover.status == "pending")
    assert proposal.to_user_id == mari.id and Log.get_by_id(log.id).holder_id == user(HOLDER).id
    assert "flytter til en annen enhet" in loads(proposal.system_note).render()
    ho.accept_handover(mari, proposal)
    after = Log.get_by_id(log.id)
    assert after.holder_id == mari.id
    # she moved away: not kept on as a participant of the child's log at her old school
    assert not Participant.select().where(Participant.log == log.id, Participant.user == user(HOLDER).id).exists()


def test_the_leader_assigns_a_new_holder_directly_on_the_move(auth, db_conn):
    log = a_log()
    mari = user("larer")
    form = {f"holder_{log.id}": str(mari.id), f"mode_{log.id}": "direct"}
    refused_ = _move(auth, HOLDER, _sorbyen(), **form)
    assert refused_.status_code == 422 and "Skriv hvorfor" in _body(refused_)
    assert user(HOLDER).unit_id == _nordbyen().id and Log.get_by_id(log.id).holder_id == user(HOLDER).id
    assert f'<option value="{mari.id}" selected>' in _body(refused_)  # the form is kept
    assert _move(auth, HOLDER, _sorbyen(), **form, **{f"reason_{log.id}": REASON}).status_code == 303
    after = Log.get_by_id(log.id)
    assert after.holder_id == mari.id and user(HOLDER).unit_id == _sorbyen().id
    assert not Participant.select().where(Participant.log == log.id, Participant.user == user(HOLDER).id).exists()


def test_a_proposal_to_the_moved_person_for_a_log_of_the_old_unit_is_withdrawn(auth, db_conn):
    """Proposed as the new holder of a child at the school she leaves: withdrawn, and the
    holder told why. Her own proposal for a log she holds stays: it is how she lets go."""
    marie_log = a_log("larer")
    to_her = ho.propose_handover(user("larer"), marie_log, user(HOLDER))
    own = a_log()
    from_her = ho.propose_handover(user(HOLDER), own, user("larer"))
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    assert Handover.get_by_id(to_her.id).status == "cancelled"
    assert Handover.get_by_id(to_her.id).decline_reason == "moved"
    assert Handover.get_by_id(from_her.id).status == "pending"
    told = [n.text for n in _notices("larer", "handover_cancelled")]
    assert any("fordi Kari Ottesen har flyttet til en annen enhet" in t for t in told), told


def _moved_by_another_request_first(auth, monkeypatch, username: str, unit: Unit) -> list:
    """Another connection moves `username` to `unit` (and commits: the move found no
    proposal to withdraw) after this request has read the person and before its handover
    transaction begins: the interleaving of two requests, without waiting on time."""
    other = open_database(auth.app.config["DATABASE_URL"])
    begin = ho.write_transaction
    moved = []

    def move_first():
        if not moved:
            with other.connection_context():
                other.execute(User.update(unit=unit.id).where(User.id == user(username).id))
            moved.append(username)
        return begin()

    monkeypatch.setattr(ho, "write_transaction", move_first)
    return moved


def test_a_proposal_to_someone_moved_meanwhile_is_refused_not_left_after_the_move(auth, db_conn, monkeypatch):
    """The holder proposes Kari (Nordbyen skole) for a child at Nordbyen while her leader
    moves her to Sørbyen skole in another request. The move withdraws every proposal to
    her made before it; a proposal chosen from how she was before the move, inserted
    after it committed, would outlive it. The proposal locks the person first and re-reads
    her: it is refused and nothing waits for her."""
    log = a_log("larer")
    moved = _moved_by_another_request_first(auth, monkeypatch, HOLDER, _sorbyen())
    response = auth.login_as("larer").post(f"/logger/{log.id}/stafettholder", data={"to_user_id": user(HOLDER).id})
    assert moved == [HOLDER] and user(HOLDER).unit_id == _sorbyen().id
    assert not Handover.select().where(Handover.log == log.id, Handover.status == "pending").exists()
    assert response.status_code == 422 and "Kari Ottesen er endret av noen andre" in _body(response)


def test_a_move_that_waits_for_a_proposal_to_the_person_withdraws_it(auth, db_conn, monkeypatch):
    """The other order of the race: the holder's proposal to Mari holds her row when her
    leader moves her to Sørbyen skole. The move waits for the proposal to commit (on
    PostgreSQL for the row lock the proposal took, db.locked; on SQLite for the write
    lock), then withdraws it as made before the move: no proposal to someone who left
    the child's school is left waiting."""
    log = a_log()
    proposed, moved = second_waits_for_first(
        auth.app,
        monkeypatch,
        lambda: ho.propose_handover(user(HOLDER), log, user("larer")),
        lambda: domain.move_staff(user("enhetsleder"), user("larer"), _sorbyen().id),
        held_after=(ho, "create_handover"),
    )
    assert not isinstance(proposed, Exception), proposed
    assert not isinstance(moved, Exception), moved
    handover = Handover.get_by_id(proposed.id)
    assert (handover.status, handover.decline_reason) == ("cancelled", "moved")
    assert user("larer").unit_id == _sorbyen().id
    assert not Handover.select().where(Handover.log == log.id, Handover.status == "pending").exists()


def test_a_direct_assignment_to_someone_moved_meanwhile_is_refused(auth, db_conn, monkeypatch):
    """Guard: the emergency assignment (the holder has left) to Mari, chosen as staff of
    Nordbyen skole, while another request moves her to Sørbyen skole: refused, the log
    keeps its holder, and nobody outside the leader's unit becomes holder unasked."""
    log = a_log()
    User.update(active=False, deactivated_at=utcnow()).where(User.id == user(HOLDER).id).execute()
    moved = _moved_by_another_request_first(auth, monkeypatch, "larer", _sorbyen())
    with auth.app.test_request_context(), pytest.raises(ho.HandoverError):
        ho.assign_holder_directly(user("enhetsleder"), log, user("larer"), REASON)
    assert moved == ["larer"] and Log.get_by_id(log.id).holder_id == user(HOLDER).id


# ------------------------------------------------------------------ participants: consent decides


def _participant_moved(auth, services=(), ended=False, status=None) -> Log:
    """A log of Nordbyen skole with Mari Lund (Nordbyen) taking part, its consent naming
    `services` (closed, with `ended`; or put in `status`); then Mari is moved to Sørbyen
    skole."""
    log = a_log(services=services)
    from stafettlogg.logs import domain as logs

    with auth.app.test_request_context():
        logs.add_participant(user(HOLDER), log, user("larer"))
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    if ended:
        Log.update(status=LogStatus.CLOSED, closed_at=utcnow()).where(Log.id == log.id).execute()
    if status:
        Log.update(status=status).where(Log.id == log.id).execute()
    assert _move(auth, "larer", _sorbyen()).status_code == 303
    return log


def _takes_part(log) -> bool:
    return Participant.select().where(Participant.log == log.id, Participant.user == user("larer").id).exists()


def test_a_moved_participant_whose_new_unit_the_consent_leaves_out_is_no_longer_on_the_log(auth, db_conn):
    """The consent, given for Nordbyen skole, does not cover Sørbyen skole. Kept on, she
    would make the log wait for a new consent (nobody could write in it) while reading
    nothing of it herself: her participation ends, the holder is told and writes on, and
    every route of the log answers her as a log she is not on (the child not named)."""
    log = _participant_moved(auth)
    assert not _takes_part(log)
    assert AuditEvent.select().where(AuditEvent.action == "participant_removed", AuditEvent.log_id == log.id).exists()
    told = [n.text for n in _notices(HOLDER, "participant_moved_away")]
    assert any("Mari Lund har flyttet til Sørbyen skole og er ikke lenger deltaker" in t for t in told), told
    mari = auth.login_as("larer")
    for path in ("", "/sammendrag", "/seksjon/entries"):
        response = mari.get(f"/logger/{log.id}{path}")
        assert response.status_code == 404 and LOG_HIDDEN in _body(response), path
        assert log.subject.name not in _body(response)
    assert mari.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Hei"}).status_code == 404
    assert log.subject.name not in _body(mari.get("/"))  # nor on her start page
    holder = auth.login_as(HOLDER)
    assert "der deltakeren Mari Lund arbeider" not in _body(holder.get(f"/logger/{log.id}"))  # the log does not wait
    assert holder.post(f"/logger/{log.id}/seksjon/highlights", data={"body": "Hei"}).status_code in (200, 303)


def test_a_moved_participant_whose_new_unit_the_consent_covers_still_reads(auth, db_conn):
    log = _participant_moved(auth, services=("kind:skole",))
    assert _takes_part(log)
    page = auth.login_as("larer").get(f"/logger/{log.id}")
    assert page.status_code == 200 and ENTRY in _body(page)
    assert not _notices(HOLDER, "participant_moved_away")


def test_a_moved_participant_of_an_ended_log_stays_on_it_but_reads_none_of_its_content(auth, db_conn):
    """An ended log's people are its record (nothing is written in it any more): she stays
    on the list, and reads what its last consent says of her new unit, as every
    participant — none of its content."""
    log = _participant_moved(auth, ended=True)
    assert _takes_part(log)
    response = auth.login_as("larer").get(f"/logger/{log.id}/seksjon/entries")
    assert response.status_code == 409 and ENTRY not in _body(response)
    assert "omfatter ikke Sørbyen skole" in _body(response)


def test_a_moved_participant_of_a_draft_stays_until_the_holder_uploads_the_new_consent(auth, db_conn):
    """Guard (pins a decision): a draft (reopened or taken over with the people from before:
    nobody is added to a draft) is under no consent yet, shows nobody its content, and no
    one writes in it, so nothing waits on her. The consent is checked against each
    participant's unit when the holder uploads it, where she works now: the holder is
    told there («der deltakeren … arbeider») and chooses, with the family, to name her
    new school or to remove her, rather than the move deciding it for them."""
    from tests.conftest import consent_form

    log = _participant_moved(auth, status=LogStatus.DRAFT)
    assert _takes_part(log) and not _notices(HOLDER, "participant_moved_away")
    response = auth.login_as("larer").get(f"/logger/{log.id}/seksjon/entries")
    assert response.status_code >= 400 and ENTRY not in _body(response)
    holder = auth.login_as(HOLDER)
    url = f"/logger/{log.id}/samtykke"
    refused_ = holder.post(url, data=consent_form(), content_type="multipart/form-data")
    assert refused_.status_code == 422 and "der deltakeren Mari Lund arbeider" in _body(refused_)
    named = consent_form(services=[f"kind:{kind}" for kind in UnitKind.CHOICES])  # every participant's unit
    assert holder.post(url, data=named, content_type="multipart/form-data").status_code == 303
    assert Log.get_by_id(log.id).status == LogStatus.ACTIVE and _takes_part(log)
    assert ENTRY in _body(auth.login_as("larer").get(f"/logger/{log.id}"))


# ------------------------------------------------------------------ the new unit's leader adds someone who has an account


@pytest.mark.parametrize("deactivated", [False, True])
def test_adding_someone_whose_login_identity_is_an_account_in_another_unit_says_where(auth, db_conn, deactivated):
    """Instead of the bare «hører allerede til en annen konto»: which unit, and that its
    leader can move them. The deactivated account moves too (and stays deactivated until
    the new leader activates it)."""
    with write_transaction():
        User.update(login_identity="mari.lund@demo.kommune.no", active=not deactivated).where(
            User.username == "larer"
        ).execute()
    form = {"name": "Mari Lund", "job_title": "Lærer", "username": "mari.lund", "email": "", "phone": ""}
    leader2 = auth.login_as("enhetsleder2")
    taken = leader2.post(
        f"/enheter/{_sorbyen().id}/ansatte", data={**form, "login_identity": "Mari.Lund@demo.kommune.no"}
    )
    html = _body(taken)
    assert taken.status_code == 422
    assert "hører til en konto ved Nordbyen skole. Enhetslederen der kan flytte personen til enheten din." in html
    assert not User.select().where(User.username == "mari.lund").exists()
    assert _move(auth, "larer", _sorbyen()).status_code == 303
    assert user("larer").unit_id == _sorbyen().id and user("larer").active is not deactivated
    if deactivated:
        assert _notices("larer", "staff_moved") == []  # nobody who has left is told
        assert auth.login_as("enhetsleder2").post(f"/ansatte/{user('larer').id}/aktiver").status_code == 303
        assert user("larer").active


# ------------------------------------------------------------------ bad input: a message, the form kept, nothing stored


def _nothing_moved():
    assert user("larer").unit_id == _nordbyen().id
    assert not _events("staff_moved").exists()
    assert _notices("enhetsleder2", "staff_joined") == []


def _inactive_unit() -> Unit:
    with write_transaction():
        return Unit.create(area=_nordbyen().area_id, name="Gamle Vestbyen skole", kind="skole", active=False)


@pytest.mark.parametrize(
    "form, message",
    [
        ({}, "Velg enheten personen skal flytte til."),
        ({"unit_id": ""}, "Velg enheten personen skal flytte til."),
        ({"unit_id": "Sørbyen"}, "Velg enheten personen skal flytte til."),
        ({"unit_id": "99999999"}, "Velg en aktiv enhet fra listen."),
        ({"unit_id": "same"}, "Mari Lund arbeider allerede her. Velg en annen enhet."),
        ({"unit_id": "inactive"}, "Velg en aktiv enhet fra listen."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(auth, db_conn, form, message):
    if form.get("unit_id") == "same":
        form = {"unit_id": str(_nordbyen().id)}
    elif form.get("unit_id") == "inactive":
        form = {"unit_id": str(_inactive_unit().id)}
    response = _leader_post(auth, f"/ansatte/{user('larer').id}/flytt", form)
    assert response.status_code == 422
    assert message in _body(response) and 'id="f-unit_id"' in _body(response)
    _nothing_moved()


def test_a_made_up_staff_id_and_another_units_staff_are_refused(auth, db_conn):
    assert _leader_post(auth, "/ansatte/99999999/flytt", {"unit_id": str(_sorbyen().id)}).status_code == 404
    jonas = user("kontaktlaerer")
    assert _leader_post(auth, f"/ansatte/{jonas.id}/flytt", {"unit_id": str(_nordbyen().id)}).status_code == 403
    assert user("kontaktlaerer").unit_id == _sorbyen().id


def test_the_unit_leader_cannot_move_themselves_nor_a_unit_leader(auth, db_conn, ctx):
    leader = user("enhetsleder")
    response = _leader_post(auth, f"/ansatte/{leader.id}/flytt", {"unit_id": str(_sorbyen().id)})
    assert response.status_code == 422 and "Du kan ikke flytte deg selv." in _body(response)
    with pytest.raises(domain.OrganisationError, match="Bare ansatte kan flyttes"):
        domain.move_staff(user("admin"), user("enhetsleder2"), _nordbyen().id)
    assert user("enhetsleder").unit_id == _nordbyen().id and user("enhetsleder2").unit_id == _sorbyen().id


def test_a_failed_reassignment_moves_nobody(auth, db_conn):
    """All or nothing: a choice that cannot be made (the moved person as her own new
    holder) leaves the account and the log as they were; the form keeps the unit chosen."""
    log = a_log()
    response = _move(auth, HOLDER, _sorbyen(), **{f"holder_{log.id}": str(user(HOLDER).id)})
    assert response.status_code == 422 and "Velg en annen enn Kari Ottesen" in _body(response)
    assert f'<option value="{_sorbyen().id}" selected>' in _body(response)
    assert Log.get_by_id(log.id).holder_id == user(HOLDER).id
    assert user(HOLDER).unit_id == _nordbyen().id and not _events("staff_moved").exists()


# ------------------------------------------------------------------ who may


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_the_leader_of_the_persons_unit_may_move_them(auth, db_conn, persona, method):
    """Every role on the move route for Mari Lund (Nordbyen skole): only Nordbyen's unit
    leader; the area leader and the admin appoint leaders, they do not administer staff."""
    a_log()  # the holder persona holds a log, the participant takes part in it
    client = auth.persona(persona)
    url = f"/ansatte/{user('larer').id}/flytt"
    response = client.open(url, method=method, data={"unit_id": str(_sorbyen().id)})
    if persona == "unit_leader":
        assert response.status_code == (200 if method == "GET" else 303)
    else:
        assert refused(response), (persona, response.status_code)
        _nothing_moved()


def test_the_start_page_of_a_holder_moved_outside_the_consent_shows_no_content_of_the_log(auth, db_conn):
    """The consent, given for Nordbyen skole, does not cover Sørbyen skole: the moved
    holder reads none of the log's content on its page (states.readable_by), and her start
    page's to-dos do not show it either — neither what a measure due says nor who talks
    with the child — and record no read of it."""
    log = a_log()
    a_measure(log, "Kari setter opp faste lekegrupper", evaluation_date=local_today() + dt.timedelta(days=2))
    ChildTalkAgreement.create(
        log=log,
        adult="Helsesykepleier Nina",
        every_days=7,
        start_date=local_today() - dt.timedelta(days=20),
        author=log.holder,
    )
    kari = auth.login_as(HOLDER)
    before = _body(kari.get("/"))
    assert "Kari setter opp faste lekegrupper" in before and "Helsesykepleier Nina" in before
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    reads = _events("view:main.index").where(AuditEvent.log_id == log.id).count()
    after = _body(auth.login_as(HOLDER).get("/"))
    assert "Kari setter opp faste lekegrupper" not in after and "Helsesykepleier Nina" not in after
    assert _events("view:main.index").where(AuditEvent.log_id == log.id).count() == reads


def test_a_holder_moved_outside_the_consent_can_still_hand_the_log_over(auth, db_conn):
    """Seed 002: she holds the baton until a new holder has accepted it. The consent,
    given for Nordbyen skole, does not let her read the log from Sørbyen skole, but the
    handover pages show none of its content: she proposes someone at Nordbyen, who
    accepts and reads it. Otherwise nobody could hand it on (the log does not wait for a
    consent, so the old unit's leader is not asked), short of the family consenting to a
    school the child does not attend."""
    log = a_log()
    an_item(log, "entries", body=ENTRY, entry_date=local_today())
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    kari = auth.login_as(HOLDER)
    assert ENTRY not in _body(kari.get(f"/logger/{log.id}"))
    page = kari.get(f"/logger/{log.id}/stafettholder")
    assert page.status_code == 200 and ENTRY not in _body(page)
    mari = user("larer")
    proposed = kari.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": str(mari.id), "note": ""})
    assert proposed.status_code in (200, 303), _body(proposed)
    proposal = Handover.get(Handover.log == log.id, Handover.status == "pending")
    ho.accept_handover(mari, proposal)
    assert Log.get_by_id(log.id).holder_id == mari.id
    assert ENTRY in _body(auth.login_as("larer").get(f"/logger/{log.id}"))


@pytest.mark.parametrize("owner", ["enhetsleder2", "kontaktlaerer"])
def test_the_login_identity_of_someone_who_cannot_be_moved_there_says_only_that_it_is_taken(auth, db_conn, owner):
    """Only a staff member is moved (move_staff), and only into a staff member's account:
    the identity of Sørbyen's unit leader is not offered as someone Nordbyen's leader can
    have moved to them, nor is a teacher's to the area leader appointing a unit leader
    (moving makes no one leader). The bare «hører allerede til en annen konto» then."""
    with write_transaction():
        User.update(login_identity="person@demo.kommune.no").where(User.username == owner).execute()
    identity = "Person@demo.kommune.no"
    if owner == "enhetsleder2":
        form = {"name": "Ny Lærer", "job_title": "Lærer", "username": "ny.laerer", "email": "", "phone": ""}
        response = _leader_post(auth, f"/enheter/{_nordbyen().id}/ansatte", {**form, "login_identity": identity})
        assert response.status_code == 422
        html = _body(response)
    else:
        with pytest.raises(domain.OrganisationError) as refused_:
            domain.appoint_unit_leader(
                user("omradeleder"), _nordbyen(), "ny.leder", "Ny Leder", login_identity=identity
            )
        html = str(refused_.value)
    assert "hører allerede til en annen konto" in html
    assert "kan flytte personen" not in html


def test_reminders_ask_a_holder_moved_outside_the_consent_for_nothing_in_that_log(auth, db_conn):
    """As her start page (states.closed_to): no reminder to evaluate a measure or of a
    meeting in a log she may not read from her new unit; the participant within the
    consent is still reminded of the meeting."""
    log = a_log()
    a_measure(log, evaluation_date=local_today() + dt.timedelta(days=2))
    a_meeting(log, days=1)
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    with auth.app.test_request_context():
        reminders.measure_reminders(local_today())
        reminders.meeting_reminders(local_today())
    assert _notices(HOLDER, "measure_due") == [] and _notices(HOLDER, "meeting_tomorrow") == []
    assert _notices("aktor", "meeting_tomorrow")


def test_a_holder_moved_outside_the_consent_is_still_reminded_that_it_runs_out(auth, db_conn):
    """Guard: the consent reminders do not leave out a holder the consent leaves out
    (reminders._reminded is for the measure and meeting reminders only): she may upload a
    new consent that covers her new unit."""
    log = a_log()
    Consent.update(expires_on=local_today() + dt.timedelta(days=7)).where(Consent.log == log.id).execute()
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    with auth.app.test_request_context():
        reminders.consent_reminders(local_today())
    assert _notices(HOLDER, "consent_expiring")


def test_reminders_ask_whether_a_moved_holder_is_outside_before_their_write_transaction(auth, db_conn, monkeypatch):
    """Whether the consent leaves out a moved holder is read for the run's logs before any
    reminder's write transaction opens (reminders._holders_outside), not inside the one
    notify.reached_among keeps open for the notices: on SQLite that one holds the write
    lock while the consent is read."""
    from stafettlogg.db import db
    from stafettlogg.logs import states

    log = a_log()
    a_measure(log, evaluation_date=local_today() + dt.timedelta(days=2))
    a_measure(log, evaluation_date=local_today() + dt.timedelta(days=3))
    a_meeting(log, days=1)
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    asked = []
    real = states.outside_for

    def outside_for(user, logs):
        asked.append(db.in_transaction())
        return real(user, logs)

    monkeypatch.setattr(states, "outside_for", outside_for)
    with auth.app.test_request_context():
        reminders.measure_reminders(local_today())
        reminders.meeting_reminders(local_today())
    assert asked and not any(asked)  # her logs with a measure due or a meeting tomorrow
    assert _notices(HOLDER, "measure_due") == [] and _notices(HOLDER, "meeting_tomorrow") == []


def test_reminders_say_once_who_is_outside_the_consent():
    """Guard: the measure and meeting reminders leave out a holder the consent leaves out
    through one helper (reminders._reminded), which asks states.outside_for in one place;
    the consent reminders do not use it (the holder may upload a new consent)."""
    import inspect

    source = inspect.getsource(reminders)
    assert source.count("states.outside_for(") == 1
    assert "_reminded(" not in inspect.getsource(reminders.consent_reminders)


def test_a_move_reads_the_holders_of_the_logs_it_leaves_with_the_participations(auth, db_conn):
    """_end_participations_left_out reads each log's holder (to be told) in the query of
    the participations, not once more per log it leaves: the statements per log left are
    the same for three logs as for one, and one fewer than before (User.get_by_id)."""
    from bench.run import counting
    from stafettlogg.db import db
    from stafettlogg.logs import domain as logs

    def statements(count: int) -> int:
        Participant.delete().where(Participant.user == user("larer").id).execute()
        User.update(unit=_nordbyen().id).where(User.username == "larer").execute()
        with auth.app.test_request_context():
            for _ in range(count):
                logs.add_participant(user(HOLDER), a_log(), user("larer"))
            User.update(unit=_sorbyen().id).where(User.username == "larer").execute()
            with write_transaction(), counting(db) as counter:
                domain._end_participations_left_out(user("enhetsleder"), user("larer"), _sorbyen())
        assert not Participant.select().where(Participant.user == user("larer").id).exists()
        return len(counter["sql"])

    one, three = statements(1), statements(3)
    assert (three - one) / 2 == 14  # before: 15


def test_a_holder_moved_outside_the_consent_is_offered_only_what_she_may_do(auth, db_conn):
    """The log page tells a holder moved to a unit the consent leaves out the truth (the
    log does not wait for a consent; she hands it on), and offers no form or link the
    consent gate then refuses (logs.gate.refusal, asked by the page as `log_may`): no
    guardian to add, no language to change, no participant search, no details to edit,
    no family access page. «Bytt stafettholder» stays. Before the move she had them all."""
    log = a_log()
    offered = (
        "Legg til foresatt",
        "Finn ansatt å legge til",
        "Endre opplysninger",
        "Tilgang for foresatte",
        "Lagre språk og tolk",
    )
    before = _body(auth.login_as(HOLDER).get(f"/logger/{log.id}"))
    assert all(text in before for text in offered)
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    kari = auth.login_as(HOLDER)
    html = _body(kari.get(f"/logger/{log.id}"))
    assert "Du arbeider nå ved Sørbyen skole, og samtykket omfatter ikke den enheten" in html
    assert "åpnes for stafettholderen når et samtykke" not in html
    for text in offered:
        assert text not in html, text
    assert "Bytt stafettholder" in html and f"/logger/{log.id}/stafettholder" in html
    assert kari.get(f"/logger/{log.id}/tilgang-foresatte").status_code == 409  # what the link led to


def test_the_log_names_where_a_moved_holder_works_now(auth, db_conn):
    """Until someone takes over, the moved holder is the one to reach: the log page and
    the family's page say Sørbyen skole, where she works now (templating.holder_unit),
    not the log's school; a holder who has not moved is named with the log's unit."""
    log = a_log()
    family = f"/mine/{log.id}"
    assert "Kontaktlærer, Nordbyen skole" in _body(auth.login_as(HOLDER).get(f"/logger/{log.id}"))
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    page = _body(auth.login_as("aktor").get(f"/logger/{log.id}"))  # the nurse taking part
    assert "Kontaktlærer, Sørbyen skole" in page and "Kontaktlærer, Nordbyen skole" not in page
    mother = auth.login_as("foresatt").get(family)
    assert mother.status_code == 200
    assert "i Sørbyen skole, har ansvaret" in _body(mother)


def test_a_refused_move_that_lists_the_logs_again_audits_the_reads_again(auth, db_conn):
    """Guard: the refused move (422) shows the move page again with the children's names of
    the logs she holds: every response that shows them writes the read (SECURITY.md), the
    POST's as the GET's."""
    log = a_log()
    kari = user(HOLDER)
    refused_ = auth.login_as("enhetsleder").post(f"/ansatte/{kari.id}/flytt", data={"unit_id": ""})
    assert refused_.status_code == 422 and log.subject.name in _body(refused_)
    read = _events("view:org.staff_move").where(AuditEvent.log_id == log.id).get()
    assert (read.user_id, read.object_id) == (user("enhetsleder").id, kari.id)


def test_a_move_refused_because_someone_changed_the_person_meanwhile_audits_the_reads(auth, db_conn, monkeypatch):
    """Guard: the move refused inside its write transaction («… er endret av noen andre»,
    someone moved her meanwhile) shows the move page again with the children's names of
    the logs she holds (422); the rolled-back transaction takes none of those reads with
    it: each is audited as on the GET."""
    log = a_log()
    kari = user(HOLDER)
    open_units = domain._open_units

    def moved_meanwhile():  # another request moves her after this one read her
        User.update(unit=_sorbyen().id).where(User.id == kari.id).execute()
        return open_units()

    monkeypatch.setattr(domain, "_open_units", moved_meanwhile)
    refused_ = _move(auth, HOLDER, _sorbyen())
    assert refused_.status_code == 422
    assert "Kari Ottesen er endret av noen andre" in _body(refused_) and log.subject.name in _body(refused_)
    read = _events("view:org.staff_move").where(AuditEvent.log_id == log.id).get()
    assert (read.user_id, read.object_id) == (user("enhetsleder").id, kari.id)


def test_the_start_page_asks_a_holder_moved_outside_the_consent_to_hand_the_log_over(auth, db_conn):
    """«Venter på deg» on her start page: each log in use she still holds in the school
    she left, whose consent leaves out her new one, links to «Bytt stafettholder» until
    she has proposed someone (then the proposal waits for an answer). A log whose consent
    covers her new unit asks nothing; nor does anyone's start page who has not moved."""
    log = a_log()
    covered = a_log(services=("kind:skole",))
    todo = f"Gi stafettloggen for {log.subject.name} videre"
    assert todo not in _body(auth.login_as(HOLDER).get("/"))
    assert _move(auth, HOLDER, _sorbyen()).status_code == 303
    kari = auth.login_as(HOLDER)
    start = _body(kari.get("/"))
    assert todo in start and f"/logger/{log.id}/stafettholder" in start
    assert f"Gi stafettloggen for {covered.subject.name} videre" not in start
    proposed = kari.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": str(user("larer").id), "note": ""})
    assert proposed.status_code in (200, 303)
    assert todo not in _body(kari.get("/"))
    assert todo not in _body(auth.login_as("larer").get("/"))


def test_the_move_page_says_per_log_whether_the_consent_covers_the_unit_chosen(auth, db_conn):
    """With a new unit chosen (the select's htmx fragment, or ?unit_id=), each log held
    says its state and whether its consent covers that unit; a unit it may not be moved
    to (made-up or huge id) shows no coverage."""
    log = a_log()
    leader = auth.login_as("enhetsleder")
    kari = user(HOLDER)
    sorbyen = _sorbyen()
    page = leader.get(f"/ansatte/{kari.id}/flytt?unit_id={sorbyen.id}")
    html = _body(page)
    assert page.status_code == 200, html[html.find("<main") :][:1500]
    assert log.subject.name in html and "Aktiv" in html
    assert f"Samtykket omfatter ikke {sorbyen.name}" in html
    fragment = leader.get(f"/ansatte/{kari.id}/flytt?unit_id={sorbyen.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in _body(fragment)
    assert f"Samtykket omfatter ikke {sorbyen.name}" in _body(fragment)
    for bad in ("999999", "99999999999999999999", str(_nordbyen().id)):
        assert "Samtykket omfatter" not in _body(leader.get(f"/ansatte/{kari.id}/flytt?unit_id={bad}"))


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_only_the_leader_of_the_persons_unit_gets_the_coverage_fragment(auth, db_conn, persona):
    """Every role on the move page's htmx fragment (?unit_id= with HX-Request): only the
    unit leader of Kari's unit sees the children's names and the consent coverage."""
    log = a_log()
    client = auth.persona(persona)
    url = f"/ansatte/{user(HOLDER).id}/flytt?unit_id={_sorbyen().id}"
    response = client.get(url, headers={"HX-Request": "true"})
    if persona == "unit_leader":
        assert response.status_code == 200 and "Samtykket omfatter ikke" in _body(response)
    else:
        assert refused(response), (persona, response.status_code)
        assert log.subject.name not in _body(response)


def test_without_javascript_the_show_button_says_the_coverage_and_moves_nobody(auth, db_conn):
    """The «Vis» button posts the form with show: the page says per log whether the
    consent covers the unit, and the person stays where they are."""
    a_log()
    kari = user(HOLDER)
    sorbyen = _sorbyen()
    page = auth.login_as("enhetsleder").post(f"/ansatte/{kari.id}/flytt", data={"unit_id": sorbyen.id, "show": "1"})
    assert page.status_code == 200 and f"Samtykket omfatter ikke {sorbyen.name}" in _body(page)
    assert user(HOLDER).unit_id == kari.unit_id


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_only_the_leader_of_the_persons_unit_sees_the_coverage_fragment(auth, db_conn, persona):
    """Guard: the fragment is the move page's, refused to everyone else like the page."""
    a_log()
    answer = auth.persona(persona).get(
        f"/ansatte/{user('larer').id}/flytt?unit_id={_sorbyen().id}", headers={"HX-Request": "true"}
    )
    if persona == "unit_leader":
        assert answer.status_code == 200
    else:
        assert refused(answer) and "Samtykket omfatter" not in _body(answer), persona


def test_an_inactive_unit_shows_no_coverage(auth, db_conn):
    """Guard: a unit the person may not be moved to is not looked up for coverage."""
    a_log()
    kari = user(HOLDER)
    html = _body(auth.login_as("enhetsleder").get(f"/ansatte/{kari.id}/flytt?unit_id={_inactive_unit().id}"))
    assert "Samtykket omfatter" not in html


def test_the_move_page_says_a_draft_has_no_consent_yet_not_that_it_leaves_the_unit_out(auth, db_conn):
    """A draft she holds waits for its first consent: the move page says so under it, not
    «Samtykket omfatter ikke Sørbyen skole», which would send the leader looking for a
    consent that is not there. The logs in use are still told apart as before."""
    kari = user(HOLDER)
    drafts = Log.select().where(Log.holder == kari.id, Log.status == LogStatus.DRAFT).count()
    in_use = len(domain.active_logs_held_by(kari)) - drafts
    assert drafts and in_use
    html = _body(auth.login_as("enhetsleder").get(f"/ansatte/{kari.id}/flytt?unit_id={_sorbyen().id}"))
    assert html.count("Det er ikke lastet opp noe samtykke ennå.") == drafts
    assert html.count("Samtykket omfatter ikke Sørbyen skole.") == in_use
