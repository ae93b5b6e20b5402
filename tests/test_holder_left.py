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
