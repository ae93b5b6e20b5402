"""Password hashing and policy (SECURITY.md: Argon2id, >= 12 characters, no composition
rules, common passwords refused)."""

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stafettlogg.i18n import gettext as _

MIN_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the user is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("stafettlogg-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, username: str = "") -> str | None:
    """A Norwegian message saying what is wrong with the new password, or None."""
    if len(password) < MIN_LENGTH:
        return _("Passordet må ha minst %(n)s tegn.", n=MIN_LENGTH)
    lowered = password.lower()
    if lowered in _common() or (username and username.lower() in lowered):
        return _("Passordet er for vanlig eller lett å gjette. Velg en setning bare du kjenner.")
    return None
