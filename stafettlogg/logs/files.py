"""Uploaded consent files: type by bytes (PDF, PNG, JPEG only), size-limited, stored
in the database under a generated id (SECURITY.md "Uploads")."""

import hashlib
import re

from stafettlogg.i18n import gettext as _
from stafettlogg.models import StoredFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class UploadError(ValueError):
    pass


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None. Whole files only: a truncated
    PDF (no %%EOF), PNG (no IEND) or JPEG (no end marker) is refused."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "application/pdf"
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and data.rstrip(b"\x00")[-8:-4] == b"IEND":
        return "image/png"
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00")[-2:] == b"\xff\xd9":
        return "image/jpeg"
    return None


EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def clean_filename(name: str | None) -> str:
    """A display name without path parts. Path parts are refused, not silently cut."""
    name = (name or "").strip()
    if not name:
        raise UploadError(_("Velg filen med det skannede samtykket."))
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise UploadError(
            _("Filnavnet kan ikke inneholde mapper eller skråstreker. Gi filen et enkelt navn og prøv igjen.")
        )
    name = re.sub(r"[^\w .()\-æøåÆØÅ]", "_", name)
    return name[:150]


def read_upload(storage, max_bytes: int) -> tuple[bytes, str, str]:
    """Validate an uploaded werkzeug FileStorage. Returns (bytes, content type, name)."""
    if storage is None or not storage.filename:
        raise UploadError(_("Velg filen med det skannede samtykket."))
    name = clean_filename(storage.filename)
    data = storage.read(max_bytes + 1)
    if not data:
        raise UploadError(_("Filen er tom. Skann samtykket på nytt og last opp filen."))
    if len(data) > max_bytes:
        raise UploadError(
            _("Filen er for stor. Største tillatte størrelse er %(mb)s MB.", mb=max_bytes // (1024 * 1024))
        )
    content_type = sniff(data)
    if content_type is None:
        raise UploadError(_("Filen er ikke en PDF, PNG eller JPEG. Skann samtykket som PDF eller bilde og prøv igjen."))
    return data, content_type, name


def store(data: bytes, content_type: str) -> StoredFile:
    return StoredFile.create(
        content=data, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )
