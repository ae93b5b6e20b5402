"""Areas, units and staff: the rules of seed 001 "Rutine for å opprette og endre
stafettholder" (area leaders create units and appoint unit leaders; unit leaders add
the staff of their unit and remove those who leave)."""

import re
import secrets

from flask import current_app, has_app_context

from stafettlogg import audit, mailer
from stafettlogg.access import is_ito_coordinator
from stafettlogg.auth import password_sign_in_allowed, rotate_session_token
from stafettlogg.db import write_transaction
from stafettlogg.handover import domain as handover
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import ngettext
from stafettlogg.logs import domain as logs
from stafettlogg.logs import states
from stafettlogg.models import (
    Area,
    ItoDelegation,
    Log,
    LogStatus,
    OutboxEmail,
    Participant,
    Role,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from stafettlogg.notify import msg, notify
from stafettlogg.oidc.domain import identity_problem, normalise_identity
from stafettlogg.org import queries
from stafettlogg.passwords import hash_password
from stafettlogg.signin import throttle
from stafettlogg.typed import is_email_address
from stafettlogg.web import path_for
from stafettlogg.windows import Window, dated_window

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
WORDS = [
    "bjørk",
    "fjell",
    "elv",
    "strand",
    "sol",
    "måne",
    "skog",
    "lyng",
    "hav",
    "vind",
    "stein",
    "eng",
    "bekk",
    "furu",
    "tind",
    "vår",
    "sommer",
    "høst",
    "vinter",
    "snø",
    "regn",
    "bro",
    "båt",
    "fyr",
    "lund",
    "mose",
    "kilde",
    "nord",
    "sør",
    "øst",
    "vest",
]


class OrganisationError(ValueError):
    """A rule was broken; the message is for the user (Norwegian)."""

    def __init__(self, message: str, field: str | None = None, logs=None):
        super().__init__(message)
        self.field = field
        self.logs = logs or []


def _fits(column, text: str, label: str, field: str) -> None:
    """A text no longer than its column holds (PostgreSQL refuses a longer one with an
    error, SQLite keeps it whole): the rule each of the organisation's forms asks."""
    if len(text.strip()) > column.max_length:
        raise OrganisationError(_("«%(label)s» kan ha høyst %(n)s tegn.", label=label, n=column.max_length), field)


def _check_person(name: str, job_title: str, email: str, phone: str) -> None:
    """An account's name and contact details as typed, for a new account and an edit."""
    if not name.strip():
        raise OrganisationError(_("Skriv navnet."), "name")
    _fits(User.name, name, _("Fullt navn"), "name")
    _fits(User.job_title, job_title, _("Stilling"), "job_title")
    if email.strip() and not is_email_address(email):
        raise OrganisationError(_("E-postadressen ser ikke riktig ut."), "email")
    _fits(User.phone, phone, _("Telefon"), "phone")


def temporary_password() -> str:
    """Four random words and two digits: easy to read aloud, hard to guess."""
    words = [secrets.choice(WORDS) for _i in range(4)]
    return "-".join(words) + f"-{secrets.randbelow(90) + 10}"


def _check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise OrganisationError(
            _("Brukernavnet kan bare ha små bokstaver a–z, tall, punktum, bindestrek og understrek (2–60 tegn)."),
            "username",
        )
    if User.select().where(User.username == username).exists():
        raise OrganisationError(_("Brukernavnet er allerede i bruk."), "username")
    return username


def movable(user: User) -> bool:
    """Who may be moved to another unit (move_staff): staff of a unit. A unit leader is
    replaced by appointing."""
    return user.role == Role.STAFF and user.unit_id is not None


def _check_login_identity(value: str, user_id: int | None = None, unit: Unit | None = None) -> str | None:
    """The staff member's identity at the municipality's provider (STAFF_OIDC_USER_CLAIM),
    normalised; None when left empty. Unique: one identity opens one account. When it
    belongs to someone `movable` in another unit than `unit` (a teacher who changed
    school; `unit` given for a staff member's account only), the message names that unit
    and who can move the person (move_staff)."""
    value = normalise_identity(value)
    if not value:
        return None
    claim = current_app.config.get("STAFF_OIDC_USER_CLAIM", "email") if has_app_context() else "email"
    if problem := identity_problem(value, claim):
        raise OrganisationError(problem, "login_identity")
    taken = User.select().where(User.login_identity == value)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    owner = taken.first()
    if owner is None:
        return value
    if unit is not None and movable(owner) and owner.unit_id != getattr(unit, "id", unit):
        raise OrganisationError(
            _(
                "Denne innloggings-ID-en hører til en konto ved %(unit)s. Enhetslederen der kan flytte personen til enheten din.",
                unit=Unit.get_by_id(owner.unit_id).name,
            ),
            "login_identity",
        )
    raise OrganisationError(_("Denne innloggings-ID-en hører allerede til en annen konto."), "login_identity")


def _name(text: str) -> str:
    """An area's or a unit's name as it is kept: the spaces inside it as one."""
    return " ".join(text.split())


def _name_taken(names, name: str) -> bool:
    """Whether `names` (a query of one column) has `name` but for case: «Nordbyen skole»
    and «NORDBYEN SKOLE» would be two lines no one tells apart in every list of units
    (compared here, as SQLite's lower() knows no «Ø»)."""
    key = name.casefold()
    return any(other.casefold() == key for (other,) in names.tuples())


def create_area(name: str, by: User | None = None) -> Area:
    """by: the admin (None: set-up from the command line or the demo, audited as the system)."""
    name = _name(name)
    if not name:
        raise OrganisationError(_("Skriv navnet på området."), "name")
    _fits(Area.name, name, _("Navn på området"), "name")
    with write_transaction():
        if _name_taken(Area.select(Area.name), name):
            raise OrganisationError(_("Det finnes allerede et område med dette navnet."), "name")
        area = Area.create(name=name)
        audit.record("area_created", obj=area, user=by)
    return area


def create_user(
    role: str,
    username: str,
    name: str,
    *,
    password: str | None = None,
    unit: Unit | None = None,
    area: Area | None = None,
    job_title: str = "",
    email: str = "",
    phone: str = "",
    login_identity: str = "",
    audited: str = "",
    by: User | None = None,
) -> tuple[User, str]:
    """Create an account. Returns the user and the password to hand over (temporary
    unless given): the user must change a temporary one at first login. `audited`: the
    audit event of the appointment, written by `by` in the same transaction (an account
    whose appointment cannot be audited is not created)."""
    _check_person(name, job_title, email, phone)
    initial = password or temporary_password()
    password_hash = hash_password(initial)  # slow (Argon2): outside the write lock
    with write_transaction():
        identity = _check_login_identity(login_identity, unit=unit if role == Role.STAFF else None)
        user = User.create(
            username=_check_username(username),
            login_identity=identity,
            password_hash=password_hash,
            name=name.strip(),
            role=role,
            unit=unit,
            area=area,
            job_title=job_title.strip(),
            email=email.strip(),
            phone=phone.strip(),
            session_token=secrets.token_hex(32),
            must_change_password=password is None,
        )
        if audited:
            audit.record(audited, obj=user, user=by)
    return user, initial


def appoint_area_leader(area: Area, username: str, name: str, *, by: User | None = None, **contact) -> tuple[User, str]:
    """by: as create_area. The area leader appoints unit leaders, who administer staff:
    the root of who may do what, audited as every appointment below it is."""
    return create_user(Role.AREA_LEADER, username, name, area=area, audited="area_leader_appointed", by=by, **contact)


def create_unit(by: User, name: str, kind: str) -> Unit:
    """Area leaders create units in their own area (seed 001)."""
    name = _name(name)
    if not name:
        raise OrganisationError(_("Skriv navnet på enheten."), "name")
    _fits(Unit.name, name, _("Navn"), "name")
    if kind not in UnitKind.CHOICES:
        raise OrganisationError(_("Velg hva slags enhet det er."), "kind")
    with write_transaction():
        if _name_taken(Unit.select(Unit.name).where(Unit.area == by.area_id), name):
            raise OrganisationError(_("Det finnes allerede en enhet med dette navnet i området."), "name")
        unit = Unit.create(area=by.area_id, name=name, kind=kind)
        audit.record("unit_created", obj=unit, user=by)
    return unit


def appoint_unit_leader(by: User, unit: Unit, username: str, name: str, **contact) -> tuple[User, str]:
    return create_user(Role.UNIT_LEADER, username, name, unit=unit, audited="unit_leader_appointed", by=by, **contact)


def add_staff(by: User, unit: Unit, username: str, name: str, job_title: str, **contact) -> tuple[User, str]:
    """Unit leaders add stafettholdere and aktører of their own unit (seed 001)."""
    if not job_title.strip():
        raise OrganisationError(_("Skriv stillingen (for eksempel kontaktlærer)."), "job_title")
    return create_user(
        Role.STAFF, username, name, unit=unit, job_title=job_title, audited="staff_added", by=by, **contact
    )


class IdentityChangedMeanwhile(OrganisationError):
    """The sign-in identity the edit form was opened with is no longer the account's."""

    def __init__(self, now: str | None):
        if now:
            text = _(
                "Noen andre har endret innloggings-ID-en mens du hadde skjemaet åpent. Den er nå «%(now)s». Se over feltet og lagre på nytt.",
                now=now,
            )
        else:
            text = _(
                "Noen andre har fjernet innloggings-ID-en mens du hadde skjemaet åpent. Se over feltet og lagre på nytt."
            )
        super().__init__(text, "login_identity")
        self.now = now or ""


def update_staff(
    by: User,
    staff: User,
    *,
    name: str,
    job_title: str,
    email: str,
    phone: str,
    login_identity: str | None = None,
    login_identity_was: str | None = None,
) -> User:
    """``login_identity`` None leaves it as it is (the field is shown only when staff sign
    in with the municipality's provider). A changed identity ends the sessions begun with
    the old one (the session token is rotated: on every app server) and the person is told.
    ``login_identity_was``: the identity the form showed when it was opened; one changed
    since (another leader, another tab) is refused (IdentityChangedMeanwhile), so that a
    form opened before a wrong identity was corrected does not put it back unseen."""
    ensure_may_edit(by, staff)
    _check_person(name, job_title, email, phone)
    with write_transaction():
        changes = {"name": name.strip(), "job_title": job_title.strip(), "email": email.strip(), "phone": phone.strip()}
        if login_identity is not None and login_identity_was is not None:
            now = User.select(User.login_identity).where(User.id == staff.id).scalar()
            if normalise_identity(login_identity_was) != normalise_identity(now or ""):
                raise IdentityChangedMeanwhile(now)
        if login_identity is not None:
            unit = staff.unit_id if staff.role == Role.STAFF else None
            changes["login_identity"] = _check_login_identity(login_identity, staff.id, unit)
        User.update(**changes).where(User.id == staff.id).execute()
        audit.record("staff_updated", obj=staff, user=by)
        if login_identity is not None and changes["login_identity"] != staff.login_identity:
            audit.record("staff_login_identity_changed", obj=staff, user=by)
            rotate_session_token(staff)
            notify(
                staff,
                "login_identity_changed",
                msg(
                    "%(name)s endret innloggings-ID-en din i Stafettlogg. Var det ikke avtalt, si fra til enhetslederen eller personvernombudet.",
                    name=by.name,
                ),
            )
    return User.get_by_id(staff.id)


def ensure_may_edit(by: User, staff: User) -> None:
    """A leader changes the accounts of their unit (access.py), never their own: whoever
    could clear their own sign-in identity and put it on a colleague's account would sign
    in as that colleague (and read the colleague's logs under the colleague's name)."""
    if staff.id == by.id:
        raise OrganisationError(_("Du kan ikke endre din egen konto her. Be en annen leder om det."))


class NotOffered(OrganisationError):
    """What the person signs in with has no password of the app's (the municipality's
    provider): nothing to reset here."""


class Deactivated(OrganisationError):
    """The account is deactivated: it opens again first (reactivate_staff)."""


def reset_password(by: User | None, person: User) -> str:
    """A person who forgot their password gets a temporary one from whoever administers
    their account (the routes' ACCESS, as for deactivating it), or on the command line
    (``by`` None, audited as the system). Returns the password, to be shown once.

    In one write transaction: its Argon2 hash (as a new account's), a change at the next
    sign-in (must_change_password), every running session ended (the session token, on
    every app server), the account's delay after wrong passwords cleared, the audit event
    and the person's notice and e-mail (mailer: sent after commit), which names who did it
    and never the password. The second factor stays. Not for oneself (the password form
    under «Innlogging og sikkerhet»: ensure_may_edit), nor for a deactivated account."""
    if by is not None:
        ensure_may_edit(by, person)
    if not password_sign_in_allowed(person):
        raise NotOffered(
            _("%(name)s logger inn gjennom kommunens innlogging og har ikke passord her.", name=person.name)
        )
    password = temporary_password()
    password_hash = hash_password(password)  # slow (Argon2): outside the write lock
    with write_transaction():
        if not _new_password(person, password_hash):
            raise Deactivated(
                _("%(name)s er deaktivert og kan ikke få nytt passord. Aktiver kontoen igjen først.", name=person.name)
            )
        rotate_session_token(person)
        throttle.forget_account(person.username)
        audit.record("password_reset", obj=person, user=by, role=None if by else "system")
        if by is not None:
            text = msg(
                "%(name)s har gitt deg et nytt midlertidig passord i Stafettlogg. Du velger ditt eget passord når du logger inn med det. Kontakt lederen din hvis du ikke ba om dette.",
                name=by.name,
            )
        else:
            text = msg(
                "Driften har gitt deg et nytt midlertidig passord i Stafettlogg. Du velger ditt eget passord når du logger inn med det. Kontakt lederen din hvis du ikke ba om dette."
            )
        notify(person, "password_reset", text)
    return password


def _new_password(person: User, password_hash: str) -> bool:
    """The account's password is now the one of `password_hash`, to be changed at the next
    sign-in; False (nothing written) when the account is deactivated."""
    changed = (
        User.update(password_hash=password_hash, must_change_password=True)
        .where(User.id == person.id, User.active)
        .execute()
    )
    return bool(changed)


def active_logs_held_by(user: User) -> list[Log]:
    return list(Log.select().where(Log.holder == user, Log.status.in_(LogStatus.OPEN)).order_by(Log.id))


def consent_coverage(logs: list[Log], unit: Unit | None) -> dict[int, bool | None]:
    """For each log, whether its consent on file covers ``unit`` (the move page, before the
    leader moves its holder there): True, False, or None when no consent is on file yet
    (a draft waits for its first). Nothing for no unit chosen."""
    if unit is None:
        return {}
    coverage = {}
    for log in logs:
        consent = states.current_consent(log)
        coverage[log.id] = None if consent is None else states.consent_covers_unit(consent, unit)
    return coverage


def deactivate_staff(by: User, staff: User, reassign: dict | None = None) -> None:
    """Staff who leave lose access at once (an area leader too: the admin deactivates
    them from the areas page). Refused while they hold active logs:
    every active log must always have exactly one active holder. reassign
    {log_id: (mode, user_id)} first gives those logs a new holder (direct
    assignment, or a proposal the new holder accepts). Pending proposals to or from
    the person are cancelled."""
    if staff.id == by.id:
        raise OrganisationError(_("Du kan ikke deaktivere deg selv."))
    if not staff.active:  # asked again in the write (_deactivate): a second click writes nothing
        raise OrganisationError(_("%(name)s er allerede deaktivert.", name=staff.name))
    reassign = reassign or {}
    proposals = {log_id: choice for log_id, choice in reassign.items() if choice[0] != handover.DIRECT}
    direct = {log_id: choice for log_id, choice in reassign.items() if choice[0] == handover.DIRECT}
    if proposals:  # stand whatever comes of the deactivation: the person keeps each log until it is accepted
        _reassign(by, staff, proposals)
    try:
        _deactivate(by, staff, direct)
    except _StillHolds:  # nothing of it stands, the direct assignments neither
        held = active_logs_held_by(staff)
        message = ngettext(
            "%(name)s er stafettholder for %(num)s aktiv stafettlogg. Velg ny stafettholder først.",
            "%(name)s er stafettholder for %(num)s aktive stafettlogger. Velg ny stafettholder først.",
            len(held),
            name=staff.name,
        )
        if direct:
            message += " " + _(
                "Ingen stafettlogg er tildelt direkte ennå: det skjer først når ingen stafettlogg i bruk blir igjen hos %(name)s.",
                name=staff.name,
            )
        raise OrganisationError(message, logs=held) from None


class _StillHolds(Exception):
    """The person leaving would still hold a log in use: the deactivation is undone."""


def _deactivate(by: User, staff: User, direct: dict) -> None:
    with write_transaction():
        # a direct assignment is for a holder who leaves: it stands only if the deactivation
        # does (refused while any log in use is left with them, and then undone with it)
        if direct:
            _reassign(by, staff, direct)
        if active_logs_held_by(staff):
            raise _StillHolds
        # marked first: nothing written from here on tells them anything (notify.reaches)
        if not User.update(active=False, deactivated_at=utcnow()).where(User.id == staff.id, User.active).execute():
            raise OrganisationError(_("%(name)s er allerede deaktivert.", name=staff.name))
        handover.cancel_pending_involving(by, staff)
        _end_ito(by, staff)
        mailer.cancel_waiting_for(staff)  # nothing still waiting reaches a person who has left
        rotate_session_token(staff)
        audit.record("staff_deactivated", obj=staff, user=by)


def _reassign(by: User, staff: User, choices: dict) -> None:
    try:
        handover.reassign_before_leaving(by, staff, choices)
    except handover.HandoverError as e:
        raise OrganisationError(str(e), logs=active_logs_held_by(staff)) from e


def _open_units():
    """The units someone may be moved to: the municipality's active units."""
    return Unit.select(Unit, Area).join(Area).where(Unit.active, Unit.kind.in_(UnitKind.CHOICES))


def units_to_move_to(staff: User) -> list[Unit]:
    """Where a staff member may be moved: every other active unit of the municipality."""
    return list(_open_units().where(Unit.id != staff.unit_id).order_by(Unit.name))


def move_staff(by: User, staff: User, unit_id: int | None, reassign: dict | None = None) -> Unit:
    """A staff member changes unit (a teacher who starts at another school): the leader
    of their unit moves the account, in one write transaction, instead of deactivating it
    (seed 001: the unit leader adds and removes their unit's staff; the new unit's leaders
    are told someone joined). Only staff (a unit leader is replaced by appointing), never
    oneself, only to another active unit.

    - Logs in use they hold stay theirs until handed over (seed 002: «Stafetthaldar held i
      stafettpinnen til han er motteken og akseptert av ein ny stafetthaldar»); `reassign`
      {log_id: (mode, user_id, reason)} gives some of them a new holder first, as on
      deactivation (handover.reassign_before_leaving). Ended logs they held pass to the
      old unit's leader standing in (access.holder_left: they moved away).
    - Pending proposals that they become holder of a log of the old unit are cancelled and
      its holder told: the proposal was to someone near the child, which they no longer
      are. Proposals from them stay (that is how they hand their logs over), and takeover
      requests follow holder_left as for every move.
    - Their participations stay where the consent covers the new unit; in a log in use
      whose consent does not, their participation ends and the holder is told
      (_end_participations_left_out). In an ended log they stay on the list and read what
      its last consent says of their new unit (logs.gate), as every participant. In a
      draft they stay too: it is under no consent yet and shows nobody its content; the
      consent its holder uploads is checked against each participant's unit then
      (logs.upload_consent), which names them.
    - ITO-koordinator delegations of the old unit end."""
    if staff.id == by.id:
        raise OrganisationError(_("Du kan ikke flytte deg selv."), "unit_id")
    if not movable(staff):
        raise OrganisationError(
            _("Bare ansatte kan flyttes. En enhetsleder byttes ved at områdelederen utnevner en ny.")
        )
    if unit_id is None:
        raise OrganisationError(_("Velg enheten personen skal flytte til."), "unit_id")
    if unit_id == staff.unit_id:
        raise OrganisationError(_("%(name)s arbeider allerede her. Velg en annen enhet.", name=staff.name), "unit_id")
    old_unit = Unit.get_by_id(staff.unit_id)
    why = msg("Foreslått av enhetsleder %(name)s fordi stafettholderen flytter til en annen enhet.", name=by.name)
    with write_transaction():
        to_unit = _open_units().where(Unit.id == unit_id).first()
        if to_unit is None:
            raise OrganisationError(_("Velg en aktiv enhet fra listen."), "unit_id")
        moved = (
            User.update(unit=to_unit.id)
            .where(User.id == staff.id, User.unit == old_unit.id, User.role == Role.STAFF)
            .execute()
        )
        if not moved:  # moved or changed by someone else meanwhile
            raise OrganisationError(_("%(name)s er endret av noen andre. Last siden på nytt.", name=staff.name))
        if reassign:  # after the move: a log handed on at once does not keep them as participant
            try:
                handover.reassign_before_leaving(by, staff, reassign, why)
            except handover.HandoverError as e:
                raise OrganisationError(str(e), "reassign") from e
        _end_ito(by, staff)
        handover.cancel_proposed_to_mover(by, staff, old_unit.id)
        _end_participations_left_out(by, staff, to_unit)
        audit.record("staff_moved", obj=staff, user=by)
        audit.record("staff_moved_from", obj=old_unit, user=by)
        audit.record("staff_moved_to", obj=to_unit, user=by)
        held = len(active_logs_held_by(staff))
        told = {"name": by.name, "old": old_unit.name, "unit": to_unit.name}
        if held:
            text = msg(
                "%(name)s har flyttet deg fra %(old)s til %(unit)s. Du er fortsatt stafettholder for stafettloggene du har i bruk (%(n)s), til en ny stafettholder har tatt imot dem.",
                n=held,
                **told,
            )
        else:
            text = msg("%(name)s har flyttet deg fra %(old)s til %(unit)s.", **told)
        notify(staff, "staff_moved", text, url=path_for("main.index"))
        for leader in queries.active_unit_leaders(to_unit):
            notify(
                leader,
                "staff_joined",
                msg(
                    "%(name)s, %(job)s, er flyttet fra %(old)s til enheten din, %(unit)s.",
                    name=staff.name,
                    job=staff.job_title,
                    old=old_unit.name,
                    unit=to_unit.name,
                ),
                url=path_for("org.unit", unit_id=to_unit.id),
            )
    return to_unit


def _end_participations_left_out(by: User, staff: User, to_unit: Unit) -> None:
    """After a move (inside its transaction): the logs in use they take part in whose
    consent does not cover the new unit would wait for a new consent, and nobody could
    write in them (states.consent_gap, «der deltakeren … arbeider»), while the person may
    no longer read them (states.readable_by). Their participation there ends and the
    holder is told; the holder can add them again once the family's consent covers the
    new unit. Where the consent covers it (a consent naming every school), they stay."""
    moved = User.select(User, Unit).join(Unit).where(User.id == staff.id).get()
    holder = User.alias("holder")
    taking_part = (  # each log's holder read with it, to be told
        Participant.select(Participant, Log, holder)
        .join(Log)
        .join(holder, on=(Log.holder == holder.id))
        .where(Participant.user == staff.id, Log.status == LogStatus.ACTIVE)
        .order_by(Log.id)
    )
    for participant in list(taking_part):
        log = participant.log
        if states.readable_by(moved, log):
            continue
        logs.remove_participant(by, log, participant)
        notify(
            log.holder,
            "participant_moved_away",
            msg(
                "%(name)s har flyttet til %(unit)s og er ikke lenger deltaker i stafettlogg nr. %(id)s: samtykket omfatter ikke den enheten. Du kan legge personen til igjen når familien har gitt et samtykke som gjør det.",
                name=staff.name,
                unit=to_unit.name,
                id=log.id,
            ),
            url=path_for("logs.show", log_id=log.id),
            log=log,
        )


def reactivate_staff(by: User, staff: User) -> None:
    """The account opens again. E-mail cancelled when it was deactivated stays cancelled
    (mailer.to_someone_who_left): the notices written before are still in the app."""
    with write_transaction():
        User.update(active=True, deactivated_at=None).where(User.id == staff.id).execute()
        audit.record("staff_reactivated", obj=staff, user=by)


# ---------------------------------------------------------------- ITO-koordinator (seed 000)


def ito_delegations(unit: Unit) -> list[ItoDelegation]:
    """The unit's current ITO-koordinatorer."""
    return list(
        ItoDelegation.select(ItoDelegation, User)
        .join(User, on=(ItoDelegation.user == User.id))
        .where(ItoDelegation.unit == unit, ItoDelegation.revoked_at.is_null())
        .order_by(User.name)
    )


def grant_ito(by: User, staff: User) -> ItoDelegation:
    """Seed 000 point 1: the unit leader keeps the overview or delegates it to an
    ITO-koordinator among the unit's active staff. The delegation is recorded, audited and
    told to the person; it opens the unit's overview and June review, never a log."""
    if staff.role != Role.STAFF or not staff.active or staff.unit_id != by.unit_id:
        raise OrganisationError(_("Bare aktive ansatte ved enheten kan være ITO-koordinator."))
    with write_transaction():
        if is_ito_coordinator(staff, by.unit_id):
            raise OrganisationError(_("%(name)s er allerede ITO-koordinator.", name=staff.name))
        delegation = ItoDelegation.create(unit=by.unit_id, user=staff, granted_by=by)
        audit.record("ito_granted", obj=staff, user=by)
        notify(
            staff,
            "ito_granted",
            msg(
                "%(name)s har gitt deg oppgaven som ITO-koordinator for %(unit)s: du holder oversikten over "
                "stafettholdere og koordinatorer oppdatert og gjør den årlige gjennomgangen med KE.",
                name=by.name,
                unit=staff.unit.name,
            ),
            url=path_for("overview.unit_overview", unit_id=by.unit_id),
        )
    return delegation


def _end_ito(by: User, staff: User) -> int:
    changed = (
        ItoDelegation.update(revoked_at=utcnow(), revoked_by=by)
        .where(ItoDelegation.user == staff.id, ItoDelegation.revoked_at.is_null())
        .execute()
    )
    if changed:
        audit.record("ito_revoked", obj=staff, user=by)
    return changed


def revoke_ito(by: User, staff: User) -> None:
    """The unit leader ends the delegation; the next request of the person is refused."""
    with write_transaction():
        if not _end_ito(by, staff):
            raise OrganisationError(_("%(name)s er ikke ITO-koordinator.", name=staff.name))
        notify(
            staff,
            "ito_revoked",
            msg(
                "%(name)s har avsluttet oppgaven din som ITO-koordinator for %(unit)s.",
                name=by.name,
                unit=staff.unit.name,
            ),
        )


def outbox_window(cursor: str | None = None) -> Window:
    """One window of the e-mail outbox, newest first, after ``cursor`` (time and id: the
    index on the outbox's time and id answers it however many e-mails have been written)."""
    return dated_window(OutboxEmail.select(), OutboxEmail.created_at, OutboxEmail.id, cursor, total=0)
