"""Settings from the environment, in one place."""

import os
import re
import secrets
from pathlib import Path

from stafettlogg.roles import Role

# The checkout: templates/, static/, translations/ and instance/ are beside the package.
ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int(name: str, default: int, minimum: int | None = None) -> int:
    """A whole number from the environment. One the app cannot work with (not a number,
    or below `minimum`: a negative retry pause, no attempts, a zero timeout) stops the
    app at start with the setting's name, not later and quietly."""
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum):
        at_least = f" på minst {minimum}" if minimum is not None else ""
        raise ValueError(f"{name} må være et helt tall{at_least}, ikke «{raw}».")
    return value


def _words(name: str) -> tuple[str, ...]:
    """A list from the environment, its values apart by spaces (as OpenID Connect writes
    `acr_values`) or commas; unset or empty: none."""
    return tuple(value for value in re.split(r"[\s,]+", os.environ.get(name, "")) if value)


# Sign-in methods (RFC 8176) that something one knows satisfies alone: a password, a PIN,
# an answer to a question. Never the second factor a municipality requires.
ONE_FACTOR_METHODS = ("pwd", "pin", "kba")


def _staff_amr_values() -> tuple[str, ...]:
    """STAFF_OIDC_AMR_VALUES. A method from ONE_FACTOR_METHODS stops the app at start: listed,
    it would let every sign-in with only a password through as if it had two factors."""
    values = _words("STAFF_OIDC_AMR_VALUES")
    weak = [value for value in values if value in ONE_FACTOR_METHODS]
    if weak:
        raise ValueError(
            f"STAFF_OIDC_AMR_VALUES kan ikke ha «{', '.join(weak)}»: det slipper inn innlogging med bare passord."
        )
    return values


# SECOND_FACTOR_ROLES=all: every staff account (Role.STAFF_ACCOUNTS), families never.
EVERY_STAFF_ACCOUNT = "all"


def _second_factor_roles() -> frozenset[str]:
    """SECOND_FACTOR_ROLES: the staff roles that must have a second factor for password
    sign-in, beside those who always must (signin/second_factor.py). A name that is no
    staff role stops the app at start: a typo would quietly leave that role with one factor."""
    values = _words("SECOND_FACTOR_ROLES")
    unknown = [value for value in values if value not in (EVERY_STAFF_ACCOUNT, *Role.STAFF_ACCOUNTS)]
    if unknown:
        raise ValueError(
            f"SECOND_FACTOR_ROLES kan ha {EVERY_STAFF_ACCOUNT} eller rollene {', '.join(Role.STAFF_ACCOUNTS)}, "
            f"ikke «{', '.join(unknown)}»."
        )
    return frozenset(Role.STAFF_ACCOUNTS if EVERY_STAFF_ACCOUNT in values else values)


SMTP_SECURITY = ("starttls", "ssl", "none")


def _smtp_security() -> str:
    """How the mail server is reached. Anything else stops the app at start: a typo once
    meant no encryption at all (the password and every message in clear)."""
    raw = os.environ.get("SMTP_SECURITY", "starttls")
    value = raw.strip().lower()
    if value not in SMTP_SECURITY:
        raise ValueError(f"SMTP_SECURITY må være starttls, ssl eller none, ikke «{raw}».")
    return value


def _public_url() -> str:
    """The address links in e-mails begin with. With a mail server and none set, every
    link in every e-mail (a family's invitation too) would lead to 127.0.0.1: the app does
    not start; nor with HTTPS=1 and an address that is not https."""
    raw = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        if os.environ.get("SMTP_HOST", "").strip():
            raise ValueError(
                "PUBLIC_URL må settes når SMTP_HOST er satt: lenkene i e-postene går ellers til 127.0.0.1."
            )
        return "http://127.0.0.1:5000"
    if os.environ.get("HTTPS", "") == "1" and not raw.startswith("https://"):
        raise ValueError(f"PUBLIC_URL må begynne med https:// når HTTPS=1, ikke «{raw}».")
    return raw


def from_environment(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'stafettlogg.sqlite3'}"),
        "DEMO_MODE": os.environ.get("STAFETTLOGG_DEMO", "") == "1",
        # Production never changes the schema by itself: run `flask --app app migrate`.
        "MIGRATE_ON_START": True if os.environ.get("STAFETTLOGG_DEMO", "") == "1" else None,
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024 + 64 * 1024,
        "MAX_UPLOAD_BYTES": _int("MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024,
        "CONSENT_AGE": _int("CONSENT_AGE", 16),
        # searches for an earlier log by fødselsnummer per person per 24 hours
        "LOOKUP_LIMIT": _int("LOOKUP_LIMIT", 20),
        # How many items a growing list shows at a time ("Vis flere" fetches the next ones).
        "PAGE_SIZE": _int("PAGE_SIZE", 50, minimum=1),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 60),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        # The longest a wrong attempt on an account delays the next one (signin/throttle.py).
        "LOGIN_MAX_DELAY_SECONDS": _int("LOGIN_MAX_DELAY_SECONDS", 60),
        "HTTPS": os.environ.get("HTTPS", "") == "1",
        # How many reverse proxies stand in front of the app: their X-Forwarded-* are trusted.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0, minimum=0),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 587, minimum=1),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "stafettlogg@localhost"),
        # starttls (port 587), ssl (port 465) or none (a relay on localhost)
        "SMTP_SECURITY": _smtp_security(),
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", 5, minimum=1),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 10, minimum=1),
        "MAIL_RETRY_SECONDS": _int("MAIL_RETRY_SECONDS", 60, minimum=1),
        # e-mails sent or given up on stay on the admin's «Utboks» this long, then go
        "MAIL_KEPT_DAYS": _int("MAIL_KEPT_DAYS", 30, minimum=0),
        "PUBLIC_URL": _public_url(),
        "MUNICIPALITY": os.environ.get("MUNICIPALITY", "Demo kommune"),
        # the municipality's guide, consent form, close reasons, contact text (content/)
        "CONTENT_FOLDER": os.environ.get("CONTENT_FOLDER", ""),
        # download (the browser saves the package) or folder (written into ARCHIVE_FOLDER)
        "ARCHIVE_TRANSPORT": os.environ.get("ARCHIVE_TRANSPORT", "download"),
        "ARCHIVE_FOLDER": os.environ.get("ARCHIVE_FOLDER", ""),
        # which municipality's Stafettlogg, in the archive's keys, where several share one archive
        "ARCHIVE_SYSTEM_KEY": os.environ.get("ARCHIVE_SYSTEM_KEY", ""),
        "ARCHIVE_MAX_ATTEMPTS": _int("ARCHIVE_MAX_ATTEMPTS", 10, minimum=1),
        "ARCHIVE_RETRY_SECONDS": _int("ARCHIVE_RETRY_SECONDS", 60, minimum=1),
        # seconds one package's write into ARCHIVE_FOLDER may take (a slow share): then retried
        "ARCHIVE_WRITE_TIMEOUT": _int("ARCHIVE_WRITE_TIMEOUT", 300, minimum=1),
        # a package the archive never took keeps its zip this many days, then only its record
        "ARCHIVE_FAILED_KEPT_DAYS": _int("ARCHIVE_FAILED_KEPT_DAYS", 30, minimum=0),
        "ARCHIVE_SEND_AFTER_REQUEST": True,  # tests turn it off and call outbox.OUTBOX.deliver
        # Families sign in with ID-porten (OpenID Connect, README "ID-porten").
        "IDPORTEN_ISSUER": os.environ.get("IDPORTEN_ISSUER", "").rstrip("/"),
        "IDPORTEN_CLIENT_ID": os.environ.get("IDPORTEN_CLIENT_ID", ""),
        "IDPORTEN_CLIENT_SECRET": os.environ.get("IDPORTEN_CLIENT_SECRET", ""),
        "IDPORTEN_ACR": os.environ.get("IDPORTEN_ACR", "idporten-loa-high"),
        # Allowed clock difference when checking an ID token's times, in seconds.
        "OIDC_CLOCK_SKEW": _int("OIDC_CLOCK_SKEW", 30),
        # The one-time invitation link with a password, for guardians without a Norwegian ID number.
        "LOCAL_GUARDIAN_LOGIN": os.environ.get("LOCAL_GUARDIAN_LOGIN", "") == "1",
        # Staff sign in with the municipality's provider (Entra ID, Feide …; README "Staff sign-in").
        "STAFF_OIDC_ISSUER": os.environ.get("STAFF_OIDC_ISSUER", "").rstrip("/"),
        "STAFF_OIDC_CLIENT_ID": os.environ.get("STAFF_OIDC_CLIENT_ID", ""),
        "STAFF_OIDC_CLIENT_SECRET": os.environ.get("STAFF_OIDC_CLIENT_SECRET", ""),
        # The claim that names the person: email, preferred_username or oid.
        "STAFF_OIDC_USER_CLAIM": os.environ.get("STAFF_OIDC_USER_CLAIM", "email"),
        # "1": the provider's e-mail addresses are its own (a municipal directory), so a token
        # without `email_verified` may name the person by `email` (README "Staff sign-in").
        "STAFF_OIDC_EMAIL_TRUSTED": os.environ.get("STAFF_OIDC_EMAIL_TRUSTED", "") == "1",
        "STAFF_OIDC_SCOPES": os.environ.get("STAFF_OIDC_SCOPES", "openid profile email"),
        # A second factor at the staff provider (README "A second factor for staff"): the ID
        # token's `acr` must be one of these (also asked for, as `acr_values`), its `amr` name
        # one of these methods (mfa, otp, hwk …); each checked when set, neither by default.
        "STAFF_OIDC_ACR_VALUES": _words("STAFF_OIDC_ACR_VALUES"),
        "STAFF_OIDC_AMR_VALUES": _staff_amr_values(),
        # Who must have the app's second factor for password sign-in, beside the system
        # administrator and area leaders (README "A second factor for staff"); all: every staff account.
        "SECOND_FACTOR_ROLES": _second_factor_roles(),
        # Password sign-in for staff: "1" or "0"; unset means on, unless STAFF_OIDC_ISSUER is
        # set outside the demo (auth.local_login_enabled). The system administrator keeps it.
        "LOCAL_LOGIN": {"1": True, "0": False}.get(os.environ.get("LOCAL_LOGIN", "")),
    }
