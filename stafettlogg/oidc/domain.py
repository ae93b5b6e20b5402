"""Rules for OpenID Connect sign-in, as plain functions.

A family member is identified by the person number (fødselsnummer or D-number) that
ID-porten sends as ``pid``. They see exactly the logs where that number is recorded on a
guardian, or where it is the subject's own number and the youth has been given own access.
"""

import hashlib

from stafettlogg import audit
from stafettlogg.db import write_transaction
from stafettlogg.lifecycle import YOUTH_RELATION
from stafettlogg.models import Guardian, Log, LogStatus, Role, Subject, User

# ID-porten's levels of assurance, lowest first.
ACR_LEVELS = ("idporten-loa-substantial", "idporten-loa-high")


def acr_sufficient(actual: str | None, required: str) -> bool:
    """True when the level the token carries is at least the required level."""
    if actual not in ACR_LEVELS or required not in ACR_LEVELS:
        return False
    return ACR_LEVELS.index(actual) >= ACR_LEVELS.index(required)


def guardian_rows_for(pid: str) -> list[Guardian]:
    """The guardian rows (including a youth's own access) that this person number opens."""
    if not (len(pid) == 11 and pid.isdigit()):
        return []
    as_guardian = (Guardian.national_id == pid) & (Guardian.relation != YOUTH_RELATION)
    as_youth = (Guardian.relation == YOUTH_RELATION) & (Subject.national_id == pid)
    return list(
        Guardian.select(Guardian).join(Log).join(Subject).where(as_guardian | as_youth, Log.status != LogStatus.DELETED)
    )


def _username(pid: str) -> str:
    # Never the person number itself: usernames show up in audit lists.
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
        if user is None:
            user = User.create(
                username=_username(pid),
                name=name.strip() or rows[0].name,
                role=Role.GUARDIAN,
                national_id=pid,
            )
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
