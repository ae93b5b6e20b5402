"""A staff member's sign-in identity at the municipality's provider is set by their leader
(org.domain.update_staff): never on one's own account, and a change ends the sessions
begun with the old identity and tells the person."""

import pytest

from stafettlogg.models import AuditEvent, Notification, User
from tests.conftest import Auth, a_log
from tests.oidc_providers import closing_the_database, mock_provider
from tests.test_oidc_staff import KARI, sign_in, signed_out, staff_app, staff_person

pytestmark = pytest.mark.db

EVA = "eva.enhetsleder@demo.kommune.no"  # the unit leader of Nordbyen skole, Kari's leader
CONCERN = "Revisjon: barnet trenger hjelp med lesing"


@pytest.fixture
def provider():
    with mock_provider([staff_person(EVA, sid="sid-eva-1"), staff_person(KARI, sid="sid-kari-1")]) as issuer:
        yield issuer


@pytest.fixture
def app(database_url, provider):
    yield from closing_the_database(staff_app(database_url, provider))


def edit(leader, staff: User, identity: str):
    form = {"name": staff.name, "job_title": staff.job_title, "email": staff.email, "phone": staff.phone}
    return leader.post(f"/ansatte/{staff.id}", data={**form, "login_identity": identity})


def test_a_leader_cannot_move_their_own_identity_onto_a_colleagues_account(app, provider, db_conn):
    """Clearing one's own identity and putting it on the holder's account would let the
    unit leader sign in as the holder and read the log under the holder's name."""
    log = a_log(holder="stafettholder", concern=CONCERN)
    eva, kari = User.get(User.username == "enhetsleder"), User.get(User.username == "stafettholder")
    User.update(login_identity=EVA).where(User.id == eva.id).execute()
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    own = leader.get(f"/ansatte/{eva.id}")
    assert own.status_code == 403 and "egen konto" in own.get_data(as_text=True)
    refused = edit(leader, eva, "")
    assert refused.status_code == 403 and User.get_by_id(eva.id).login_identity == EVA
    taken = edit(leader, kari, EVA)
    assert taken.status_code == 422 and User.get_by_id(kari.id).login_identity == KARI
    browser = app.test_client()
    sign_in(browser, provider, EVA)
    assert CONCERN not in browser.get(f"/logger/{log.id}").get_data(as_text=True)


def test_changing_the_identity_ends_the_sessions_begun_with_the_old_one_and_tells_the_person(app, provider, db_conn):
    kari = User.get(User.username == "stafettholder")
    browser = app.test_client()
    sign_in(browser, provider, KARI)
    assert browser.get("/").status_code == 200
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    assert edit(leader, kari, "kari.ny@demo.kommune.no").status_code == 303
    assert User.get_by_id(kari.id).login_identity == "kari.ny@demo.kommune.no"
    assert signed_out(browser)
    told = Notification.get(Notification.user == kari.id, Notification.kind == "login_identity_changed")
    sign_in(browser, provider, KARI)  # the old identity no longer opens the account
    assert signed_out(browser)
    kari_now = Auth(app, app.test_client()).login_as("stafettholder")
    assert "endret innloggings-ID-en din" in kari_now.get("/varsler").get_data(as_text=True) and told.read_at is None
    assert AuditEvent.select().where(AuditEvent.action == "staff_login_identity_changed").count() == 1


def test_other_changes_leave_the_session_alone(app, provider, db_conn):
    kari = User.get(User.username == "stafettholder")
    browser = app.test_client()
    sign_in(browser, provider, KARI)
    leader = Auth(app, app.test_client()).login_as("enhetsleder")
    assert edit(leader, kari, KARI).status_code == 303  # the same identity, a saved form
    assert browser.get("/").status_code == 200
    assert not Notification.select().where(Notification.kind == "login_identity_changed").exists()
