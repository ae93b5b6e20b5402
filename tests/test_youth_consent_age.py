"""The youth's own access follows CONSENT_AGE as it is now and the date in Oslo, asked on
every request (access.of_consent_age): a municipality that raises the age from 15 to 16
ends the access a youth of 15 was given, and it opens again on their 16th birthday."""

import datetime as dt

import pytest

from stafettlogg import access
from stafettlogg.dates import local_today
from stafettlogg.guardians import domain as invitations
from stafettlogg.logs.domain import LogError
from stafettlogg.models import YOUTH_RELATION, Guardian, Log, LogStatus, Subject
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

PASSWORD = "min egen lange setning"


def _born(years: int, days_to_birthday: int = 0) -> dt.date:
    """The birth date of someone who turns `years` in `days_to_birthday` days (0: today)."""
    day = local_today() + dt.timedelta(days=days_to_birthday)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _set_birth(log, birth: dt.date) -> None:
    Subject.update(birth_date=birth).where(Subject.id == log.subject_id).execute()


@pytest.fixture
def youth_log(app, db_conn):
    """A log about a youth of 15, who got own access where CONSENT_AGE is 15."""
    log = a_log()
    _set_birth(log, _born(15, days_to_birthday=-30))
    app.config["CONSENT_AGE"] = 15
    with app.test_request_context("/"):
        youth = invitations.add_youth(user("stafettholder"), Log.get_by_id(log.id), phone="900 00 000", email="")
        inv, token = invitations.invite_guardian(user("stafettholder"), Log.get_by_id(log.id), youth)
        invitations.accept_invitation(token, code=inv.code, username="ungdom15", password=PASSWORD, repeat=PASSWORD)
    return Log.get_by_id(log.id)


def test_a_youth_of_15_loses_own_access_when_the_age_is_raised_to_16(app, auth, youth_log):
    log = youth_log
    client = auth.login_as("ungdom15")
    assert client.get(f"/mine/{log.id}").status_code == 200
    assert f"/mine/{log.id}" in client.get("/").get_data(as_text=True)

    # the youth's account bears their own name: what must not show is what the log holds
    shown = (log.holder.name, log.concerns[0].title)
    assert all(text in client.get(f"/mine/{log.id}").get_data(as_text=True) for text in shown)

    app.config["CONSENT_AGE"] = 16
    for path in (f"/mine/{log.id}", f"/mine/{log.id}/innsyn", f"/mine/{log.id}/trekk-samtykke"):
        r = client.get(path)
        assert r.status_code == 404 and not any(text in r.get_data(as_text=True) for text in shown), path
    r = client.post(f"/mine/{log.id}/trekk-samtykke", data={"confirm": "yes"})
    assert r.status_code == 404 and Log.get_by_id(log.id).status == LogStatus.ACTIVE
    start = client.get("/").get_data(as_text=True)
    assert not any(text in start for text in shown) and f"/mine/{log.id}" not in start
    assert "Du kan lese stafettloggen din selv når du har fylt 16 år." in start
    assert "You can read your relay log yourself once you have turned 16." in client.get("/?lang=en").get_data(
        as_text=True
    )
    with app.test_request_context("/"):
        assert access.log_tokens(user("ungdom15"), Log.get_by_id(log.id)) == set()


def test_the_youth_reads_again_from_their_16th_birthday(app, auth, youth_log):
    log = youth_log
    app.config["CONSENT_AGE"] = 16
    client = auth.login_as("ungdom15")
    _set_birth(log, _born(16, days_to_birthday=1))  # 16 tomorrow
    assert client.get(f"/mine/{log.id}").status_code == 404
    _set_birth(log, _born(16))  # 16 today, in Oslo
    r = client.get(f"/mine/{log.id}")
    assert r.status_code == 200 and log.concerns[0].title in r.get_data(as_text=True)
    assert f"/mine/{log.id}" in client.get("/").get_data(as_text=True)


def test_the_parents_read_on_whatever_the_youths_age(app, auth, youth_log):
    """The consent age is about the youth's own say: the guardians' access does not follow it."""
    app.config["CONSENT_AGE"] = 16
    assert auth.persona("guardian").get(f"/mine/{youth_log.id}").status_code == 200


def test_the_one_rule_follows_the_setting_and_the_day(app):
    birth = dt.date(2010, 6, 1)
    with app.app_context():
        app.config["CONSENT_AGE"] = 15
        assert access.of_consent_age(birth, dt.date(2025, 6, 1)) and not access.of_consent_age(
            birth, dt.date(2025, 5, 31)
        )
        app.config["CONSENT_AGE"] = 16
        assert not access.of_consent_age(birth, dt.date(2025, 6, 1)) and access.of_consent_age(
            birth, dt.date(2026, 6, 1)
        )
        assert not access.of_consent_age(None)


def test_no_new_invitation_for_a_youth_under_the_consent_age_now(app, youth_log):
    app.config["CONSENT_AGE"] = 16
    youth = Guardian.get(Guardian.log == youth_log.id, Guardian.relation == YOUTH_RELATION)
    Guardian.update(user=None).where(Guardian.id == youth.id).execute()  # say they lost the password
    with app.test_request_context("/"), pytest.raises(LogError, match="16 år"):
        invitations.invite_guardian(user("stafettholder"), Log.get_by_id(youth_log.id), Guardian.get_by_id(youth.id))


def test_a_youth_under_the_consent_age_now_is_not_told_of_a_new_holder(app, youth_log):
    """The new holder's name is the log's: not for a youth whose own access is closed."""
    from stafettlogg.handover import domain as handover
    from stafettlogg.models import Notification, OutboxEmail, User

    Guardian.update(email="ung@example.org").where(
        Guardian.log == youth_log.id, Guardian.relation == YOUTH_RELATION
    ).execute()
    app.config["CONSENT_AGE"] = 16
    User.update(active=False).where(User.id == youth_log.holder_id).execute()
    with app.test_request_context("/"):
        handover.assign_holder_directly(user("enhetsleder"), Log.get_by_id(youth_log.id), user("larer"), "Sluttet.")
    assert not Notification.select().where(Notification.user == user("ungdom15")).exists()
    assert not OutboxEmail.select().where(OutboxEmail.to == "ung@example.org").exists()
    assert Notification.select().where(Notification.user == user("foresatt")).exists()  # the parents are told
