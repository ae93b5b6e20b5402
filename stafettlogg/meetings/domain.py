"""Meeting rules as plain functions: take models and the acting user, enforce the state
machine, write the audit event. Seed 001 ("Skriv i loggen i møter der foresatte/barnet er
til stede", "Les teksten høyt") and seed 002 (the holder invites, leads and writes minutes).
"""

import datetime as dt
import hashlib
import json
from typing import NamedTuple

from werkzeug.exceptions import NotFound

from stafettlogg import audit
from stafettlogg.access import role_on_log
from stafettlogg.db import once_per_request, prepared
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import queries, states
from stafettlogg.logs import sections as sec
from stafettlogg.logs.domain import LogError, ensure_writable, writing_to
from stafettlogg.meetings import invitees
from stafettlogg.models import Log, Measure, Meeting, MinutesCorrection, Unit, User, utcnow
from stafettlogg.textformat import prerender

TEXT_FIELDS = ("agenda", "minutes")
MAX_TEXT = sec.MEETING_TEXT_MAX  # the log page's form for the meeting takes the same
MAX_PRESENT = 4000
MAX_CORRECTION = 5000


class Forbidden(Exception):
    """The caller may read the meeting but not write it."""


def get_meeting(log: Log, meeting_id: int) -> Meeting | None:
    """A meeting of this log only: ids of other logs are not found."""
    return _meeting_of_log.first(meeting_id, log.id)


@prepared
def _meeting_of_log(meeting_id: int, log_id: int):
    """A prepared read (every meeting request asks it, and the autosave again in its
    write transaction)."""
    return Meeting.select().where(Meeting.id == meeting_id, Meeting.log == log_id)


def can_write(user: User, log: Log) -> bool:
    """Seed 002: the holder leads the meeting and writes the minutes."""
    return role_on_log(user, log) == "holder"


def ensure_open(by: User, log: Log, meeting: Meeting) -> None:
    """Writable only by the holder, in an active log, before the minutes are finalised."""
    if not can_write(by, log):
        raise Forbidden
    ensure_writable(log)
    sec.ensure_not_final(meeting)


def _clean_texts(form) -> dict:
    texts = {}
    for name in TEXT_FIELDS:
        if name in form:
            value = (form.get(name) or "").replace("\r\n", "\n")
            if len(value) > MAX_TEXT:
                label = _("Dagsorden") if name == "agenda" else _("Referat")
                raise LogError(_("«%(label)s» kan ha høyst %(n)s tegn.", label=label, n=MAX_TEXT), field=name)
            texts[name] = value
    return texts


def _still_open(log: Log, meeting: Meeting) -> Meeting:
    """The meeting as it is now, asked inside the write transaction: one deleted since the
    request read it is not found, minutes approved since take no write."""
    current = get_meeting(log, meeting.id)
    if current is None:
        raise NotFound
    sec.ensure_not_final(current)
    return current


def save_texts(by: User, log: Log, meeting: Meeting, form) -> tuple[Meeting, bool]:
    """Autosave of the agenda and the minutes, with optimistic locking (SECURITY.md):
    the form carries the version it was based on. A stale save matches no row and
    raises Conflict with the user's own text; an unchanged text writes nothing.
    Returns (the meeting as stored, whether anything was written)."""
    ensure_open(by, log, meeting)
    role = role_on_log(by, log)  # asked by ensure_open: the write transaction forgets it
    texts = _clean_texts(form)
    version = sec.form_version(form)
    prerender(Meeting, texts)  # not while the write lock is held
    with writing_to(log):
        current = _still_open(log, meeting)
        if all(getattr(current, k) == v for k, v in texts.items()):
            return current, False  # nothing new: no conflict possible, nothing to write
        # the texts with their HTML (models.RenderedText), written and kept on the row returned
        values = Meeting._with_html({**texts, "updated_at": utcnow()})
        changed = (
            Meeting.update(version=Meeting.version + 1, **values)
            .where(Meeting.id == meeting.id, Meeting.version == version, Meeting.finalised_at.is_null())
            .execute()
        )
        if not changed:
            raise sec.Conflict(
                _(
                    "Noen andre har lagret referatet i mellomtiden. Teksten din er ikke borte: "
                    "se begge versjonene under, slå dem sammen og lagre."
                ),
                mine=texts,
                theirs=current,
            )
        audit.record("meeting_minutes_saved", log=log, obj=meeting, user=by, role=role)
    # the row as stored now: what was read in the transaction, with what this save wrote
    # (the update matched the version read, so it is the next one)
    for name, value in values.items():
        setattr(current, name, Meeting._meta.fields[name].python_value(value))
    current.version = version + 1
    return current, True


@once_per_request
def people_present_choices(log: Log) -> list[tuple[str, str]]:
    """(group, name) of everyone who can be ticked as present: the child, the guardians,
    the holder and the participants (seed 001: write the log where they are present).
    Read once per request (the page and the plain-language checker both ask)."""
    people = [(_("Barnet"), log.subject.name)]
    for guardian in queries.guardians(log):
        people.append((_("Foresatte"), guardian.name))
    # the participants by name, as the consent gate read them in this request
    staff = [log.holder] + [p.user for p in states.participants(log)]
    for user in staff:
        people.append((_("Deltakere"), user.name))
    return people


class Invited(NamedTuple):
    people: list[tuple[str, str]]  # (invitees key, name) of the log's people invited
    others: list[str]  # anyone else, one per line of the free text

    @property
    def keys(self) -> set[str]:
        return {key for key, _name in self.people}

    @property
    def names(self) -> list[str]:
        """Everyone invited, as every page, letter and print names them."""
        return [name for _key, name in self.people] + self.others


def guardians_invited(meeting: Meeting, guardians) -> list:
    """Of the log's guardians, those a planned meeting invites (invitees.invites): its
    letter is in their languages."""
    keys = invitees.stored([meeting.id]).get(meeting.id)
    return [gd for gd in guardians if invitees.invites(keys, invitees.guardian_key(gd.id))]


def interpreted(guardians, invited: Invited) -> list:
    """The guardians who need an interpreter at the meeting: those it invites, never one
    left out of it (the meeting page and the invitation letter both name them)."""
    return [gd for gd in guardians if gd.needs_interpreter and invitees.guardian_key(gd.id) in invited.keys]


def invited(log: Log, meeting: Meeting) -> Invited:
    """Who is invited to one meeting (invited_to)."""
    return invited_to(log, [meeting])[meeting.id]


def invited_to(log: Log, meetings) -> dict[int, Invited]:
    """Who is invited to each of the log's meetings, said once for every place that names
    them (the meeting page, the letter, the log page's card, the family's next meetings,
    the minutes PDF and the archive print): the log's people a meeting invites
    (meetings/invitees.py: its rows, or everyone when none were chosen; someone no longer
    on the log is not), then anyone else its free text names (in a meeting planned before
    the list, whose free text named everyone, a line that is someone listed is not listed
    twice). Approved minutes are a record: they name whom they named when approved
    (Meeting.invited_as_approved, names only), not the log's people as they are now.
    One read of the rows of all the meetings; the people are the ones the page reads anyway."""
    meetings = list(meetings)
    by_meeting = {m.id: Invited([], m.invited_as_approved.splitlines()) for m in meetings if _kept(m)}
    live = [m for m in meetings if m.id not in by_meeting]
    if not live:
        return by_meeting
    stored = invitees.stored(m.id for m in live)
    choices = sec.choices("invitees", log)
    names = {invitees.user_key(log.holder_id): log.holder.name}
    names.update((invitees.user_key(p.user_id), p.user.name) for p in states.participants(log))
    names.update((invitees.guardian_key(gd.id), gd.name) for gd in queries.guardians(log))
    everyone = [names[key] for key, _name in choices if names.get(key)]
    for meeting in live:
        keys = stored.get(meeting.id)
        people = [(key, name) for key, name in choices if invitees.invites(keys, key)]
        listed = everyone if keys is None else []
        lines = [line.strip() for line in (meeting.invited or "").splitlines() if line.strip()]
        others = [line for line in lines if not any(_names(line, name) for name in listed)]
        by_meeting[meeting.id] = Invited(people, others)
    return by_meeting


def _kept(meeting: Meeting) -> bool:
    """Approved minutes that kept whom they invited (minutes approved before migration
    0054 did not: they name the log's people as they are now)."""
    return sec.is_final(meeting) and meeting.invited_as_approved is not None


def _names(line: str, name: str) -> bool:
    """Is a line of the free text of a meeting planned before the list just this person
    («Kari Berg», «Kari Berg (mor)», «Kari Berg, lærer»), not someone else whose name
    begins the same way («Kari Berg-Hansen, tolk»)?"""
    return line == name or line.startswith((name + " (", name + ","))


def present_lines(meeting: Meeting) -> list[str]:
    return [line.strip() for line in (meeting.present or "").splitlines() if line.strip()]


MAX_ABSENT_NOTE = 500


def family_present(log: Log, meeting: Meeting) -> bool:
    """Is the child or a guardian marked present (seed 001: the log is written in
    meetings where the family is)?"""
    family = {log.subject.name} | {guardian.name for guardian in queries.guardians(log)}
    return bool(family & set(present_lines(meeting)))


def family_absent_note(log: Log, meeting: Meeting, form) -> str:
    """Why no one of the family was present, required when none is marked present: the
    minutes then say so to the family and in the archive. Nothing when one is."""
    if family_present(log, meeting):
        return ""
    note = (form.get("family_absent") or "").strip()
    if not note:
        raise LogError(
            _(
                "Ingen fra familien er krysset av som til stede. Kryss av hvem som var der, eller skriv hvorfor familien ikke var med."
            ),
            field="family_absent",
        )
    if len(note) > MAX_ABSENT_NOTE:
        raise LogError(_("Teksten kan ha høyst %(n)s tegn.", n=MAX_ABSENT_NOTE), field="family_absent")
    return note


def set_present(by: User, log: Log, meeting: Meeting, ticked: list[str], others: str) -> Meeting:
    """Who was present, one name per line. Only names of the log's people can be
    ticked; anyone else is written under "others". Not version-checked: a tick is
    not text that can be lost, and the last tick wins."""
    ensure_open(by, log, meeting)
    role = role_on_log(by, log)  # asked by ensure_open: the write transaction forgets it
    known = [name for _group, name in people_present_choices(log)]
    names = [name for name in known if name in set(ticked)]
    for line in (others or "").splitlines():
        line = line.strip()
        if line and line not in names:
            names.append(line)
    present = "\n".join(names)
    if len(present) > MAX_PRESENT:
        raise LogError(_("Listen over hvem som er til stede er for lang."), field="present_other")
    with writing_to(log):
        changed = (
            Meeting.update(present=present, updated_at=utcnow())
            .where(Meeting.id == meeting.id, Meeting.finalised_at.is_null())
            .execute()
        )
        if not changed:
            raise LogError(_("Referatet er godkjent og kan ikke endres. Skriv en rettelse i stedet."), code="final")
        audit.record("meeting_present_saved", log=log, obj=meeting, user=by, role=role)
    return Meeting.get_by_id(meeting.id)


def meeting_measures(meeting: Meeting) -> list[Measure]:
    """The measures agreed in the meeting, as they are now: a measure lives on after the
    minutes are approved (the log page changes it, its evaluation adjusts it), so one
    changed since then says so under the approved minutes (`changed_after_approval`)."""
    measures = list(Measure.select().where(Measure.meeting == meeting).order_by(Measure.id))
    for m in measures:
        m.changed_after_approval = bool(sec.is_final(meeting) and m.version > 1 and m.updated_at > meeting.finalised_at)
    return measures


def add_measure(by: User, log: Log, meeting: Meeting, form, *, replay_seconds: int = 0):
    """A measure agreed in the meeting: the log's measures section, tied to the meeting.
    replay_seconds: a form post may be the same one sent twice (sections.REPLAY_SECONDS)."""
    ensure_open(by, log, meeting)
    with writing_to(log):
        _still_open(log, meeting)
        item, errors = sec.create_item(by, log, sec.SECTIONS["measures"], form, replay_seconds=replay_seconds)
        if item is not None:
            Measure.update(meeting=meeting).where(Measure.id == item.id).execute()
    return item, errors


def update_measure(by: User, log: Log, meeting: Meeting, measure: Measure, form):
    """Inline edit of a measure from the meeting (optimistic locking in sections)."""
    ensure_open(by, log, meeting)
    with writing_to(log):
        _still_open(log, meeting)
        return sec.update_item(by, log, sec.SECTIONS["measures"], measure, form)


def invitable(log: Log, meeting: Meeting) -> bool:
    """An invitation (the letter, the calendar file) is for a meeting still to be held: not
    one whose minutes are approved, nor one of a log that holds no more meetings (closed,
    passive: states.holds_meetings)."""
    return not sec.is_final(meeting) and states.holds_meetings(log)


def may_approve_now(meeting: Meeting) -> bool:
    """Minutes record a meeting that has taken place: approval opens at its start time
    (stored as naive UTC)."""
    return meeting.starts_at <= utcnow()


def awaiting_approval(log: Log) -> list[Meeting]:
    """The log's meetings held (may_approve_now) whose minutes are not approved, oldest
    first: the close page names them, as minutes are approved only while the log is open
    (ensure_open), never after it is closed."""
    held = Meeting.select(Meeting.id, Meeting.log, Meeting.kind, Meeting.starts_at, Meeting.finalised_at).where(
        Meeting.log == log.id, *sec.not_final(Meeting)
    )
    return [m for m in held.order_by(Meeting.starts_at, Meeting.id) if may_approve_now(m)]


# A page opened shortly before the meeting stays open through it: its «Godkjenn» button
# is there from the start, and pressed too early the text is kept as a draft and the
# holder told when approval opens (finalise).
APPROVE_BUTTON_BEFORE = dt.timedelta(hours=12)


def offers_approval(meeting: Meeting) -> bool:
    return meeting.starts_at <= utcnow() + APPROVE_BUTTON_BEFORE


def shown_details(meeting: Meeting, invited_names: list[str]) -> str:
    """What the meeting page shows of the meeting beside its texts (kind, time, place and
    whom it invites, `invited(...).names` as the page read them: approved minutes keep
    those names, named_at_approval), as one value the approval form carries (finalise)."""
    shown = json.dumps([meeting.kind, meeting.starts_at.isoformat(), meeting.place, invited_names])
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def finalise(by: User, log: Log, meeting: Meeting, form) -> Meeting:
    """Approve the minutes: saves the text on screen first (same version check), then
    makes the minutes immutable. Later changes are corrections (DESIGN.md). Minutes are
    approved at or after the meeting, never before it starts (the text on screen is
    still saved as a draft then). What is approved is what the page showed: its text, and
    its kind, time, place and invited (shown_details); a meeting moved or changed since is
    refused."""
    ensure_open(by, log, meeting)
    if not may_approve_now(meeting):
        if any(k in form for k in TEXT_FIELDS):
            with writing_to(log):
                save_texts(by, log, meeting, form)
        raise LogError(
            _("Referatet kan godkjennes fra møtet starter. Teksten er lagret som utkast."), code="not_started"
        )
    with writing_to(log) as now:
        if any(k in form for k in TEXT_FIELDS):
            meeting, _written = save_texts(by, log, meeting, form)
            seen = meeting.version  # the text on screen, now saved
            # The form's version is the autosave's, one behind while a save is on its way,
            # so it cannot tell a meeting moved from the log page since the page was read:
            # the page's time and place, carried apart, do.
            if form.get("details") != shown_details(meeting, invited(now, meeting).names):
                raise LogError(
                    _(
                        "Møtet er flyttet eller endret i mellomtiden. Se over tid, sted og inviterte, og godkjenn "
                        "referatet på nytt."
                    ),
                    code="stale",
                )
        else:
            seen = sec.form_version(form)  # the version the person approves
        current = Meeting.get_by_id(meeting.id)
        if not (current.minutes or "").strip():
            raise LogError(_("Skriv referatet før du godkjenner det."), field="minutes")
        absent_note = family_absent_note(log, current, form)
        approved = (
            Meeting.update(
                finalised_at=utcnow(),
                finalised_by=by,
                family_absent_note=absent_note,
                version=Meeting.version + 1,
                **named_at_approval(now, current, by),
            )
            .where(Meeting.id == meeting.id, Meeting.version == seen, Meeting.finalised_at.is_null())
            .execute()
        )
        if not approved:  # changed or approved by someone else since it was read
            raise LogError(
                _("Referatet er endret eller godkjent av noen andre i mellomtiden. Last siden på nytt."),
                code="stale",
            )
        audit.record("meeting_finalised", log=log, obj=meeting, user=by)
    return Meeting.get_by_id(meeting.id)


def named_at_approval(log: Log, meeting: Meeting, by: User) -> dict:
    """Whom approved minutes name, as they are at approval, kept with them (a record: the
    holder's later job title or name, a handover or the log's move to another unit, a
    guardian renamed or removed change none of it): the holder as of the meeting (seed 000
    point 4), the log's unit, who approved and whom the meeting invited."""
    holder = queries.holder_on(log, meeting.starts_at)
    return {
        "holder_name": holder.name,
        "holder_job_title": holder.job_title or "",
        "unit_name": Unit.get_by_id(log.unit_id).name,
        "finalised_by_name": by.name,
        # whom it invited, as the meeting page named them to the one who approves
        "invited_as_approved": "\n".join(invited(log, meeting).names),
    }


def add_correction(by: User, log: Log, meeting: Meeting, body: str, *, replay_seconds: int = 0) -> MinutesCorrection:
    """After approval the minutes never change: a correction is appended, with its
    author (their name and job title now, kept with it: a record) and time, and shown
    beside the minutes. replay_seconds: the same correction
    sent twice (a double click) is stored once (sections.REPLAY_SECONDS)."""
    if not can_write(by, log):
        raise Forbidden
    ensure_writable(log)
    if meeting.finalised_at is None:
        raise LogError(_("Referatet er ikke godkjent ennå. Endre teksten direkte."), field="body")
    body = (body or "").strip()
    if not body:
        raise LogError(_("Skriv hva som skal rettes."), field="body")
    if len(body) > MAX_CORRECTION:
        raise LogError(_("Rettelsen kan ha høyst %(n)s tegn.", n=MAX_CORRECTION), field="body")
    prerender(MinutesCorrection, {"body": body})  # not while the write lock is held
    with writing_to(log):
        owner = MinutesCorrection.meeting == meeting.id
        if (earlier := sec.sent_before(MinutesCorrection, owner, by, {"body": body}, replay_seconds)) is not None:
            return earlier
        correction = MinutesCorrection.create(
            meeting=meeting, body=body, author=by, author_name=by.name, author_job_title=by.job_title or ""
        )
        audit.record("meeting_correction_added", log=log, obj=correction, user=by)
    return correction


def corrections(meeting: Meeting) -> list[MinutesCorrection]:
    return list(
        MinutesCorrection.select()
        .where(MinutesCorrection.meeting == meeting)
        .order_by(MinutesCorrection.created_at, MinutesCorrection.id)
    )


def known_names(log: Log) -> list[str]:
    """Names the plain-language checker must not flag as another person: the subject,
    the guardians, the holder and the participants."""
    return [name for _group, name in people_present_choices(log)]
