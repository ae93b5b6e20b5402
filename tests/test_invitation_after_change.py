"""An invitation (link and one-time code, for guardians without a Norwegian ID number)
holds only while the holder who made it could make it now (the state table's
"invite_guardian"): once the log is closed, passive, deleted or asked to be deleted, its
consent has run out or been withdrawn, or it has another holder, the link opens nothing,
and the page says so in the family's language and sends them to the unit."""

import datetime as dt

import pytest

from stafettlogg.dates import local_today
from stafettlogg.db import db, write_transaction
from stafettlogg.guardians import domain as invitations
from stafettlogg.handover import domain as handover
from stafettlogg.logs import domain
from stafettlogg.logs import lifecycle as life
from stafettlogg.logs.domain import LogError
from stafettlogg.models import Consent, Guardian, GuardianInvitation, Log, LogRequest, User
from stafettlogg.takeover import domain as takeover
from tests.conftest import a_consent, a_log, user

pytestmark = pytest.mark.db

GOOD = {
    "username": "far.testesen",
    "password": "far leser avisen hver morgen",
    "repeat": "far leser avisen hver morgen",
}
VOID_NB = "Invitasjonen kan ikke brukes lenger."
VOID_EN = "This invitation can no longer be used."


@pytest.fixture
def log(app):
    """An active log; the father has no account and gets an invitation."""
    return a_log()


def _father(log):
    return Guardian.get(Guardian.log == log, Guardian.relation == "far")


def _invite(app, log, by="stafettholder"):
    with app.test_request_context("/"), db.connection_context():
        return invitations.invite_guardian(user(by), Log.get_by_id(log.id), _father(log))


def _close(log):
    life.close_log(user("stafettholder"), Log.get_by_id(log.id), "needs_met", keep="undecided")


def _make_passive(log):
    life.close_log(user("stafettholder"), Log.get_by_id(log.id), "needs_met", keep="yes", agreed_by_name="Mor")


def _withdraw_consent(log):
    life.withdraw_consent(user("foresatt"), Log.get_by_id(log.id))


def _request_deletion(log):
    life.request_deletion(user("foresatt"), Log.get_by_id(log.id), "")


def _expire_consent(log):
    with write_transaction():
        Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log.id).execute()


def _hand_over(log):
    proposal = handover.propose_handover(user("stafettholder"), Log.get_by_id(log.id), user("larer"))
    handover.accept_handover(user("larer"), proposal)


def _take_over(log):
    """Closed, then taken over by someone in another unit: a draft with a new holder."""
    _close(log)
    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    proposal = takeover.accept(user("stafettholder"), request)
    handover.accept_handover(user("kontaktlaerer"), proposal)
    taken = Log.get_by_id(log.id)
    assert (taken.status, taken.holder_id) == ("draft", user("kontaktlaerer").id)


# what happened to the log between the invitation and the answer
CHANGES = {
    "closed": _close,
    "passive": _make_passive,
    "consent_withdrawn": _withdraw_consent,
    "deletion_requested": _request_deletion,
    "consent_expired": _expire_consent,
    "handed_over": _hand_over,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_invitation_is_void_once_the_log_changed(app, db_conn, log, change):
    invitation, token = _invite(app, log)
    anon = app.test_client()
    assert anon.get(f"/invitasjon/{token}").status_code == 200  # usable until the change
    with app.test_request_context("/"):
        CHANGES[change](log)
    r = anon.get(f"/invitasjon/{token}")
    assert r.status_code == 410 and VOID_NB in r.get_data(as_text=True)
    r = anon.get(f"/invitasjon/{token}?lang=en")
    page = r.get_data(as_text=True)
    assert r.status_code == 410 and VOID_EN in page and "Contact the unit that sent the invitation" in page
    assert log.subject.name not in page  # the page names no child
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 410 and VOID_EN in r.get_data(as_text=True)
    assert User.get_or_none(User.username == "far.testesen") is None
    assert _father(log).user_id is None
    assert GuardianInvitation.get_by_id(invitation.id).used_at is None


def test_a_log_taken_over_by_another_unit_voids_the_former_holders_invitation(app, db_conn, log):
    invitation, token = _invite(app, log)
    with app.test_request_context("/"):
        _take_over(log)
    anon = app.test_client()
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 410 and User.get_or_none(User.username == "far.testesen") is None


def test_the_log_is_asked_inside_the_write_transaction(app, db_conn, log):
    """The page was opened while the log was in use; it was closed before the answer came."""
    invitation, token = _invite(app, log)
    with app.test_request_context("/"):
        assert invitations.find_invitation(token) is not None
        _close(log)
        with pytest.raises(LogError) as error:
            invitations.accept_invitation(token, code=invitation.code, **GOOD)
        assert error.value.code == "void"
        with pytest.raises(LogError) as error:
            invitations.link_invitation(token, user("foresatt"), code=invitation.code)
        assert error.value.code == "void"
    assert _father(log).user_id is None and User.get_or_none(User.username == "far.testesen") is None


def test_an_existing_account_is_not_linked_to_a_closed_log(app, auth, db_conn):
    kindergarten = a_log("pedleder", participants=(), guardian=None)
    mother = Guardian.get(Guardian.log == kindergarten, Guardian.relation == "mor")
    with app.test_request_context("/"):
        invitation, token = invitations.invite_guardian(user("pedleder"), kindergarten, mother)
        life.close_log(user("pedleder"), Log.get_by_id(kindergarten.id), "needs_met", keep="undecided")
    parent = auth.persona("guardian")
    r = parent.post(f"/invitasjon/{token}", data={"action": "link", "code": invitation.code})
    assert r.status_code == 410 and VOID_NB in r.get_data(as_text=True)
    assert Guardian.get_by_id(mother.id).user_id is None


def test_a_new_consent_makes_the_invitation_usable_again(app, db_conn, log):
    """Waiting for consent is not the end of the log: the family's new consent lets the
    holder's invitation be used again, as it lets the holder invite again."""
    invitation, token = _invite(app, log)
    _expire_consent(log)
    anon = app.test_client()
    assert anon.get(f"/invitasjon/{token}").status_code == 410
    with app.test_request_context("/"):
        a_consent(Log.get_by_id(log.id))
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 303 and _father(log).user_id == User.get(User.username == "far.testesen").id


@pytest.mark.parametrize("ending", ["consent_withdrawn", "closed", "deletion_requested"])
def test_an_invitation_void_when_the_log_ended_stays_void_after_a_reopen(app, db_conn, log, ending):
    """The holder invited the father; then the mother withdrew consent (perhaps because of
    him), or the log was closed, or the family asked for deletion. The holder reopens the
    log within the link's 7 days, with a new consent even: the old link and code stay
    void, and the holder's page shows no invitation pending. A new one is a new decision."""
    invitation, token = _invite(app, log)
    with app.test_request_context("/"):
        CHANGES[ending](log)
        if ending == "deletion_requested":  # the unit leader refuses it; the log may be reopened
            request = life.open_deletion_request(log)
            life.refuse_deletion(user("enhetsleder"), Log.get_by_id(log.id), request, "Vi må ta vare på den.")
        life.reopen(user("stafettholder"), Log.get_by_id(log.id))
        a_consent(Log.get_by_id(log.id))
    assert Log.get_by_id(log.id).status == "active"
    anon = app.test_client()
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 410 and VOID_NB in r.get_data(as_text=True)
    assert User.get_or_none(User.username == "far.testesen") is None and _father(log).user_id is None


def test_an_invitation_for_a_guardian_removed_meanwhile_opens_nothing(app, db_conn, log):
    invitation, token = _invite(app, log)
    father = _father(log)
    with app.test_request_context("/"):
        domain.remove_guardian(user("stafettholder"), Log.get_by_id(log.id), father)
    anon = app.test_client()
    assert anon.get(f"/invitasjon/{token}").status_code == 404
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 404 and User.get_or_none(User.username == "far.testesen") is None
    assert not GuardianInvitation.select().where(GuardianInvitation.id == invitation.id).exists()


def test_the_new_holder_sees_no_invitation_pending_after_a_handover(app, auth, db_conn, log):
    _invite(app, log)
    holder = auth.persona("holder")
    assert "Invitert, gjelder til" in holder.get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    with app.test_request_context("/"):
        _hand_over(log)
    new_holder = auth.login_as("larer")
    page = new_holder.get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    assert "Invitert, gjelder til" not in page


def test_no_invitation_is_made_while_the_log_waits_for_consent(app, db_conn, log):
    _expire_consent(log)
    with pytest.raises(LogError):
        _invite(app, log)
    assert not GuardianInvitation.select().join(Guardian).where(Guardian.log == log.id).exists()
