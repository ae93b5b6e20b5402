"""Rules for OpenID Connect sign-in, as plain functions.

A family member is identified by the person number (fødselsnummer or D-number) that
ID-porten sends as ``pid``. They see exactly the logs where that number is recorded on a
guardian, or where it is the subject's own number and the youth has been given own access.
"""

import datetime as dt
import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence

from stafettlogg import audit
from stafettlogg.db import write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs.national_id import a_child_by_number
from stafettlogg.models import YOUTH_RELATION, Guardian, Log, OidcSession, Role, Subject, User, utcnow

# ID-porten's levels of assurance, lowest first.
ACR_LEVELS = ("idporten-loa-substantial", "idporten-loa-high")


def acr_accepted(actual: object, accepted: Sequence[str]) -> bool:
    """True when the ID token's `acr` is one of the accepted values (none accepted: none
    is enough). The one check of a sign-in's level, for ID-porten and the staff provider."""
    return isinstance(actual, str) and actual in accepted


def acr_sufficient(actual: str | None, required: str) -> bool:
    """True when the level the token carries is at least the required level."""
    at_least = ACR_LEVELS[ACR_LEVELS.index(required) :] if required in ACR_LEVELS else ()
    return acr_accepted(actual, at_least)


def amr_accepted(actual: object, methods: Sequence[str]) -> bool:
    """True when the ID token's `amr` (a list, OpenID Connect Core and RFC 8176) names at
    least one of the methods; a claim in any other form names none."""
    return isinstance(actual, list) and any(isinstance(m, str) and m in methods for m in actual)


def strong_enough(claims: dict, acr_values: Sequence[str], amr_values: Sequence[str]) -> bool:
    """Whether the staff provider reports the sign-in the municipality requires (Normen:
    two factors for health and child-welfare information): its `acr` is one of
    STAFF_OIDC_ACR_VALUES and its `amr` names one of STAFF_OIDC_AMR_VALUES, each checked
    only when set. Neither set: any sign-in the provider accepted, as before."""
    if acr_values and not acr_accepted(claims.get("acr"), acr_values):
        return False
    return not amr_values or amr_accepted(claims.get("amr"), amr_values)


def guardian_rows_for(pid: str) -> list[Guardian]:
    """The guardian rows (including a youth's own access) that this person number opens."""
    if not (len(pid) == 11 and pid.isascii() and pid.isdigit()):
        return []
    as_youth = (Guardian.relation == YOUTH_RELATION) & (Subject.national_id == pid)
    if a_child_by_number(pid):  # a child under the consent age is no one's guardian
        return list(Guardian.select(Guardian).join(Log).join(Subject).where(as_youth))
    as_guardian = (Guardian.national_id == pid) & (Guardian.relation != YOUTH_RELATION)
    return list(Guardian.select(Guardian).join(Log).join(Subject).where(as_guardian | as_youth))


def _username() -> str:
    """An account made by ID-porten sign-in is found by its person number, never by its
    name, so its name owes nothing to the number: a hash of an 11-digit number is turned
    back into it in seconds, and usernames are shown in lists."""
    return "idporten-" + secrets.token_hex(8)


def _hashed_username(pid: str) -> str:
    """The name such accounts got before: the first 16 hex digits of the number's SHA-256."""
    return "idporten-" + hashlib.sha256(pid.encode()).hexdigest()[:16]


def sign_in_by_pid(pid: str, name: str = "") -> User | None:
    """The account to log in for this person number, linked to exactly the guardian rows
    the number opens now (links the number no longer matches are removed). None when the
    number opens nothing or its account is deactivated."""
    rows = guardian_rows_for(pid)
    with write_transaction():
        user = User.get_or_none(User.national_id == pid)
        if user is not None and (not user.active or user.role != Role.GUARDIAN):
            audit.record("idporten_refused_inactive", user=user, role="anonymous")
            return None
        if not rows:
            if user is not None:
                Guardian.update(user=None).where(Guardian.user == user).execute()
            audit.record("idporten_no_match", user=user, role="anonymous")
            return None
        if user is not None and user.username == _hashed_username(pid):
            user.username = _username()  # renamed at its next sign-in
            User.update(username=user.username).where(User.id == user.id).execute()
        if user is None:  # in the language the holder recorded for them, as after an invitation
            # a sign-in in another tab at the same moment may insert the same number: on
            # PostgreSQL this waits for it (ON CONFLICT DO NOTHING), then both read one account
            User.insert(
                username=_username(),
                name=name.strip() or rows[0].name,
                role=Role.GUARDIAN,
                national_id=pid,
                language=next((row.language for row in rows if row.language), ""),
            ).on_conflict_ignore().execute()
            user = User.get(User.national_id == pid)
        ids = [row.id for row in rows]
        Guardian.update(user=None).where(Guardian.user == user, Guardian.id.not_in(ids)).execute()
        Guardian.update(user=user).where(Guardian.id.in_(ids)).execute()
        audit.record("idporten_login", user=user, role=Role.GUARDIAN)
    return user


def mask_national_id(number: str | None) -> str:
    """Shown after saving: the birth date part and the rest hidden (``010203 *****``)."""
    if not number:
        return ""
    return f"{number[:6]} *****"


# ------------------------------------------------------------------ staff


# The claims that may name a staff member at the municipality's provider (STAFF_OIDC_USER_CLAIM).
STAFF_CLAIMS = ("email", "preferred_username", "oid")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_identity(value: str | None) -> str:
    """Identities are compared without case or surrounding space (Entra ID and Feide
    send the same person's e-mail or username in varying case)."""
    return (value or "").strip().lower()


def email_vouched_for(claims: dict, trusted: bool) -> bool:
    """Whether the provider vouches for the e-mail address that names the person: its
    `email_verified` is true (a JSON true, or the text "true" some providers send). A
    false one, or one in any other form, is refused; a missing one only when the operator
    has said that this provider's addresses are its own (STAFF_OIDC_EMAIL_TRUSTED: a
    municipal directory where no one sets their own address). Entra ID sends none: an
    address anyone with the right to edit a user can set would sign in as its owner."""
    verified = claims.get("email_verified")
    if verified is None:
        return trusted
    return verified is True or (isinstance(verified, str) and verified.strip().lower() == "true")


def identity_problem(value: str, claim: str) -> str | None:
    """Why this value cannot be the login identity for the configured claim, or None."""
    if not value:
        return None
    if len(value) > 254:
        return _("Innloggings-ID-en er for lang.")
    if claim == "oid":
        try:
            uuid.UUID(value)
        except ValueError:
            return _("Objekt-ID-en fra Entra ID har formen 1b2c3d4e-1111-2222-3333-444455556666.")
        return None
    if claim == "email" and not _EMAIL.match(value):
        return _("Skriv e-postadressen personen logger inn med, for eksempel ola.nordmann@kommune.no.")
    if any(c.isspace() for c in value):
        return _("Innloggings-ID-en kan ikke ha mellomrom.")
    return None


def staff_for_identity(identity: str) -> User | None:
    """The staff account the unit leader linked to this identity, or None (audited either
    way). Nothing is ever created: only a unit leader makes accounts."""
    identity = normalise_identity(identity)
    with write_transaction():
        user = User.get_or_none(User.login_identity == identity) if identity else None
        if user is None or user.role == Role.GUARDIAN:
            audit.record("staff_oidc_no_match", role="anonymous")
            return None
        if not user.active:
            audit.record("staff_oidc_refused_inactive", user=user, role="anonymous")
            return None
        audit.record("staff_oidc_login", user=user, role=user.role)
    return user


# ------------------------------------------------------------------ front-channel logout

# How long a provider session is remembered from when it began (or was said to end):
# longer than any of our sessions can live (SESSION_MAX_HOURS).
LOGOUT_KEPT = dt.timedelta(days=2)


def remember_provider_session(iss: str, sid: str) -> None:
    """One of our sessions began with the provider's session ``sid``: its front-channel
    logout is recorded whatever the per-address limit on anonymous writes (behind one
    municipal address, many staff sign out at the end of the day)."""
    now = utcnow()
    with write_transaction():
        OidcSession.delete().where(OidcSession.at < now - LOGOUT_KEPT).execute()
        OidcSession.insert(iss=iss, sid=sid, at=now).on_conflict(
            conflict_target=(OidcSession.iss, OidcSession.sid), update={OidcSession.at: now}
        ).execute()


def a_session_of_ours_to_end(iss: str, sid: str) -> bool:
    """Did one of our sessions begin with ``sid``, not yet ended? Anything else is a made-up
    or repeated call, whose writes are limited per address."""
    return _provider_session(iss, sid).where(OidcSession.ended_at.is_null()).exists()


def issuer_of_session(sid: str, issuers: set[str]) -> str | None:
    """The issuer of the one session of ours, not yet ended, that began with ``sid`` at one
    of ``issuers``; None when there is none or more than one. Microsoft Entra ID calls the
    front-channel logout with the sid only, without iss (a known deviation from the
    specification); its sids are GUIDs, so a sid names its session."""
    found = {
        row.iss
        for row in OidcSession.select(OidcSession.iss).where(
            OidcSession.sid == sid, OidcSession.ended_at.is_null(), OidcSession.iss.in_(sorted(issuers))
        )
    }
    return found.pop() if len(found) == 1 else None


def end_provider_session(iss: str, sid: str) -> None:
    """The provider says the person's session ``sid`` ended: every app server sees it
    (the row is in the database) and ends our session that began with it. A sid that
    none of ours began is remembered as ended too (its sign-in may still be under way)."""
    now = utcnow()
    with write_transaction():
        OidcSession.delete().where(OidcSession.at < now - LOGOUT_KEPT).execute()
        ended = OidcSession.update(ended_at=now).where(
            OidcSession.iss == iss, OidcSession.sid == sid, OidcSession.ended_at.is_null()
        )
        if not ended.execute():
            OidcSession.insert(iss=iss, sid=sid, at=now, ended_at=now).on_conflict_ignore().execute()
        audit.record("oidc_frontchannel_logout", role="anonymous")


def provider_session_ended(iss: str, sid: str) -> bool:
    return _provider_session(iss, sid).where(OidcSession.ended_at.is_null(False)).exists()


def _provider_session(iss: str, sid: str):
    return OidcSession.select(OidcSession.id).where(OidcSession.iss == iss, OidcSession.sid == sid)
