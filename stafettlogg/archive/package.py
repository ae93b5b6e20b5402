"""The archive package of a log: a zip of Fiks Arkiv V1 `arkivmelding` messages (KS,
schemas in ./schemas, MIT) with the PDF/A documents they name.

Layout (one message per archive record, as the V1 schema allows one mappe and one
registrering per message):
  arkivmelding.xml                      the saksmappe for the log (antallFiler 0)
  journalposter/NN-<key>/arkivmelding.xml   one journalpost (type X) per document
  journalposter/NN-<key>/<file>.pdf         the document it names (antallFiler 1)
Every record carries referanseEksternNoekkel (fagsystem "Stafettlogg", noekkel
"<log id>" for the case, "<log id>/<document key>" for a record), so the archive
recognises a second delivery and only new documents are sent again."""

import datetime as dt
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import force_locale

from stafettlogg.archive.documents import Document, language
from stafettlogg.dates import local
from stafettlogg.i18n import gettext as _
from stafettlogg.logs.states import first_activated_at
from stafettlogg.models import Log, utcnow

SCHEMAS = Path(__file__).parent / "schemas"
SCHEMA_FILE = SCHEMAS / "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
AM = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MD = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
FAGSYSTEM = "Stafettlogg"
# offentleglova § 13 jf. forvaltningsloven § 13: taushetsplikt; Noark code 13
TILGANGSRESTRIKSJON = ("13", "Taushetsbelagt, offl. § 13")
SKJERMINGSHJEMMEL = "Offl. § 13 jf. fvl. § 13"
# journalposttype: what the service wrote itself (the log, the minutes), and what the family
# gave it (the signed consent: received from them, dated as they signed it)
INTERNAL = ("X", "Organinternt dokument uten oppfølging")
INCOMING = ("I", "Inngående dokument")
WRITTEN_OFF = ("TE", "Tatt til etterretning")
# format (PRONOM) and variantformat per Document.format: a PDF that could not be converted is
# the production format (P), which the archive converts itself, never called Arkivformat
FORMATS = {
    "PDF/A-2b": (("fmt/477", "PDF/A-2b"), ("A", "Arkivformat")),
    "PDF": (("fmt/276", "PDF (ikke konvertert til PDF/A)"), ("P", "Produksjonsformat")),
}
ET.register_namespace("n5mdk", MD)
# Characters XML 1.0 cannot hold at all (C0 controls but tab and newlines, lone surrogates,
# U+FFFE/U+FFFF): a name pasted with a vertical tab must not make the message unreadable.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Package:
    name: str
    data: bytes
    sha256: str
    documents: list[dict] = field(default_factory=list)  # {"key", "sha256", "filename"}


def _el(parent, name, text=None, ns=AM):
    node = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        node.text = xml_text(text)
    return node


def xml_text(value) -> str:
    """The value as text XML 1.0 can carry; never empty (the schema's strings have
    minLength 1), so a name of nothing but control characters becomes a dash."""
    return NOT_XML.sub("", str(value)).strip() or "–"


def _pair(parent, name, tag, value, optional_tag, optional_value=""):
    """A metadata element of two children: `tag` always, `optional_tag` when it has a value."""
    node = _el(parent, name)
    _el(node, tag, value, MD)
    if optional_value:
        _el(node, optional_tag, optional_value, MD)
    return node


def _code(parent, name, code, description=""):
    return _pair(parent, name, "kode", code, "beskrivelse", description)


def _installation() -> str:
    """ARCHIVE_SYSTEM_KEY: which municipality's Stafettlogg sent it, where several share one
    archive (log 7 of one and log 7 of another are different children). Empty: the keys
    as they always were (set it before the first delivery: a changed key is a new case)."""
    return str(current_app.config.get("ARCHIVE_SYSTEM_KEY", "") or "").strip()


def _fagsystem() -> str:
    key = _installation()
    return f"{FAGSYSTEM} {key}" if key else FAGSYSTEM


def _external_key(parent, name, key, ns=AM):
    node = _el(parent, name, ns=ns)
    _el(node, "fagsystem", _fagsystem(), MD)
    _el(node, "noekkel", key, MD)
    return node


def _people(parent, name, who, ident=""):
    return _pair(parent, name, "navn", who, "identifikator", ident)


def _sender(parent, doc: Document):
    """The family member a document came from (avsender), screened like the child's name:
    the public journal shows neither. Written off (avskrevet) as taken into account the
    day it was taken in: an incoming document never written off stays on the unit's list
    of unanswered mail (restanseliste) for ever."""
    node = _el(parent, "korrespondansepart")
    _code(node, "korrespondanseparttype", "EA", "Avsender")
    _el(node, "korrespondansepartNavn", doc.received_from)
    _el(node, "erSkjermet", "true")
    _el(node, "erPersonnavn", "true")
    written_off = _el(node, "avskrivning")
    _el(written_off, "avskrivningsdato", _local_date(doc.created_at))
    _el(_el(written_off, "avskrevetAv"), "navn", doc.received_by, MD)
    _code(written_off, "avskrivningsmaate", *WRITTEN_OFF)


def _skjerming(parent):
    node = _el(parent, "skjerming")
    _code(node, "tilgangsrestriksjon", *TILGANGSRESTRIKSJON)
    _el(node, "skjermingshjemmel", SKJERMINGSHJEMMEL)


def _iso(value) -> str:
    value = value or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.replace(microsecond=0).isoformat() + "Z"


def _local_date(value: dt.datetime) -> str:
    """A stored time (UTC) as the date in Norway: minutes approved at 00:30 on 5 March are
    of 5 March, as their title says, not of 4 March."""
    return local(value).date().isoformat()


def _system_id(*parts) -> str:
    """A stable UUID per record (the same document always gets the same systemID), unique
    to the installation when ARCHIVE_SYSTEM_KEY names it."""
    key = _installation()
    prefix = f"stafettlogg:{key}:" if key else "stafettlogg:"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, prefix + "/".join(str(p) for p in parts)))


def case_title(log: Log) -> str:
    return _("Stafettlogg – %(name)s", name=log.subject.name)


def public_title(log: Log) -> str:
    """offentligTittel: the child's name screened (offl. § 13), as Noark does with '*****'."""
    return _("Stafettlogg – %(name)s", name="*****")


def _message(files: int) -> ET.Element:
    root = ET.Element(f"{{{AM}}}arkivmelding")
    _el(root, "system", _fagsystem())
    _el(root, "antallFiler", files)
    return root


def case_message(log: Log) -> bytes:
    root = _message(0)
    mappe = _el(root, "mappe")
    mappe.set("{http://www.w3.org/2001/XMLSchema-instance}type", "saksmappe")
    _el(mappe, "systemID", _system_id(log.id))
    _el(mappe, "tittel", case_title(log))
    _el(mappe, "offentligTittel", public_title(log))
    _el(mappe, "opprettetDato", _iso(log.created_at))
    _el(mappe, "opprettetAv", log.created_by.name)
    # never avsluttetDato: a Noark 5 archive takes no new record into a closed case, and a
    # closed log sends more (what the family asked after the close, a reopened log's next
    # close); the archive closes the case itself (the whole log filed at the close says when).
    _skjerming(mappe)
    if log.subject.national_id:
        kl = _el(mappe, "klassifikasjon")
        _el(kl, "klassifikasjonssystemID", "FNR")
        _el(kl, "klasseID", log.subject.national_id)
        _el(kl, "erSkjermet", "true")
    _external_key(mappe, "referanseEksternNoekkel", str(log.id))
    # the day the case began: the first activation, also of a log reopened since
    _el(mappe, "saksdato", _local_date(first_activated_at(log) or log.created_at))
    _people(mappe, "administrativEnhet", log.unit.name, str(log.unit_id))
    _people(mappe, "saksansvarlig", log.holder.name, log.holder.email)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=AM)


def record_message(log: Log, doc: Document, number: int) -> bytes:
    root = _message(1)
    reg = _el(root, "registrering")
    reg.set("{http://www.w3.org/2001/XMLSchema-instance}type", "journalpost")
    _el(reg, "systemID", _system_id(log.id, doc.key))
    _el(reg, "opprettetDato", _iso(doc.created_at))
    _external_key(_el(reg, "referanseForelderMappe"), "referanseEksternNoekkel", str(log.id), ns=MD)
    _skjerming(reg)
    desc = _el(reg, "dokumentbeskrivelse")
    _el(desc, "systemID", _system_id(log.id, doc.key, "dokument"))
    _code(desc, "dokumenttype", "DOKUMENT", "Dokument")
    _code(desc, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _el(desc, "tittel", doc.title)
    _el(desc, "opprettetDato", _iso(doc.created_at))
    _code(desc, "tilknyttetRegistreringSom", "H", "Hoveddokument")
    _el(desc, "dokumentnummer", 1)
    _skjerming(desc)  # screened on the document too: some archives screen per document
    obj = _el(desc, "dokumentobjekt")
    _el(obj, "versjonsnummer", 1)
    fmt, variant = FORMATS[doc.format]
    _code(obj, "variantformat", *variant)
    _code(obj, "format", *fmt)
    _el(obj, "mimeType", "application/pdf")
    _el(obj, "filnavn", doc.filename)
    _el(obj, "referanseDokumentfil", doc.filename)
    _el(obj, "sjekksum", hashlib.sha256(doc.data).hexdigest())
    _el(obj, "sjekksumAlgoritme", "SHA-256")
    _el(obj, "filstoerrelse", len(doc.data))
    _external_key(desc, "referanseEksternNoekkel", f"{log.id}/{doc.key}")
    _el(reg, "tittel", doc.title)
    _el(reg, "offentligTittel", doc.title)  # the document titles never hold the child's name
    if doc.received_from:
        _sender(reg, doc)
    _external_key(reg, "referanseEksternNoekkel", f"{log.id}/{doc.key}")
    _code(reg, "journalposttype", *(INCOMING if doc.received_from else INTERNAL))
    _code(reg, "journalstatus", "F", "Ferdigstilt fra saksbehandler")
    _el(reg, "dokumentetsDato", doc.dated.isoformat() if doc.dated else _local_date(doc.created_at or utcnow()))
    if doc.received_from:
        _el(reg, "mottattDato", _iso(doc.created_at))
        _el(reg, "avskrivningsdato", _local_date(doc.created_at))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=AM)


def build(log: Log, docs: list[Document]) -> Package:
    """The zip for these documents (already filtered to what the archive lacks)."""
    buf = io.BytesIO()
    fixed = (1980, 1, 1, 0, 0, 0)  # the same documents give the same bytes
    with force_locale(language(log)), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("arkivmelding.xml", fixed), case_message(log))
        for n, doc in enumerate(docs, 1):
            folder = f"journalposter/{n:02d}-{doc.key}"
            z.writestr(zipfile.ZipInfo(f"{folder}/arkivmelding.xml", fixed), record_message(log, doc, n))
            z.writestr(zipfile.ZipInfo(f"{folder}/{doc.filename}", fixed), doc.data)
    data = buf.getvalue()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Package(
        name=f"stafettlogg-{log.id}-{stamp}.zip",
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        documents=[{"key": d.key, "sha256": hashlib.sha256(d.data).hexdigest(), "filename": d.filename} for d in docs],
    )
