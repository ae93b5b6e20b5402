"""The guardians' access to a log: one-time invitations (hash of the token stored),
the youth's own access at the consent age, and the account a guardian makes or links
from an invitation. The log's own life (close, passive, reopen, consent withdrawal,
deletion) lives in stafettlogg/logs/lifecycle.py.
"""

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata

from flask import current_app

from stafettlogg import audit
from stafettlogg.access import consent_age, of_consent_age
from stafettlogg.dates import format_date, format_time
from stafettlogg.db import write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import domain, states
from stafettlogg.logs.errors import LogError
from stafettlogg.logs.lifecycle import fresh_log, require_role
from stafettlogg.models import YOUTH_RELATION, Guardian, GuardianInvitation, Log, Role, User, utcnow
from stafettlogg.notify import msg, send_email
from stafettlogg.org.domain import USERNAME_RE
from stafettlogg.passwords import hash_password, password_problem
from stafettlogg.web import external_url

INVITATION_DAYS = 7


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


CODE_DIGITS = 8


def _normal_code(code: str) -> str:
    """The code's digits as ASCII: a number pad in Arabic types ٠١٢٣٤٥٦٧٨٩ for 0123456789."""
    return "".join(str(unicodedata.decimal(ch)) for ch in (code or "") if ch.isdecimal())


def _code_hash(code: str) -> str:
    """A keyed hash: the eight digits cannot be found from a copy of the database alone."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"invitation-code:" + _normal_code(code).encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def invitations_enabled() -> bool:
    """Invitations by link and one-time code are for families who cannot use ID-porten:
    on wherever ID-porten is not configured, and beside it only when the municipality
    turns them on for guardians without a Norwegian ID number (LOCAL_GUARDIAN_LOGIN)."""
    cfg = current_app.config
    return bool(cfg.get("LOCAL_GUARDIAN_LOGIN")) or not cfg.get("IDPORTEN_ISSUER")


def invitation_refusal(guardian: Guardian) -> str | None:
    """Why this guardian gets no invitation, in the holder's language, or None."""
    if not invitations_enabled():
        return _(
            "Foresatte logger inn med ID-porten. Registrer fødselsnummeret til %(name)s under Foresatte; "
            "invitasjon med lenke er slått av i kommunen.",
            name=guardian.name,
        )
    if current_app.config.get("IDPORTEN_ISSUER") and guardian.national_id:
        return _(
            "%(name)s logger inn med ID-porten med fødselsnummeret sitt og trenger ingen invitasjon.",
            name=guardian.name,
        )
    return None


def check_code(invitation: GuardianInvitation, code: str) -> None:
    """The link alone opens nothing: the one-time code the holder gave by another way
    (phone, a meeting) must match, so a forwarded e-mail is not enough."""
    given = _normal_code(code)
    if not given:
        raise LogError(_("Skriv inn engangskoden du fikk av stafettholderen."), "code")
    if not invitation.code_hash or not hmac.compare_digest(invitation.code_hash, _code_hash(given)):
        raise LogError(_("Koden stemmer ikke. Sjekk koden du fikk av stafettholderen og prøv igjen."), "code")


def invite_guardian(
    by: User, log: Log, guardian: Guardian, days: int = INVITATION_DAYS
) -> tuple[GuardianInvitation, str]:
    """The holder creates a one-time link with an expiry for a guardian of the log, and
    a one-time code (invitation.code) the holder gives by another way than the link.
    Only hashes of the token and the code are stored; both are shown once.
    A new invitation makes earlier unused ones for the same guardian invalid."""
    with write_transaction():
        log = fresh_log(log)
        states.check(by, log, "invite_guardian")
        if guardian.log_id != log.id:
            raise LogError(_("Personen er ikke registrert som foresatt i denne loggen."), code="forbidden")
        if guardian.user_id is not None:
            raise LogError(_("%(name)s har allerede tilgang.", name=guardian.name), code="state")
        if (refusal := invitation_refusal(guardian)) is not None:
            raise LogError(refusal, code="state")
        if guardian.relation == YOUTH_RELATION and not of_consent_age(log.subject.birth_date):
            # the youth's own access opens at the consent age as it is now (a setting raised since)
            limit = consent_age()
            raise LogError(_("Ungdommen må være minst %(limit)s år for å få egen tilgang.", limit=limit), code="state")
        now = utcnow()
        GuardianInvitation.update(expires_at=now).where(
            GuardianInvitation.guardian == guardian,
            GuardianInvitation.used_at.is_null(),
            GuardianInvitation.expires_at > now,
        ).execute()
        token = secrets.token_urlsafe(32)
        code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
        invitation = GuardianInvitation.create(
            guardian=guardian,
            token_hash=_token_hash(token),
            code_hash=_code_hash(code),
            created_by=by,
            expires_at=now + dt.timedelta(days=days),
        )
        invitation.code = code  # shown once to the holder, who gives it by phone or in person
        audit.record("guardian_invited", log=log, obj=invitation, user=by, role="holder")
    return invitation, token


def add_youth(by: User, log: Log, *, phone: str, email: str) -> Guardian:
    """The youth (16 or older, the consent age) gets their own access the same way
    as the guardians: as a person with the guardians' read-only view of the log. Where
    families sign in with ID-porten only, the youth does so with their own fødselsnummer."""
    log = fresh_log(log)
    require_role(by, log, "holder", _("Bare stafettholderen kan gi ungdommen tilgang."))
    if not of_consent_age(log.subject.birth_date):
        raise LogError(_("Ungdommen må være minst %(limit)s år for å få egen tilgang.", limit=consent_age()), "phone")
    if Guardian.select().where(Guardian.log == log, Guardian.relation == YOUTH_RELATION).exists():
        raise LogError(_("Ungdommen er allerede registrert. Lag en ny invitasjon i listen."), "phone")
    if not invitations_enabled() and not log.subject.national_id:
        # no invitation beside ID-porten: the youth signs in with the log's own number
        # (oidc.domain.guardian_rows_for), so without it no one could sign in as them
        raise LogError(
            _(
                "Ungdommen logger inn med ID-porten med sitt eget fødselsnummer, men fødselsnummeret er ikke "
                "registrert i stafettloggen. Uten det kan ungdommen ikke få egen tilgang."
            ),
            "phone",
        )
    return domain.add_guardian(by, log, name=log.subject.name, relation="", phone=phone, email=email, youth_of_age=True)


def find_invitation(token: str) -> GuardianInvitation | None:
    """The invitation for a token if it is still usable (unused, not expired), and its
    guardian still gets one (invitation_refusal, asked at use as at sending: a municipality
    that turns invitations off ends the links already sent)."""
    if not token or len(token) > 100:
        return None
    invitation = GuardianInvitation.get_or_none(GuardianInvitation.token_hash == _token_hash(token))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    if invitation_refusal(invitation.guardian) is not None:
        return None
    return invitation


def invitation_holds(invitation: GuardianInvitation) -> bool:
    """An invitation holds only while the holder who made it could make it now (the
    state table's "invite_guardian"): it is void once the log is closed, passive or
    deleted, the family has asked for deletion, the consent has run out or been
    withdrawn, or the log has another holder (handed over or taken over). The holder
    vouched for the person who got the code, on the consent the family gave then; a new
    holder decides afresh. Once the log ended it stays void (voided_at), also after a
    reopen: the family may have withdrawn consent because of the invited person. A
    guardian removed meanwhile has no invitation left (the rows go with the guardian)."""
    if invitation.voided_at is not None:
        return False
    log = Log.get_or_none(Log.id == invitation.guardian.log_id)
    return log is not None and states.problem(invitation.created_by, log, "invite_guardian") is None


def void_message() -> str:
    return _(
        "Invitasjonen kan ikke brukes lenger. Stafettloggen er avsluttet, har fått ny stafettholder eller venter "
        "på nytt samtykke. Kontakt enheten som sendte invitasjonen, hvis du fortsatt trenger tilgang."
    )


def _require_holds(invitation: GuardianInvitation) -> None:
    if not invitation_holds(invitation):
        raise LogError(void_message(), code="void")


def _use(invitation: GuardianInvitation) -> None:
    """Single use even when two requests race: only one conditional update wins."""
    changed = (
        GuardianInvitation.update(used_at=utcnow())
        .where(
            GuardianInvitation.id == invitation.id,
            GuardianInvitation.used_at.is_null(),
            GuardianInvitation.expires_at > utcnow(),
        )
        .execute()
    )
    if not changed:
        raise LogError(_("Lenken er allerede brukt eller har gått ut."), code="used")


def accept_invitation(token: str, *, code: str, username: str, password: str, repeat: str) -> User:
    """A new guardian account from a valid invitation: the guardian chooses a
    username and a password (password policy in passwords.py)."""
    invitation = find_invitation(token)
    if invitation is None:
        raise LogError(_("Lenken er allerede brukt eller har gått ut."), code="used")
    check_code(invitation, code)
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise LogError(
            _("Brukernavnet kan bare ha små bokstaver a–z, tall, punktum, bindestrek og understrek (2–60 tegn)."),
            "username",
        )
    if problem := password_problem(password or "", username):
        raise LogError(problem, "password")
    if password != repeat:
        raise LogError(_("Passordene er ikke like."), "repeat")
    password_hash = hash_password(password)  # slow: outside the write lock
    with write_transaction():
        invitation = find_invitation(token)
        if invitation is None:
            raise LogError(_("Lenken er allerede brukt eller har gått ut."), code="used")
        _require_holds(invitation)  # asked of the log as it is at this moment
        if User.select().where(User.username == username).exists():
            raise LogError(_("Brukernavnet er allerede i bruk. Velg et annet."), "username")
        guardian = invitation.guardian
        if guardian.user_id is not None:
            raise LogError(_("Denne foresatte har allerede tilgang."), code="used")
        _use(invitation)
        user = User.create(
            username=username,
            password_hash=password_hash,
            name=guardian.name,
            role=Role.GUARDIAN,
            email=guardian.email,
            phone=guardian.phone,
            session_token=secrets.token_hex(32),
            language=guardian.language,
        )
        Guardian.update(user=user).where(Guardian.id == guardian.id).execute()
        audit.record("guardian_access_granted", log=guardian.log_id, obj=guardian, user=user, role="guardian")
    return user


def link_invitation(token: str, user: User, *, code: str) -> Guardian:
    """An existing guardian account (for example a parent with two children) is
    linked to the log of the invitation instead of making a second account."""
    if user.role != Role.GUARDIAN:
        raise LogError(_("Invitasjonen gjelder foresatte. Logg ut og åpne lenken på nytt."), code="forbidden")
    with write_transaction():
        invitation = find_invitation(token)
        if invitation is None:
            raise LogError(_("Lenken er allerede brukt eller har gått ut."), code="used")
        check_code(invitation, code)
        _require_holds(invitation)  # asked of the log as it is at this moment
        guardian = invitation.guardian
        if guardian.user_id is not None:
            raise LogError(_("Denne foresatte har allerede tilgang."), code="used")
        if Guardian.select().where(Guardian.log == guardian.log_id, Guardian.user == user).exists():
            raise LogError(_("Du har allerede tilgang til denne stafettloggen."), code="used")
        if user.national_id and guardian.national_id not in (None, user.national_id):
            raise LogError(_("Invitasjonen gjelder en annen person enn den du er logget inn som."), "code")
        _use(invitation)
        # An account from ID-porten: its every sign-in links exactly the guardian rows its
        # number opens (oidc.domain.sign_in_by_pid), so the row gets the number to stay linked.
        Guardian.update(user=user, national_id=guardian.national_id or user.national_id).where(
            Guardian.id == guardian.id
        ).execute()
        audit.record("guardian_access_granted", log=guardian.log_id, obj=guardian, user=user, role="guardian")
    return Guardian.get_by_id(guardian.id)


def send_invitation(by: User, log: Log, guardian: Guardian) -> dict:
    """Invite a guardian and e-mail the link (never the code, never the child's name):
    what the holder's page shows once, with the code to give by phone or in a meeting.
    The link opens the page in the guardian's preferred language (set by the holder)."""
    invitation, token = invite_guardian(by, log, guardian)
    link = external_url("guardian.invitation_accept", token=token, lang=guardian.language or None)
    if guardian.email:
        send_email(
            guardian.email,
            msg("Invitasjon til Stafettlogg"),
            msg(
                "Hei!\n\n%(holder)s (%(unit)s) har gitt deg tilgang til å lese stafettloggen i Stafettlogg.\n\n"
                "Åpne lenken og velg brukernavn og passord:\n%(link)s\n\n"
                "Lenken kan brukes én gang og gjelder til %(until)s.\n\n"
                "Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten.",
                holder=by.name,
                unit=log.unit.name,
                link=link,
                # without words ("kl."): the e-mail is in the guardian's language, not the holder's
                until=f"{format_date(invitation.expires_at)} {format_time(invitation.expires_at)}",
            ),
            recipient=guardian,
            log=log,
        )
    return {
        "guardian": guardian,
        "link": link,
        "invitation": invitation,
        "code": format_code(invitation.code),
        "emailed": bool(guardian.email),
    }
