"""The archive's documents as PDF/A-2b (seed 003): the whole log, each approved meeting
minutes on its own, and each consent. Rendered with WeasyPrint, fonts embedded, text
selectable, every page marked "Unntatt offentlighet, offl. § 13 jf. fvl. § 13", in the
unit's language form. Slow CPU work: call these outside any write transaction."""

import base64
import importlib.util
import io
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from flask import current_app, render_template
from flask_babel import force_locale
from peewee import fn
from PIL import Image

from stafettlogg.archive import content
from stafettlogg.dates import local
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import files, queries
from stafettlogg.models import Consent, Log, Meeting, MinutesCorrection, StoredFile, utcnow

PDF_VARIANT = "pdf/a-2b"
GS_TIMEOUT = 120
# PDF/A needs an OutputIntent with an embedded ICC profile (ISO 19005-2, 6.2.3);
# Ghostscript adds one only from a PostScript prefix naming the profile. WeasyPrint
# ships the sRGB profile it embeds itself, so both kinds of document carry the same one.
SRGB_PROFILE = Path(importlib.util.find_spec("weasyprint").origin).parent / "pdf" / "sRGB2014.icc"
PDFA_PREFIX = """%%!
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} (%s) (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {icc_PDFA}
  /OutputConditionIdentifier (sRGB IEC61966-2.1) >> /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
"""


@dataclass(frozen=True)
class Document:
    key: str  # stable across deliveries: "logg-…", "referat-<meeting id>", "samtykke-<consent id>"
    title: str
    filename: str
    data: bytes
    format: str  # "PDF/A-2b", or "PDF" for an uploaded PDF that could not be converted
    created_at: object
    # a document the family gave the service (a signed consent): whom from, its own date,
    # and who in the service took it in (uploaded it)
    received_from: str = ""
    dated: object = None
    received_by: str = ""


def language(log: Log) -> str:
    return "nn" if (log.unit.document_language or "nb") == "nn" else "nb"


def _render_pdf(template: str, log: Log, **context) -> bytes:
    from weasyprint import HTML  # lazy: WeasyPrint and Pango load only when a PDF is made

    html = render_template(
        template,
        log=log,
        lang=language(log),
        marking=_("Unntatt offentlighet, offl. § 13 jf. fvl. § 13"),
        footer=_("Stafettlogg nr. %(id)s", id=log.id),
        municipality=current_app.config["MUNICIPALITY"],
        **context,
    )
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=False)


def whole_log_key(log: Log) -> str:
    """The whole log as it stood when it was closed: a log archived while open, then
    closed (or reopened and closed again), gets a new whole-log document; so does an
    ended log changed since it was closed (the family asked for deletion and why, their
    answer about keeping it, passive by agreement: each bumps its version), so the
    archive gets what happened after the close before the log is deleted."""
    if log.closed_at is None:
        return "logg-aapen"
    stamp = log.closed_at.strftime("%Y%m%d%H%M%S")
    if changed_since_close(log):
        return f"logg-{stamp}-v{log.version}"
    return f"logg-{stamp}"


def changed_since_close(log: Log) -> bool:
    """An ended log changed after its close: the archive's copy of the close is not it."""
    return log.closed_at is not None and log.closed_version is not None and log.version != log.closed_version


def whole_log(log: Log) -> Document:
    """Titled and dated as the copy it is (whole_log_key): the archive's one case gets a
    whole log per close and per change after it, and tells them apart by their titles."""
    made, changed = utcnow(), changed_since_close(log)
    with force_locale(language(log)):
        context = queries.log_page(log)
        context.update(content.whole_log(log))
        context.pop("log", None)
        data = _render_pdf("archive/log_pdf.html", log, **context)
        if log.closed_at is None:
            title = _("Stafettlogg – hele loggen per %(date)s", date=_day(made))
        elif changed:
            title = _(
                "Stafettlogg – hele loggen, avsluttet %(closed)s, per %(date)s",
                closed=_day(log.closed_at),
                date=_day(made),
            )
        else:
            title = _("Stafettlogg – hele loggen, avsluttet %(date)s", date=_day(log.closed_at))
    dated = log.closed_at if log.closed_at is not None and not changed else made
    return Document(whole_log_key(log), title, f"stafettlogg-{log.id}.pdf", data, "PDF/A-2b", dated)


def _day(value) -> str:
    """A stored time as the day in Norway, as the documents' titles write it."""
    return local(value).strftime("%d.%m.%Y")


def approved_minutes(log: Log) -> list[Meeting]:
    return list(
        Meeting.select().where(Meeting.log == log, Meeting.finalised_at.is_null(False)).order_by(Meeting.starts_at)
    )


def minutes(log: Log, meeting: Meeting) -> Document:
    corrections = list(
        MinutesCorrection.select().where(MinutesCorrection.meeting == meeting).order_by(MinutesCorrection.id)
    )
    with force_locale(language(log)):
        data = _render_pdf("archive/minutes_pdf.html", log, meeting=meeting, corrections=corrections)
        title = _("Referat fra møte %(date)s", date=_day(meeting.starts_at))
        if corrections:  # beside the approved minutes in the case: titled and dated as corrected
            title = _(
                "Referat fra møte %(date)s, rettet %(corrected)s",
                date=_day(meeting.starts_at),
                corrected=_day(corrections[-1].created_at),
            )
    key = minutes_key(meeting)  # a correction after approval is a new version of the document
    dated = corrections[-1].created_at if corrections else meeting.finalised_at
    return Document(key, title, f"referat-{meeting.id}.pdf", data, "PDF/A-2b", dated)


def consent(log: Log, c: Consent) -> Document:
    stored = StoredFile.get_by_id(c.file_id)
    with force_locale(language(log)):
        title = _("Samtykke %(date)s", date=c.consent_date.strftime("%d.%m.%Y"))
        content = bytes(stored.content)
        fmt = "PDF/A-2b"
        if files.unreadable(content, stored.content_type) is not None:
            # a file kept before uploads were opened in full may be broken: the copy says so
            data = _render_pdf("archive/consent_pdf.html", log, consent=c, image_url="", damaged=True)
        elif stored.content_type in ("image/png", "image/jpeg"):
            scan, scan_type = scan_for_pdfa(content, stored.content_type)
            url = f"data:{scan_type};base64," + base64.b64encode(scan).decode()
            data = _render_pdf("archive/consent_pdf.html", log, consent=c, image_url=url)
        else:
            cover = _render_pdf("archive/consent_pdf.html", log, consent=c, image_url="")
            data, fmt = pdf_to_pdfa(content, cover)
    key = f"samtykke-{c.id}"
    return Document(
        key, title, f"{key}.pdf", data, fmt, c.uploaded_at, c.given_by_name, c.consent_date, c.uploaded_by.name
    )


def scan_for_pdfa(data: bytes, content_type: str) -> tuple[bytes, str]:
    """A scanned consent as a PDF/A-2b page may hold it: with the sRGB OutputIntent no
    CMYK colour is allowed (ISO 19005-2, 6.2.4.3), and WeasyPrint embeds a JPEG's colours
    as they are, so a CMYK JPEG (some scanners and phone apps save one) is converted to
    RGB. Any other scan is kept byte for byte. The file opened at upload (files.unreadable)."""
    with Image.open(io.BytesIO(data)) as image:
        if image.mode != "CMYK":
            return data, content_type
        converted = io.BytesIO()
        image.convert("RGB").save(converted, "JPEG", quality=95)
    return converted.getvalue(), "image/jpeg"


def pdf_to_pdfa(data: bytes, cover: bytes = b"") -> tuple[bytes, str]:
    """An uploaded PDF converted to PDF/A-2b with Ghostscript when it is installed,
    after a marked cover page; otherwise (or if it fails, or the result lacks what
    PDF/A requires) kept exactly as uploaded, with its format recorded as "PDF"."""
    gs = shutil.which("gs")
    if gs is None:
        return data, "PDF"
    with tempfile.TemporaryDirectory() as tmp:
        src, out, first = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf", Path(tmp) / "cover.pdf"
        prefix = Path(tmp) / "pdfa.ps"
        src.write_bytes(data)
        first.write_bytes(cover)
        prefix.write_text(PDFA_PREFIX % _ps_string(str(SRGB_PROFILE)), encoding="utf-8")
        try:
            subprocess.run(  # noqa: S603 - fixed argv, no shell; the input is a file we wrote
                [
                    gs,
                    "-dSAFER",
                    "-dBATCH",
                    "-dNOPAUSE",
                    "-dQUIET",
                    "-dPDFA=2",
                    "-dPDFACompatibilityPolicy=1",
                    "-sColorConversionStrategy=RGB",
                    "-sDEVICE=pdfwrite",
                    f"--permit-file-read={SRGB_PROFILE}",
                    f"-sOutputFile={out}",
                    str(prefix),
                    *([str(first)] if cover else []),
                    str(src),
                ],
                check=True,
                timeout=GS_TIMEOUT,
                capture_output=True,
            )
        except (subprocess.SubprocessError, OSError):
            return data, "PDF"
        converted = out.read_bytes() if out.exists() else b""
    return (converted, "PDF/A-2b") if is_pdfa(converted) else (data, "PDF")


def _ps_string(text: str) -> str:
    """A path inside a PostScript string literal."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def is_pdfa(data: bytes) -> bool:
    """Claims PDF/A-2 in its metadata and carries the OutputIntent with an ICC profile
    that the claim needs: what Ghostscript made, checked before it is called PDF/A."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            meta = pdf.open_metadata()
            intents = pdf.Root.get("/OutputIntents") or []
            return meta.get("pdfaid:part") == "2" and any("/DestOutputProfile" in i for i in intents)
    except pikepdf.PdfError:
        return False


@dataclass(frozen=True)
class Planned:
    """A document the log has, known by its key before anything is rendered."""

    key: str
    render: Callable[[], Document]


def minutes_key(meeting: Meeting) -> str:
    last = MinutesCorrection.select(fn.MAX(MinutesCorrection.id)).where(MinutesCorrection.meeting == meeting).scalar()
    return f"referat-{meeting.id}" + (f"-r{last}" if last else "")


def planned(log: Log) -> list[Planned]:
    """Every document of the log, the whole log first; cheap (nothing rendered)."""
    log = Log.get_by_id(log.id)
    plan = [Planned(whole_log_key(log), lambda: whole_log(log))]
    plan += [Planned(minutes_key(m), lambda m=m: minutes(log, m)) for m in approved_minutes(log)]
    plan += [
        Planned(f"samtykke-{c.id}", lambda c=c: consent(log, c))
        for c in Consent.select().where(Consent.log == log).order_by(Consent.id)
    ]
    return plan


def all_documents(log: Log) -> list[Document]:
    """Every document of the log, rendered."""
    return [p.render() for p in planned(log)]
