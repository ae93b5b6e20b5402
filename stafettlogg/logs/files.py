"""Uploaded consent files: type by bytes (PDF, PNG, JPEG only), size-limited, stored
in the database under a generated id (SECURITY.md "Uploads")."""

import hashlib
import io
import re
import threading
import warnings

import pikepdf
from PIL import Image, ImageFile

from stafettlogg.i18n import gettext as _
from stafettlogg.models import StoredFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES when it is imported (a broken image then
# decodes as grey); a scan is checked with it off, one check at a time
_STRICT = threading.Lock()


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

# A scanned A4 page at 600 dpi is 35 million pixels. More is refused from the image's
# header, before it is decoded: a small file can unpack to gigabytes (and a check decodes
# one image at a time in the process), and the archive copy embeds it again.
MAX_SCAN_PIXELS = 40_000_000


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
    problem = unreadable(data, content_type)
    if problem is not None:
        raise UploadError(problem)
    return data, content_type, name


def unreadable(data: bytes, content_type: str) -> str | None:
    """Why the file cannot be shown or archived (None: it can). A scan whose start and end
    are right can still be broken inside, and a password-protected PDF cannot be opened:
    kept, each would be a consent nobody can read, and its archive copy a page without
    it. Images are decoded in full (within Pillow's limit on pixels, a guard against a
    small file that unpacks to gigabytes); a PDF must open without a password."""
    if content_type == "application/pdf":
        try:
            with pikepdf.open(io.BytesIO(data)):
                return None
        except pikepdf.PasswordError:
            return _("PDF-filen er beskyttet med passord. Lagre eller skann samtykket uten passord og prøv igjen.")
        except pikepdf.PdfError:
            return _("Filen er skadet og kan ikke åpnes. Skann samtykket på nytt og last opp filen.")
    with _STRICT:
        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if width * height > MAX_SCAN_PIXELS:
                        return _(
                            "Bildet er for stort (%(mp)s megapiksler). Skann samtykket med lavere oppløsning, for eksempel 300 dpi, og prøv igjen.",
                            mp=round(width * height / 1_000_000),
                        )
                    image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
            return _("Filen er skadet og kan ikke åpnes. Skann samtykket på nytt og last opp filen.")
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None


def store(data: bytes, content_type: str) -> StoredFile:
    return StoredFile.create(
        content=data, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )
