"""Real and fake upload files for consent tests, and the text of a PDF the app made."""

import io
import struct
import subprocess
import zlib

import pikepdf
from PIL import Image

from stafettlogg.demo import consent_pdf


def pdf() -> bytes:
    return consent_pdf()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(pixels: bytes = zlib.compress(b"\x00\xff\xff\xff")) -> bytes:
    """One white pixel; `pixels` replaces the compressed image data."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def damaged_png() -> bytes:
    """Right at both ends, broken inside: the image data is not compressed data."""
    return png(pixels=b"skadet under skanningen" * 4)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    """An orange scan saved in CMYK, as some scanners and phone apps save one."""
    buffer = io.BytesIO()
    Image.new("CMYK", (40, 20), (0, 128, 255, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def damaged_jpeg() -> bytes:
    data = jpeg()
    return data[:20] + b"\x00" * (len(data) - 22) + data[-2:]


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf())) as document:
        document.save(buffer, encryption=pikepdf.Encryption(owner="eier-passord", user="hemmelig"))
    return buffer.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100 + b"PE\x00\x00"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def html() -> bytes:
    return b"<!doctype html><script>alert(1)</script>"


def pdf_text(data: bytes) -> str:
    """The text of a PDF (poppler's pdftotext), as a reader would copy it."""
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
