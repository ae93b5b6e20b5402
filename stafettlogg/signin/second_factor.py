"""The second factor for password sign-in: TOTP (RFC 6238, pyotp) and recovery codes.

- Who: ``second_factor_required(user)`` — the one rule, asked by every password sign-in
  (the login form and the break-glass admin sign-in). Whoever must have one
  (``mandatory``: the system administrator and area leaders always, and the staff roles
  the operator names in SECOND_FACTOR_ROLES, or every staff account); anyone else who
  turned it on. Families are no staff role: never required of them.
- The secret is stored encrypted (Fernet) with a key derived from SECRET_KEY by HKDF: a
  database dump alone does not give the secrets. Changing SECRET_KEY makes every secret
  unreadable: people then enrol again (a unit leader resets, or ``flask second-factor-reset``).
- A code counts once: the accepted time step is stored and only a later step is accepted,
  by a conditional UPDATE so two app servers cannot both accept the same code.
- Recovery codes: ``RECOVERY_CODES`` random codes, shown once, stored as Argon2 hashes,
  each used once.
"""

import hmac
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from stafettlogg import audit, sealed
from stafettlogg.db import write_transaction
from stafettlogg.models import RecoveryCode, Role, User
from stafettlogg.notify import msg, notify
from stafettlogg.passwords import hash_password, verify_password
from stafettlogg.signin import clock

# Whatever SECOND_FACTOR_ROLES says: the system administrator (break-glass access too) and
# area leaders.
ALWAYS_MANDATORY = frozenset({Role.ADMIN, Role.AREA_LEADER})
RECOVERY_CODES = 10
STEP_SECONDS = 30
# A code from the step before or after is accepted too (phones whose clock is a little off).
VALID_WINDOW = 1
ISSUER = "Stafettlogg"
# No 0/O, 1/I/L: read aloud or typed from paper without doubt.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None


def second_factor_required(user: User) -> bool:
    """Must this person give a second factor after the password? (Enrolled people give a
    code; those who must have one and have none are led to enrolment.)"""
    return mandatory(user) or enrolled(user)


def mandatory(user: User) -> bool:
    """Must this person have a second factor for password sign-in (led to enrolment, never
    turning it off)? Their role: ALWAYS_MANDATORY and the roles in SECOND_FACTOR_ROLES."""
    return user.role in ALWAYS_MANDATORY.union(current_app.config.get("SECOND_FACTOR_ROLES", ()))


# ------------------------------------------------------------------ the secret at rest


def _fernet() -> Fernet:
    return sealed.fernet(b"stafettlogg-second-factor", b"totp-secret")


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(stored: str) -> str | None:
    if not stored:
        return None
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:  # SECRET_KEY changed: the person must enrol again
        return None


# ------------------------------------------------------------------ enrolment


def pending_secret(stored: str | None) -> tuple[str, str]:
    """The secret being enrolled and its encrypted form, kept in the person's session (so a
    GET writes nothing and a reload shows the same QR code): ``stored`` is what the session
    holds, a new secret when it is empty or unreadable."""
    secret = _decrypt(stored or "")
    if secret is None:
        secret = pyotp.random_base32()
        stored = _encrypt(secret)
    return secret, stored


def provisioning_uri(user: User, secret: str) -> str:
    municipality = current_app.config.get("MUNICIPALITY", "")
    issuer = f"{ISSUER} {municipality}".strip()
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The QR code as inline SVG, drawn on the server (no script, no outside service)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, omitsize=True
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm(user: User, stored_pending: str, code: str) -> list[str] | None:
    """Turn the second factor on when the code matches the pending secret (from the
    session). Returns the recovery codes (shown once), or None for a wrong code."""
    secret = None if enrolled(user) else _decrypt(stored_pending or "")
    step = _matching_step(secret, code) if secret else None
    if step is None:
        return None
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    hashes = [hash_password(_normalise(c)) for c in codes]  # slow (Argon2): outside the write lock
    now = clock.now()
    with write_transaction():
        updated = (
            User.update(totp_secret=stored_pending, totp_enabled_at=now, totp_last_step=step)
            .where(User.id == user.id, User.totp_enabled_at.is_null())
            .execute()
        )
        if not updated:
            return None
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        RecoveryCode.insert_many(
            [{"user": user.id, "code_hash": code_hash, "created_at": now} for code_hash in hashes]
        ).execute()
        audit.record("second_factor_enrolled", obj=user, user=user)
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


# ------------------------------------------------------------------ sign-in


def _normalise(code: str) -> str:
    return "".join(c for c in (code or "").lower() if c.isalnum())


def _matching_step(secret: str, code: str) -> int | None:
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int(clock.epoch_seconds(clock.now())) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(user: User, code: str, *, app_codes: bool = True) -> str | None:
    """Check a sign-in code: "totp" or "recovery" when accepted (and used up), else None.
    ``app_codes`` False: only a recovery code is judged (throttle.codes_exhausted)."""
    if not enrolled(user):
        return None
    secret = _decrypt(user.totp_secret) if app_codes else None
    step = _matching_step(secret, code) if secret else None
    if step is not None:
        with write_transaction():
            # Accept only a later step than any accepted before: a replayed code is refused.
            used = User.update(totp_last_step=step).where(User.id == user.id, User.totp_last_step < step).execute()
        return "totp" if used else None
    normal = _normalise(code)
    if len(normal) != 10:
        return None
    for recovery in RecoveryCode.select().where(RecoveryCode.user == user.id, RecoveryCode.used_at.is_null()):
        if verify_password(recovery.code_hash, normal):
            with write_transaction():
                used = (
                    RecoveryCode.update(used_at=clock.now())
                    .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_null())
                    .execute()
                )
                if used:
                    audit.record("recovery_code_used", obj=user, user=user)
            return "recovery" if used else None
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.select().where(RecoveryCode.user == user.id, RecoveryCode.used_at.is_null()).count()


# ------------------------------------------------------------------ turning off, reset


def _clear(user: User) -> None:
    User.update(totp_secret="", totp_enabled_at=None, totp_last_step=0).where(User.id == user.id).execute()
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()


def turn_off(user: User) -> None:
    """The person's own choice, only where the second factor is not mandatory."""
    if mandatory(user):
        raise PermissionError("the second factor is mandatory for this role")
    with write_transaction():
        _clear(user)
        audit.record("second_factor_turned_off", obj=user, user=user)


def reset(by: User | None, staff: User) -> None:
    """Reset a person's second factor (a lost phone): by their unit leader, or on the
    command line (``by`` None). Audited, and the person is told (not a deactivated
    account: notify.reached); whoever must have one is led to enrol again (at once when
    signed in with a password: auth.second_factor_owed), anyone else enrols from their
    account page when they choose."""
    with write_transaction():
        _clear(staff)
        audit.record("second_factor_reset", obj=staff, user=by, role=None if by else "system")
        if by is not None and mandatory(staff):
            text = msg(
                "%(name)s har nullstilt innloggingskoden din (tofaktor). Sett den opp på nytt neste gang du "
                "logger inn med passord. Kontakt %(name)s hvis du ikke ba om dette.",
                name=by.name,
            )
        elif by is not None:
            text = msg(
                "%(name)s har nullstilt innloggingskoden din (tofaktor). Du logger inn uten den til du setter den "
                "opp igjen under «Innlogging og sikkerhet». Kontakt %(name)s hvis du ikke ba om dette.",
                name=by.name,
            )
        elif staff.role == Role.GUARDIAN:
            text = msg(
                "Innloggingskoden din (tofaktor) er nullstilt av kommunen. Sett den opp på nytt neste gang du "
                "logger inn med passord. Kontakt den som har stafettloggen til barnet ditt hvis du ikke ba om dette."
            )
        else:
            text = msg(
                "Innloggingskoden din (tofaktor) er nullstilt av driften. Sett den opp på nytt neste gang du "
                "logger inn med passord. Kontakt enhetslederen din hvis du ikke ba om dette."
            )
        notify(staff, "second_factor_reset", text)


def tell_codes_exhausted(user: User) -> None:
    """Someone who had the password typed throttle.CODE_LIMIT wrong codes in a row: the
    person is told (a notice, and an e-mail when they have an address), once a day, and
    it is audited. Only a recovery code is judged until a day passes without a wrong one."""
    with write_transaction():
        audit.record("second_factor_codes_exhausted", obj=user, user=user)
        notify(
            user,
            "second_factor_codes_exhausted",
            msg(
                "Noen har skrevet riktig passord, men feil innloggingskode mange ganger på kontoen din. Koder fra appen godtas ikke før det har gått et døgn uten feil, men reservekodene virker. Var det ikke deg, bytt passord med en gang."
            ),
            dedupe_key=f"second_factor_codes_exhausted:{user.id}:{clock.now().date().isoformat()}",
        )
