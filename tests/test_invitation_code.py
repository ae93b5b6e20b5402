"""A forwarded invitation e-mail alone opens nothing: the guardian also types a one-time
code the holder gives by phone or in a meeting. Invitations are for families who cannot
use ID-porten: beside ID-porten only with LOCAL_GUARDIAN_LOGIN, never for a guardian whose
fødselsnummer is recorded."""

import re

import pytest

from stafettlogg.dates import local_today
from stafettlogg.guardians import domain as invitations
from stafettlogg.logs.domain import LogError
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.models import YOUTH_RELATION, Guardian, GuardianInvitation, OutboxEmail, Subject, User
from tests.conftest import _make_app, a_log, user

pytestmark = pytest.mark.db

GOOD = {"username": "tor.hansen", "password": "far leser avisen hver morgen", "repeat": "far leser avisen hver morgen"}


@pytest.fixture
def log(app):
    """Kari Ottesen's log; the father has no account yet."""
    return a_log()


def _father(log):
    return Guardian.get(Guardian.log == log, Guardian.relation == "far")


def _invite(app, log):
    with app.test_request_context("/"):
        return invitations.invite_guardian(user("stafettholder"), log, _father(log))


def test_the_link_without_the_code_opens_nothing(app, db_conn, log):
    invitation, token = _invite(app, log)
    anon = app.test_client()
    # a forwarded link names no one: not the child, not the guardian (which tells as much)
    for r in (anon.get(f"/invitasjon/{token}"), anon.post(f"/invitasjon/{token}", data={**GOOD, "code": ""})):
        page = r.get_data(as_text=True)
        assert _father(log).name not in page and log.subject.name not in page
    for code, message in (("", "Skriv inn engangskoden"), ("1234 5678", "Koden stemmer ikke")):
        if code.replace(" ", "") == invitation.code:
            continue
        r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": code})
        page = r.get_data(as_text=True)
        assert r.status_code == 422 and message in page
        assert 'value="tor.hansen"' in page  # what was typed is kept
    assert User.get_or_none(User.username == "tor.hansen") is None
    assert GuardianInvitation.get_by_id(invitation.id).used_at is None  # the link still works with the code
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": f"{invitation.code[:4]} {invitation.code[4:]}"})
    assert r.status_code == 303 and User.get(User.username == "tor.hansen").role == "guardian"


def test_guessing_the_code_is_slowed_down_then_refused_even_with_the_right_code(app, db_conn, log):
    invitation, token = _invite(app, log)
    anon = app.test_client()
    wrong = "0" * 8 if invitation.code != "0" * 8 else "1" * 8
    statuses = [anon.post(f"/invitasjon/{token}", data={**GOOD, "code": wrong}).status_code for _i in range(6)]
    assert statuses == [422] * 6
    r = anon.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 422 and "flere mislykkede forsøk" in r.get_data(as_text=True)
    assert User.get_or_none(User.username == "tor.hansen") is None


def test_an_existing_account_links_only_with_the_code(app, auth, db_conn):
    kindergarten = a_log("pedleder", participants=(), guardian=None)
    mother = Guardian.get(Guardian.log == kindergarten, Guardian.relation == "mor")
    with app.test_request_context("/"):
        invitation, token = invitations.invite_guardian(user("pedleder"), kindergarten, mother)
    parent = auth.persona("guardian")  # a guardian account, now also this mother's link
    assert parent.post(f"/invitasjon/{token}", data={"action": "link"}).status_code == 422
    assert parent.post(f"/invitasjon/{token}", data={"action": "link", "code": "1"}).status_code == 422
    assert Guardian.get_by_id(mother.id).user_id is None
    assert parent.post(f"/invitasjon/{token}", data={"action": "link", "code": invitation.code}).status_code == 303
    assert Guardian.get_by_id(mother.id).user_id == user("foresatt").id
    with app.test_request_context("/"), pytest.raises(LogError):
        invitations.link_invitation(token, user("foresatt"), code=invitation.code)  # single use


def test_a_log_linked_to_an_id_porten_account_stays_linked_at_its_next_sign_in(app, db_conn):
    """Fatima signs in with ID-porten (her account has her fødselsnummer) and links her
    second child's log by invitation: her next ID-porten sign-in keeps that log (it
    links exactly the guardian rows her number opens), instead of silently unlinking it."""
    from stafettlogg.oidc.domain import sign_in_by_pid

    fatima = user("foresatt")
    assert fatima.national_id
    kindergarten = a_log("pedleder", participants=(), guardian=None)
    mother = Guardian.get(Guardian.log == kindergarten, Guardian.relation == "mor")
    with app.test_request_context("/"):
        invitation, token = invitations.invite_guardian(user("pedleder"), kindergarten, mother)
        invitations.link_invitation(token, fatima, code=invitation.code)
        assert sign_in_by_pid(fatima.national_id).id == fatima.id
    assert Guardian.get_by_id(mother.id).user_id == fatima.id


def test_an_invitation_for_another_persons_number_does_not_link(app, db_conn):
    kindergarten = a_log("pedleder", participants=(), guardian=None)
    mother = Guardian.get(Guardian.log == kindergarten, Guardian.relation == "mor")
    with app.test_request_context("/"):
        invitation, token = invitations.invite_guardian(user("pedleder"), kindergarten, mother)
        Guardian.update(national_id=with_control_digits("010190501")).where(Guardian.id == mother.id).execute()
        with pytest.raises(LogError, match="annen person"):
            invitations.link_invitation(token, user("foresatt"), code=invitation.code)
    assert Guardian.get_by_id(mother.id).user_id is None


def test_the_holder_sees_the_code_once_and_it_is_never_in_the_e_mail(auth, db_conn, log):
    Guardian.update(email="tor@example.no").where(Guardian.id == _father(log).id).execute()
    page = auth.persona("holder").post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": _father(log).id})
    html = page.get_data(as_text=True)
    code = re.search(r'invitation-code__digits" dir="ltr">(\d{4}) (\d{4})<', html)
    assert code and f"Gi koden til {_father(log).name} på telefon eller i et møte" in html
    digits = code.group(1) + code.group(2)
    mail = OutboxEmail.get(OutboxEmail.to == "tor@example.no")
    assert digits not in mail.body and code.group(1) not in mail.body
    again = auth.persona("holder").get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    assert digits not in again and "invitation-code__digits" not in again
    assert digits not in GuardianInvitation.get(GuardianInvitation.guardian == _father(log)).code_hash


@pytest.mark.parametrize("guardian_id", [str(2**63), "-1", "x", ""])
def test_an_invitation_for_no_guardian_of_the_log_is_refused_and_makes_nothing(auth, db_conn, log, guardian_id):
    """A made-up guardian (one no id column holds, too): the form again with the reason."""
    before = GuardianInvitation.select().count()
    page = auth.persona("holder").post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": guardian_id})
    assert page.status_code == 422
    assert "Velg hvem invitasjonen gjelder." in page.get_data(as_text=True)
    assert GuardianInvitation.select().count() == before


@pytest.mark.parametrize(
    ("settings", "national_id", "allowed"),
    [
        ({}, None, True),  # no ID-porten: the only way in for families
        ({"IDPORTEN_ISSUER": "https://idporten.example"}, None, False),  # off by default beside ID-porten
        ({"IDPORTEN_ISSUER": "https://idporten.example", "LOCAL_GUARDIAN_LOGIN": True}, None, True),
        ({"IDPORTEN_ISSUER": "https://idporten.example", "LOCAL_GUARDIAN_LOGIN": True}, "12078510062", False),
    ],
)
def test_who_gets_an_invitation(database_url, db_conn, log, settings, national_id, allowed):
    app = _make_app(database_url, **settings)
    Guardian.update(national_id=national_id).where(Guardian.id == _father(log).id).execute()
    client = app.test_client()
    client.post("/login", data={"username": "stafettholder", "password": "demo-passord"})
    r = client.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": _father(log).id})
    assert (r.status_code == 200) == allowed
    assert GuardianInvitation.select().where(GuardianInvitation.guardian == _father(log)).exists() == allowed
    page = client.get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    offered = f'name="guardian_id" value="{_father(log).id}"' in page
    assert offered == allowed  # no button that would be refused; the reason instead
    if not allowed:
        assert "ID-porten" in r.get_data(as_text=True) and "ID-porten" in page


def _seventeen(log, national_id: str | None) -> None:
    born = local_today().replace(year=local_today().year - 17)
    Subject.update(birth_date=born, national_id=national_id).where(Subject.id == log.subject_id).execute()


def test_beside_id_porten_the_youth_gets_own_access_without_an_invitation(database_url, db_conn, log):
    """Where families sign in with ID-porten only, the youth of the consent age signs in
    with their own fødselsnummer: «Gi ungdommen egen tilgang» gives the access and says
    so (no invitation, no refusal for a youth it has just added); without the youth's
    fødselsnummer on the log no one could sign in as them: refused, nothing stored."""
    app = _make_app(database_url, IDPORTEN_ISSUER="https://idporten.example")
    client = app.test_client()
    client.post("/login", data={"username": "stafettholder", "password": "demo-passord"})
    youth_rows = Guardian.select().where(Guardian.log == log, Guardian.relation == YOUTH_RELATION)

    _seventeen(log, None)
    page = client.get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    assert "Gi ungdommen egen tilgang" in page and "Lag invitasjon til ungdommen" not in page
    response = client.post(f"/logger/{log.id}/tilgang-foresatte/ungdom", data={"email": "ung@example.no"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "fødselsnummeret er ikke registrert i stafettloggen" in html and 'value="ung@example.no"' in html
    assert not youth_rows.exists()

    taken = {s.national_id for s in Subject.select(Subject.national_id)}
    born = local_today().replace(year=local_today().year - 17)
    _seventeen(log, next(n for i in range(500, 999) if (n := with_control_digits(f"{born:%d%m%y}{i}")) not in taken))
    url = f"/logger/{log.id}/tilgang-foresatte/ungdom"
    response = client.post(url, data={"email": "ung@example.no"})
    assert response.status_code == 200
    assert "logger inn med ID-porten med sitt eget fødselsnummer" in response.get_data(as_text=True)
    assert youth_rows.count() == 1
    assert not GuardianInvitation.select().where(GuardianInvitation.guardian == youth_rows.get()).exists()


def test_the_code_is_read_in_the_digits_the_familys_keyboard_types(app, db_conn, log):
    """The page is in Arabic for an Arabic-speaking family, and a phone's number pad in
    Arabic types Arabic-Indic digits: the same eight digits, so the same code."""
    invitation, token = _invite(app, log)
    arabic = "".join(chr(0x0660 + int(d)) for d in invitation.code)  # ٠١٢٣٤٥٦٧٨٩
    r = app.test_client().post(f"/invitasjon/{token}?lang=ar", data={**GOOD, "code": arabic})
    assert r.status_code == 303 and User.get(User.username == "tor.hansen").role == "guardian"


def test_only_the_eight_digits_of_the_code_open_the_link(app, db_conn, log):
    invitation, token = _invite(app, log)
    superscript = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in invitation.code)  # digits, but not decimal ones
    with app.test_request_context("/"), pytest.raises(LogError):
        invitations.check_code(invitation, superscript)


def test_links_sent_before_the_municipality_turned_invitations_off_open_nothing(database_url, app, db_conn, log):
    """Beside ID-porten, invitations are for families who cannot use it, and only while
    the municipality allows them (LOCAL_GUARDIAN_LOGIN): a link sent before they were
    turned off makes no password account in the week it would have lasted."""
    invitation, token = _invite(app, log)
    idporten_only = _make_app(database_url, IDPORTEN_ISSUER="https://idporten.example").test_client()
    assert idporten_only.get(f"/invitasjon/{token}").status_code == 404
    r = idporten_only.post(f"/invitasjon/{token}", data={**GOOD, "code": invitation.code})
    assert r.status_code == 404 and User.get_or_none(User.username == "tor.hansen") is None
    assert _father(log).user_id is None


def test_the_youth_is_offered_own_access_from_the_birthday_in_norway(auth, db_conn, log, monkeypatch):
    """Just after midnight in Norway the date in UTC is still yesterday: on the birthday
    the holder is offered the youth's access that add_youth gives (Oslo's date, dates.py)."""
    import datetime as dt

    from stafettlogg.guardians import views

    today = local_today()
    born = today.replace(year=today.year - 16)  # a 29 February 16 years back is one too
    Subject.update(birth_date=born).where(Subject.id == log.subject_id).execute()
    utc_yesterday = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(23, 30))  # 00:30 or 01:30 in Oslo
    monkeypatch.setattr(views, "utcnow", lambda: utc_yesterday)
    page = auth.persona("holder").get(f"/logger/{log.id}/tilgang-foresatte").get_data(as_text=True)
    assert "Gi ungdommen egen tilgang" in page
