"""Filing a log in the archive (seed 003): the history in words, PDF/A documents, the
Fiks Arkiv arkivmelding package, its transports and the deletion gate."""

import datetime as dt
import hashlib
import io
import json
import os
import re
import threading
import time
import uuid
import zipfile
from pathlib import Path

import pikepdf
import pytest
import xmlschema

from stafettlogg import audit
from stafettlogg.archive import documents, domain, events, outbox, package, transport
from stafettlogg.dates import local_today
from stafettlogg.db import db
from stafettlogg.logs import domain as log_domain
from stafettlogg.logs import lifecycle, sections, states
from stafettlogg.meetings import domain as meetings
from stafettlogg.models import (
    ArchiveDelivery,
    ArchiveStatus,
    AuditEvent,
    Consent,
    Log,
    LogStatus,
    LogTombstone,
    Meeting,
    MinutesCorrection,
    StoredFile,
    Subject,
    Unit,
    User,
    utcnow,
)
from tests import files
from tests.conftest import ON_POSTGRES, a_consent, a_log, an_ended_log, an_item, user

pytestmark = pytest.mark.db

SOURCE = Path(__file__).parent.parent / "stafettlogg"
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # log_created, consent_uploaded, view:…


@pytest.fixture
def closed(app) -> Log:
    """A closed log of Nordbyen skole the family said no to keeping, never archived."""
    return an_ended_log(name="Sander Vik")


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])


def test_every_audited_change_to_a_log_has_a_sentence():
    recorded = set()
    for path in SOURCE.rglob("*.py"):
        for m in re.finditer(r'audit\.record\(\s*"([a-z_]+)",\s*log=', path.read_text()):
            recorded.add(m.group(1))
    for m in re.finditer(r'audit\.record\(f"\{section\.key\}_([a-z]+)"', (SOURCE / "logs/sections.py").read_text()):
        recorded |= {f"{key}_{m.group(1)}" for key in sections.SECTIONS}
    assert len(recorded) > 20
    assert recorded <= set(events.SENTENCES), sorted(recorded - set(events.SENTENCES))


def test_an_event_reads_as_a_sentence_with_name_job_and_long_date(ctx):
    kari = user("stafettholder")
    event = AuditEvent(action="consent_uploaded", user_id=kari.id, role="holder", at=dt.datetime(2027, 3, 3, 9, 0))
    assert events.describe(event, {kari.id: kari}) == f"{kari.name} (kontaktlærer) lastet opp samtykke 3. mars 2027"
    unknown = AuditEvent(action="something_new", user_id=None, role="system", at=dt.datetime(2027, 3, 3, 9, 0))
    assert events.describe(unknown, {}) == "Systemet gjorde en endring i stafettloggen 3. mars 2027"


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_archive_print_has_the_history_in_words_without_codes_or_login_names(auth, db_conn, lang):
    log = a_log()
    # A login name that is no Norwegian word, so finding it anywhere means it leaked.
    kn = User.create(username="kn4821x", name="Kari Nordmann", role="staff", job_title="Kontaktlærer", unit=log.unit)
    audit.record("consent_uploaded", log=log, obj=log, user=kn, role="participant")
    c = auth.persona("holder")
    c.set_cookie("lang", lang)
    page = text_of(c.get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True))
    expected = "lastet opp samtykke" if lang == "nb" else "lasta opp samtykke"
    assert f"Kari Nordmann (kontaktlærer) {expected}" in page
    assert "kn4821x" not in page
    for u in User.select().where(User.role != "guardian"):
        assert not re.search(rf"\({re.escape(u.username)}\b", page)
    assert not CODE.findall(page), CODE.findall(page)
    assert "accepted" not in page and "pending" not in page


# ------------------------------------------------------------------ documents and package


SCHEMA = xmlschema.XMLSchema(str(package.SCHEMA_FILE))
AM = {"am": package.AM, "md": package.MD}


ABSENT = "Mor var syk. Referatet er gjennomgått med henne på telefon."


def finalise_meeting(log, minutes_text="Vi ble enige om å fortsette lekegruppene."):
    holder = user("stafettholder")
    meeting = Meeting.select().where(Meeting.log == log, Meeting.finalised_at.is_null()).first()
    if meeting is None:
        meeting = Meeting.create(
            log=log, kind="samarbeidsmote", starts_at=dt.datetime(2026, 11, 2, 13), author=holder, place="Møterom 1"
        )
    if meeting.starts_at > dt.datetime(2026, 11, 2, 13):  # the demo's meeting is next week: let it take place
        Meeting.update(starts_at=dt.datetime(2026, 11, 2, 13)).where(Meeting.id == meeting.id).execute()
    meeting = Meeting.get_by_id(meeting.id)
    # the family was not there: why is filed with the minutes (seed 001)
    form = {"minutes": minutes_text, "version": str(meeting.version), "family_absent": ABSENT}
    return meetings.finalise(
        holder, log, meeting, {**form, "details": meetings.shown_details(meeting, meetings.invited(log, meeting).names)}
    )


@pytest.fixture
def emma(ctx):
    """A log with approved minutes, an evaluation, a PDF consent (replaced) and a PNG consent."""
    log = a_log(name="Emma Hansen", participants=("aktor", "ppt"), nid9="140316550")
    holder = user("stafettholder")
    fields = {"responsible": "Kontaktlærer", "status": "ongoing", "evaluation_date": local_today()}
    measure = an_item(log, "measures", what="Faste lekegrupper i storefri.", **fields)
    finalise_meeting(log)
    sections.add_evaluation(
        holder,
        log,
        measure,
        {"evaluated_on": "01.11.2026", "what_worked": "Emma leker oftere med andre.", "decision": "continue"},
    )
    a_consent(log, data=files.png(), filename="samtykke.png")
    return Log.get_by_id(log.id)


def check_pdfa(data: bytes):
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.is_encrypted
        meta = pdf.open_metadata()
        assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "B"
        # ISO 19005-2 6.2.3: device colour needs an OutputIntent with an embedded ICC profile
        intents = pdf.Root.get("/OutputIntents") or []
        assert any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents), "no OutputIntent"
        fonts = []
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                fonts.append(font)
        for font in fonts:
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
        # 6.2.4.3: device CMYK only with a CMYK OutputIntent; ours is sRGB (3 components)
        assert all(i.DestOutputProfile.get("/N") == 3 for i in intents)
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert not [i for i in images if i.get("/ColorSpace") == "/DeviceCMYK"], "CMYK image in an sRGB PDF/A"


def unpack(pkg):
    z = zipfile.ZipFile(io.BytesIO(pkg.data))
    return {name: z.read(name) for name in z.namelist()}


def test_documents_are_pdfa_with_embedded_fonts_marking_and_no_codes(emma):
    docs = documents.all_documents(emma)
    keys = [d.key for d in docs]
    assert keys[0] == "logg-aapen" and any(k.startswith("referat-") for k in keys)
    assert sum(k.startswith("samtykke-") for k in keys) == 2
    usernames = [u.username for u in User.select()]
    for doc in docs:
        assert doc.format == "PDF/A-2b", doc.key  # Ghostscript converts the uploaded PDF
        check_pdfa(doc.data)
        text = files.pdf_text(doc.data)
        assert "Unntatt offentlighet, offl. § 13 jf. fvl. § 13" in text
        assert not CODE.findall(text), (doc.key, CODE.findall(text))
        for name in usernames:
            assert not re.search(rf"\({re.escape(name)}\)", text)
    whole = files.pdf_text(docs[0].data)
    assert "Emma Hansen" in whole and "Emma leker oftere med andre." in whole and "lastet opp samtykke" in whole
    assert "Vi ble enige om å fortsette lekegruppene." in files.pdf_text(docs[1].data)


def test_a_consent_scanned_in_cmyk_is_filed_as_valid_pdfa_with_the_scan_in_rgb(ctx):
    """PDF/A-2b with an sRGB OutputIntent holds no CMYK colour: a CMYK JPEG scan is
    converted, so the archive's copy is the PDF/A it claims to be, the scan still on it."""
    log = a_log()
    c = a_consent(log, data=files.cmyk_jpeg(), filename="samtykke.jpg")
    doc = documents.consent(log, Consent.get_by_id(c.id))
    assert doc.format == "PDF/A-2b"
    check_pdfa(doc.data)
    with pikepdf.open(io.BytesIO(doc.data)) as pdf:
        [scan] = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert scan.get("/ColorSpace") == "/DeviceRGB" and (scan.Width, scan.Height) == (40, 20)
    assert documents.scan_for_pdfa(files.jpeg(), "image/jpeg") == (files.jpeg(), "image/jpeg")  # RGB: untouched


def test_uploaded_pdf_converted_by_ghostscript_is_pdfa_with_an_output_intent():
    data, fmt = documents.pdf_to_pdfa(files.pdf())
    assert fmt == "PDF/A-2b"
    check_pdfa(data)
    assert not documents.is_pdfa(files.pdf())  # a plain PDF is never called PDF/A


def test_uploaded_pdf_is_kept_as_uploaded_without_ghostscript(monkeypatch):
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    data = files.pdf()
    assert documents.pdf_to_pdfa(data) == (data, "PDF")


def test_documents_follow_the_units_language_form(emma):
    Unit.update(document_language="nn").where(Unit.id == emma.unit_id).execute()
    text = files.pdf_text(documents.whole_log(Log.get_by_id(emma.id)).data)
    assert "Unnateke offentlegheit, offl. § 13 jf. fvl. § 13" in text and "lasta opp samtykke" in text


def test_package_validates_against_the_fiks_arkiv_schema_with_checksums(emma):
    pkg = domain.prepare(user("stafettholder"), emma)
    content = unpack(pkg)
    SCHEMA.validate(content["arkivmelding.xml"].decode())
    case = SCHEMA.to_dict(content["arkivmelding.xml"].decode())
    mappe = case["mappe"]
    assert mappe["tittel"] == "Stafettlogg – Emma Hansen"
    assert "Emma" not in mappe["offentligTittel"] and "Hansen" not in mappe["offentligTittel"]
    assert mappe["skjerming"]["tilgangsrestriksjon"]["n5mdk:kode"] == "13"
    assert mappe["klassifikasjon"][0]["klasseID"] == emma.subject.national_id
    assert mappe["saksansvarlig"]["n5mdk:navn"] == "Kari Ottesen"
    assert case["antallFiler"] == 0
    records = sorted(n for n in content if n.startswith("journalposter/") and n.endswith("arkivmelding.xml"))
    assert len(records) == len(pkg.documents) == 4
    for name in records:
        xml = content[name].decode()
        SCHEMA.validate(xml)
        msg = SCHEMA.to_dict(xml)
        assert msg["antallFiler"] == 1  # the documents, not the XML
        reg = msg["registrering"]
        # the family's signed consent came in (I); the log and the minutes are the service's own (X)
        assert reg["journalposttype"]["n5mdk:kode"] == ("I" if "-samtykke-" in name else "X")
        obj = reg["dokumentbeskrivelse"][0]["dokumentobjekt"][0]
        data = content[name.rsplit("/", 1)[0] + "/" + obj["referanseDokumentfil"]]
        assert obj["sjekksum"] == hashlib.sha256(data).hexdigest() and obj["sjekksumAlgoritme"] == "SHA-256"
        assert obj["filstoerrelse"] == len(data)
        assert reg["referanseEksternNoekkel"]["n5mdk:noekkel"].startswith(f"{emma.id}/")
        assert "Emma" not in reg["offentligTittel"]
        # screened on the record and on its document
        assert reg["dokumentbeskrivelse"][0]["skjerming"]["tilgangsrestriksjon"]["n5mdk:kode"] == "13"


def test_an_uploaded_pdf_that_could_not_be_converted_is_not_called_arkivformat(ctx, monkeypatch):
    """Without Ghostscript a consent PDF is kept as uploaded: the archive is told it is
    the production format (P), which it converts itself, not an archive format (A)."""
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    log = a_log()
    consent = documents.consent(log, Consent.get(Consent.log == log))
    assert consent.format == "PDF"
    obj = SCHEMA.to_dict(package.record_message(log, consent, 1).decode())["registrering"]
    obj = obj["dokumentbeskrivelse"][0]["dokumentobjekt"][0]
    assert obj["variantformat"]["n5mdk:kode"] == "P" and obj["format"]["n5mdk:kode"] == "fmt/276"
    whole = SCHEMA.to_dict(package.record_message(log, documents.whole_log(log), 1).decode())["registrering"]
    assert whole["dokumentbeskrivelse"][0]["dokumentobjekt"][0]["variantformat"]["n5mdk:kode"] == "A"


def test_a_consent_is_filed_as_received_from_the_family_screened_and_dated_as_signed(ctx):
    """The signed consent is an incoming document (I) from the guardian who gave it, her
    name screened from the public journal, dated the day she signed (its title's date),
    received the day it was uploaded; what the service wrote itself stays type X."""
    log = a_log()
    signed = local_today() - dt.timedelta(days=12)
    c = a_consent(log, given_by_name="Áile Ŋuolja-Hætta", consent_date=signed)
    doc = documents.consent(log, Consent.get_by_id(c.id))
    xml = package.record_message(log, doc, 1).decode()
    SCHEMA.validate(xml)
    reg = SCHEMA.to_dict(xml)["registrering"]
    assert reg["journalposttype"]["n5mdk:kode"] == "I"
    [sender] = reg["korrespondansepart"]
    assert sender["korrespondanseparttype"]["n5mdk:kode"] == "EA"
    assert sender["korrespondansepartNavn"] == "Áile Ŋuolja-Hætta" and sender["erSkjermet"] is True
    assert "Ŋuolja" not in reg["offentligTittel"]
    assert reg["dokumentetsDato"] == signed.isoformat() and signed.strftime("%d.%m.%Y") in reg["tittel"]
    assert reg["mottattDato"].startswith(dt.datetime.now(dt.UTC).date().isoformat()[:4])
    whole = SCHEMA.to_dict(package.record_message(log, documents.whole_log(log), 1).decode())["registrering"]
    assert whole["journalposttype"]["n5mdk:kode"] == "X" and "korrespondansepart" not in whole


def test_a_filed_consent_is_written_off_so_it_never_waits_on_the_units_unanswered_list(ctx):
    """An incoming document that is not written off (avskrevet) stays on the restanseliste:
    the consent is written off as taken into account (TE) by whoever uploaded it, that day."""
    log = a_log()
    c = a_consent(log)
    xml = package.record_message(log, documents.consent(log, Consent.get_by_id(c.id)), 1).decode()
    SCHEMA.validate(xml)
    reg = SCHEMA.to_dict(xml)["registrering"]
    [written_off] = reg["korrespondansepart"][0]["avskrivning"]
    today = local_today().isoformat()
    assert written_off["avskrivningsmaate"]["n5mdk:kode"] == "TE"
    assert written_off["avskrevetAv"]["n5mdk:navn"] == user("stafettholder").name
    assert written_off["avskrivningsdato"] == reg["avskrivningsdato"] == today


def test_a_log_reopened_and_closed_again_files_a_new_journalpost_in_the_same_open_case(ctx):
    """The archive keeps one case per log: the second close's whole log is a new journalpost
    in it. The case is never sent closed (avsluttetDato): a Noark 5 archive takes no new
    record into a closed case, and a closed log sends more."""
    holder = user("stafettholder")
    log = a_log()
    lifecycle.close_log(holder, log, "needs_met", keep="undecided")
    Log.update(closed_at=utcnow() - dt.timedelta(days=30)).where(Log.id == log.id).execute()
    first, _d = domain.archive(holder, Log.get_by_id(log.id), "download")
    log = lifecycle.reopen(holder, Log.get_by_id(log.id))
    a_consent(log)
    lifecycle.close_log(holder, Log.get_by_id(log.id), "needs_met", keep="undecided")
    second, _d = domain.archive(holder, Log.get_by_id(log.id), "download")
    whole = documents.whole_log_key(Log.get_by_id(log.id))
    new_consent = Consent.select().where(Consent.log == log).order_by(Consent.id.desc()).first()
    assert [d["key"] for d in second.documents] == [whole, f"samtykke-{new_consent.id}"]
    cases = [SCHEMA.to_dict(unpack(pkg)["arkivmelding.xml"].decode())["mappe"] for pkg in (first, second)]
    assert cases[0]["systemID"] == cases[1]["systemID"]
    assert cases[0]["referanseEksternNoekkel"] == cases[1]["referanseEksternNoekkel"]
    assert not any("avsluttetDato" in case for case in cases)
    record = unpack(second)[f"journalposter/01-{whole}/arkivmelding.xml"]
    parent = SCHEMA.to_dict(record.decode())["registrering"]["referanseForelderMappe"]
    assert parent["n5mdk:referanseEksternNoekkel"] == cases[0]["referanseEksternNoekkel"]


def test_each_copy_of_the_whole_log_in_the_case_says_which_it_is(ctx):
    """The archive's one case gets the whole log while in use, at the close and after what
    the family asked since: an archivist tells them apart by title and date, not by key."""
    holder, today = user("stafettholder"), local_today()
    log = a_log()
    in_use = documents.whole_log(log)
    lifecycle.close_log(holder, log, "needs_met", keep="undecided")
    closed_at = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(12))
    Log.update(closed_at=closed_at).where(Log.id == log.id).execute()
    closed = documents.whole_log(Log.get_by_id(log.id))
    lifecycle.request_deletion(user("foresatt"), Log.get_by_id(log.id), "Vi vil ikke at skolen har dette lenger.")
    asked = documents.whole_log(Log.get_by_id(log.id))
    shown = today.strftime("%d.%m.%Y"), (today - dt.timedelta(days=30)).strftime("%d.%m.%Y")
    assert in_use.title == f"Stafettlogg – hele loggen per {shown[0]}"
    assert closed.title == f"Stafettlogg – hele loggen, avsluttet {shown[1]}"
    assert asked.title == f"Stafettlogg – hele loggen, avsluttet {shown[1]}, per {shown[0]}"
    records = [SCHEMA.to_dict(package.record_message(log, d, 1).decode())["registrering"] for d in (closed, asked)]
    assert [r["tittel"] for r in records] == [closed.title, asked.title]
    # the copy made after the family asked is of that day, not of the close
    assert [r["dokumentetsDato"] for r in records] == [(today - dt.timedelta(days=30)).isoformat(), today.isoformat()]


def test_corrected_minutes_filed_beside_the_approved_ones_say_they_are_corrected(ctx):
    """A correction after approval files the minutes again (a new key): in the case the
    archivist sees «…, rettet <day>» dated the correction, beside the minutes as approved."""
    log = a_log()
    meeting = finalise_meeting(log)
    approved = documents.minutes(log, Meeting.get_by_id(meeting.id))
    correction = meetings.add_correction(user("stafettholder"), log, meeting, "Møtet var i rom 2, ikke rom 1.")
    MinutesCorrection.update(created_at=dt.datetime(2026, 11, 9, 23, 30)).where(
        MinutesCorrection.id == correction.id
    ).execute()
    corrected = documents.minutes(log, Meeting.get_by_id(meeting.id))
    assert approved.key != corrected.key
    assert approved.title == "Referat fra møte 02.11.2026"
    assert corrected.title == "Referat fra møte 02.11.2026, rettet 10.11.2026"  # 00:30 in Norway
    reg = SCHEMA.to_dict(package.record_message(log, corrected, 1).decode())["registrering"]
    assert (reg["tittel"], reg["dokumentetsDato"]) == (corrected.title, "2026-11-10")


def test_two_municipalities_sharing_an_archive_never_share_a_key(app, ctx):
    """Log 7 of one municipality and log 7 of another are different children: with
    ARCHIVE_SYSTEM_KEY their systemIDs and external keys differ; without it they are as
    they always were (a running installation's keys do not change on upgrade)."""
    log = a_log()
    doc = documents.Document("referat-1", "Referat", "referat-1.pdf", b"%PDF-1.7", "PDF/A-2b", utcnow())

    def keys():
        case = SCHEMA.to_dict(package.case_message(log).decode())
        record = SCHEMA.to_dict(package.record_message(log, doc, 1).decode())
        return (
            case["mappe"]["systemID"],
            case["mappe"]["referanseEksternNoekkel"]["n5mdk:fagsystem"],
            record["registrering"]["systemID"],
            record["registrering"]["referanseEksternNoekkel"]["n5mdk:fagsystem"],
        )

    plain = keys()
    assert plain[1] == plain[3] == "Stafettlogg"
    assert plain[0] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"stafettlogg:{log.id}"))  # as before the setting
    app.config["ARCHIVE_SYSTEM_KEY"] = "5001"
    trondheim = keys()
    app.config["ARCHIVE_SYSTEM_KEY"] = "4601"
    bergen = keys()
    assert trondheim[1] == "Stafettlogg 5001" and bergen[1] == "Stafettlogg 4601"
    assert len({plain[0], trondheim[0], bergen[0]}) == 3 and len({plain[2], trondheim[2], bergen[2]}) == 3


def test_the_archives_dates_are_the_days_in_norway(ctx):
    """Minutes approved at 00:30 on 5 March (23:30 on 4 March in UTC, as times are
    stored) are dated 5 March in the archive, as their title says."""
    log = a_log()
    night = dt.datetime(2027, 3, 4, 23, 30)  # 00:30 in Oslo (UTC+1 in winter)
    doc = documents.Document("referat-1", "Referat", "referat-1.pdf", b"%PDF-1.7", "PDF/A-2b", night)
    record = SCHEMA.to_dict(package.record_message(log, doc, 1).decode())
    assert record["registrering"]["dokumentetsDato"] == "2027-03-05"
    Log.update(activated_at=night).where(Log.id == log.id).execute()
    case = SCHEMA.to_dict(package.case_message(Log.get_by_id(log.id)).decode())
    assert case["mappe"]["saksdato"] == "2027-03-05"


def test_second_delivery_after_new_minutes_holds_only_the_new_journalpost(emma, app):
    holder = user("stafettholder")
    first, delivery = domain.archive(holder, emma, "download")
    assert json.loads(delivery.documents) == first.documents
    assert hashlib.sha256(first.data).hexdigest() == delivery.package_sha256
    with pytest.raises(log_domain.LogError):
        domain.prepare(holder, emma)  # nothing new
    new_meeting = Meeting.create(
        log=emma, kind="evalueringsmote", starts_at=dt.datetime(2026, 11, 20, 9), author=holder
    )
    form = {"minutes": "Nytt referat.", "version": str(new_meeting.version), "family_absent": ABSENT}
    meetings.finalise(
        holder,
        emma,
        new_meeting,
        {**form, "details": meetings.shown_details(new_meeting, meetings.invited(emma, new_meeting).names)},
    )
    second, _d = domain.archive(holder, Log.get_by_id(emma.id), "download")
    assert [d["key"] for d in second.documents] == [f"referat-{new_meeting.id}"]
    assert sum(n.endswith("arkivmelding.xml") for n in unpack(second)) == 2  # the case and one journalpost
    assert AuditEvent.select().where(AuditEvent.action == "log_archived", AuditEvent.log_id == emma.id).count() == 2


def test_folder_transport_never_shows_a_partial_zip(tmp_path, monkeypatch):
    seen = []
    real_replace = transport.os.replace

    def watch(src, dst):
        seen.append(sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")))
        real_replace(src, dst)

    monkeypatch.setattr(transport.os, "replace", watch)
    target = transport.write_atomically(tmp_path, "pakke.zip", b"PK" + b"x" * 10000)
    assert seen == [[]]  # before the rename, nothing an importer would pick up
    assert target.read_bytes().startswith(b"PK") and [p.name for p in tmp_path.iterdir()] == ["pakke.zip"]

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(transport.os, "replace", fail)
    with pytest.raises(OSError):
        transport.write_atomically(tmp_path, "annen.zip", b"PK")
    assert [p.name for p in tmp_path.iterdir()] == ["pakke.zip"]  # no temporary file left behind


def test_cli_writes_the_package_and_all_closed_into_a_folder(app, tmp_path, db_conn):
    runner = app.test_cli_runner()
    log = a_log()
    an_ended_log(), an_ended_log(LogStatus.PASSIVE)
    out = tmp_path / "logg.zip"
    r = runner.invoke(args=["archive", str(log.id), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "arkivmelding.xml" in zipfile.ZipFile(out).namelist()
    r = runner.invoke(args=["archive", "--all-closed", str(tmp_path / "mappe")])
    assert r.exit_code == 0, r.output
    written = sorted(p.name for p in (tmp_path / "mappe").iterdir())
    ended = Log.select().where(Log.status.in_(["closed", "passive"])).count()
    assert len(written) == ended >= 2
    assert f"{ended} arkivpakker skrevet til" in r.output
    r = runner.invoke(args=["archive", "--all-closed", str(tmp_path / "mappe")])
    assert r.exit_code == 0 and len(list((tmp_path / "mappe").iterdir())) == ended  # nothing twice
    assert "0 arkivpakker skrevet til" in r.output
    assert runner.invoke(args=["archive", "999999", "--out", str(out)]).exit_code != 0
    assert ArchiveDelivery.select().count() == ended + 1
    an_ended_log()
    r = runner.invoke(args=["archive", "--all-closed", str(tmp_path / "mappe")], env={"STAFETTLOGG_LANG": "nn"})
    assert "1 arkivpakke skriven til" in r.output


# ------------------------------------------------------------------ the deletion gate and the pages


def test_deletion_is_refused_until_archived_unless_the_leader_says_why(ctx, closed):
    leader, oskar = user("enhetsleder"), closed
    assert "not_archived" in states.blocking("delete", oskar, {}) and not domain.is_archived(oskar)
    assert "delete" in states.allowed_actions(leader, oskar)  # offered: the form asks why not archived
    with pytest.raises(log_domain.LogError) as refused:
        lifecycle.delete_log(leader, oskar, "not_kept")
    assert refused.value.field == "archive_waiver" and Log.get_or_none(Log.id == oskar.id)
    assert states.blocking("delete", oskar, {"archive_waiver": "aldri tatt i bruk"}) == []
    assert states.blocking("delete", oskar, {"archive_waiver": "   "}) == ["not_archived"]
    domain.archive(leader, oskar, "download")
    assert domain.is_archived(oskar) and states.blocking("delete", Log.get_by_id(oskar.id), {}) == []
    lifecycle.delete_log(leader, Log.get_by_id(oskar.id), "not_kept", "ignored once archived")
    tomb = LogTombstone.get(LogTombstone.log_id == oskar.id)
    assert tomb.archive_waiver == ""
    assert domain.deliveries(oskar.id)  # the delivery record outlives the log (ids only)


def test_waiver_is_kept_on_the_tombstone(ctx):
    ida = an_ended_log(LogStatus.PASSIVE)
    lifecycle.delete_log(
        user("enhetsleder"),
        ida,
        "passive_by_agreement",
        "  aldri tatt i bruk ",
        agreed_with="youth",
        agreed_on=local_today(),
    )
    assert LogTombstone.get(LogTombstone.log_id == ida.id).archive_waiver == "aldri tatt i bruk"


def test_unit_leader_archives_a_closed_log_by_download(auth, closed, db_conn):
    oskar = closed
    leader = auth.persona("unit_leader")
    page = leader.get(f"/logger/{oskar.id}/arkiv").get_data(as_text=True)
    assert "Ikke arkivert ennå." in page and "2 dokumenter er ikke sendt ennå." in page
    r = leader.post(f"/logger/{oskar.id}/arkiv")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="stafettlogg-')
    assert r.headers["Content-Security-Policy"] == "sandbox" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert "arkivmelding.xml" in zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    delivery = ArchiveDelivery.get(ArchiveDelivery.log_id == oskar.id)
    assert (
        delivery.package_sha256 == hashlib.sha256(r.data).hexdigest()
        and delivery.delivered_by.username == "enhetsleder"
    )
    page = leader.get(f"/logger/{oskar.id}/arkiv").get_data(as_text=True)
    assert "Arkivert." in page and "Alt i stafettloggen er allerede sendt til arkivet." in page
    assert leader.post(f"/logger/{oskar.id}/arkiv").status_code == 409  # nothing new
    r = leader.post(f"/logger/{oskar.id}/arkiv/saksnummer", data={"reference": "x" * 101})
    assert (
        r.status_code == 422
        and "x" * 101 in r.get_data(as_text=True)
        and Log.get_by_id(oskar.id).archive_reference == ""
    )
    r = leader.post(f"/logger/{oskar.id}/arkiv/saksnummer", data={"reference": " 2027/123 "})
    assert r.status_code == 303 and Log.get_by_id(oskar.id).archive_reference == "2027/123"
    assert "2027/123" in leader.get(f"/logger/{oskar.id}/slett").get_data(as_text=True)
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.log_id == oskar.id)}
    assert {"log_archived", "archive_reference_set", "view:archive.show"} <= actions
    # deleted once archived: the unit's record of deletions says where it was filed
    lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(oskar.id), "not_kept", "")
    assert LogTombstone.get(LogTombstone.log_id == oskar.id).archive_reference == "2027/123"
    page = text_of(leader.get(f"/enheter/{oskar.unit_id}/sletting").get_data(as_text=True))
    assert "Saksnummer i arkivet: 2027/123" in " ".join(page.split())


def test_folder_transport_writes_after_commit_from_the_outbox_and_retries(
    auth, closed, db_conn, app, tmp_path, monkeypatch
):
    folder = tmp_path / "import"  # the archive's share is down: the folder is not there
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(folder), ARCHIVE_MAX_ATTEMPTS=3)
    writes = []
    real_write = transport.write_atomically

    def write(*args, **kwargs):
        writes.append(db.in_transaction())  # never inside a write transaction
        return real_write(*args, **kwargs)

    monkeypatch.setattr(transport, "write_atomically", write)
    oskar, leader = closed, auth.persona("unit_leader")
    r = leader.post(f"/logger/{oskar.id}/arkiv")
    outbox.OUTBOX.wait_for_background_delivery()
    assert r.status_code == 303 and writes == [False]  # tried once after commit, in the background
    (queued,) = domain.deliveries(oskar)
    assert queued.status == ArchiveStatus.QUEUED and queued.attempts == 1 and "import" in queued.last_error
    assert hashlib.sha256(bytes(queued.package)).hexdigest() == queued.package_sha256  # the package is kept
    assert not domain.is_archived(oskar) and "not_archived" in states.blocking("delete", oskar, {})
    page = leader.get(f"/logger/{oskar.id}/arkiv").get_data(as_text=True)
    assert "Venter på arkivet" in page and "1 forsøk feilet, prøves igjen automatisk." in page
    assert leader.post(f"/logger/{oskar.id}/arkiv").status_code == 409  # not queued twice
    assert AuditEvent.select().where(AuditEvent.action == "log_archived", AuditEvent.log_id == oskar.id).count() == 1

    folder.mkdir()  # the share is back; the timer's next run delivers it
    ArchiveDelivery.update(next_attempt_at=dt.datetime(2000, 1, 1)).execute()
    r = app.test_cli_runner().invoke(args=["send-archive"])
    assert r.exit_code == 0 and "Levert: 1" in r.output, r.output
    (written,) = list(folder.iterdir())
    assert hashlib.sha256(written.read_bytes()).hexdigest() == queued.package_sha256
    (delivered,) = domain.deliveries(oskar)
    assert delivered.status == ArchiveStatus.DELIVERED and delivered.package is None and domain.is_archived(oskar)
    assert "Arkivert." in leader.get(f"/logger/{oskar.id}/arkiv").get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["send-archive"]).output.startswith("Levert: 0")  # never twice
    assert writes == [False, False]


def test_a_hanging_archive_share_is_given_up_on_within_the_limit_and_never_gets_the_package_late(
    auth, closed, db_conn, app, tmp_path, monkeypatch
):
    """A network share that hangs mid-write held the sender (and its claim) as long as it
    hung; past the claim's 15 minutes a second sender wrote the package again, and the
    first one's write then landed too. Now the sender gives up at ARCHIVE_WRITE_TIMEOUT
    (the package stays queued and is retried), and the late write is never put in place."""
    folder = tmp_path / "import"
    folder.mkdir()
    app.config.update(
        ARCHIVE_TRANSPORT="folder",
        ARCHIVE_FOLDER=str(folder),
        ARCHIVE_SEND_AFTER_REQUEST=False,
        ARCHIVE_WRITE_TIMEOUT=1,
    )
    share_back, real_fsync, hung = threading.Event(), transport.os.fsync, []

    def hanging_fsync(fd):
        if not hung:  # the first package's flush to the share hangs until the share is back
            hung.append(threading.current_thread())
            share_back.wait(30)
        real_fsync(fd)

    monkeypatch.setattr(transport.os, "fsync", hanging_fsync)
    oskar, leader = closed, auth.persona("unit_leader")
    assert leader.post(f"/logger/{oskar.id}/arkiv").status_code == 303
    started = time.monotonic()
    with app.app_context():
        counts = outbox.OUTBOX.deliver()
    waited = time.monotonic() - started
    assert counts[ArchiveStatus.QUEUED] == 1 and 0.9 <= waited < 3, (counts, waited)
    (queued,) = domain.deliveries(oskar)
    assert queued.status == ArchiveStatus.QUEUED and "longer than 1 s" in queued.last_error
    assert not domain.is_archived(oskar)
    assert not [p for p in folder.iterdir() if not p.name.startswith(".")]  # nothing the archive imports

    share_back.set()  # the hung write finishes after the sender gave up: it is not renamed into place
    hung[0].join(5)
    assert not hung[0].is_alive() and list(folder.iterdir()) == []  # nor its temporary file left

    ArchiveDelivery.update(next_attempt_at=dt.datetime(2000, 1, 1)).execute()
    with app.app_context():
        assert outbox.OUTBOX.deliver()[ArchiveStatus.DELIVERED] == 1
    (written,) = list(folder.iterdir())
    assert hashlib.sha256(written.read_bytes()).hexdigest() == queued.package_sha256 and domain.is_archived(oskar)


def test_a_partial_zip_left_in_the_share_is_removed_by_the_next_write_or_timer_run(app, db_conn, tmp_path):
    """A sender killed mid-write, or a hung write whose thread never came back, left a
    hidden partial zip (part of a child's log) in the archive's share for good. The next
    write, or the timer's next run, removes this app's temporary files that nobody has
    touched for an hour; a write going on now is left alone."""
    folder = tmp_path / "import"
    folder.mkdir()
    old, fresh, foreign = (folder / n for n in (".stafettlogg-old.part", ".stafettlogg-now.part", ".other.part"))
    for path in (old, fresh, foreign):
        path.write_bytes(b"PK partial")
    two_hours_ago = time.time() - 7200
    for path in (old, foreign):
        os.utime(path, (two_hours_ago, two_hours_ago))
    transport.write_atomically(folder, "pakke.zip", b"PK", timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == [".other.part", ".stafettlogg-now.part", "pakke.zip"]
    os.utime(fresh, (two_hours_ago, two_hours_ago))
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(folder))
    r = app.test_cli_runner().invoke(args=["send-archive"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in folder.iterdir()) == [".other.part", "pakke.zip"]  # another system's file stays


def test_a_rename_that_hangs_past_the_grace_is_not_written_again_once_it_lands(tmp_path, monkeypatch):
    """The share hangs on the rename itself: whether the package is in place is not known
    when the sender gives up, and the retry wrote it a second time. The retry now finds
    it in place (the same bytes) and writes nothing."""
    real_replace, share_back, renames = transport.os.replace, threading.Event(), []

    def hanging_replace(src, dst):
        renames.append(threading.current_thread())
        share_back.wait(10)
        real_replace(src, dst)

    monkeypatch.setattr(transport.os, "replace", hanging_replace)
    monkeypatch.setattr(transport, "RENAME_GRACE", 0.2)
    with pytest.raises(transport.TransportError, match="rename did not finish"):
        transport.write_atomically(tmp_path, "pakke.zip", b"PK pakke", timeout=0.3)
    share_back.set()
    renames[0].join(5)
    assert [p.name for p in tmp_path.iterdir()] == ["pakke.zip"]
    monkeypatch.setattr(transport.os, "replace", lambda *_: pytest.fail("written again"))
    assert transport.write_atomically(tmp_path, "pakke.zip", b"PK pakke", timeout=5).read_bytes() == b"PK pakke"


def test_a_leftover_that_cannot_be_removed_stops_no_write(tmp_path, caplog):
    """A leftover's name on something this app may not remove (a folder, a file the
    share locks) failed every write until each package was given up on."""
    odd = tmp_path / ".stafettlogg-abc.part"
    odd.mkdir()
    two_hours_ago = time.time() - 7200
    os.utime(odd, (two_hours_ago, two_hours_ago))
    assert transport.write_atomically(tmp_path, "pakke.zip", b"PK", timeout=5).read_bytes() == b"PK"
    assert odd.is_dir()


@pytest.mark.parametrize("seconds", [1, 300, 900, 3600])
def test_a_write_given_up_on_ends_well_inside_the_senders_claim(seconds):
    config = {"ARCHIVE_WRITE_TIMEOUT": seconds}
    longest = outbox.write_limit(config) + transport.RENAME_GRACE
    assert dt.timedelta(seconds=longest) < outbox.stale_after(config)


def test_a_package_the_archive_never_takes_is_kept_marked_failed_and_replaced_on_the_next_click(
    auth, closed, db_conn, app, tmp_path
):
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(tmp_path / "borte"), ARCHIVE_MAX_ATTEMPTS=2)
    app.config["ARCHIVE_SEND_AFTER_REQUEST"] = False
    oskar, leader = closed, auth.persona("unit_leader")
    assert leader.post(f"/logger/{oskar.id}/arkiv").status_code == 303
    with app.app_context():
        for _attempt in range(2):
            ArchiveDelivery.update(next_attempt_at=None).execute()
            outbox.OUTBOX.deliver()
    (failed,) = domain.deliveries(oskar)
    assert failed.status == ArchiveStatus.FAILED and failed.package is not None and not domain.is_archived(oskar)
    page = leader.get(f"/logger/{oskar.id}/arkiv").get_data(as_text=True)
    assert "Ikke levert" in page and "2 dokumenter er ikke sendt ennå." in page  # offered again
    assert leader.post(f"/logger/{oskar.id}/arkiv").status_code == 303
    first, second = domain.deliveries(oskar)
    assert first.status == ArchiveStatus.CANCELLED and first.package is None
    assert second.status == ArchiveStatus.QUEUED and second.package is not None
    lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(oskar.id), "not_kept", "arkivet tar ikke imot")
    assert [d.status for d in domain.deliveries(oskar.id)] == [ArchiveStatus.CANCELLED] * 2
    assert not ArchiveDelivery.select().where(ArchiveDelivery.package.is_null(False)).exists()  # purged


def test_a_failed_packages_zip_is_let_go_after_the_kept_days(auth, closed, db_conn, app, tmp_path):
    """A package the archive never took keeps its zip ARCHIVE_FAILED_KEPT_DAYS for the
    operator; then `flask send-archive` keeps only its record (the zip holds the whole log
    as it was, text deleted since included). A newer failure keeps its zip."""
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(tmp_path / "borte"), ARCHIVE_MAX_ATTEMPTS=1)
    app.config["ARCHIVE_SEND_AFTER_REQUEST"] = False
    assert auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv").status_code == 303
    with app.app_context():
        outbox.OUTBOX.deliver()
    (failed,) = domain.deliveries(closed)
    assert failed.status == ArchiveStatus.FAILED and failed.package is not None
    runner = app.test_cli_runner()
    assert runner.invoke(args=["send-archive"]).exit_code == 0
    assert ArchiveDelivery.get_by_id(failed.id).package is not None  # a day old: kept
    days = app.config["ARCHIVE_FAILED_KEPT_DAYS"]
    ArchiveDelivery.update(delivered_at=utcnow() - dt.timedelta(days=days, minutes=1)).execute()
    assert runner.invoke(args=["send-archive"]).exit_code == 0
    kept = ArchiveDelivery.get_by_id(failed.id)
    assert kept.status == ArchiveStatus.FAILED and kept.package is None and kept.package_sha256 == failed.package_sha256


def test_nobody_else_archives_or_learns_anything(auth, closed, db_conn):
    oskar, active = closed, a_log()
    for persona in ("other_unit_leader", "other_unit_staff", "same_unit_staff", "guardian", "participant"):
        c = auth.persona(persona)
        for method, url in (
            ("get", f"/logger/{oskar.id}/arkiv"),
            ("post", f"/logger/{oskar.id}/arkiv"),
            ("post", f"/logger/{oskar.id}/arkiv/saksnummer"),
        ):
            r = getattr(c, method)(url, data={"reference": "x"})
            assert r.status_code in (403, 404), (persona, url, r.status_code)
            assert "Sander" not in r.get_data(as_text=True) and "Vik" not in r.get_data(as_text=True)
    leader = auth.persona("unit_leader")
    assert leader.get("/logger/99999999999/arkiv").status_code == 404
    # an active log: the holder's to archive, not yet the leader's; refused as a role, not
    # shown as the archive page (a read of the log in the family's access history)
    for url, data in (
        (f"/logger/{active.id}/arkiv", {}),
        (f"/logger/{active.id}/arkiv/saksnummer", {"reference": "x"}),
    ):
        before = AuditEvent.select().where(AuditEvent.log_id == active.id).count()
        r = leader.post(url, data=data)
        page = r.get_data(as_text=True)
        assert r.status_code == 409 and "Enhetslederen kan arkivere" in page and 'name="reference"' not in page
        assert AuditEvent.select().where(AuditEvent.log_id == active.id).count() == before
    assert not ArchiveDelivery.select().exists()
    assert Log.get_by_id(oskar.id).archive_reference == "" and Log.get_by_id(active.id).archive_reference == ""


def test_the_holder_archives_a_log_waiting_for_a_new_consent(auth, db_conn, app, tmp_path):
    """The consent ran out: the log waits for a new one. What it holds may still go to
    the archive (a duty under the archive law, no write to the log): the holder is
    offered «Arkiver» and the case number, and both work, as the state table says."""
    log = a_log()
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log.id).execute()
    holder = auth.persona("holder")
    with app.test_request_context("/"):
        assert states.state_of(Log.get_by_id(log.id)) == states.WAITING
        assert "archive" in states.allowed_actions(user("stafettholder"), Log.get_by_id(log.id))
    page = holder.get(f"/logger/{log.id}/arkiv").get_data(as_text=True)
    assert f'action="/logger/{log.id}/arkiv"' in page
    r = holder.post(f"/logger/{log.id}/arkiv/saksnummer", data={"reference": "2026/123"})
    assert r.status_code == 303 and Log.get_by_id(log.id).archive_reference == "2026/123"
    r = holder.post(f"/logger/{log.id}/arkiv")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert ArchiveDelivery.select().where(ArchiveDelivery.log_id == log.id).exists()
    # the waiting log takes no other write
    assert holder.post(f"/logger/{log.id}/seksjon/entries", data={"body": "x"}).status_code == 409


def test_unit_leader_chooses_the_archive_documents_language_form(auth, closed, db_conn):
    unit = closed.unit
    leader = auth.persona("unit_leader")
    assert "Målform i arkivdokumentene" in leader.get(f"/enheter/{unit.id}/sletting").get_data(as_text=True)
    r = leader.post(f"/enheter/{unit.id}/arkivmalform", data={"document_language": "sv"})
    assert r.status_code == 303 and Unit.get_by_id(unit.id).document_language == "nb"
    assert "Velg bokmål eller nynorsk." in leader.get(r.headers["Location"]).get_data(as_text=True)
    r = leader.post(f"/enheter/{unit.id}/arkivmalform", data={"document_language": "nn"})
    assert r.status_code == 303 and Unit.get_by_id(unit.id).document_language == "nn"
    assert (
        auth.persona("other_unit_leader")
        .post(f"/enheter/{unit.id}/arkivmalform", data={"document_language": "nb"})
        .status_code
        == 403
    )
    assert Unit.get_by_id(unit.id).document_language == "nn"


def test_an_over_long_waiver_is_refused_and_changes_nothing(auth, closed, db_conn):
    oskar = closed
    r = auth.persona("unit_leader").post(
        f"/logger/{oskar.id}/slett", data={"reason": "not_kept", "confirm": "yes", "archive_waiver": "x" * 501}
    )
    assert r.status_code == 422 and "x" * 501 in r.get_data(as_text=True)
    assert Log.get_or_none(Log.id == oskar.id) and not LogTombstone.select().exists()


@pytest.mark.parametrize(
    "name",
    [
        "Ola & <Nordmann> \"'",
        "Ola\x0bNordmann",  # a vertical tab pasted from a word processor
        "Ola\x00Nord\x1fmann\ufffe",  # nothing XML 1.0 can carry
        "\x00",
        "Áilu Ŋáŋŋá Sárá",
        "ሰላም ተስፋይ",
        "محمد علي \u202bالحسن\u202c",
        "Ola 😀 Nordmann",
        "Emma",  # one name only
        "Ola " + "Nordmann" * 300,  # a title far over any archive's column
    ],
)
def test_arkivmelding_is_valid_xml_for_any_name_and_shape(ctx, name):
    if ON_POSTGRES:  # PostgreSQL stores no NUL in text and at most 200 characters of a name
        name = name.replace("\x00", "\x01")[:200]
    log = a_log(name=name, concern="", holder="stafettholder", participants=())
    Subject.update(birth_date=None, national_id=None).where(Subject.id == log.subject_id).execute()
    log = Log.get_by_id(log.id)
    doc = documents.Document("logg-aapen", name, "stafettlogg-1.pdf", b"%PDF-1.7 x", "PDF/A-2b", None)
    content = unpack(package.build(log, [doc]))
    for xml in (content["arkivmelding.xml"], content["journalposter/01-logg-aapen/arkivmelding.xml"]):
        SCHEMA.validate(xml.decode())
    title = SCHEMA.to_dict(content["arkivmelding.xml"].decode())["mappe"]["tittel"]
    assert title == ("Stafettlogg – " + re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", "", name)).strip()


def test_a_double_click_delivers_once_and_the_second_gets_a_clear_message(app, auth, closed, db_conn):
    leader = user("enhetsleder")
    with app.test_request_context():
        first, second = domain.prepare(leader, closed), domain.prepare(leader, closed)  # both before either records
        domain.record_delivery(leader, closed, first, "download")
        with pytest.raises(log_domain.LogError) as refused:
            domain.record_delivery(leader, closed, second, "download")
    assert refused.value.code == "nothing" and "nettopp sendt til arkivet" in str(refused.value)
    assert ArchiveDelivery.select().where(ArchiveDelivery.log_id == closed.id).count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "log_archived", AuditEvent.log_id == closed.id).count() == 1
    r = auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv")  # a replayed POST
    assert r.status_code == 409 and "allerede sendt til arkivet" in r.get_data(as_text=True)


def test_names_in_every_script_a_family_writes_render_in_the_pdf(ctx, caplog):
    """Sámi, Ge'ez (Tigrinya) and Arabic names, and an emoji a family typed: glyphs from an
    embedded font, never .notdef boxes (Ge'ez needs fonts-sil-abyssinica, emoji
    fonts-symbola: README «Packages»)."""
    names = ("Áilu Ŋáŋŋá Čohkka", "ሰላም ተስፋይ", "محمد علي", "Sol 🌟")
    log = a_log(name=" ".join(names), concern="Barnet & <foreldrene> trenger støtte")
    with caplog.at_level("WARNING", logger="weasyprint"):
        data = documents.whole_log(log).data
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]
    check_pdfa(data)
    text = files.pdf_text(data)
    assert "Áilu Ŋáŋŋá Čohkka" in text and "ሰላም" in text and "Barnet & <foreldrene> trenger støtte" in text
    assert "محمد" in text or "دمحم" in text  # logical or visual order, as the extractor reads it


def test_a_package_rendered_before_the_log_was_deleted_or_handed_over_is_not_recorded(app, closed, db_conn):
    """The package is rendered outside any transaction (seconds): a log the unit leader
    deleted meanwhile gets no delivery row (its bytes would outlive the purge and still be
    written to the archive), and a holder who handed the log over meanwhile records nothing."""
    leader, holder = user("enhetsleder"), user("stafettholder")
    active = a_log()
    with app.test_request_context():
        pkg = domain.prepare(leader, closed)
        lifecycle.delete_log(leader, Log.get_by_id(closed.id), "not_kept", "arkivet er nede")
        with pytest.raises(log_domain.LogError) as gone:
            domain.record_delivery(leader, closed, pkg, "folder", queued=True)
        assert gone.value.code == "gone"
        pkg = domain.prepare(holder, active)
        Log.update(holder=user("larer")).where(Log.id == active.id).execute()  # the handover was accepted
        with pytest.raises(log_domain.LogError):
            domain.record_delivery(holder, active, pkg, "download")
    assert not ArchiveDelivery.select().where(ArchiveDelivery.log_id.in_([closed.id, active.id])).exists()
    assert not AuditEvent.select().where(AuditEvent.action == "log_archived").exists()


def test_the_leader_who_clicks_arkiver_as_the_log_is_deleted_gets_not_found(auth, closed, db_conn, monkeypatch):
    real_build = package.build

    def build_while_deleted(log, docs):
        pkg = real_build(log, docs)
        lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(log.id), "not_kept", "arkivet er nede")
        return pkg

    monkeypatch.setattr(package, "build", build_while_deleted)
    r = auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv")
    assert r.status_code == 404 and "Sander" not in r.get_data(as_text=True)
    assert not ArchiveDelivery.select().where(ArchiveDelivery.log_id == closed.id).exists()


def test_a_package_being_written_when_its_log_is_deleted_keeps_no_bytes_and_is_not_tried_again(
    auth, closed, db_conn, app, tmp_path
):
    """The archive's share hangs while the package is written; the unit leader deletes the
    log (saying why it is not archived). The sender's late failure must not put the deleted
    log's package back in the queue, nor keep its bytes."""
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(tmp_path / "borte"), ARCHIVE_MAX_ATTEMPTS=2)
    app.config["ARCHIVE_SEND_AFTER_REQUEST"] = False
    assert auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv").status_code == 303
    with app.app_context():
        sender = "hengt:1"
        (row,) = outbox.OUTBOX.claim(sender)
        lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(closed.id), "not_kept", "arkivet henger")
        outbox.OUTBOX.record(row, sender, "OSError: [Errno 5] Input/output error")
    (delivery,) = domain.deliveries(closed.id)
    assert delivery.status == ArchiveStatus.CANCELLED and delivery.package is None
    assert not ArchiveDelivery.select().where(ArchiveDelivery.package.is_null(False)).exists()


@pytest.mark.parametrize("imported_at_once", [False, True])
def test_a_package_written_while_its_log_is_deleted_is_taken_out_of_the_folder_again(
    auth, closed, db_conn, app, tmp_path, monkeypatch, caplog, imported_at_once
):
    """The share is slow; while the sender writes the package, the unit leader deletes the
    log (saying why it is not archived). The write then succeeds, but the deleted log's
    zip (the child's name, the whole log) must not stay in the archive's folder, nor be
    counted as delivered: the tombstone says «not archived», and the folder agrees. The
    operator is told which happened: taken back, or imported by the archive before it
    could be (the log said both)."""
    folder = tmp_path / "import"
    folder.mkdir()
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(folder), ARCHIVE_SEND_AFTER_REQUEST=False)
    assert auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv").status_code == 303
    real_write = transport.write_atomically

    def slow_share(*args, **kwargs):
        lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(closed.id), "not_kept", "arkivet henger")
        written = real_write(*args, **kwargs)
        if imported_at_once:
            written.unlink()  # the archive's import took it
        return written

    monkeypatch.setattr(transport, "write_atomically", slow_share)
    with app.app_context(), caplog.at_level("WARNING"):
        counts = outbox.OUTBOX.deliver()
    assert counts[ArchiveStatus.DELIVERED] == 0 and counts[ArchiveStatus.CANCELLED] == 1
    assert list(folder.iterdir()) == []
    said = " | ".join(r.getMessage() for r in caplog.records)
    assert ("after the archive had taken it" in said) == imported_at_once, said
    assert ("taken back" in said) != imported_at_once, said
    (delivery,) = domain.deliveries(closed.id)
    assert delivery.status == ArchiveStatus.CANCELLED and delivery.package is None
    # a package another sender wrote under the same name is never taken away
    (folder / "other.zip").write_bytes(b"another package")
    assert not transport.take_back(folder, "other.zip", b"this package")
    assert (folder / "other.zip").read_bytes() == b"another package"


def test_a_refused_archive_post_is_one_read_in_the_access_history(auth, closed, db_conn):
    """The page re-rendered with a refusal (409, 422) shows the log: one audit event, as
    for every response (audit.py's hook), not two."""
    before = AuditEvent.select().where(AuditEvent.log_id == closed.id).count()
    r = auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv/saksnummer", data={"reference": "x" * 101})
    assert r.status_code == 422 and "Sander Vik" in r.get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.log_id == closed.id).count() == before + 1


def test_a_case_number_for_a_log_deleted_meanwhile_is_refused_and_audits_nothing(auth, closed, db_conn, monkeypatch):
    real_set = domain.set_reference

    def deleted_meanwhile(by, log, reference):
        lifecycle.delete_log(by, Log.get_by_id(log.id), "not_kept", "aldri tatt i bruk")
        return real_set(by, log, reference)

    monkeypatch.setattr(domain, "set_reference", deleted_meanwhile)
    r = auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv/saksnummer", data={"reference": "2027/123"})
    assert r.status_code == 404 and "Sander" not in r.get_data(as_text=True)
    assert not AuditEvent.select().where(AuditEvent.action == "archive_reference_set").exists()


def test_a_mistyped_archive_transport_never_counts_a_package_nobody_received_as_archived(
    auth, closed, db_conn, app, tmp_path, monkeypatch
):
    """ARCHIVE_TRANSPORT=mappe (a typo) gave the «sent to the import folder» message while
    nothing was written or downloaded, and the log counted as archived (deletable);
    ARCHIVE_FOLDER left empty wrote the child's package into the app's working directory."""
    leader = auth.persona("unit_leader")
    app.config.update(ARCHIVE_TRANSPORT="mappe")
    r = leader.post(f"/logger/{closed.id}/arkiv")
    assert r.status_code == 200 and r.mimetype == "application/zip"  # the person has the package

    other = an_ended_log(name="Tone Vik")
    workdir = tmp_path / "app"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER="", ARCHIVE_SEND_AFTER_REQUEST=False)
    assert leader.post(f"/logger/{other.id}/arkiv").status_code == 303
    with app.app_context():
        outbox.OUTBOX.deliver()
    assert list(workdir.iterdir()) == [] and not domain.is_archived(other)
    (waiting,) = domain.deliveries(other)
    assert waiting.status == ArchiveStatus.QUEUED and "ARCHIVE_FOLDER" in waiting.last_error


def test_cli_says_why_when_the_delivery_cannot_be_recorded(app, tmp_path, db_conn, monkeypatch):
    """A log deleted, handed over or archived by someone else while the command rendered
    it: the operator reads why, not a traceback."""
    from stafettlogg.archive import domain as archive_domain
    from stafettlogg.logs.errors import LogError

    def meanwhile(*args, **kwargs):
        raise LogError("Dette ble nettopp sendt til arkivet.", code="nothing")

    monkeypatch.setattr(archive_domain, "record_delivery", meanwhile)
    r = app.test_cli_runner().invoke(args=["archive", str(a_log().id), "--out", str(tmp_path / "logg.zip")])
    assert r.exit_code == 1 and "Dette ble nettopp sendt til arkivet." in r.output
    assert not isinstance(r.exception, LogError)
    assert not (tmp_path / "logg.zip").exists()  # a package not recorded is not left behind


def test_cli_leaves_no_package_of_a_log_deleted_while_it_rendered(app, tmp_path, db_conn, monkeypatch):
    """`archive --all-closed` into the archive's import folder: a log the unit leader
    deleted while its package was written is refused when the delivery is recorded, and
    its zip (the deleted child's whole log) must not stay in the folder."""
    from stafettlogg.archive import domain as archive_domain

    real_record = archive_domain.record_delivery
    deleted = an_ended_log(name="Tone Vik")

    def deleted_meanwhile(by, log, pkg, via, **options):
        if log.id == deleted.id:
            lifecycle.delete_log(user("enhetsleder"), Log.get_by_id(log.id), "not_kept", "aldri tatt i bruk")
        return real_record(by, log, pkg, via, **options)

    monkeypatch.setattr(archive_domain, "record_delivery", deleted_meanwhile)
    folder = tmp_path / "mappe"
    r = app.test_cli_runner().invoke(args=["archive", "--all-closed", str(folder)])
    assert r.exit_code == 0 and f"Stafettlogg nr. {deleted.id}: Stafettloggen finnes ikke lenger." in r.output
    assert not [p.name for p in folder.iterdir() if p.name.startswith(f"stafettlogg-{deleted.id}-")]


def test_the_archive_copy_holds_the_talks_with_the_child(app, auth, db_conn):
    """Talks with the child (seed 002) are part of the log: the archive copy, which
    outlives the deleted log, holds the agreement and the child's own words."""
    log = a_log(name="Siri Dahl")
    an_item(
        log,
        "talk_agreements",
        adult="Kontaktlærer Kari Ottesen",
        every_days="7",
        start_date=local_today(),
        how="En prat på vei til gymtimen.",
        status="ongoing",
    )
    an_item(log, "talks", talked_on=local_today(), who="Kari Ottesen", how_it_goes="Jeg er med Ali i friminuttene.")
    with app.test_request_context():
        whole = files.pdf_text(documents.whole_log(Log.get_by_id(log.id)).data)
    assert "Kontaktlærer Kari Ottesen" in whole and "En prat på vei til gymtimen." in whole
    assert "Jeg er med Ali i friminuttene." in whole
    page = text_of(auth.persona("holder").get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True))
    assert "Jeg er med Ali i friminuttene." in page and "En prat på vei til gymtimen." in page


def test_the_archive_copy_says_the_family_has_not_answered_rather_than_no(auth, db_conn):
    """A closed log whose family has not said whether it is to be kept is archived with
    that answer, not with «Nei» (which lets the unit leader delete it)."""
    undecided = an_ended_log(name="Siri Dahl")
    Log.update(keep_answer="undecided").where(Log.id == undecided.id).execute()
    holder = auth.persona("holder")
    page = text_of(holder.get(f"/logger/{undecided.id}/arkivutskrift").get_data(as_text=True))
    assert re.search(r"Tas vare på\s+Ikke avklart ennå", page), page
    said_no = an_ended_log(name="Tone Vik")
    page = text_of(holder.get(f"/logger/{said_no.id}/arkivutskrift").get_data(as_text=True))
    assert re.search(r"Tas vare på\s+Nei\b", page)


def test_the_archive_copy_holds_the_familys_deletion_request_with_its_reason(auth, db_conn):
    """The family's demand that the log be deleted is filed with the unit leader's answer:
    what they asked and why, in their own words, not only that they asked."""
    log = a_log(name="Siri Dahl")
    guardian = user("foresatt")
    lifecycle.request_deletion(guardian, log, "Vi vil ikke at skolen har dette lenger.")
    page = text_of(auth.persona("unit_leader").get(f"/logger/{log.id}/arkivutskrift").get_data(as_text=True))
    assert "Krav om sletting" in page and "Vi vil ikke at skolen har dette lenger." in page


def test_what_the_family_asks_after_the_close_reaches_the_archive_before_the_log_is_deleted(auth, db_conn):
    """The log was closed and archived; then the family asks for deletion, and why. The
    archive's copy of the whole log is no longer the log as it now stands: the page offers
    «Arkiver» again, the unit leader may not delete before it is filed (or says why not),
    and the new copy holds the request in the family's words."""
    log = a_log(name="Siri Dahl")
    lifecycle.close_log(user("stafettholder"), log, "needs_met", keep="undecided")
    leader = auth.persona("unit_leader")
    assert leader.post(f"/logger/{log.id}/arkiv").status_code == 200
    assert domain.is_archived(Log.get_by_id(log.id))
    lifecycle.request_deletion(user("foresatt"), Log.get_by_id(log.id), "Vi vil ikke at skolen har dette lenger.")
    asked = Log.get_by_id(log.id)
    assert not domain.is_archived(asked) and [p.key for p in domain.pending(asked)] == [documents.whole_log_key(asked)]
    assert "not_archived" in states.blocking("delete", asked, {})
    assert "1 dokument er ikke sendt ennå." in leader.get(f"/logger/{log.id}/arkiv").get_data(as_text=True)
    r = leader.post(f"/logger/{log.id}/arkiv")
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.data)) as package_zip:
        (whole,) = [name for name in package_zip.namelist() if name.endswith(f"stafettlogg-{log.id}.pdf")]
        text = files.pdf_text(package_zip.read(whole))
    assert "Krav om sletting" in text and "Vi vil ikke at skolen har dette lenger." in " ".join(text.split())
    assert domain.is_archived(Log.get_by_id(log.id))


def test_a_package_written_by_the_command_is_not_shown_as_sent_by_the_holder(app, auth, tmp_path, db_conn):
    """`flask archive` is the operator's: the archive page says the system sent it, as the
    history does, not the holder (whose account the row must name)."""
    log = an_ended_log(name="Tone Vik")
    r = app.test_cli_runner().invoke(args=["archive", str(log.id), "--out", str(tmp_path / "logg.zip")])
    assert r.exit_code == 0, r.output
    page = auth.persona("unit_leader").get(f"/logger/{log.id}/arkiv").get_data(as_text=True)
    (row,) = re.findall(r"<tbody>(.*?)</tbody>", page, re.S)
    assert "Systemet" in row and log.holder.name not in row


def test_the_filed_minutes_name_the_holder_as_of_the_meeting(emma):
    """seed 000: the stafettholder is written in every minutes; the minutes filed on their
    own in the archive too, as the meeting page and the family's view show them."""
    (meeting,) = documents.approved_minutes(emma)
    text = files.pdf_text(documents.minutes(emma, meeting).data)
    assert re.search(r"Stafettholder:\s+Kari Ottesen, Kontaktlærer", text), text


def test_the_family_reads_that_the_log_was_sent_to_the_archive(auth, closed, db_conn):
    """Normen fact sheet 15: the family's access history says what was done. Sending the
    whole log to the archive is a copy of all of it, not a change of its content."""
    leader = auth.persona("unit_leader")
    assert leader.post(f"/logger/{closed.id}/arkiv").status_code == 200
    assert leader.post(f"/logger/{closed.id}/arkiv/saksnummer", data={"reference": "2027/123"}).status_code == 303
    page = text_of(auth.persona("guardian").get(f"/mine/{closed.id}/innsyn").get_data(as_text=True))
    assert "Sendte stafettloggen til arkivet" in page and "Registrerte arkivets saksnummer" in page
    assert "Endret innholdet i stafettloggen" not in page


def test_the_archive_copy_keeps_the_paragraphs_of_evaluations_and_corrections(emma):
    """Evaluations and corrections are Markdown like every text of the log: the archive
    copy shows them as written (paragraphs, lists), not run together into one line."""
    holder = user("stafettholder")
    (meeting,) = documents.approved_minutes(emma)
    meetings.add_correction(holder, emma, meeting, "Første rettelse.\n\n- Mor var til stede\n- Far var borte")
    sections.add_evaluation(
        holder,
        emma,
        emma.measures[0],
        {"evaluated_on": "02.11.2026", "what_worked": "Det virket.\n\n- Lekegruppen\n- Pausen", "decision": "continue"},
    )
    log = Log.get_by_id(emma.id)
    for text in (files.pdf_text(documents.whole_log(log).data), files.pdf_text(documents.minutes(log, meeting).data)):
        assert re.search(r"^(• )?Far var borte$", text, re.M), text
    assert re.search(r"^(• )?Pausen$", files.pdf_text(documents.whole_log(log).data), re.M)


def test_a_log_in_use_is_never_called_archived_as_it_now_stands(auth, db_conn):
    """The whole log sent while it is in use is a copy of that day: entries written since
    are not in the archive, so the page must not say the log as it now stands is."""
    log = a_log(name="Siri Dahl")
    holder = auth.persona("holder")
    assert holder.post(f"/logger/{log.id}/arkiv").status_code == 200
    an_item(log, "entries", entry_date=local_today(), body="Skrevet etter arkiveringen.")
    page = holder.get(f"/logger/{log.id}/arkiv").get_data(as_text=True)
    assert "Hele loggen slik den er nå, er sendt til arkivet." not in page
    assert "Deler av loggen er sendt til arkivet, men ikke alt." in page


def journal_keys(data: bytes) -> set[str]:
    """The document keys of a package's journalposter (journalposter/NN-<key>/…)."""
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    return {name.split("/")[1].split("-", 1)[1] for name in names if name.startswith("journalposter/")}


def test_a_download_that_never_reached_the_archive_can_be_fetched_again(auth, closed, db_conn):
    """A zip handed to a person counts as delivered: its documents are not offered again and
    the log may be deleted. If the download broke or the file was lost before it was filed,
    the same documents are fetched again (rendered anew, with the same keys, so the archive
    recognises them), audited as a read; no second delivery is recorded."""
    leader = auth.persona("unit_leader")
    first = leader.post(f"/logger/{closed.id}/arkiv")
    assert first.status_code == 200 and first.mimetype == "application/zip"
    (delivery,) = domain.deliveries(closed)
    page = text_of(leader.get(f"/logger/{closed.id}/arkiv").get_data(as_text=True))
    assert "Lastet ned" in page and "Last ned på nytt" in page and "Trykk «Last ned på nytt» i tabellen under." in page

    again = leader.post(f"/logger/{closed.id}/arkiv/{delivery.id}/last-ned")
    assert again.status_code == 200 and again.mimetype == "application/zip"
    assert again.headers["Content-Disposition"].startswith('attachment; filename="stafettlogg-')
    assert again.headers["Content-Security-Policy"] == "sandbox" and again.headers["Cache-Control"] == "no-store"
    keys = {doc["key"] for doc in json.loads(delivery.documents)}
    assert journal_keys(again.data) == journal_keys(first.data) == keys and len(keys) == 2
    assert [d.id for d in domain.deliveries(closed)] == [delivery.id] and domain.is_archived(Log.get_by_id(closed.id))
    fetched = AuditEvent.select().where(AuditEvent.action == "archive_fetched_again", AuditEvent.log_id == closed.id)
    assert fetched.count() == 1 and fetched.get().username == "enhetsleder"
    history = text_of(auth.persona("guardian").get(f"/mine/{closed.id}/innsyn").get_data(as_text=True))
    assert "Lastet ned arkivpakken på nytt" in history


def test_only_the_logs_own_downloads_are_fetched_again_and_only_by_who_may_archive(auth, closed, db_conn, app):
    leader = auth.persona("unit_leader")
    assert leader.post(f"/logger/{closed.id}/arkiv").status_code == 200
    (delivery,) = domain.deliveries(closed)
    other = an_ended_log(name="Tone Vik")
    assert leader.post(f"/logger/{other.id}/arkiv").status_code == 200
    (others,) = domain.deliveries(other)
    for url in (
        f"/logger/{closed.id}/arkiv/{others.id}/last-ned",  # another log's package
        f"/logger/{closed.id}/arkiv/99999999999/last-ned",
        f"/logger/99999999999/arkiv/{delivery.id}/last-ned",
    ):
        r = leader.post(url)
        assert r.status_code == 404 and "Tone" not in r.get_data(as_text=True), url
    personas = ("other_unit_leader", "other_unit_staff", "same_unit_staff", "guardian", "participant")
    for persona in (*personas, "coordinating_unit", "area_leader", "ito_coordinator"):
        r = auth.persona(persona).post(f"/logger/{closed.id}/arkiv/{delivery.id}/last-ned")
        assert r.status_code in (403, 404) and r.mimetype != "application/zip", persona
        assert "Sander" not in r.get_data(as_text=True), persona
    anonymous = app.test_client().post(f"/logger/{closed.id}/arkiv/{delivery.id}/last-ned")
    assert anonymous.status_code in (302, 303, 400, 401, 403) and anonymous.mimetype != "application/zip"

    # reopened by its holder: the unit leader no longer archives it, so no copy either
    # (the error page with the reason, not the archive page)
    with db.connection_context():
        Log.update(status=LogStatus.ACTIVE, closed_at=None).where(Log.id == closed.id).execute()
    r = auth.persona("unit_leader").post(f"/logger/{closed.id}/arkiv/{delivery.id}/last-ned")
    assert r.status_code == 409 and r.mimetype != "application/zip"
    assert "Enhetslederen kan arkivere stafettloggen og skrive ut arkivkopien når den er avsluttet." in r.get_data(
        as_text=True
    )
    assert not AuditEvent.select().where(AuditEvent.action == "archive_fetched_again").exists()


def test_a_package_the_app_wrote_into_the_archives_folder_is_not_offered_as_a_download(
    auth, closed, db_conn, app, tmp_path
):
    folder = tmp_path / "import"
    folder.mkdir()
    app.config.update(ARCHIVE_TRANSPORT="folder", ARCHIVE_FOLDER=str(folder), ARCHIVE_SEND_AFTER_REQUEST=False)
    leader = auth.persona("unit_leader")
    assert leader.post(f"/logger/{closed.id}/arkiv").status_code == 303
    with app.app_context():
        outbox.OUTBOX.deliver()
    (delivery,) = domain.deliveries(closed)
    assert delivery.status == ArchiveStatus.DELIVERED
    page = text_of(leader.get(f"/logger/{closed.id}/arkiv").get_data(as_text=True))
    assert "Levert" in page and "Last ned på nytt" not in page
    r = leader.post(f"/logger/{closed.id}/arkiv/{delivery.id}/last-ned")
    assert r.status_code == 409 and r.mimetype != "application/zip"
    assert "importmappe og kan ikke lastes ned" in r.get_data(as_text=True)


@pytest.mark.parametrize("damaged", [files.damaged_png, files.encrypted_pdf])
def test_a_consent_file_that_cannot_be_opened_is_filed_with_a_page_that_says_so(ctx, damaged):
    """Uploads are now opened in full, but a file kept before could be broken inside. Its
    archive copy was a page without the scan, and nothing said the scan was missing."""
    log = a_log(name="Emma Hansen")
    consent = a_consent(log, data=files.png(), filename="samtykke.png")
    with db.connection_context():
        StoredFile.update(
            content=damaged(), content_type="image/png" if damaged is files.damaged_png else "application/pdf"
        ).where(StoredFile.id == consent.file_id).execute()
    doc = documents.consent(Log.get_by_id(log.id), consent)
    check_pdfa(doc.data)
    text = " ".join(files.pdf_text(doc.data).split())
    assert doc.format == "PDF/A-2b" and "Filen med samtykket er skadet eller beskyttet med passord." in text
    assert "Finn det skriftlige samtykket i enhetens eget arkiv." in text
    intact = documents.consent(Log.get_by_id(log.id), a_consent(log, data=files.png(), filename="ny.png"))
    assert "skadet" not in files.pdf_text(intact.data)


def test_filed_minutes_are_titled_with_the_meetings_date_in_norway(emma):
    """A meeting at 00:30 in Oslo is 23:30 the day before in UTC, as it is stored."""
    (meeting,) = documents.approved_minutes(emma)
    Meeting.update(starts_at=dt.datetime(2026, 11, 1, 23, 30)).where(Meeting.id == meeting.id).execute()
    assert documents.minutes(emma, Meeting.get_by_id(meeting.id)).title == "Referat fra møte 02.11.2026"
