"""Text the server hands out and reads back unchanged, sealed (Fernet: encrypted and
authenticated) with a key derived from SECRET_KEY by HKDF, one key per purpose: a
second-factor secret kept at rest, a list's cursor that would otherwise carry a child's
name into a URL (and from there into browser history and logs)."""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def fernet(salt: bytes, info: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(
        current_app.config["SECRET_KEY"].encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, salt: bytes, info: bytes) -> str:
    return fernet(salt, info).encrypt(text.encode()).decode().rstrip("=")


def unseal(token: str, salt: bytes, info: bytes) -> str | None:
    """The sealed text, or None for anything not sealed with this key (made up, cut off,
    altered, or sealed before SECRET_KEY changed)."""
    if not token:
        return None
    try:
        return fernet(salt, info).decrypt((token + "=" * (-len(token) % 4)).encode()).decode()
    except (InvalidToken, ValueError, UnicodeError):
        return None
