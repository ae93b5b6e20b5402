"""A holder has left when they are no longer in the unit they were in when they became
holder (or are deactivated): the leader of the log's unit may then make someone else
holder directly. A public-health nurse who made a log for a kindergarten, and is still at
the health station, has not left: the kindergarten's leader must propose, not assign."""

import datetime as dt

import pytest

from stafettlogg.handover import domain as ho
from stafettlogg.logs import domain
from stafettlogg.models import Log, Unit, User
from tests.conftest import user

pytestmark = pytest.mark.db

REASON = "Familien trenger en kontakt i barnehagen nå."


def _made_for_the_kindergarten(app) -> Log:
    nurse = user("aktor")
    kindergarten = user("styrer").unit
    assert nurse.unit_id != kindergarten.id
    with app.test_request_context():
        return domain.create_log(
            nurse,
            kind="barn",
            name="Nora Helsestasjonsbarn",
            birth_date=dt.date(2021, 5, 2),
            national_id=None,
            unit=kindergarten,
            class_group="Blåbær",
            level=1,
            concern_title="Spiser lite",
            concern_body="",
            guardians=[{"name": "Mor Nora", "relation": "mor", "phone": "911 00 000", "email": ""}],
        )


def test_a_holder_who_made_the_log_for_another_unit_has_not_left(app, db_conn):
    log = _made_for_the_kindergarten(app)
    assert not ho.holder_has_left(log)
    with app.test_request_context(), pytest.raises(ho.HandoverError, match="bare for nødstilfeller"):
        ho.assign_holder_directly(user("styrer"), log, user("pedleder"), REASON)
    assert Log.get_by_id(log.id).holder_id == user("aktor").id


def test_the_same_holder_has_left_once_they_move_to_another_unit(app, db_conn):
    log = _made_for_the_kindergarten(app)
    moved_to = Unit.select().where(Unit.id.not_in([user("aktor").unit_id, log.unit_id])).first()
    User.update(unit=moved_to).where(User.username == "aktor").execute()
    assert ho.holder_has_left(Log.get_by_id(log.id))
    with app.test_request_context():
        ho.assign_holder_directly(user("styrer"), Log.get_by_id(log.id), user("pedleder"), REASON)
    after = Log.get_by_id(log.id)
    assert after.holder_id == user("pedleder").id and after.holder_unit_id == user("pedleder").unit_id


@pytest.mark.parametrize("mode", ["direct", "propose"])
def test_the_leader_of_a_leaving_nurse_can_give_her_kindergarten_log_a_new_holder(app, db_conn, mode):
    """seed 001: the unit leader removes their staff who leave. The health station's
    leader deactivates the nurse who holds a log she made for a kindergarten: the leader
    chooses a new holder for it (direct, or a proposal) instead of being refused for ever."""
    from stafettlogg.models import Handover
    from stafettlogg.org.domain import OrganisationError, deactivate_staff

    log = _made_for_the_kindergarten(app)
    leader, colleague = user("helseleder"), user("ungdomshelse")
    assert leader.unit_id == user("aktor").unit_id == colleague.unit_id != log.unit_id
    choice = (mode, colleague.id, REASON) if mode == "direct" else (mode, colleague.id)
    with app.test_request_context():
        if mode == "direct":
            deactivate_staff(leader, user("aktor"), {log.id: choice})
            assert not user("aktor").active
        else:
            with pytest.raises(OrganisationError, match="Velg ny stafettholder"):
                deactivate_staff(leader, user("aktor"), {log.id: choice})  # she keeps it until accepted
            ho.accept_handover(colleague, Handover.get(Handover.log == log.id, Handover.status == "pending"))
            deactivate_staff(leader, user("aktor"))
    assert Log.get_by_id(log.id).holder_id == colleague.id


def test_the_leader_of_another_unit_still_cannot_take_a_log_from_a_holder_who_stays(app, db_conn):
    """Only for the holder who is leaving: the nurse's leader cannot hand the log of a
    nurse who stays, nor of a holder in another unit, to someone else."""
    log = _made_for_the_kindergarten(app)
    with app.test_request_context():
        with pytest.raises(ho.HandoverError, match="Bare enhetslederen"):
            ho.assign_holder_directly(user("helseleder"), log, user("ungdomshelse"), REASON)
        with pytest.raises(ho.HandoverError, match="Bare enhetslederen"):
            ho.propose_for_leaving_holder(user("helseleder"), log, user("ungdomshelse"))
        with pytest.raises(ho.HandoverError, match="Bare enhetslederen"):
            ho.assign_holder_directly(user("enhetsleder2"), log, user("kontaktlaerer"), REASON, leaving=user("aktor"))
    assert Log.get_by_id(log.id).holder_id == user("aktor").id


def test_a_holder_who_moved_into_the_logs_own_unit_has_not_left(app, db_conn):
    """The nurse takes a job at the kindergarten she made the log for: she is where the
    log is, and its leader proposes rather than assigns."""
    log = _made_for_the_kindergarten(app)
    User.update(unit=log.unit_id).where(User.username == "aktor").execute()
    assert not ho.holder_has_left(Log.get_by_id(log.id))
