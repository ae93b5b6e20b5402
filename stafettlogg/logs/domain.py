"""The log's rules as plain functions: take models and the acting user, enforce the
state machine, write the audit event. Seeds 001 (create, consent, reopen) and 002."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from stafettlogg import audit, labels, languages
from stafettlogg.access import consent_age
from stafettlogg.dates import age_on, local_today
from stafettlogg.db import prepared, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import files, states
from stafettlogg.logs.class_groups import record_class_group
from stafettlogg.logs.errors import LogError, locked_log
from stafettlogg.logs.national_id import a_child_by_number, national_id_problem
from stafettlogg.models import (
    YOUTH_RELATION,
    Answer,
    Concern,
    Consent,
    Guardian,
    Handover,
    Log,
    LogStatus,
    MailStatus,
    Measure,
    MeasureStatus,
    Notification,
    OutboxEmail,
    Participant,
    Role,
    Subject,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from stafettlogg.typed import is_email_address

WRITABLE = (LogStatus.ACTIVE,)


def ensure_in_use(log: Log) -> None:
    """The log's details (guardians, header) change only while it is in use and its
    consent allows it: a closed or passive log is read-only, and an active log waiting
    for a new consent takes no writes (logs/states.py)."""
    if log.status not in LogStatus.OPEN:
        raise LogError(_("Stafettloggen er avsluttet og kan ikke endres."), code="read_only")
    if log.status == LogStatus.ACTIVE and (message := states.waiting_message(log)) is not None:
        raise LogError(str(message), code=states.WAITING)


def ensure_writable(log: Log) -> None:
    """Content is written only in an active log whose consent allows it: a draft waits
    for consent, a closed or passive log is read-only for everyone (seed 001)."""
    if log.status == LogStatus.DRAFT:
        raise LogError(_("Last opp samtykket før du skriver i stafettloggen."), code="draft")
    if log.status not in WRITABLE:
        raise LogError(_("Stafettloggen er avsluttet og kan ikke endres."), code="read_only")
    ensure_in_use(log)


def participant_removable(log: Log) -> None:
    """Removing someone only narrows who sees the log: also while it waits for a new
    consent, and in a draft reopened or taken over with the people from before (it may be
    what brings the log within the scope of the consent the family gives now)."""
    if log.status not in LogStatus.OPEN:
        ensure_writable(log)


def guardian_removable(log: Log) -> None:
    """A guardian whose parental responsibility has ended is removed in every state of the
    log: in use, while it waits for a new consent (after a move to a unit the consent does
    not cover, too), and once it has ended (closed or passive), where they would otherwise
    read it until it is deleted, for years if it is kept. Removing only narrows who sees
    the log. Nothing to refuse: the rule is here so that every path asks the same."""
    return None


@contextmanager
def writing_to(log: Log, check: Callable[[Log], None] = ensure_writable) -> Iterator[Log]:
    """The one write transaction of every write to a log's guardians, participants and
    content, with `check` (ensure_writable, ensure_in_use …) asked inside it of the log as
    it is now, not as the request read it before: a log another request closed, or whose
    consent the family withdrew, a moment ago takes no write. On PostgreSQL the log's row
    is locked for share until the write commits, so a close waits for it (on SQLite the
    transaction holds the database's write lock). Yields the log as read inside."""
    with write_transaction():
        fresh = locked_log(log, share=True)
        check(fresh)
        yield fresh


# ------------------------------------------------------------------ create / reopen


def find_existing_log(national_id: str | None) -> Log | None:
    """The newest earlier log for the same fødselsnummer, whatever its status except
    deleted. Name and birth date find nothing: whether a child has a log is itself
    sensitive, and only the full, valid number identifies the child."""
    if not national_id:
        return None
    subject = Subject.get_or_none(Subject.national_id == national_id)
    if subject is None:
        return None
    return Log.select().where(Log.subject == subject).order_by(Log.id.desc()).first()


def record_lookup(by: User, log: Log) -> None:
    """A lookup that matched a log is itself a use of the child's data: audited, and
    so shown in the guardians' access history."""
    with write_transaction():
        audit.record("log_lookup_matched", log=log, obj=log, user=by, role=by.role)


class EarlierLog(LogError):
    """Someone created a log for the same fødselsnummer after the create form looked
    (two holders at once, a form sent twice): answered as the form's own lookup is."""


def _subject(national_id: str | None, **fields) -> Subject:
    """The child: the one this fødselsnummer already names, or a new one. Inserted
    unless the number is taken (ON CONFLICT DO NOTHING: on PostgreSQL a concurrent insert
    of the same number waits for the other transaction instead of failing), then read.
    A log someone else has just made for the child is refused (EarlierLog)."""
    if not national_id:
        return Subject.create(national_id=None, **fields)
    Subject.insert(national_id=national_id, **fields).on_conflict_ignore().execute()
    subject = Subject.get(Subject.national_id == national_id)
    if Log.select().where(Log.subject == subject).exists():
        raise EarlierLog(_("Det finnes allerede en stafettlogg for dette fødselsnummeret."), "national_id")
    return subject


def create_log(
    by: User,
    *,
    kind: str,
    name: str,
    birth_date: dt.date | None,
    national_id: str | None,
    unit: Unit,
    class_group: str,
    level: int,
    concern_title: str,
    concern_body: str,
    guardians: list[dict],
) -> Log:
    """The creator becomes the holder; the log is a draft until consent is on file."""
    with write_transaction():
        subject = _subject(kind=kind, name=name.strip(), birth_date=birth_date, national_id=national_id or None)
        log = Log.create(
            subject=subject,
            unit=unit,
            holder=by,
            holder_unit_id=by.unit_id,
            created_by=by,
            level=level,
            class_group=class_group.strip(),
            status=LogStatus.DRAFT,
        )
        record_class_group(log.id, unit.id, class_group)
        for g in guardians:
            Guardian.create(log=log, **g)
        Concern.create(log=log, title=concern_title.strip(), body=concern_body.strip(), author=by)
        audit.record("log_created", log=log, obj=log, user=by, role="holder")
    return log


def update_header(
    by: User,
    log: Log,
    *,
    class_group: str,
    level: int,
    guardians_informed_on: dt.date | None,
    records_kept_in: str,
    version: int,
) -> Log:
    if level not in labels.LEVELS:
        raise LogError(_("Velg BTI-nivå 1, 2 eller 3."), field="level")
    if len(class_group.strip()) > Log.class_group.max_length:  # PostgreSQL refuses it with an error
        raise LogError(
            _(
                "«%(label)s» kan ha høyst %(n)s tegn.",
                label=_("Klasse eller barnehagegruppe"),
                n=Log.class_group.max_length,
            ),
            field="class_group",
        )
    if guardians_informed_on is not None and guardians_informed_on > local_today():  # as record_guardians_informed
        raise LogError(_("Datoen kan ikke være fram i tid."), field="guardians_informed_on")
    with write_transaction():
        ensure_in_use(log)
        changed = (
            Log.update(
                class_group=class_group.strip(),
                level=level,
                guardians_informed_on=guardians_informed_on,
                records_kept_in=records_kept_in,
                version=Log.version + 1,
            )
            .where(Log.id == log.id, Log.version == version)
            .execute()
        )
        if not changed:
            raise LogError(_("Noen andre har endret opplysningene samtidig. Se over og lagre igjen."), code="conflict")
        record_class_group(log.id, log.unit_id, class_group)
        audit.record("log_header_updated", log=log, obj=log, user=by)
    return Log.get_by_id(log.id)


def record_guardians_informed(by: User, log: Log, informed_on: dt.date | None) -> Log:
    """The holder records the date they told the guardians that they are the holder
    (seed 000). The date belongs to the holder who recorded it: a handover clears it."""
    if informed_on is None:
        raise LogError(_("Skriv datoen du fortalte de foresatte at du er stafettholder."), "informed_on")
    if informed_on > local_today():
        raise LogError(_("Datoen kan ikke være fram i tid."), "informed_on")
    with write_transaction():
        log = Log.get_by_id(log.id)
        if log.status not in LogStatus.OPEN:
            raise LogError(_("Stafettloggen er avsluttet og kan ikke endres."))
        if log.holder_id != by.id:
            raise LogError(_("Bare stafettholderen kan registrere dette."))
        Log.update(guardians_informed_on=informed_on, version=Log.version + 1).where(Log.id == log.id).execute()
        audit.record("guardians_informed_recorded", log=log, obj=log, user=by, role="holder")
    return Log.get_by_id(log.id)


def guardians_to_tell(user: User) -> list[Log]:
    """Logs this person became holder of by a handover and has not yet recorded telling
    the guardians about: the start page's task "Fortell foresatte at du er ny stafettholder"."""
    return list(_guardians_to_tell.rows(user.id))


@prepared
def _guardians_to_tell(user_id: int):
    came_by_handover = Handover.select(Handover.log).where(
        Handover.to_user == user_id, Handover.status == Answer.ACCEPTED
    )
    return (
        Log.select(Log, Subject)
        .join(Subject)
        .where(
            Log.holder == user_id,
            Log.status.in_(LogStatus.OPEN),
            Log.guardians_informed_on.is_null(),
            Log.id.in_(came_by_handover),
        )
        .order_by(Log.id)
    )


# ------------------------------------------------------------------ consent


def current_consent(log: Log) -> Consent | None:
    return states.current_consent(log)


def consent_services(consent: Consent | None) -> set[str]:
    return states.consent_services(consent)


def consent_covers(log: Log, unit: Unit, consent: Consent | None = None) -> bool:
    """The unit the consent was given to is covered; others must be named by unit or by
    kind. With no consent on file yet (a draft), the log's own unit is the one it will cover."""
    consent = consent if consent is not None else current_consent(log)
    if consent is None:
        return unit.id == log.unit_id
    return states.consent_covers_unit(consent, unit)


def upload_consent(
    by: User,
    log: Log,
    storage,
    *,
    given_by: str,
    given_by_name: str,
    relation: str,
    consent_date: dt.date,
    expires_on: dt.date | None,
    services: list[str],
    max_bytes: int,
    consent_age: int,
) -> Consent:
    """seed 001: written consent from the guardians, or from the youth when old enough
    on the consent date (16 by default). A new upload replaces the old one; history
    is kept. A draft becomes active."""
    action = "activate" if log.status == LogStatus.DRAFT else "renew_consent"
    states.check(by, log, action)
    if given_by not in ("guardian", "youth"):
        raise LogError(_("Velg hvem som har gitt samtykket."), "given_by")
    # a guardian, not the youth's own access (a Guardian row too)
    guardians = Guardian.select().where(Guardian.log == log, Guardian.relation != YOUTH_RELATION)
    if given_by == "guardian" and not guardians.exists():
        raise LogError(
            _(
                "Loggen har ingen foresatte. Registrer samtykket som gitt av ungdommen, eller legg til en foresatt først."
            ),
            "given_by",
        )
    if not given_by_name.strip():
        raise LogError(_("Skriv navnet på den som har gitt samtykket."), "given_by_name")
    for name, text, label in (
        ("given_by_name", given_by_name, _("Navn på den som har samtykket")),
        ("relation", relation, _("Relasjon til barnet")),
    ):
        limit = Consent._meta.fields[name].max_length
        if len(text.strip()) > limit:  # PostgreSQL refuses it with an error
            raise LogError(_("«%(label)s» kan ha høyst %(n)s tegn.", label=label, n=limit), name)
    if consent_date > local_today():
        raise LogError(_("Datoen for samtykket kan ikke være fram i tid."), "consent_date")
    if expires_on is not None and expires_on <= consent_date:
        raise LogError(_("Utløpsdatoen må være etter datoen samtykket ble gitt."), "expires_on")
    if expires_on is not None and expires_on < local_today():  # it would replace the one in force, run out
        raise LogError(
            _("Utløpsdatoen har allerede vært. Sjekk datoen, eller avtal et nytt samtykke med familien."), "expires_on"
        )
    if given_by == "youth":
        birth = log.subject.birth_date
        if birth is None:
            raise LogError(
                _("Fødselsdato mangler, så vi kan ikke se om ungdommen er gammel nok til å samtykke selv."), "given_by"
            )
        if age_on(birth, consent_date) < consent_age:
            raise LogError(
                _(
                    "Ungdommen var %(age)s år på datoen for samtykket. Fra %(limit)s år kan ungdommen samtykke selv; før det må foresatte samtykke.",
                    age=age_on(birth, consent_date),
                    limit=consent_age,
                ),
                "given_by",
            )
    try:
        data, content_type, name = files.read_upload(storage, max_bytes)
    except files.UploadError as e:
        raise LogError(str(e), "file") from e
    allowed = {f"unit:{u.id}" for u in Unit.select(Unit.id)} | {f"kind:{k}" for k in _unit_kinds()}
    chosen = sorted({s for s in services if s in allowed})
    scope = Consent(unit=log.unit_id, services=",".join(chosen))
    if by.unit_id is not None and not states.consent_covers_unit(scope, by.unit):  # a log made for another unit
        raise LogError(
            _(
                "Samtykket omfatter ikke %(unit)s, der du arbeider. Kryss av for enheten eller tjenesten din, ellers kan du ikke lese stafettloggen du har ansvar for.",
                unit=by.unit.name,
            ),
            "services",
        )
    for person in (
        User.select(User, Unit)
        .join(Unit)
        .join_from(User, Participant, on=(Participant.user == User.id))
        .where(Participant.log == log)
    ):
        if not states.consent_covers_unit(scope, person.unit):
            raise LogError(
                _(
                    "Samtykket omfatter ikke %(unit)s, der deltakeren %(name)s arbeider. Kryss av for tjenesten, eller fjern deltakeren før du laster opp.",
                    unit=person.unit.name,
                    name=person.name,
                ),
                "services",
            )
    with write_transaction():
        # the log's row first (as every write of its life, lifecycle.fresh_log): a family's
        # withdrawal meanwhile waits for this upload, then withdraws the new consent too
        log = locked_log(log)
        Consent.update(replaced_at=utcnow()).where(Consent.log == log, states.consent_in_force()).execute()
        stored = files.store(data, content_type)
        consent = Consent.create(
            log=log,
            file=stored,
            filename=name,
            given_by=given_by,
            given_by_name=given_by_name.strip(),
            relation=relation.strip(),
            consent_date=consent_date,
            expires_on=expires_on,
            services=",".join(chosen),
            unit=log.unit_id,
            uploaded_by=by,
        )
        states.apply(by, log, action, **({"activated_at": utcnow()} if action == "activate" else {}))
        audit.record("consent_uploaded", log=log, obj=consent, user=by)
    return consent


def _unit_kinds():
    return UnitKind.CHOICES


def measure_due_by(limit: dt.date, *, since: dt.date | None = None):
    """A measure of an active log awaiting its evaluation (not ended, and no evaluation on
    or after its evaluation date) that is to be evaluated on or before `limit` (and, with
    `since`, not before it: the reminders read a window, not every measure overdue since
    long ago). The one rule for measures due and overdue: the start page, the reminders
    and the statistics (``measure_overdue``) ask it; the index measure_awaiting_evaluation
    answers it."""
    due = (Log.status == LogStatus.ACTIVE) & Measure.awaiting_evaluation() & (Measure.evaluation_date <= limit)
    return due if since is None else due & (Measure.evaluation_date >= since)


def measure_overdue(today: dt.date):
    """Due, and the evaluation date has passed (it was due yesterday or earlier)."""
    return measure_due_by(today - dt.timedelta(days=1))


def consents_expiring(holder: User, within_days: int = 30) -> list[Consent]:
    """The current consents of the active logs `holder` holds that run out within the
    days, or have run out (the start page's to-do)."""
    return list(_consents_expiring.rows(holder.id, limit=local_today() + dt.timedelta(days=within_days)))


@prepared
def _consents_expiring(holder_id: int, *, limit: dt.date):
    """A prepared read, built once a day (the date is part of its shape)."""
    return (
        Consent.select(Consent, Log, Subject)
        .join(Log)
        .join(Subject)
        .where(Log.holder == holder_id, Log.status == LogStatus.ACTIVE, states.consent_runs_out_by(limit))
        .order_by(Consent.expires_on, Consent.id)
    )


# ------------------------------------------------------------------ guardians, participants


def add_guardian(
    by: User,
    log: Log,
    *,
    name: str,
    relation: str,
    phone: str,
    email: str,
    language: str = "",
    needs_interpreter: bool = False,
    national_id: str = "",
    youth_of_age: bool = False,
) -> Guardian:
    """A guardian of the log, or with youth_of_age the youth's own access (only
    guardians.domain.add_youth, which checked that the youth is of the consent age)."""
    ensure_in_use(log)
    typed = {"name": name, "relation": "" if youth_of_age else relation, "phone": phone, "email": email}
    if problem := guardian_problem(typed):
        raise LogError(*problem)
    relation = YOUTH_RELATION if youth_of_age else relation
    national_id = national_id.replace(" ", "")
    if national_id and (nid_problem := national_id_problem(national_id)):
        raise LogError(nid_problem, "national_id")
    if national_id and national_id == log.subject.national_id:
        # ID-porten would open the log to the child as this guardian, at any age (add_youth checks it)
        raise LogError(
            _("Dette er barnets eget fødselsnummer. Skriv fødselsnummeret til den foresatte."), "national_id"
        )
    if national_id and a_child_by_number(national_id):  # the child's, when the log has no number of it
        raise LogError(
            _(
                "Fødselsnummeret tilhører et barn under %(age)s år, ikke en foresatt. Skriv fødselsnummeret til den foresatte.",
                age=consent_age(),
            ),
            "national_id",
        )
    if language and language not in languages.FAMILY_LANGUAGES:
        raise LogError(_("Velg et språk fra listen."), "language")
    with writing_to(log, ensure_in_use):
        guardian = Guardian.create(
            log=log,
            name=name.strip(),
            relation=relation,
            phone=phone.strip(),
            email=email.strip(),
            language=language,
            national_id=national_id or None,
            needs_interpreter=needs_interpreter,
        )
        audit.record("guardian_added", log=log, obj=guardian, user=by)
    return guardian


def set_guardian_language(by: User, log: Log, guardian: Guardian, *, language: str, needs_interpreter: bool) -> None:
    """The holder records the guardian's preferred language (their e-mails and paper
    version) and whether meetings need an interpreter. The guardian's account follows,
    so their next e-mail is in that language."""
    ensure_in_use(log)
    if language and language not in languages.FAMILY_LANGUAGES:
        raise LogError(_("Velg et språk fra listen."), "language")
    if needs_interpreter and language in ("", "nb", "nn"):
        raise LogError(_("Velg språket tolken skal snakke."), "language")
    with writing_to(log, ensure_in_use):
        Guardian.update(language=language, needs_interpreter=needs_interpreter).where(
            Guardian.id == guardian.id
        ).execute()
        if guardian.user_id:
            User.update(language=language).where(User.id == guardian.user_id).execute()
        audit.record("guardian_language_set", log=log, obj=guardian, user=by)


def guardian_problem(g: dict) -> tuple[str, str] | None:
    """What is wrong with a guardian as typed in (the new-log form and the guardian form):
    the relation is one of the list's (a youth's own access is given only by
    guardians.domain.add_youth, which checks the age)."""
    if g.get("relation") and g["relation"] not in labels.RELATIONS:
        return _("Velg relasjon fra listen."), "relation"
    if not g.get("name", "").strip():
        return _("Skriv navnet på den foresatte."), "name"
    for name, label in (("name", _("Navn")), ("phone", _("Telefon")), ("email", _("E-post"))):
        limit = Guardian._meta.fields[name].max_length
        if len(g.get(name, "").strip()) > limit:  # PostgreSQL refuses it with an error
            return _("«%(label)s» kan ha høyst %(n)s tegn.", label=label, n=limit), name
    if not g.get("phone", "").strip() and not g.get("email", "").strip():
        return _("Skriv telefonnummer eller e-post, så stafettholderen kan nå den foresatte."), "phone"
    if g.get("email", "").strip() and not is_email_address(g["email"]):
        return _("E-postadressen ser ikke riktig ut."), "email"
    return None


def remove_guardian(by: User, log: Log, guardian: Guardian) -> None:
    """Their access ends at once, and with it what they were told of the log in
    «Varsler» (a new holder's name, a meeting): notices whose links lead nowhere now."""
    with writing_to(log, guardian_removable):
        guardian.delete_instance()
        if guardian.user_id is not None:
            Notification.delete().where(Notification.user == guardian.user_id, Notification.log_id == log.id).execute()
        _cancel_waiting_emails(log, guardian)
        audit.record("guardian_removed", log=log, obj=guardian, user=by)


def _cancel_waiting_emails(log: Log, guardian: Guardian) -> None:
    """The e-mails about the log not yet sent to the removed guardian (to the address on
    the log or their account's) are not sent afterwards: a new holder's name is not for
    them now."""
    account = User.get_or_none(id=guardian.user_id) if guardian.user_id else None
    addresses = {address.strip() for address in (guardian.email, account.email if account else "") if address.strip()}
    if addresses:
        OutboxEmail.delete().where(
            OutboxEmail.log_id == log.id,
            OutboxEmail.to.in_(sorted(addresses)),
            OutboxEmail.status.in_((MailStatus.QUEUED, MailStatus.SENDING, MailStatus.FAILED)),
        ).execute()


def add_participant(by: User, log: Log, user: User) -> Participant:
    """Only active staff; only from a service the consent covers (otherwise an
    extended consent is needed first)."""
    ensure_writable(log)
    if not user.active or not user.is_staff or user.unit_id is None:  # a consent covers units
        raise LogError(_("Personen har ikke aktiv tilgang og kan ikke legges til."))
    with writing_to(log) as fresh:  # asked as the log is now: a double submit, a consent replaced meanwhile
        if user.id == fresh.holder_id:
            raise LogError(_("Stafettholderen er allerede med i loggen."))
        if Participant.select().where(Participant.log == log, Participant.user == user).exists():
            raise LogError(_("%(name)s er allerede deltaker.", name=user.name))
        if not consent_covers(fresh, user.unit):
            raise LogError(
                _(
                    "Samtykket omfatter ikke %(unit)s. Last opp et utvidet samtykke som nevner denne tjenesten før du legger til %(name)s.",
                    unit=user.unit.name,
                    name=user.name,
                ),
                code="needs_extended_consent",
            )
        participant = Participant.create(log=log, user=user, added_by=by)
        audit.record("participant_added", log=log, obj=participant, user=by)
    return participant


def remove_participant(by: User, log: Log, participant: Participant) -> None:
    """Also while the log waits for a new consent, and in a draft (participant_removable)."""
    participant_removable(log)
    with writing_to(log, participant_removable):
        participant.delete_instance()
        audit.record("participant_removed", log=log, obj=participant, user=by)


def search_staff(query: str, log: Log, limit: int = 15, *, participants_too: bool = False) -> list[User]:
    """Active staff of any unit by name, job title or unit name, never the holder (htmx
    active search): new participants, or with participants_too a new holder."""
    query = query.strip()
    if len(query) < 2:
        return []
    where = [
        User.active,
        User.role.in_(Role.STAFF_LIKE),
        User.id != log.holder_id,
        # contains(): the text as typed, "%" and "_" too, not as wildcards
        User.name.contains(query) | User.job_title.contains(query) | Unit.name.contains(query),
    ]
    if not participants_too:
        where.append(User.id.not_in(Participant.select(Participant.user).where(Participant.log == log)))
    return list(User.select(User, Unit).join(Unit).where(*where).order_by(User.name).limit(limit))


def measure_ended():
    """A measure that has ended: no longer followed or evaluated. Pages list the others
    whole and the ended ones, which grow with the log's age, in windows."""
    return Measure.status == MeasureStatus.ENDED


def measure_order() -> tuple:
    """The order of the measures being followed: the most urgent evaluation first (those
    without a date last), then as they were written; the log page, its sections and the
    guardians' view list them so."""
    return (Measure.evaluation_date.asc(nulls="LAST"), Measure.id)
