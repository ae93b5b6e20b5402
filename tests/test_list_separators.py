"""The parts of a line that say who someone is («Kari Ottesen, kontaktlærer, Nordbyen
skole») and a list of people are joined as the page's language joins them: Arabic with
its own comma «، » (and «و» in a list, CLDR's pattern), each Norwegian name a bidi
isolate; a left-to-right language with «, ». One helper each (i18n.apposition, listing)."""

import pytest
from flask_babel import force_locale

from stafettlogg import languages
from stafettlogg.db import db
from stafettlogg.guardians import domain as invitations
from stafettlogg.i18n import FSI, PDI, apposition, listing
from stafettlogg.models import Consent, Guardian, Unit, User
from tests.conftest import a_meeting, user

pytestmark = pytest.mark.db


def iso(text):
    return f"{FSI}{text}{PDI}"


@pytest.fixture
def people(log):
    with db.connection_context():
        holder = User.get_by_id(log.holder_id)
        User.update(phone="900 22 222", email="kari@example.no").where(User.id == holder.id).execute()
        participant = user("aktor")
        meeting = a_meeting(log)
        guardians = list(Guardian.select().where(Guardian.log == log).order_by(Guardian.id))
    return holder, participant, meeting, guardians


def test_the_participants_on_the_family_page(auth, log, people):
    _holder, p, _meeting, _guardians = people
    family = auth.persona("guardian")
    arabic = family.get(f"/mine/{log.id}?lang=ar").get_data(as_text=True)
    assert f"<li>{iso(p.name)}، {iso(p.job_title)}، {iso(p.unit.name)}</li>" in arabic
    english = family.get(f"/mine/{log.id}?lang=en").get_data(as_text=True)
    assert f"<li>{p.name}, {p.job_title}, {p.unit.name}</li>" in english


def test_who_read_the_log_in_the_family_access_history(auth, log, people):
    auth.persona("holder").get(f"/logger/{log.id}")  # a read the family sees
    family = auth.persona("guardian")
    arabic = family.get(f"/mine/{log.id}/innsyn?lang=ar").get_data(as_text=True)
    assert "، " + iso("Nordbyen skole") in arabic and ", Nordbyen skole" not in arabic
    polish = family.get(f"/mine/{log.id}/innsyn?lang=pl").get_data(as_text=True)
    assert "), Nordbyen skole" in polish


def test_the_meeting_invitation_letter(auth, log, people):
    holder, p, meeting, guardians = people
    client = auth.persona("holder")
    arabic = client.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=ar").get_data(as_text=True)
    unit = holder.unit.name
    assert f"{iso(holder.name)}، {iso(holder.job_title)}، {iso(unit)}</td>" in arabic
    assert f'<span dir="ltr">900 22 222</span>، {iso("kari@example.no")}</td>' in arabic
    to = arabic.split("<p>إلى:", 1)[1].split("</p>", 1)[0] if "<p>إلى:" in arabic else arabic
    assert f"{iso(f'{p.name} ({p.job_title})')} و" in to and ", " not in to
    norsk = client.get(f"/logger/{log.id}/moter/{meeting.id}/invitasjon?lang=nb").get_data(as_text=True)
    assert f"{holder.name}, {holder.job_title}, {unit}</td>" in norsk
    assert '<span dir="ltr">900 22 222</span>, kari@example.no</td>' in norsk
    to = norsk.split("<p>Til:", 1)[1].split("</p>", 1)[0]
    assert f"{p.name} ({p.job_title}), {guardians[0].name} (mor), " in to and to.count(" og ") == 2  # «… og Mor og far»


@pytest.mark.parametrize(
    ("code", "line", "listed"),
    [
        ("nb", "Kari, lærer", "Ola, Per og Åse"),
        ("ar", f"{iso('Kari')}، {iso('lærer')}", f"{iso('Ola')} و{iso('Per')} و{iso('Åse')}"),
        ("ti", "Kari፣ lærer", "Ola፣ Perን Åseን"),  # CLDR's Tigrinya list pattern
        ("so", "Kari, lærer", "Ola, Per iyo Åse"),
        ("se", "Kari, lærer", "Ola, Per ja Åse"),
    ],
)
def test_each_language_joins_in_its_own_way(app, code, line, listed):
    with app.test_request_context("/"), force_locale(code):
        assert apposition("Kari", "", "lærer") == line
        assert listing(["Ola", "Per", "", "Åse"]) == listed
        assert "<b>" not in apposition("<b>", "x") and "<b>" not in listing(["<b>", "x"])  # text is escaped


def test_the_guardians_invitation_sheet_says_whom_to_call_in_one_sentence(app, log, people):
    """The sheet printed for a guardian: the holder's name and phone in one sentence of
    the guardian's language, not Norwegian punctuation glued around a translated part."""
    holder = people[0]
    with app.test_request_context("/"), db.connection_context():
        newcomer = Guardian.create(log=log, name="Olena Kowalska", email="olena@example.org")
        invitation, _token = invitations.invite_guardian(holder, log, newcomer)
        created = {"guardian": newcomer, "link": "/invitasjon/x", "invitation": invitation}
        sheet = {
            code: languages.render_in(code, "guardians/_invitation_letter.html", created=created, log=log)
            for code in ("ar", "en", "nb")
        }
    phone = '<span dir="ltr">900 22 222</span>'
    assert f"{iso(holder.name)}، الهاتف {iso(phone)}." in sheet["ar"]
    assert f'Contact the relay log holder, {holder.name}, phone <span dir="ltr">900 22 222</span>.' in sheet["en"]
    assert f'Kontakt stafettholderen {holder.name}, telefon <span dir="ltr">900 22 222</span>.' in sheet["nb"]


def test_the_services_a_consent_covers_are_listed_in_the_familys_language(auth, log):
    with db.connection_context():
        units = list(Unit.select().order_by(Unit.id).limit(2))
        Consent.update(services=",".join(f"unit:{u.id}" for u in units)).where(Consent.log == log).execute()
    family = auth.persona("guardian")
    arabic = family.get(f"/mine/{log.id}?lang=ar").get_data(as_text=True)
    assert f"{iso(units[0].name)} و{iso(units[1].name)}" in arabic
    english = family.get(f"/mine/{log.id}?lang=en").get_data(as_text=True)
    assert f"{units[0].name} and {units[1].name}" in english
