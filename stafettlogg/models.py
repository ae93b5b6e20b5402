"""peewee models only. Code names follow the glossary in shared/DESIGN.md."""

import datetime as dt
import json
from typing import NamedTuple

from markupsafe import Markup
from peewee import (
    SQL,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from stafettlogg.db import BaseModel
from stafettlogg.messages import Message, dumps, loads
from stafettlogg.roles import Role
from stafettlogg.textformat import html_column, render_markdown


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class HtmlField(TextField):
    """HTML rendered from a Markdown field and sanitised when the text was saved."""

    def python_value(self, value):
        return Markup(value or "")  # noqa: S704 - stored only by RenderedText below, sanitised by nh3


class RenderedText:
    """A model with Markdown fields (``rendered_text``): every write that sets one of them
    (create, save, insert, insert_many, update) stores its rendered HTML in ``<field>_html``
    in the same statement, so reads never render."""

    rendered_text: tuple[str, ...] = ()

    @classmethod
    def _with_html(cls, data: dict) -> dict:
        names = {(key.name if isinstance(key, Field) else key): key for key in data}
        out = dict(data)
        for name in cls.rendered_text:
            target = html_column(name)
            if name not in names or target in names:
                continue
            value = data[names[name]]
            if not isinstance(value, str):
                raise TypeError(f"{cls.__name__}.{name} must be set to text so its HTML can be stored")
            out[target] = str(render_markdown(value))
        return out

    @classmethod
    def insert(cls, __data=None, **insert):
        return super().insert(cls._with_html({**(__data or {}), **insert}))

    @classmethod
    def update(cls, __data=None, **update):
        return super().update(cls._with_html({**(__data or {}), **update}))

    @classmethod
    def insert_many(cls, rows, fields=None):
        if fields is not None:
            rows = [dict(zip(fields, row, strict=True)) for row in rows]
        return super().insert_many([cls._with_html(dict(row)) for row in rows])

    def save(self, force_insert=False, only=None):
        for name in self.rendered_text:
            setattr(self, html_column(name), render_markdown(getattr(self, name)))
        if only is not None:
            names = {f.name if isinstance(f, Field) else f for f in only}
            only = [*only, *(html_column(n) for n in self.rendered_text if n in names)]
        return super().save(force_insert=force_insert, only=only)


class UnitKind:
    CHOICES = (
        "barnehage",
        "skole",
        "helsestasjon",
        "ppt",
        "barnevern",
        "fysio_ergo",
        "miljotjenesten",
        "kultur_fritid",
        "annet",
    )
    # Where children are (seed 000's overview is kept by schools and kindergartens): a
    # log belongs to the child's school or kindergarten, whoever holds it (a public-health
    # nurse, PPT); it moves only to another one of these (the child moved).
    WHERE_CHILDREN_ARE = ("barnehage", "skole")


class Area(BaseModel):
    name = CharField(max_length=200, unique=True)
    created_at = DateTimeField(default=utcnow)


class Unit(BaseModel):
    area = ForeignKeyField(Area, backref="units", on_delete="RESTRICT")
    name = CharField(max_length=200)
    kind = CharField(max_length=40)
    active = BooleanField(default=True)
    document_language = CharField(max_length=10, default="nb")  # nb or nn: archive documents
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("area", "name"), True),)


class User(BaseModel):
    username = CharField(max_length=150, unique=True)
    password_hash = CharField(max_length=255, default="")
    name = CharField(max_length=200, index=True)  # the staff search, in name order
    role = CharField(max_length=30, index=True)
    job_title = CharField(max_length=200, default="")
    email = CharField(max_length=254, default="")
    phone = CharField(max_length=40, default="")
    unit = ForeignKeyField(Unit, null=True, backref="staff", on_delete="RESTRICT")
    area = ForeignKeyField(Area, null=True, backref="leaders", on_delete="RESTRICT")
    active = BooleanField(default=True)
    # Rotated at logout, password change and deactivation: every session carries it.
    session_token = CharField(max_length=64, default="")
    must_change_password = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    deactivated_at = DateTimeField(null=True)
    # The interface language the person last chose: e-mails to them are written in it.
    language = CharField(max_length=10, default="")
    # Sign-in by OpenID Connect: a family member's person number (ID-porten "pid"), and a
    # staff member's identity at the municipality's provider (recorded by the unit leader).
    national_id = CharField(max_length=11, null=True, unique=True)
    login_identity = CharField(max_length=254, null=True, unique=True)
    # Second factor (signin/second_factor.py): the TOTP secret encrypted with a key derived
    # from SECRET_KEY, when the person confirmed it (None: not on), the last time step
    # accepted (a code is used once).
    totp_secret = TextField(default="")
    totp_enabled_at = DateTimeField(null=True)
    totp_last_step = BigIntegerField(default=0)

    # flask-login protocol
    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    @property
    def is_staff(self):
        return self.role in Role.STAFF_LIKE


class LoginFailure(BaseModel):
    """Failed login attempts, shared by all worker processes through the database."""

    key = CharField(max_length=200, index=True)  # "user:<name>" or "ip:<addr>"
    at = DateTimeField(default=utcnow, index=True)


class RecoveryCode(BaseModel):
    """Single-use recovery codes for the second factor, stored as Argon2 hashes."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)


class AuditEvent(BaseModel):
    """Append-only access log (tilgangslogg). Ids, never content."""

    at = DateTimeField(default=utcnow, index=True)
    user_id = IntegerField(null=True, index=True)
    username = CharField(max_length=150, default="")
    role = CharField(max_length=40, default="")
    action = CharField(max_length=60)
    log_id = IntegerField(null=True)
    object_type = CharField(max_length=40, default="")
    object_id = IntegerField(null=True)
    ip = CharField(max_length=64, default="")
    # who the person was then (job title, unit): a reader who later moves or changes
    # title is shown as they were; None on events written before these were kept
    actor_title = CharField(max_length=200, null=True)
    actor_unit_id = IntegerField(null=True)

    class Meta:
        indexes = ((("log_id", "at", "id"), False),)  # a log's access history, newest first


# A consent runs out once: overlapping reminder runs (two app servers' timers) write its
# event once (audit.record_once inserts it with ON CONFLICT DO NOTHING).
AuditEvent.add_index(
    AuditEvent.index(
        AuditEvent.object_id,
        unique=True,
        name="audit_event_consent_expired_once",
        where=AuditEvent.action == "consent_expired",
    )
)


class Notification(BaseModel):
    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=40)
    # A msgid with parameters (notify.msg), rendered in the reader's language when shown.
    message = TextField()
    url = CharField(max_length=500, default="")
    log_id = IntegerField(null=True, index=True)
    # Unique per event so that reminders run twice send nothing twice.
    dedupe_key = CharField(max_length=200, unique=True)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        # «Varsler», newest first, in windows
        indexes = ((("user", "created_at", "id"), False),)

    @property
    def text(self) -> str:
        """The notice in the language of whoever reads it now."""
        return loads(self.message).render()

    @text.setter
    def text(self, value: str) -> None:  # a plain text is a message without parameters
        self.message = dumps(Message(value))


# the unread count on every page: a partial index of the unread notices
Notification.add_index(
    Notification.index(Notification.user, name="notification_unread", where=Notification.read_at.is_null())
)


class MailStatus:
    QUEUED = "queued"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by one sender
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS tries
    SKIPPED = "skipped"  # written before the queue existed, without a mail server: never sent
    CANCELLED = "cancelled"  # to an account deactivated since it was written: never sent (mailer.py)


class OutboxEmail(BaseModel):
    """One e-mail, written in the transaction of the change that caused it and sent after
    commit by mailer.py. Subject and body are msgids with parameters (notify.msg)."""

    to = CharField(max_length=254)
    subject_message = TextField()
    body_message = TextField()
    locale = CharField(max_length=10, default="nb")
    # Unique per message; also its Message-ID, so a retried message is the same message.
    idempotency_key = CharField(max_length=100, unique=True)
    status = CharField(max_length=10, default=MailStatus.QUEUED, index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_error = TextField(default="")
    claimed_by = CharField(max_length=64, default="")
    claimed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    # The log an e-mail is about (a notice of it, an invitation to read it): deleting the
    # log deletes its e-mails (lifecycle._purge). None for one about no log.
    log_id = IntegerField(null=True, index=True)
    # The account it is written to (a notice's reader): mail to an account deactivated
    # since is not sent (mailer.to_someone_who_left). None for an address alone.
    recipient_id = IntegerField(null=True)

    class Meta:
        indexes = ((("created_at", "id"), False),)  # «Utboks», newest first, in windows

    @property
    def subject(self) -> str:
        return loads(self.subject_message).render(self.locale)

    @property
    def body(self) -> str:
        """The text to send; empty once sent (mailer.OUTBOX's on_done does not keep it)."""
        return loads(self.body_message).render(self.locale) if self.body_message else ""


# ---------------------------------------------------------------- the log itself


class LogStatus:
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    PASSIVE = "passive"
    ALL = (DRAFT, ACTIVE, CLOSED, PASSIVE)  # a deleted log is purged: no row, a tombstone
    OPEN = (DRAFT, ACTIVE)  # in use: what may happen in each is in logs/states.py
    ENDED = (CLOSED, PASSIVE)  # kept read-only until reopened or deleted


class SubjectKind:
    CHOICES = ("barn", "ungdom", "gravid", "familie")


class Subject(BaseModel):
    """The child, youth, pregnant woman or family a log is about."""

    kind = CharField(max_length=20, default="barn")
    name = CharField(max_length=200, index=True)
    birth_date = DateField(null=True)
    national_id = CharField(max_length=11, null=True, unique=True)
    created_at = DateTimeField(default=utcnow)


class Log(BaseModel):
    subject = ForeignKeyField(Subject, backref="logs", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, backref="logs", on_delete="RESTRICT")
    holder = ForeignKeyField(User, backref="held_logs", on_delete="RESTRICT")
    # the holder's unit when they became holder: a holder whose unit is another now has
    # moved (handover.holder_has_left); a log made for another unit than the maker's own
    # is no sign of that
    holder_unit_id = IntegerField(null=True)
    status = CharField(max_length=20, default=LogStatus.DRAFT, index=True)

    @property
    def held_from_unit_id(self) -> int:
        """The unit the holder holds the log from: theirs when they became holder, or the
        log's own where that was not kept (access.holder_left, a handover's from_unit)."""
        return self.holder_unit_id if self.holder_unit_id is not None else self.unit_id

    level = IntegerField(default=1)
    class_group = CharField(max_length=100, default="")
    guardians_informed_on = DateField(null=True)
    # Where invitations and minutes are kept (seed 000): "stafettlogg" or elsewhere.
    records_kept_in = CharField(max_length=60, default="stafettlogg")
    close_reason = CharField(max_length=30, default="")
    close_note = TextField(default="")
    coordinator_name = CharField(max_length=200, default="")
    coordinator_service = CharField(max_length=200, default="")
    guardian_agreed_to_keep = BooleanField(default=False)
    keep_agreed_by = CharField(max_length=200, default="")  # the guardian or youth 16+ who agreed
    keep_agreed_on = DateField(null=True)
    # "Skal loggen tas vare på?" at closing: "" not asked, "yes", "no" or "undecided" (logs/lifecycle.py)
    keep_answer = CharField(max_length=20, default="")
    created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    activated_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    # the version the close gave it: a later change of the ended log (the family's
    # deletion request, the keep answer, passive) is a new version of its archive copy
    closed_version = IntegerField(null=True)
    archive_reference = CharField(max_length=100, default="")  # the archive's saksnummer
    # taken over (states: take_over reopened it as a draft to the requester) and no new
    # consent on file since: the content from before opens to no one in the staff, also
    # once the draft has ended again (states.unreadable_reason); activation clears it
    sealed = BooleanField(default=False)

    class Meta:
        indexes = (
            (("unit", "status"), False),
            # the deletion page's queues of the unit's ended logs, the longest closed first, in windows
            (("unit", "status", "closed_at", "id"), False),
        )


# The relation of a youth (16+) who reads their own log as a "guardian" of it.
YOUTH_RELATION = "ungdom"


class Guardian(BaseModel):
    log = ForeignKeyField(Log, backref="guardians", on_delete="CASCADE")
    name = CharField(max_length=200)
    relation = CharField(max_length=60, default="")
    phone = CharField(max_length=40, default="")
    email = CharField(max_length=254, default="")
    user = ForeignKeyField(User, null=True, backref="guardianships", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    # Set by the holder: the language of this guardian's e-mails and paper version ("" = bokmål).
    language = CharField(max_length=10, default="")
    needs_interpreter = BooleanField(default=False)
    national_id = CharField(max_length=11, null=True, index=True)  # signs in with ID-porten


class Participant(BaseModel):
    log = ForeignKeyField(Log, backref="participants", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="participations", on_delete="RESTRICT")
    added_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    added_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("log", "user"), True),)


class StoredFile(BaseModel):
    """Uploaded bytes live in the database, under a generated id."""

    content = BlobField()
    content_type = CharField(max_length=60)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)


class Consent(BaseModel):
    log = ForeignKeyField(Log, backref="consents", on_delete="CASCADE")
    file = ForeignKeyField(StoredFile, on_delete="CASCADE")
    filename = CharField(max_length=200)  # sanitised display name, never a path
    given_by = CharField(max_length=20)  # "guardian" or "youth"
    given_by_name = CharField(max_length=200)
    relation = CharField(max_length=60, default="")
    consent_date = DateField()
    expires_on = DateField(null=True)
    # Unit ids and service kinds the family agrees to involve, comma separated.
    services = TextField(default="")
    # The unit the consent was given to (the holder's unit when it was registered): it
    # stays covered when the log moves; another unit must be named in services.
    unit = ForeignKeyField(Unit, null=True, backref="+", on_delete="SET NULL")
    uploaded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)
    replaced_at = DateTimeField(null=True)
    withdrawn_at = DateTimeField(null=True)


class SectionItem(RenderedText, BaseModel):
    """A row of a log's section (logs/sections.py): who wrote it, when, and the version
    a save must be based on (optimistic locking). Never a table of its own."""

    author = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)


class Concern(SectionItem):
    rendered_text = ("body",)

    log = ForeignKeyField(Log, backref="concerns", on_delete="CASCADE")
    title = CharField(max_length=300)
    body = TextField(default="")
    body_html = HtmlField(default="")


class Highlight(SectionItem):
    rendered_text = ("body",)

    log = ForeignKeyField(Log, backref="highlights", on_delete="CASCADE")
    body = TextField()
    body_html = HtmlField(default="")


class Goal(SectionItem):
    rendered_text = ("body",)

    log = ForeignKeyField(Log, backref="goals", on_delete="CASCADE")
    concern = ForeignKeyField(Concern, null=True, backref="goals", on_delete="SET NULL")
    body = TextField()
    body_html = HtmlField(default="")


class Meeting(SectionItem):
    rendered_text = ("invited", "agenda", "minutes")

    log = ForeignKeyField(Log, backref="meetings", on_delete="CASCADE")
    kind = CharField(max_length=30)  # samarbeidsmote, evalueringsmote, avklaringsmote
    starts_at = DateTimeField()
    place = CharField(max_length=300, default="")
    invited = TextField(default="")
    invited_html = HtmlField(default="")
    agenda = TextField(default="")
    agenda_html = HtmlField(default="")
    minutes = TextField(default="")
    minutes_html = HtmlField(default="")
    present = TextField(default="")  # who was present, one per line
    # why no one of the family was present, written when the minutes were approved (seed 001)
    family_absent_note = TextField(default="")
    finalised_at = DateTimeField(null=True)
    finalised_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    # Who approved minutes name, as it was at approval (meetings.domain.finalise): a record
    # that a later job title, new name, handover or move of the log changes nothing of.
    finalised_by_name = CharField(max_length=200, default="")
    holder_name = CharField(max_length=200, default="")  # the holder as of the meeting (seed 000 point 4)
    holder_job_title = CharField(max_length=200, default="")
    unit_name = CharField(max_length=200, default="")  # the log's unit
    # The holder chose whom of the log's people it invites (meeting_invitee rows, maybe
    # none left when an invited guardian was removed); not chosen: everyone on the log.
    invitees_chosen = BooleanField(default=False)
    # Whom approved minutes invited, one name per line as the meeting page named them at
    # approval (meetings.domain.invited_to); None: approved before migration 0054.
    invited_as_approved = TextField(null=True)

    @property
    def holder_as_approved(self) -> "NamedPerson":
        return NamedPerson(self.holder_name, self.holder_job_title)


class MeetingInvitee(BaseModel):
    """One of the log's people the holder invited to a meeting (meetings/invitees.py):
    a staff member (holder, participant) or a guardian/youth on the log, never both.
    Anyone else invited is named in the meeting's free text (`Meeting.invited`)."""

    meeting = ForeignKeyField(Meeting, backref="+", on_delete="CASCADE")
    user = ForeignKeyField(User, null=True, backref="+", on_delete="CASCADE")
    guardian = ForeignKeyField(Guardian, null=True, backref="+", on_delete="CASCADE")

    class Meta:
        indexes = ((("meeting", "user"), True), (("meeting", "guardian"), True))
        constraints = [Check("(user_id IS NULL) <> (guardian_id IS NULL)")]


class NamedPerson(NamedTuple):
    """A person as a record names them: their name and job title then."""

    name: str
    job_title: str


class MeasureStatus:
    PLANNED = "planned"
    ONGOING = "ongoing"
    ENDED = "ended"  # no longer followed or evaluated (logs.domain.measure_ended)


class Measure(SectionItem):
    rendered_text = ("what",)

    log = ForeignKeyField(Log, backref="measures", on_delete="CASCADE")
    concern = ForeignKeyField(Concern, null=True, backref="measures", on_delete="SET NULL")
    meeting = ForeignKeyField(Meeting, null=True, backref="measures", on_delete="SET NULL")
    what = TextField()
    what_html = HtmlField(default="")
    responsible = CharField(max_length=200)  # job title, name or family relation
    responsible_user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    start_date = DateField(null=True)
    evaluation_date = DateField(null=True, index=True)
    status = CharField(max_length=20, default=MeasureStatus.PLANNED)
    last_evaluated_on = DateField(null=True)  # its latest evaluation's date, written with the evaluation
    overdue = False  # where a page marks it, read with the rule (logs.domain.measure_overdue)

    @classmethod
    def awaiting_evaluation(cls):
        """Not ended and not evaluated on or after its evaluation date: the predicate of
        the index below, and of the one rule that uses it (logs.domain.measure_due_by)."""
        # a literal, not a parameter: an index's predicate is fixed SQL
        return (cls.status != SQL(f"'{MeasureStatus.ENDED}'")) & (
            cls.last_evaluated_on.is_null() | (cls.last_evaluated_on < cls.evaluation_date)
        )


Measure.add_index(
    Measure.index(
        Measure.log, Measure.evaluation_date, name="measure_awaiting_evaluation", where=Measure.awaiting_evaluation()
    )
)


class Evaluation(RenderedText, BaseModel):
    rendered_text = ("what_worked",)

    measure = ForeignKeyField(Measure, backref="evaluations", on_delete="CASCADE")
    evaluated_on = DateField()
    what_worked = TextField()
    what_worked_html = HtmlField(default="")
    decision = CharField(max_length=20)  # continue, adjust, end
    author = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("measure", "evaluated_on"), False),)


class MinutesCorrection(RenderedText, BaseModel):
    rendered_text = ("body",)

    meeting = ForeignKeyField(Meeting, backref="corrections", on_delete="CASCADE")
    body = TextField()
    body_html = HtmlField(default="")
    author = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    # Who wrote it, as they were then (meetings.domain.add_correction): a correction is part
    # of the approved minutes' record, which a later name or job title changes nothing of.
    author_name = CharField(max_length=200, default="")
    author_job_title = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)


class Entry(SectionItem):
    rendered_text = ("body",)

    log = ForeignKeyField(Log, backref="entries", on_delete="CASCADE")
    entry_date = DateField()
    body = TextField()
    body_html = HtmlField(default="")

    class Meta:
        indexes = ((("log", "entry_date", "id"), False),)  # a log's entries, newest first


class ChildTalkAgreement(SectionItem):
    """Seed 002: an adult talks with the child between meetings — who, and how often."""

    rendered_text = ("how",)

    log = ForeignKeyField(Log, backref="talk_agreements", on_delete="CASCADE")
    adult = CharField(max_length=200)  # name and job title, or family relation
    adult_user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    every_days = IntegerField()
    start_date = DateField()
    how = TextField(default="")
    how_html = HtmlField(default="")
    status = CharField(max_length=20, default="ongoing")


class ChildTalk(SectionItem):
    """A quick note of one talk: when, who, how it is going in the child's words."""

    rendered_text = ("how_it_goes",)

    log = ForeignKeyField(Log, backref="talks", on_delete="CASCADE")
    agreement = ForeignKeyField(ChildTalkAgreement, null=True, backref="talks", on_delete="SET NULL")
    talked_on = DateField(index=True)
    who = CharField(max_length=200)
    how_it_goes = TextField()
    how_it_goes_html = HtmlField(default="")


class GuideAnswer(BaseModel):
    """The decision guide answered from inside a log (seed 004): the result the
    individual-plan prompt on the log shows."""

    log = ForeignKeyField(Log, backref="guide_answers", on_delete="CASCADE")
    result_id = CharField(max_length=40)
    answers = TextField(default="{}")  # JSON: question id -> "ja"/"nei"
    answered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    answered_at = DateTimeField(default=utcnow)


class ClassGroupPeriod(BaseModel):
    """The child's class/group in one unit and school year, so that each year's overview
    shows what was true then (also after the log moved on)."""

    log = ForeignKeyField(Log, backref="class_groups", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, backref="+", on_delete="RESTRICT")
    school_year = IntegerField()
    class_group = CharField(max_length=100)

    class Meta:
        indexes = ((("log", "unit", "school_year"), True),)


class LogPeriod(BaseModel):
    """A period the log was in use before it was reopened: from its activation to its
    close (seed 001: a log reopened with new consent is the same log, and what it was
    then stays true of the years it was in use). The period in progress, or the last one,
    is the log's own (Log.activated_at, Log.closed_at); states.apply files it here when
    a transition takes the ended log back out of its ended state (reopen, take_over)."""

    log = ForeignKeyField(Log, backref="periods", on_delete="CASCADE")
    started_at = DateTimeField()
    ended_at = DateTimeField(null=True)
    # the koordinator recorded when it ended: a later close records the log's own anew
    coordinator_name = CharField(max_length=200, default="")
    coordinator_service = CharField(max_length=200, default="")


class Answer:
    """The life of a handover proposal and of a takeover request: pending until one answer
    (or a withdrawal) closes it, once."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # a handover proposal withdrawn, by its proposer or the system


class AwaitsAnswer:
    """A row that waits for one answer (Handover, LogRequest)."""

    @property
    def pending(self) -> bool:
        return self.status == Answer.PENDING

    @property
    def accepted(self) -> bool:
        return self.status == Answer.ACCEPTED

    def close_pending(self, status: str, error: Exception, **values) -> None:
        """Close the row only if it is still pending: of two answers at once (an accept and
        a withdrawal, the holder and the unit leader), the later one changes nothing and
        ``error`` is raised instead of overwriting the one that won (PostgreSQL may read the
        row before the log's row lock is granted)."""
        model = type(self)
        changed = (
            model.update(status=status, decided_at=utcnow(), **values)
            .where(model.id == self.id, model.status == Answer.PENDING)
            .execute()
        )
        if not changed:
            raise error


class Handover(AwaitsAnswer, BaseModel):
    """Holder history and pending proposals (seed 002: the old holder keeps the
    role until the new one accepts)."""

    log = ForeignKeyField(Log, backref="handovers", on_delete="CASCADE")
    from_user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    to_user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    note = TextField(default="")  # the proposer's own words
    # a note the system wrote (messages.dumps of a msg()): read in the reader's language
    system_note = TextField(default="")
    status = CharField(max_length=20, default=Answer.PENDING, index=True)
    decline_reason = TextField(default="")
    direct_assignment = BooleanField(default=False)
    created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    # the unit the log was held from when it was handed over (the unit overview's periods):
    # not the giver's unit now, which changes when they move
    from_unit_id = IntegerField(null=True)
    # the log's own unit when it was handed over (the statistics' months before it are
    # that unit's): not from_unit_id, the holder's, when a service holds a school's log
    log_unit_id = IntegerField(null=True)

    class Meta:
        indexes = ((("from_unit_id", "status"), False), (("log_unit_id", "status"), False))

    def save(self, *args, **kwargs):
        """A handover made without its units (handover.create_handover names them) is from
        the giver's unit and of the log's unit as they are when it is made."""
        if self.from_unit_id is None and self.from_user_id is not None:
            self.from_unit_id = User.select(User.unit).where(User.id == self.from_user_id).scalar()
        if self.log_unit_id is None and self.log_id is not None:
            self.log_unit_id = Log.select(Log.unit).where(Log.id == self.log_id).scalar()
        return super().save(*args, **kwargs)

    @property
    def given_back(self) -> bool:
        """The log went back to the person who held it before (an ended log given back by
        the unit leader to its former holder who moved): shown as that, not «Kari → Kari»."""
        return self.from_user_id == self.to_user_id

    @property
    def note_text(self) -> str:
        """The note as whoever reads it now reads it: the proposer's words, or the
        system's note in the reader's language."""
        if self.note or not self.system_note:
            return self.note
        return loads(self.system_note).render()


class LogRequest(AwaitsAnswer, BaseModel):
    """Someone outside a log found it by fødselsnummer and asks to take it over. The
    log's holder (while it is in use) or its unit leader (once it has ended) accepts,
    which proposes a handover the requester accepts, or declines with a reason the
    requester reads. The requester never learns holder, unit or content from it."""

    log = ForeignKeyField(Log, backref="requests", on_delete="CASCADE")
    requester = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    status = CharField(max_length=20, default=Answer.PENDING, index=True)  # pending, accepted, declined
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decline_reason = TextField(default="")
    handover = ForeignKeyField(Handover, null=True, backref="+", on_delete="SET NULL")


class NationalIdLookup(BaseModel):
    """One search for an earlier log by fødselsnummer, matched or not: the per-user
    limit counts these rows (kept in the database, so every worker sees the same)."""

    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    at = DateTimeField(default=utcnow, index=True)


# ---------------------------------------------------------------- lifecycle, guardians


class DeletionRequest(BaseModel):
    """A guardian's request that a log be deleted; lands in the unit leader's queue."""

    log = ForeignKeyField(Log, backref="deletion_requests", on_delete="CASCADE")
    requested_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    reason = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    handled_at = DateTimeField(null=True)
    handled_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    outcome = CharField(max_length=20, default="")  # deleted, refused
    response = TextField(default="")  # the unit leader's answer when refused


class GuardianInvitation(BaseModel):
    """A one-time link with an expiry that lets a guardian (or youth 16+) set a password."""

    guardian = ForeignKeyField(Guardian, backref="invitations", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    # The log ended (closed, consent withdrawn, deletion asked for): void for good, a
    # reopen does not bring it back (lifecycle.void_invitations)
    voided_at = DateTimeField(null=True)
    # A one-time code the holder gives by other means than the link (LOCAL_GUARDIAN_LOGIN).
    code_hash = CharField(max_length=64, default="")


class OidcSession(BaseModel):
    """A provider session: one of our sessions began with it (``ended_at`` empty), or the
    provider said it ended (front-channel logout; sessions begun with it end). An ended
    sid that none of ours began is anyone's guess, and is written within a per-address
    limit. Kept two days from ``at`` (oidc.domain.LOGOUT_KEPT)."""

    iss = CharField(max_length=500)
    sid = CharField(max_length=255)
    at = DateTimeField(default=utcnow, index=True)
    ended_at = DateTimeField(null=True)

    class Meta:
        table_name = "oidc_session"
        indexes = ((("iss", "sid"), True),)


class LogTombstone(BaseModel):
    """What is left of a deleted log: no personal data (id, unit, dates, who deleted)."""

    log_id = IntegerField(unique=True)
    unit = ForeignKeyField(Unit, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField()
    closed_at = DateTimeField(null=True)
    deleted_at = DateTimeField(default=utcnow)
    deleted_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    reason = CharField(max_length=30, default="")  # passive_by_agreement, not_kept, guardian_request
    archive_waiver = TextField(default="")  # why it was deleted without being archived
    archive_reference = CharField(max_length=100, default="")  # the archive's saksnummer: where it was filed
    # a passive log deleted by agreement (seed 001): with whom (guardian or youth, never a
    # name) and on which day
    agreed_with = CharField(max_length=20, default="")
    agreed_on = DateField(null=True)

    class Meta:
        indexes = ((("unit", "deleted_at", "id"), False),)  # the unit's record of deletions, in windows


class ArchiveStatus:
    QUEUED = "queued"  # the package waits in the outbox for its first or next attempt
    SENDING = "sending"  # claimed by one sender
    DELIVERED = "delivered"  # the archive (or the person downloading) has it
    FAILED = "failed"  # gave up after ARCHIVE_MAX_ATTEMPTS; the package is kept
    CANCELLED = "cancelled"  # replaced by a later package, or its log was deleted
    # what the archive has or will get: its documents are not offered again
    CLAIMED_KEYS = (QUEUED, SENDING, DELIVERED)


class ArchiveDelivery(BaseModel):
    """One delivery of a log to the municipality's archive (seed 003): when, by whom,
    which documents (keys and checksums, no personal data) and the package's checksum.
    Kept after the log is deleted, so log_id is a plain number. To the import folder it
    is an outbox row: the package waits here, written after commit by archive/outbox.py,
    and is dropped once delivered."""

    log_id = IntegerField(index=True)
    delivered_at = DateTimeField(default=utcnow)  # queued, then delivered
    delivered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    transport = CharField(max_length=20)  # download, folder, cli
    package_name = CharField(max_length=200)
    package_sha256 = CharField(max_length=64)
    documents = TextField(default="[]")  # JSON: [{"key", "sha256", "filename"}]
    status = CharField(max_length=10, default=ArchiveStatus.DELIVERED, index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_error = TextField(default="")
    claimed_by = CharField(max_length=64, default="")
    claimed_at = DateTimeField(null=True)
    package = BlobField(null=True)  # the zip, until the archive's folder has it

    @property
    def document_count(self) -> int:
        return len(json.loads(self.documents or "[]"))


# ---------------------------------------------------------------- overviews and KE (seed 000)


class CoordinatorRecord(BaseModel):
    """KE's register of koordinator and barnekoordinator decisions."""

    child_name = CharField(max_length=200)
    birth_date = DateField(null=True)
    unit = ForeignKeyField(Unit, null=True, backref="coordinator_records", on_delete="SET NULL")
    class_group = CharField(max_length=100, default="")
    kind = CharField(max_length=20)  # koordinator, barnekoordinator
    decision = CharField(max_length=20)  # granted, refused
    decided_on = DateField()
    # the day the person no longer had the role (KE records it); a barnekoordinator ends
    # when the child turns 18 in any case (seed 003): overview.domain.in_force_in
    ended_on = DateField(null=True)
    person_name = CharField(max_length=200, default="")
    person_service = CharField(max_length=200, default="")
    person_contact = CharField(max_length=200, default="")
    has_ip = BooleanField(default=False)
    consent_to_inform = BooleanField(default=False)
    informed_at = DateTimeField(null=True)
    created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("decided_on", "id"), False),)  # the register, newest decisions first


class ExternalCoordination(BaseModel):
    """A child in the unit overview whose coordination is held outside this system."""

    unit = ForeignKeyField(Unit, backref="external_coordinations", on_delete="CASCADE")
    school_year = IntegerField(index=True)  # the year the school year starts (1 August)
    child_name = CharField(max_length=200)
    class_group = CharField(max_length=100, default="")
    holder = CharField(max_length=200, default="")  # name and job / belonging
    koordinator = CharField(max_length=200, default="")
    barnekoordinator = CharField(max_length=200, default="")
    records_kept_in = CharField(max_length=100, default="")
    records_note = CharField(max_length=200, default="")
    guardians_informed_on = DateField(null=True)
    created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)  # optimistic locking: the unit leader and an ITO-koordinator


class StatisticsSnapshot(BaseModel):
    """Statistics counted for a set of units on a day, kept for a few minutes
    (overview/stats.py): an area's counts read most of its logs, measures and evaluations.
    Counts only, as JSON; no personal data."""

    key = CharField(max_length=80, unique=True)  # the day and a digest of the unit ids
    computed_at = DateTimeField(default=utcnow, index=True)
    counts = TextField()


class ItoDelegation(BaseModel):
    """Seed 000 point 1: the unit leader delegates keeping the unit overview to an
    ITO-koordinator among the unit's staff. Revoked rows stay as the record."""

    unit = ForeignKeyField(Unit, backref="ito_delegations", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="ito_delegations", on_delete="RESTRICT")
    granted_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    granted_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True, index=True)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class Reconciliation(BaseModel):
    """The annual June review between a unit's overview and KE's register (seed 000)."""

    unit = ForeignKeyField(Unit, backref="reconciliations", on_delete="CASCADE")
    school_year = IntegerField()
    status = CharField(max_length=20, default="not_started")  # not_started, reviewed
    ke_contact_name = CharField(max_length=200, default="")
    unit_contact_name = CharField(max_length=200, default="")
    note = TextField(default="")
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    # KE's save and the unit's each raise it; a save based on an older one is refused
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("unit", "school_year"), True),)


MODELS = [
    Area,
    Unit,
    User,
    LoginFailure,
    RecoveryCode,
    AuditEvent,
    Notification,
    OutboxEmail,
    Subject,
    Log,
    Guardian,
    Participant,
    StoredFile,
    Consent,
    Concern,
    Highlight,
    Goal,
    Meeting,
    MeetingInvitee,
    Measure,
    Evaluation,
    MinutesCorrection,
    Entry,
    ChildTalkAgreement,
    ChildTalk,
    GuideAnswer,
    ClassGroupPeriod,
    LogPeriod,
    Handover,
    LogRequest,
    NationalIdLookup,
    DeletionRequest,
    GuardianInvitation,
    OidcSession,
    LogTombstone,
    ArchiveDelivery,
    CoordinatorRecord,
    ExternalCoordination,
    ItoDelegation,
    Reconciliation,
    StatisticsSnapshot,
]


def rendered_text_models() -> list[type[RenderedText]]:
    """Every model with Markdown fields, with their rendered HTML stored next to them."""
    return [model for model in MODELS if issubclass(model, RenderedText)]
