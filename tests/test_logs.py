"""The log: create with consent, duplicates, consent rules, sections, participants."""

import datetime as dt
import io

import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs.domain import LogError, update_header
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.models import (
    AuditEvent,
    Consent,
    Guardian,
    Log,
    LogStatus,
    Notification,
    Participant,
    StoredFile,
    Subject,
    User,
)
from tests import files
from tests.conftest import NEW_CHILD, PERSONAS, a_log, an_ended_log, child_form, create, new_log, refused, user

pytestmark = pytest.mark.db


def consent_form(content=None, name="samtykke.pdf", **changes):
    data = {
        "given_by": "guardian",
        "given_by_name": "Siv Testesen",
        "relation": "mor",
        "consent_date": local_today().isoformat(),
        "services": ["kind:helsestasjon"],
    }
    data.update(changes)
    data["file"] = (io.BytesIO(files.pdf() if content is None else content), name)
    return data


@pytest.fixture
def log(app) -> Log:
    """An active log with a fødselsnummer, held by the holder persona at Nordbyen skole, with
    the nurse ("aktor") and the PPT adviser taking part and the guardian persona as mother."""
    return a_log(participants=("aktor", "ppt"), nid9="140316530")


@pytest.fixture
def closed(app) -> Log:
    """A closed log at Nordbyen skole with a fødselsnummer."""
    return an_ended_log(nid9="140316540")


# ------------------------------------------------------------------ create


def test_create_log_makes_creator_holder_and_draft(auth, db_conn):
    log = new_log(auth)
    assert log.status == LogStatus.DRAFT and log.holder.username == "stafettholder"
    assert (log.subject.name, log.class_group, log.level, log.unit.name) == ("Lea Testesen", "3A", 1, "Nordbyen skole")
    assert [g.name for g in log.guardians] == ["Siv Testesen"]
    assert [c.title for c in log.concerns] == ["Lea sover dårlig og er trøtt på skolen"]
    assert AuditEvent.select().where(AuditEvent.action == "log_created", AuditEvent.log_id == log.id).exists()
    page = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    assert "Last opp samtykket for å ta loggen i bruk" in page
    assert "Lea sover dårlig" not in page  # content hidden until consent is on file


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Skriv navnet"),
        ({"birth_date": ""}, "birth_date", "Skriv fødselsdatoen."),
        ({"birth_date": "32.13.2017"}, "birth_date", "dd.mm.åååå"),
        ({"birth_date": "0001-01-01"}, "birth_date", "dd.mm.åååå"),  # a year no child is born in
        ({"national_id": "04051750000"}, "national_id", "kontrollsifferet"),
        ({"national_id": "123"}, "national_id", "11 sifre"),
        ({"level": "4"}, "level", "BTI-nivå"),
        ({"concern_title": ""}, "concern_title", "oppmerksomme på"),
        ({"guardian-1-name": "", "guardian-1-phone": ""}, "guardian-1-name", "minst én foresatt"),
        ({"guardian-1-phone": "", "guardian-1-email": ""}, "guardian-1-phone", "telefonnummer eller e-post"),
    ],
)
def test_create_bad_input_keeps_text_and_stores_nothing(auth, db_conn, changes, field, message):
    before = (Subject.select().count(), Log.select().count(), Guardian.select().count())
    r = create(auth.persona("holder"), **changes)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert f'href="#f-{field}"' in html  # error summary links to the field
    assert "Lea sover dårlig og er trøtt på skolen" in html or changes.get("concern_title") == ""
    assert (Subject.select().count(), Log.select().count(), Guardian.select().count()) == before


def test_duplicate_active_log_is_not_created(auth, log, db_conn):
    r = auth.persona("holder").post("/logger/ny", data=child_form(log))
    assert r.status_code == 409
    assert "finnes allerede en stafettlogg for dette fødselsnummeret" in r.get_data(as_text=True)
    assert Log.select().where(Log.subject == log.subject).count() == 1


def test_name_and_birth_date_reveal_no_earlier_log(auth, closed, db_conn):
    c = auth.persona("other_unit_staff")
    before = Log.select().count()
    r = create(c, name=closed.subject.name, birth_date=closed.subject.birth_date.isoformat(), national_id="")
    assert r.status_code == 303  # a new log: nothing tells that this child had one
    assert Log.select().count() == before + 1
    assert not AuditEvent.select().where(AuditEvent.action == "log_lookup_matched").exists()


def test_another_units_staff_cannot_take_over_a_closed_log(auth, closed, db_conn):
    """A staff member who was never the holder learns only that a log exists; the
    log's unit leader is asked; the lookup is in the guardians' access history."""
    holder_id, unit_id = closed.holder_id, closed.unit_id
    c = auth.persona("other_unit_staff")
    form = child_form(closed)
    r = c.post("/logger/ny", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Det finnes allerede en stafettlogg for dette fødselsnummeret" in html
    assert "Gjenåpne den tidligere stafettloggen" not in html
    notice = html[
        html.index('class="alert alert--warning"') : html.index("</div>", html.index('class="alert alert--warning"'))
    ]
    assert closed.holder.name not in notice and closed.unit.name not in notice and str(closed.id) not in notice
    event = AuditEvent.get(AuditEvent.action == "log_lookup_matched")
    assert event.log_id == closed.id and event.username == "kontaktlaerer"
    leaders = User.select().where(User.role == "unit_leader", User.unit == unit_id)
    assert Notification.select().where(Notification.kind == "log_requested", Notification.user.in_(leaders)).exists()
    r = c.post("/logger/gjenapne", data=form)
    assert r.status_code == 422
    log = Log.get_by_id(closed.id)
    assert (log.status, log.holder_id, log.unit_id) == (LogStatus.CLOSED, holder_id, unit_id)


def test_former_holder_reopens_by_national_id(auth, closed, db_conn):
    c = auth.login_as(closed.holder.username)
    form = child_form(closed)
    r = c.post("/logger/ny", data=form)
    assert r.status_code == 409 and "Gjenåpne den tidligere stafettloggen" in r.get_data(as_text=True)
    r = c.post("/logger/gjenapne", data=form)
    assert r.status_code == 303
    assert Log.get_by_id(closed.id).status == LogStatus.DRAFT


@pytest.mark.parametrize("persona", ["other_unit_staff", "holder"])
def test_a_reopen_by_national_id_that_matches_a_log_is_audited(auth, closed, db_conn, persona):
    """Typing the fødselsnummer into «Gjenåpne» looks the child up like the new-log form
    does: a match is a use of the child's data, shown in the family's access history
    (DESIGN.md "Create"), whether the person may reopen it (the former holder) or is
    told only that nothing was found."""
    lookups = AuditEvent.select().where(AuditEvent.action == "log_lookup_matched", AuditEvent.log_id == closed.id)
    r = auth.persona(persona).post("/logger/gjenapne", data=child_form(closed))
    assert r.status_code == (303 if persona == "holder" else 422)
    assert lookups.count() == 1
    assert lookups.get().user_id == user(PERSONAS[persona]).id


def test_reopen_requires_a_matching_earlier_log(auth, db_conn):
    r = auth.persona("holder").post("/logger/gjenapne", data=NEW_CHILD)
    assert r.status_code == 422
    assert "Fant ingen avsluttet stafettlogg" in r.get_data(as_text=True)


# ------------------------------------------------------------------ consent


def test_consent_upload_activates_log(auth, db_conn):
    log = new_log(auth)
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/samtykke", data=consent_form(), content_type="multipart/form-data")
    assert r.status_code == 303
    log = Log.get_by_id(log.id)
    assert log.status == LogStatus.ACTIVE
    consent = Consent.get(Consent.log == log)
    assert consent.file.content == files.pdf() and consent.file.content_type == "application/pdf"
    assert consent.services == "kind:helsestasjon"
    assert "Lea sover dårlig" in c.get(f"/logger/{log.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "name"), [(files.png(), "samtykke.png"), (files.jpeg(), "skann.jpg"), (files.png(), "feil-navn.pdf")]
)
def test_png_and_jpeg_accepted_by_their_bytes(auth, db_conn, content, name):
    log = new_log(auth)
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke", data=consent_form(content, name), content_type="multipart/form-data"
    )
    assert r.status_code == 303
    assert Consent.get(Consent.log == log).file.content_type in ("image/png", "image/jpeg")


BAD_FILES = [
    (b"", "tom.pdf", "Filen er tom"),
    (files.exe(), "program.pdf", "ikke en PDF, PNG eller JPEG"),
    (files.svg(), "bilde.png", "ikke en PDF, PNG eller JPEG"),
    (files.html(), "side.png", "ikke en PDF, PNG eller JPEG"),
    (files.pdf()[:200], "avkuttet.pdf", "ikke en PDF, PNG eller JPEG"),
    (files.png()[:30], "avkuttet.png", "ikke en PDF, PNG eller JPEG"),
    (b"hei", "tekst.txt", "ikke en PDF, PNG eller JPEG"),
    (files.damaged_png(), "samtykke.png", "Filen er skadet og kan ikke åpnes"),
    (files.damaged_jpeg(), "skann.jpg", "Filen er skadet og kan ikke åpnes"),
    (files.encrypted_pdf(), "samtykke.pdf", "PDF-filen er beskyttet med passord"),
    (files.pdf(), "../../etc/passwd.pdf", "kan ikke inneholde mapper"),
    (files.pdf(), "skanner/samtykke.pdf", "kan ikke inneholde mapper"),
]


@pytest.mark.parametrize(("content", "name", "message"), BAD_FILES)
def test_bad_files_refused_with_message_and_nothing_stored(auth, db_conn, content, name, message):
    log = new_log(auth)
    before = (StoredFile.select().count(), Consent.select().count())
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(content, name, given_by_name="Siv T"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert 'value="Siv T"' in html  # what the user typed is kept
    assert (StoredFile.select().count(), Consent.select().count()) == before
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_by_name", "Siv " + "T" * 197, "«Navn på den som har samtykket» kan ha høyst 200 tegn."),
        ("relation", "mor " + "m" * 57, "«Relasjon til barnet» kan ha høyst 60 tegn."),
    ],
)
def test_a_name_or_relation_too_long_for_its_column_is_refused_and_nothing_stored(auth, db_conn, field, value, message):
    """PostgreSQL refused them with a server error (the file was lost with the form);
    SQLite stored them."""
    log = new_log(auth)
    before = (StoredFile.select().count(), Consent.select().count())
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke", data=consent_form(**{field: value}), content_type="multipart/form-data"
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and value in html
    assert (StoredFile.select().count(), Consent.select().count()) == before
    assert Log.get_by_id(log.id).status == LogStatus.DRAFT


def test_file_too_large_is_refused(auth, app, db_conn):
    log = new_log(auth)
    app.config["MAX_UPLOAD_BYTES"] = 1000
    big = files.pdf()[:-6] + b" " * 2000 + b"%%EOF\n"
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke", data=consent_form(big), content_type="multipart/form-data"
    )
    assert r.status_code == 422 and "for stor" in r.get_data(as_text=True)
    assert Consent.select().where(Consent.log == log).count() == 0


def test_request_one_byte_over_limit_is_413(auth, app, db_conn):
    log = new_log(auth)
    app.config["MAX_CONTENT_LENGTH"] = 5000
    body = b"x" * 5001
    r = auth.persona("holder").post(f"/logger/{log.id}/samtykke", data=body, content_type="application/octet-stream")
    assert r.status_code == 413
    assert "Filen er for stor" in r.get_data(as_text=True)
    assert Consent.select().where(Consent.log == log).count() == 0


@pytest.mark.parametrize(("days_offset", "ok"), [(0, True), (-1, False), (1, True)])
def test_youth_consents_from_16_on_both_sides_of_the_birthday(auth, db_conn, days_offset, ok):
    """Consent date relative to the 16th birthday: the day before is refused."""
    birth = dt.date(2009, 6, 10)
    sixteen = dt.date(2025, 6, 10)
    log = new_log(
        auth,
        kind="ungdom",
        name="Ung Testesen",
        birth_date=birth.isoformat(),
        national_id=with_control_digits("100609500"),
    )
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(
            given_by="youth",
            given_by_name="Ung Testesen",
            consent_date=(sixteen + dt.timedelta(days=days_offset)).isoformat(),
        ),
        content_type="multipart/form-data",
    )
    if ok:
        assert r.status_code == 303
        assert Consent.get(Consent.log == log).given_by == "youth"
    else:
        assert r.status_code == 422
        assert "Fra 16 år kan ungdommen samtykke selv" in r.get_data(as_text=True)
        assert Consent.select().where(Consent.log == log).count() == 0


def test_consent_age_is_a_setting(auth, app, db_conn):
    app.config["CONSENT_AGE"] = 15
    log = new_log(
        auth, kind="ungdom", name="Ung Femten", birth_date="2010-01-01", national_id=with_control_digits("010110500")
    )
    r = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(given_by="youth", given_by_name="Ung Femten", consent_date="2025-01-01"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 303


def test_new_consent_replaces_old_and_keeps_history(auth, log, db_conn):
    c = auth.persona("holder")
    r = c.post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(given_by_name="Mor Testesen", services=["kind:helsestasjon", "kind:ppt", "kind:barnevern"]),
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    consents = list(Consent.select().where(Consent.log == log.id).order_by(Consent.id))
    assert len(consents) == 2
    assert consents[0].replaced_at is not None and consents[1].replaced_at is None
    page = c.get(f"/logger/{log.id}/samtykke").get_data(as_text=True)
    assert "Erstattet" in page and "Historikk" in page


def test_consent_file_download_only_holder_and_unit_leader_and_audited(auth, log, db_conn):
    consent = Consent.get(Consent.log == log.id)
    url = f"/logger/{log.id}/samtykke/{consent.id}/fil"
    for persona in ("holder", "unit_leader"):
        before = AuditEvent.select().where(AuditEvent.action == "view:logs.consent_file").count()
        r = auth.persona(persona).get(url)
        assert r.status_code == 200
        assert r.data == consent.file.content
        assert r.headers["Content-Disposition"].startswith("attachment;")
        assert r.headers["Content-Security-Policy"] == "sandbox"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        event = (
            AuditEvent.select()
            .where(AuditEvent.action == "view:logs.consent_file")
            .order_by(AuditEvent.id.desc())
            .first()
        )
        assert AuditEvent.select().where(AuditEvent.action == "view:logs.consent_file").count() == before + 1
        assert (event.log_id, event.object_id, event.username) == (
            log.id,
            consent.id,
            user("stafettholder" if persona == "holder" else "enhetsleder").username,
        )
        assert event.role == persona
    for persona in ("participant", "same_unit_staff", "guardian", "other_unit_staff", "area_leader", "admin"):
        assert refused(auth.persona(persona).get(url)), persona


def test_consent_of_another_log_is_not_found_through_this_log(auth, log, db_conn):
    other = Consent.get(Consent.log == a_log().id)
    assert auth.persona("holder").get(f"/logger/{log.id}/samtykke/{other.id}/fil").status_code == 404


def test_consent_templates_printable_in_every_family_language(auth):
    c = auth.persona("holder")
    listing = c.get("/logger/samtykkeskjema").get_data(as_text=True)
    assert "Samtykkeskjema på norsk nynorsk" in listing and "Samtykkeskjema på arabisk" in listing
    nb = c.get("/logger/samtykkeskjema/nb").get_data(as_text=True)
    nn = c.get("/logger/samtykkeskjema/nn").get_data(as_text=True)
    assert "Samtykke til bruk av stafettlogg" in nb and "trekke samtykket tilbake" in nb
    assert "trekkje samtykket tilbake" in nn and 'lang="nn"' in nn
    assert c.get("/logger/samtykkeskjema/xx").status_code == 404


def test_expiring_consent_on_holders_start_page(auth, log, db_conn):
    Consent.update(expires_on=local_today() + dt.timedelta(days=10)).where(Consent.log == log.id).execute()
    html = auth.persona("holder").get("/").get_data(as_text=True)
    assert f"Samtykket for {log.subject.name} utløper" in html


# ------------------------------------------------------------------ participants


def test_add_participant_from_covered_service(auth, log, db_conn):
    mari = user("larer")  # same unit as the log: always covered
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/deltakere", data={"user_id": mari.id}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "Mari Lund" in r.get_data(as_text=True)
    assert r.headers["HX-Trigger"] == "log-changed"
    assert Participant.select().where(Participant.log == log.id, Participant.user == mari).exists()
    assert auth.persona("same_unit_staff").get(f"/logger/{log.id}").status_code == 200


def test_add_participant_from_uncovered_service_asks_for_extended_consent(auth, log, db_conn):
    jonas = user("kontaktlaerer")  # Sørbyen skole: not in the log's consent
    r = auth.persona("holder").post(
        f"/logger/{log.id}/deltakere", data={"user_id": jonas.id}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Samtykket omfatter ikke Sørbyen skole" in html and "Last opp utvidet samtykke" in html
    assert not Participant.select().where(Participant.log == log.id, Participant.user == jonas).exists()
    auth.persona("holder").post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(given_by_name="Mor Testesen", services=["kind:helsestasjon", "kind:ppt", "kind:skole"]),
        content_type="multipart/form-data",
    )
    r = auth.persona("holder").post(f"/logger/{log.id}/deltakere", data={"user_id": jonas.id})
    assert r.status_code == 303
    assert Participant.select().where(Participant.log == log.id, Participant.user == jonas).exists()


def test_participant_search_finds_staff_by_name_job_or_unit(auth, log, db_conn):
    c = auth.persona("holder")
    for q, expected in (("Jonas", "Jonas Berg"), ("spesialped", "Mari Lund"), ("Sørbyen", "Jonas Berg")):
        r = c.get(f"/logger/{log.id}/deltakere/sok?q={q}", headers={"HX-Request": "true"})
        assert expected in r.get_data(as_text=True)
        assert "<html" not in r.get_data(as_text=True)
    html = c.get(f"/logger/{log.id}/deltakere/sok?q=Karianne", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Karianne" not in html  # already a participant
    mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor").user.name  # the guardian persona
    html = c.get(f"/logger/{log.id}/deltakere/sok?q={mother}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert mother not in html  # guardians are not staff
    full = c.get(f"/logger/{log.id}/deltakere/sok?q=Jonas").get_data(as_text=True)
    assert "<html" in full and "Jonas Berg" in full  # works without JavaScript


def test_remove_participant_ends_their_access(auth, log, db_conn):
    p = Participant.get(Participant.log == log.id, Participant.user == user("aktor"))
    r = auth.persona("holder").post(f"/logger/{log.id}/deltakere/{p.id}/fjern")
    assert r.status_code == 303
    assert auth.persona("participant").get(f"/logger/{log.id}").status_code == 404  # as for no log at all


def test_deactivated_staff_cannot_be_added(auth, log, db_conn):
    from stafettlogg.models import User

    User.update(active=False).where(User.username == "larer").execute()
    r = auth.persona("holder").post(f"/logger/{log.id}/deltakere", data={"user_id": user("larer").id})
    assert r.status_code == 303
    assert not Participant.select().where(Participant.user == user("larer")).exists()


def test_guardian_add_and_remove(auth, log, db_conn):
    c = auth.persona("holder")
    r = c.post(f"/logger/{log.id}/foresatte", data={"name": "Bestemor Hansen", "relation": "annet", "phone": "123"})
    assert r.status_code == 303
    g = Guardian.get(Guardian.name == "Bestemor Hansen")
    r = c.post(f"/logger/{log.id}/foresatte", data={"name": "", "phone": ""})
    assert r.status_code == 422 and "Skriv navnet på den foresatte." in r.get_data(as_text=True)
    r = c.post(f"/logger/{log.id}/foresatte", data={"name": "Far", "email": "far@example.no\nBcc: x@y.no"})
    assert r.status_code == 422 and "E-postadressen ser ikke riktig ut" in r.get_data(as_text=True)
    assert not Guardian.select().where(Guardian.name == "Far", Guardian.log == log.id).exists()
    assert c.post(f"/logger/{log.id}/foresatte/{g.id}/fjern").status_code == 303
    assert not Guardian.select().where(Guardian.name == "Bestemor Hansen").exists()


# ------------------------------------------------------------------ header


def test_edit_header_with_version(auth, log, db_conn):
    c = auth.persona("holder")
    log = Log.get_by_id(log.id)
    r = c.post(
        f"/logger/{log.id}/opplysninger",
        data={
            "class_group": "5B",
            "level": "3",
            "guardians_informed_on": "2026-01-10",
            "records_kept_in": "visma",
            "version": log.version,
            "holder_id": user("aktor").id,
            "unit_id": 3,
            "status": "closed",
        },
    )
    assert r.status_code == 303
    log = Log.get_by_id(log.id)
    assert (log.class_group, log.level, log.records_kept_in, log.guardians_informed_on) == (
        "5B",
        3,
        "visma",
        dt.date(2026, 1, 10),
    )
    assert log.holder.username == "stafettholder" and log.status == "active" and log.unit.name == "Nordbyen skole"
    stale = c.post(
        f"/logger/{log.id}/opplysninger",
        data={"class_group": "6C", "level": "1", "records_kept_in": "visma", "version": log.version - 1},
    )
    assert stale.status_code == 422
    assert "Noen andre har endret" in stale.get_data(as_text=True)
    assert 'value="6C"' in stale.get_data(as_text=True)
    assert Log.get_by_id(log.id).class_group == "5B"


def test_log_page_header_shows_what_the_issue_names(auth, log, db_conn):
    html = auth.persona("participant").get(f"/logger/{log.id}").get_data(as_text=True)
    for text in (
        log.subject.name,
        "4B",
        "Nordbyen skole",
        "Kari Ottesen",
        "Kontaktlærer",
        "900 22 222",
        "Nivå 2",
        "Aktiv",
        "Foresatte informert om stafettholder",
        "Karianne Petrusen",
        "Per Rådgiver",
    ):
        assert text in html, text


@pytest.mark.parametrize("path", ["/logger/99999999999999999999999", "/logger/9223372036854775808/samtykke"])
def test_an_id_no_integer_column_holds_is_404(auth, path):
    assert auth.persona("holder").get(path).status_code == 404


@pytest.mark.parametrize("level", ["7", "0", "", "to"])
def test_a_bti_level_outside_1_to_3_is_refused_and_nothing_is_stored(auth, log, db_conn, level):
    before = Log.get_by_id(log.id)
    r = auth.persona("holder").post(
        f"/logger/{log.id}/opplysninger",
        data={"class_group": "9Z", "level": level, "records_kept_in": "visma", "version": before.version},
    )
    assert r.status_code == 422
    assert "Velg BTI-nivå 1, 2 eller 3." in r.get_data(as_text=True)
    assert 'value="9Z"' in r.get_data(as_text=True)  # what the holder typed is kept
    after = Log.get_by_id(log.id)
    assert (after.level, after.class_group, after.version) == (before.level, before.class_group, before.version)


def test_the_rule_refuses_a_bad_level_without_the_form_too(log, db_conn):
    """A real check, not an assert: it holds under PYTHONOPTIMIZE too."""
    log = Log.get_by_id(log.id)
    with pytest.raises(LogError):
        update_header(
            user("stafettholder"),
            log,
            class_group="5B",
            level=7,
            guardians_informed_on=None,
            records_kept_in="visma",
            version=log.version,
        )
    assert Log.get_by_id(log.id).level != 7


def test_a_class_group_too_long_for_its_column_is_refused_with_the_text_kept(auth, log, db_conn):
    """The column holds 100 characters: PostgreSQL refused a longer one with a server
    error, SQLite stored it (the new-log form cuts it to 100)."""
    before = Log.get_by_id(log.id)
    long_group = "5B " + "x" * 98
    r = auth.persona("holder").post(
        f"/logger/{log.id}/opplysninger",
        data={"class_group": long_group, "level": "2", "records_kept_in": "visma", "version": before.version},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "«Klasse eller barnehagegruppe» kan ha høyst 100 tegn." in html and long_group in html
    after = Log.get_by_id(log.id)
    assert (after.class_group, after.version) == (before.class_group, before.version)


def test_the_header_refuses_a_date_ahead_for_when_the_guardians_were_told(auth, log, db_conn):
    """As the start page's task does (record_guardians_informed): the date tells when it
    happened, and the unit's overview reports it."""
    before = Log.get_by_id(log.id)
    ahead = (local_today() + dt.timedelta(days=1)).isoformat()
    r = auth.persona("holder").post(
        f"/logger/{log.id}/opplysninger",
        data={
            "class_group": "7A",
            "level": "2",
            "guardians_informed_on": ahead,
            "records_kept_in": "visma",
            "version": before.version,
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Datoen kan ikke være fram i tid." in html and 'value="7A"' in html
    after = Log.get_by_id(log.id)
    assert (after.guardians_informed_on, after.version) == (before.guardians_informed_on, before.version)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Bestemor " + "H" * 192, "«Navn» kan ha høyst 200 tegn."),
        ("phone", "9" * 41, "«Telefon» kan ha høyst 40 tegn."),
        ("email", "bestemor@" + "e" * 243 + ".no", "«E-post» kan ha høyst 254 tegn."),
    ],
)
def test_a_guardian_too_long_for_its_columns_is_refused_with_the_text_kept(auth, log, db_conn, field, value, message):
    """PostgreSQL refused them with a server error; SQLite stored them."""
    before = Guardian.select().where(Guardian.log == log).count()
    form = {"name": "Bestemor Hansen", "relation": "annet", "phone": "900 11 222", "email": "", field: value}
    r = auth.persona("holder").post(f"/logger/{log.id}/foresatte", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and value in html
    assert Guardian.select().where(Guardian.log == log).count() == before


def test_a_broken_scan_is_refused_after_weasyprint_made_pillow_lenient():
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported (every app server
    that has made an archive copy): a broken scan then decodes as grey unless the check
    turns it off for itself."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    from stafettlogg.logs import files as uploads

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    assert uploads.unreadable(files.damaged_png(), "image/png") is not None
    assert uploads.unreadable(files.damaged_jpeg(), "image/jpeg") is not None
    assert uploads.unreadable(files.png(), "image/png") is None and ImageFile.LOAD_TRUNCATED_IMAGES


def test_a_scan_of_more_pixels_than_a_page_is_refused_before_it_is_decoded(monkeypatch):
    """Finding: an 86 KB PNG of 88 million pixels passed and was decoded in full (one image
    at a time in the process). The size is read from the header: more than a page at 600
    dpi is refused with a message, and nothing is decoded."""
    import struct
    import zlib

    from PIL import ImageFile

    from stafettlogg.logs import files as uploads

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    side = 9400  # 88 million grey pixels in a file of about 86 KB
    rows = zlib.compress(b"\x00" * (side + 1) * side, 9)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
    bomb += chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    assert len(bomb) < 200_000 and uploads.sniff(bomb) == "image/png"
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    message = uploads.unreadable(bomb, "image/png")
    assert message is not None and "Bildet er for stort (88 megapiksler)" in message


def test_a_log_for_a_pregnant_woman_can_always_be_given_its_consent(auth, db_conn):
    """Finding: «gravid» took no birth date and no guardian, and such a log could never be
    activated: a guardian's consent needs a guardian, her own needs her age. Now the form
    asks for one of them, keeps what was typed and stores nothing; with her birth date she
    gives the consent herself."""
    logs = Log.select().count()
    form = {"kind": "gravid", "name": "Nora Venter", "birth_date": "", "national_id": "",
            "guardian-1-name": "", "guardian-1-relation": "", "guardian-1-phone": ""}  # fmt: skip
    refused = create(auth.persona("holder"), **form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "hun gir samtykket selv" in html and "Nora Venter" in html
    assert Log.select().count() == logs
    log = new_log(auth, **{**form, "birth_date": "1998-02-11"})
    response = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke",
        data=consent_form(given_by="youth", given_by_name="Nora Venter", relation="", services=[]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and Log.get_by_id(log.id).status == "active"


def test_a_youth_s_own_access_is_no_guardian_who_consents(auth, db_conn):
    """The youth's own access is a Guardian row too: it does not let a consent be recorded
    as a guardian's on a log that has no guardian."""
    from stafettlogg.guardians import domain as family

    form = {"kind": "ungdom", "name": "Ung Alene", "birth_date": "2008-01-01", "national_id": "",
            "guardian-1-name": "", "guardian-1-relation": "", "guardian-1-phone": ""}  # fmt: skip
    log = new_log(auth, **form)
    with auth.app.test_request_context():
        family.add_youth(user("stafettholder"), log, phone="91234567", email="")
    response = auth.persona("holder").post(
        f"/logger/{log.id}/samtykke", data=consent_form(given_by="guardian"), content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Loggen har ingen foresatte" in response.get_data(as_text=True)
    assert Log.get_by_id(log.id).status == "draft"
