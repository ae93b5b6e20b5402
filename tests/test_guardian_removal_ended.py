"""A guardian whose parental responsibility has ended is removed from a log also after it
has ended: a closed log waiting to be deleted, or a passive one kept for years by the
family's agreement, would otherwise stay open to them until it is deleted. Only the
holder removes; the removal is audited, and the person's access ends at once."""

import pytest

from stafettlogg.models import AuditEvent, Guardian, Notification
from stafettlogg.notify import msg, notify
from tests.conftest import an_ended_log, user

pytestmark = pytest.mark.db


def _mother(log) -> Guardian:
    return Guardian.get(Guardian.log == log, Guardian.user == user("foresatt"))


@pytest.mark.parametrize("status", ["closed", "passive"])
def test_the_holder_removes_a_guardian_from_an_ended_log(auth, db_conn, status):
    log = an_ended_log(status)
    mother = _mother(log)
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 200
    holder = auth.persona("holder")
    assert f"/foresatte/{mother.id}/fjern" in holder.get(f"/logger/{log.id}").get_data(as_text=True)
    response = holder.post(f"/logger/{log.id}/foresatte/{mother.id}/fjern")
    assert response.status_code == 303
    assert not Guardian.select().where(Guardian.id == mother.id).exists()
    assert Guardian.select().where(Guardian.log == log).count() == 1  # the father stays
    assert AuditEvent.select().where(AuditEvent.log_id == log.id, AuditEvent.action == "guardian_removed").exists()
    assert auth.persona("guardian").get(f"/mine/{log.id}").status_code == 404


@pytest.mark.parametrize(
    "persona",
    ["participant", "same_unit_staff", "unit_leader", "other_unit_staff", "other_unit_leader", "guardian", "anonymous"],
)
def test_nobody_but_the_holder_removes_a_guardian_from_an_ended_log(auth, db_conn, persona):
    log = an_ended_log("closed")
    mother = _mother(log)
    response = auth.persona(persona).post(f"/logger/{log.id}/foresatte/{mother.id}/fjern")
    assert response.status_code in (302, 303, 401, 403, 404), (persona, response.status_code)
    assert Guardian.select().where(Guardian.id == mother.id).exists()
    assert log.subject.name not in response.get_data(as_text=True)


def test_a_guardian_of_another_log_is_not_removed_through_this_one(auth, db_conn):
    log, other = an_ended_log("closed"), an_ended_log("closed")
    response = auth.persona("holder").post(f"/logger/{log.id}/foresatte/{_mother(other).id}/fjern")
    assert response.status_code == 404
    assert Guardian.select().where(Guardian.id == _mother(other).id).exists()


def test_a_guardian_removed_after_asking_for_deletion_hears_nothing_more_of_the_log(auth, db_conn):
    """The request stays for the unit leader to handle, but the person who asked is no longer
    the log's guardian: no notice or e-mail tells them how it was answered or that it went."""
    from stafettlogg.models import DeletionRequest, Notification, OutboxEmail

    log = an_ended_log("closed")
    mother = user("foresatt")
    assert auth.persona("guardian").post(f"/mine/{log.id}/be-om-sletting", data={"confirm": "yes"}).status_code == 303
    request = DeletionRequest.get(DeletionRequest.log == log.id)
    assert auth.persona("holder").post(f"/logger/{log.id}/foresatte/{_mother(log).id}/fjern").status_code == 303
    to_her = OutboxEmail.select().where(OutboxEmail.to == mother.email)
    mails_before = to_her.count()
    leader = auth.persona("unit_leader")
    answer = leader.post(f"/logger/{log.id}/sletting/{request.id}/avvis", data={"response": "Vi må ta vare på dem."})
    assert answer.status_code == 303
    assert not Notification.select().where(Notification.user == mother, Notification.log_id == log.id).exists()
    assert DeletionRequest.create(log=log, requested_by=mother)  # another request of hers, open at deletion
    deleted = leader.post(
        f"/logger/{log.id}/slett",
        data={"reason": "guardian_request", "confirm": "yes", "archive_waiver": "Kopi i Visma"},
    )
    assert deleted.status_code == 303
    assert to_her.count() == mails_before


def test_a_removed_guardian_keeps_no_notice_of_the_log(auth, db_conn):
    """What they were told of the log in «Varsler» goes with their access (their notices
    about other logs, and the other guardians' notices, stay)."""
    log, other = an_ended_log("closed"), an_ended_log("closed")
    mother, father = user("foresatt"), Guardian.get(Guardian.log == log, Guardian.relation == "far")
    for about in (log, other):
        notify(mother, "holder_assigned", msg("Ny stafettholder"), url="/", log=about.id, dedupe_key=f"t:{about.id}")
    auth.persona("holder").post(f"/logger/{log.id}/foresatte/{_mother(log).id}/fjern")
    assert [n.log_id for n in Notification.select().where(Notification.user == mother)] == [other.id]
    assert Guardian.select().where(Guardian.id == father.id).exists()
