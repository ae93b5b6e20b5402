"""The unit overview per school/kindergarten year (seed 000, the form "Oversikt over
stafettholder og (barne-) koordinator"): metadata only, never a log's content."""

import bisect
import dataclasses
import datetime as dt
import json
import typing

from peewee import JOIN

from stafettlogg import audit, labels, sealed
from stafettlogg.dates import local, local_today, school_year_days, school_year_of, utc_start_of
from stafettlogg.db import once_per_request, prepared, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import states
from stafettlogg.logs.class_groups import class_group_in
from stafettlogg.models import (
    Answer,
    CoordinatorRecord,
    ExternalCoordination,
    Handover,
    Log,
    LogPeriod,
    LogStatus,
    Subject,
    Unit,
    User,
)
from stafettlogg.overview.stats import handed_over_from, units_held
from stafettlogg.windows import Window, page_size

VISIBLE_STATUSES = (LogStatus.ACTIVE, *LogStatus.ENDED)
ACCEPTED = Answer.ACCEPTED


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """When the school year begins and the next one does, in Norway, as stored times
    (naive UTC): a log closed at 00:30 on 1 August in Norway is the new year's."""
    first, next_first = school_year_days(year)
    return utc_start_of(first), utc_start_of(next_first)


def year_label(year: int) -> str:
    return f"{year}/{year + 1}"


def person_text(name: str, service: str) -> str:
    """ "Kari Ottesen, kontaktlærer" — the form's "navn og tilhørighet"."""
    name, service = (name or "").strip(), (service or "").strip()
    return f"{name}, {service}" if name and service else name or service


def child_key(name: str) -> str:
    return " ".join((name or "").lower().split())


def same_child(name_a, birth_a, name_b, birth_b) -> bool:
    if child_key(name_a) != child_key(name_b):
        return False
    return birth_a is None or birth_b is None or birth_a == birth_b


class Children:
    """Rows found by the child (same_child): the first row added for the child, looked up
    by name instead of by going through every row for each of KE's decisions."""

    def __init__(self, rows=()):
        self.by_name: dict[str, list] = {}
        for row in rows:
            self.add(row)

    def add(self, row) -> None:
        self.by_name.setdefault(child_key(row.child_name), []).append(row)

    def find(self, name: str, birth: dt.date | None):
        same_name = self.by_name.get(child_key(name), ())
        return next((row for row in same_name if row.matches(name, birth)), None)


@dataclasses.dataclass
class Period:
    """A stretch of time one holder in one unit had the log."""

    holder_id: int
    unit_id: int | None
    start: dt.datetime
    end: dt.datetime | None  # None: still running
    closes: bool = False  # it ends where the log's period of use ended: the log was closed
    current: bool = True  # in the log's period of use now (or its last), not one before a reopening
    koordinator: str = ""  # of a period before a reopening: the koordinator the log had then


@dataclasses.dataclass
class OverviewRow:
    child_name: str
    birth_date: dt.date | None = None
    class_group: str = ""
    holder: str = ""
    koordinator: str = ""
    barnekoordinator: str = ""
    ke_koordinator: str = ""
    ke_barnekoordinator: str = ""
    records_kept_in: str = ""
    guardians_informed_on: dt.date | None = None
    source: str = "log"  # log, external, ke
    log_id: int | None = None
    external_id: int | None = None
    record_id: int | None = None  # KE's decision of a row only KE knows
    status: str = ""
    holder_id: int | None = None  # the holder's name is read for the rows shown (with_details)
    log_unit_id: int | None = None  # the log's own unit (its consent must cover it)
    moved_in_on: dt.date | None = None
    moved_out_on: dt.date | None = None
    closed_on: dt.date | None = None

    @property
    def koordinator_shown(self) -> str:
        return self.koordinator or self.ke_koordinator

    @property
    def barnekoordinator_shown(self) -> str:
        return self.barnekoordinator or self.ke_barnekoordinator

    def matches(self, name, birth) -> bool:
        return same_child(self.child_name, self.birth_date, name, birth)

    @property
    def sort_key(self) -> tuple:
        """Class/group, then the child's name; the source and id keep the order total
        (a keyset for the window)."""
        number = self.log_id or self.external_id or self.record_id or 0
        return (self.class_group.lower(), child_key(self.child_name), SOURCE_RANK.get(self.source, 3), number)


SOURCE_RANK = {"log": 0, "external": 1, "ke": 2}


def use_periods(log, earlier=()) -> list[tuple[dt.datetime, dt.datetime | None, bool, str]]:
    """The stretches of time the log was in use, oldest first, as (start, end, current,
    the koordinator it had when a period before a reopening ended):
    the periods before it was reopened (LogPeriod rows, or anything with started_at and
    ended_at), then its own from its activation, ended at its close if it has ended. A
    draft (never activated, or reopened and waiting for the new consent) has none of its
    own. A period's end is None while it runs."""
    periods = [
        (p.started_at, p.ended_at, False, person_text(p.coordinator_name, p.coordinator_service))
        for p in sorted(earlier, key=lambda p: p.started_at)
    ]
    if log.status != LogStatus.DRAFT:
        start = log.activated_at or log.created_at
        # a log in use is running even if an earlier closing date were still recorded
        end = log.closed_at if log.status in LogStatus.ENDED else None
        periods.append((min(start, end) if end else start, end, True, ""))
    return periods


def holder_periods(log, handovers: list, earlier=()) -> list[Period]:
    """The log's holders over time inside its periods of use (use_periods), from its
    accepted handovers (seed 002: the role moves only when the new holder accepts), each
    in the unit whose log it was then, as the statistics count it (stats.units_held): the
    log's own unit when the holder handed it on, not the holder's. A school's log held for
    a while by the public-health nurse stays the school's; the child moves in or out only
    when the log moves to another unit. A handover made while the log was ended (a
    takeover that reopened it) changes the holder between two periods of use. A handover
    is a Handover with its from_user, or a HandoverStep (what the overview reads)."""
    accepted = sorted(
        (h for h in handovers if h.status == ACCEPTED and h.decided_at is not None), key=lambda h: h.decided_at
    )
    # holder i held the log from bounds[i] to bounds[i + 1] (None: without limit)
    holders = list(
        zip([h.from_user_id for h in accepted] + [log.holder_id], units_held(accepted, log.unit_id), strict=True)
    )
    bounds = [None, *(h.decided_at for h in accepted), None]
    periods = []
    for start, end, current, koordinator in use_periods(log, earlier):
        for i, (holder_id, unit_id) in enumerate(holders):
            held_from, held_to = bounds[i], bounds[i + 1]
            last = held_to is None or (end is not None and held_to >= end)
            if not last and held_to <= start:
                continue  # handed on before this period of use began
            period_start = start if held_from is None else max(start, held_from)
            period_end = end if last else held_to
            if last or period_end > period_start:
                closes = last and end is not None
                periods.append(Period(holder_id, unit_id, period_start, period_end, closes, current, koordinator))
            if last:
                break
    return periods


@dataclasses.dataclass(frozen=True)
class HandoverStep:
    """An accepted handover as the overview needs it: when, who handed it over, and the
    log's own unit then (Handover.log_unit_id)."""

    decided_at: dt.datetime
    from_user_id: int
    log_unit_id: int | None
    status: str = ACCEPTED


def _date(value: dt.datetime | None) -> dt.date | None:
    """The date in Norway of a stored (naive UTC) time."""
    return local(value).date() if value else None


def _kept_labels():
    """Where the records are kept, as a function of the key, each text translated once
    (a unit's overview asks for the same few texts for hundreds of rows)."""
    table = {key: str(value) for key, value in labels.RECORD_LOCATIONS.items()}
    return lambda key: table.get(key, key)


def _shown_logs(unit_id: int, year: int) -> tuple:
    """The conditions of the logs the unit's overview shows for the year: in use at some
    time in it (made active before the year ended and not ended before it began, or in a
    period of use before it was reopened that overlaps the year: a reopened log, also one
    that waits for its new consent, stays in the years it was in use), and the unit's now
    or handed over while it was the unit's (stats.handed_over_from: the log's unit then,
    neither the giver's unit now nor the unit a service held a school's log from)."""
    start, end = year_bounds(year)
    moved = handed_over_from(lambda column: column == unit_id)
    in_use_before = LogPeriod.select(LogPeriod.log).where(
        LogPeriod.started_at < end, LogPeriod.ended_at.is_null() | (LogPeriod.ended_at >= start)
    )
    in_use_now = (
        Log.status.in_(VISIBLE_STATUSES)
        & Log.activated_at.is_null(False)
        & (Log.activated_at < end)
        & ((Log.status == LogStatus.ACTIVE) | Log.closed_at.is_null() | (Log.closed_at >= start))
    )
    return (
        in_use_now | Log.id.in_(in_use_before),
        # a UNION of two index lookups: an OR of the two makes PostgreSQL scan every log
        Log.id.in_(Log.select(Log.id).where(Log.unit == unit_id) | moved),
    )


@prepared
def _unit_logs(unit_id: int, *, year: int):
    """The logs the overview shows, in one read (prepared, db.Prepared: built once per
    process and year, the unit's id in its places), each with the class/group recorded in
    the unit that year (year_class_group), once per accepted handover of the log (its time,
    giver and the log's unit then), or once with none: the logs' condition is
    evaluated once, not again for their handovers and class/groups."""
    return (
        Log.select(
            Log.id,
            Log.unit.alias("unit_id"),
            Log.holder.alias("holder_id"),
            Log.status,
            Log.class_group,
            Log.guardians_informed_on,
            Log.records_kept_in,
            Log.coordinator_name,
            Log.coordinator_service,
            Log.created_at,
            Log.activated_at,
            Log.closed_at,
            Subject.name.alias("child_name"),
            Subject.birth_date.alias("birth_date"),
            class_group_in(unit_id, year, Log.id).alias("year_class_group"),
            Handover.decided_at.alias("handed_over_at"),
            Handover.from_user.alias("handed_over_by"),
            Handover.log_unit_id.alias("handed_over_in"),
        )
        .join(Subject)
        .switch(Log)
        .join(Handover, JOIN.LEFT_OUTER, on=(Handover.log == Log.id) & (Handover.status == ACCEPTED))
        .where(*_shown_logs(unit_id, year))
        .order_by(Log.id, Handover.decided_at, Handover.id)  # a log's handovers in where_held's order
        .namedtuples()
    )


@prepared
def _earlier_periods(unit_id: int, *, year: int):
    """The periods of use before a reopening of the logs the overview shows (its second
    read): one query with the logs' condition, not one per so many of the logs' ids (a
    unit's year of logs would make the page's queries grow with it)."""
    return (
        LogPeriod.select(
            LogPeriod.log,
            LogPeriod.started_at,
            LogPeriod.ended_at,
            LogPeriod.coordinator_name,
            LogPeriod.coordinator_service,
        )
        .where(LogPeriod.log.in_(Log.select(Log.id).where(*_shown_logs(unit_id, year))))
        .order_by(LogPeriod.log, LogPeriod.started_at)
    )


def _with_handovers(rows) -> list[tuple]:
    """_unit_logs' rows as (log, its accepted handovers): one log per row or more."""
    logs: list[tuple] = []
    for row in rows:
        if not logs or logs[-1][0].id != row.id:
            logs.append((row, []))
        if row.handed_over_at is not None:
            logs[-1][1].append(HandoverStep(row.handed_over_at, row.handed_over_by, row.handed_over_in))
    return logs


def _log_rows(unit: Unit, year: int) -> list[OverviewRow]:
    """The unit's log rows for the year, without the holder's name and the consent state
    (``with_details`` adds them to the rows shown): the columns the rows, their order and
    the reconciliation need, read as tuples (no model objects)."""
    start, end = year_bounds(year)
    rows = []
    kept_label = _kept_labels()
    logs = _with_handovers(_unit_logs.rows(unit.id, year=year))
    earlier: dict[int, list] = {}
    for period in _earlier_periods.rows(unit.id, year=year):
        earlier.setdefault(period.log_id, []).append(period)
    for log, handovers in logs:
        periods = holder_periods(log, handovers, earlier.get(log.id, ()))
        in_year = [
            (i, p)
            for i, p in enumerate(periods)
            if p.unit_id == unit.id and p.start < end and (p.end is None or p.end >= start)
        ]
        if not in_year:
            continue
        first_i, first = in_year[0]
        last_i, last = in_year[-1]
        row = OverviewRow(
            child_name=log.child_name,
            birth_date=log.birth_date,
            # the class/group recorded in this unit that year; after a move the log's own
            # class/group belongs to the new unit
            class_group=log.year_class_group or (log.class_group if log.unit_id == unit.id else ""),
            koordinator=person_text(log.coordinator_name, log.coordinator_service),
            records_kept_in=kept_label(log.records_kept_in),
            guardians_informed_on=log.guardians_informed_on,
            source="log",
            log_id=log.id,
            status=log.status,
            holder_id=last.holder_id,
            log_unit_id=log.unit_id,
        )
        if first_i > 0 and periods[first_i - 1].unit_id != unit.id and first.start >= start:
            row.moved_in_on = _date(first.start)
        moved_on = last_i + 1 < len(periods) and periods[last_i + 1].unit_id != unit.id
        if moved_on:  # in this year or a later one: what came after is the new unit's
            _as_it_left(row)
        if not last.current:  # the log as it was then: closed, before it was reopened
            row.status = LogStatus.CLOSED
            if not moved_on:  # with the koordinator it had when it was closed then
                row.koordinator = last.koordinator
        if last.closes and last.end < end:
            row.closed_on = _date(last.end)
        elif moved_on and last.end and last.end < end:
            row.moved_out_on = _date(last.end)
        rows.append(row)
    return rows


def _as_it_left(row: OverviewRow) -> None:
    """A log that moved on to another unit is shown to the unit it left as it left: what
    happened after the move is the new unit's. Its state (waiting for a new consent that
    covers the new unit) is not this unit's to know, and its koordinator is appointed when
    the log is closed, by the holder it had then, never while it was here. The date the
    guardians were told belongs to the holder who recorded it (a handover clears it): the
    log's is the new holder's, and so is where the new holder keeps the invitations and
    minutes (records_kept_in)."""
    row.status = ""
    row.koordinator = ""
    row.records_kept_in = ""
    row.guardians_informed_on = None


@prepared
def _externals(unit_id: int, *, year: int):
    """The children the unit registered as coordinated outside Stafettlogg that year."""
    return ExternalCoordination.select().where(
        ExternalCoordination.unit == unit_id, ExternalCoordination.school_year == year
    )


def _external_rows(unit: Unit, year: int) -> list[OverviewRow]:
    kept_label = _kept_labels()
    return [
        OverviewRow(
            child_name=ext.child_name,
            class_group=ext.class_group,
            holder=ext.holder,
            koordinator=ext.koordinator,
            barnekoordinator=ext.barnekoordinator,
            records_kept_in=", ".join(x for x in (kept_label(ext.records_kept_in), ext.records_note) if x),
            guardians_informed_on=ext.guardians_informed_on,
            source="external",
            external_id=ext.id,
        )
        for ext in _externals.rows(unit.id, year=year)
    ]


# seed 003: «Kommunens plikt til å oppnevne barnekoordinator gjelder frem til barnet fyller 18 år»
BARNEKOORDINATOR_UNTIL_AGE = 18


def in_force_in(year: int):
    """The condition on KE's decisions in force in the school year: granted, decided
    before it ended, not ended before it began (ended_on), and a barnekoordinator only
    while the child is under 18 when it begins."""
    first_day, next_first_day = school_year_days(year)
    born_after = first_day.replace(year=first_day.year - BARNEKOORDINATOR_UNTIL_AGE)
    return (
        (CoordinatorRecord.decision == "granted")
        & (CoordinatorRecord.decided_on < next_first_day)
        & (CoordinatorRecord.ended_on.is_null() | (CoordinatorRecord.ended_on >= first_day))
        & (
            (CoordinatorRecord.kind != "barnekoordinator")
            | CoordinatorRecord.birth_date.is_null()
            | (CoordinatorRecord.birth_date > born_after)
        )
    )


@once_per_request
def ke_records_for(unit: Unit, year: int, informed_only: bool = False) -> list[CoordinatorRecord]:
    """KE's decisions for children of the unit in force in the school year (in_force_in).
    Read once per request: the overview's rows and its June differences share them."""
    return list(_ke_records.rows(unit.id, year=year, informed_only=informed_only))


@prepared
def _ke_records(unit_id: int, *, year: int, informed_only: bool):
    query = CoordinatorRecord.select().where(CoordinatorRecord.unit == unit_id, in_force_in(year))
    if informed_only:
        query = query.where(CoordinatorRecord.informed_at.is_null(False))
    return query.order_by(CoordinatorRecord.decided_on)


@once_per_request
def overview_rows(unit: Unit, year: int) -> list[OverviewRow]:
    """Every child in the unit who had a holder, a koordinator or a barnekoordinator in the
    year, in the form's order (class/group, then name), without the holder's name and the
    consent state (``with_details``). KE's decisions appear only once KE has informed the
    unit with the family's consent (seed 000, point 3). Read once per request: the page's
    table, its count and its June reconciliation share it."""
    rows = _log_rows(unit, year) + _external_rows(unit, year)
    children = Children(rows)
    for record in ke_records_for(unit, year, informed_only=True):
        person = person_text(record.person_name, record.person_service)
        row = children.find(record.child_name, record.birth_date)
        if row is None:
            row = OverviewRow(
                child_name=record.child_name,
                birth_date=record.birth_date,
                class_group=record.class_group,
                source="ke",
                record_id=record.id,
            )
            rows.append(row)
            children.add(row)
        if record.kind == "barnekoordinator":
            row.ke_barnekoordinator = person
        else:
            row.ke_koordinator = person
        row.class_group = row.class_group or record.class_group
    rows.sort(key=lambda r: r.sort_key)
    return rows


class _LogState(typing.NamedTuple):
    """What states.consent_gaps reads of a log."""

    id: int
    status: str
    unit_id: int | None


def with_details(rows: list[OverviewRow]) -> list[OverviewRow]:
    """Copies of ``rows`` with the holder's name and "Venter på nytt samtykke": two queries
    for the holders and the consent state of these rows' logs only."""
    rows = [dataclasses.replace(row) for row in rows]
    holder_ids = {row.holder_id for row in rows if row.holder_id}
    holders = {u.id: u for u in _holders.rows_in_parts(sorted(holder_ids))}
    active = [
        _LogState(row.log_id, row.status, row.log_unit_id)
        for row in rows
        if row.source == "log" and row.status == LogStatus.ACTIVE
    ]
    waiting = states.waiting_ids(active)  # "Venter på nytt samtykke": derived from the consent
    for row in rows:
        holder = holders.get(row.holder_id)
        if holder is not None:
            row.holder = person_text(holder.name, holder.job_title)
        if row.log_id in waiting:
            row.status = states.WAITING
    return rows


@prepared
def _holders(*user_ids: int):
    """The names and job titles of the holders of the rows shown."""
    return User.select(User.id, User.name, User.job_title).where(User.id.in_(list(user_ids)))


def unit_overview(unit: Unit, year: int) -> list[OverviewRow]:
    """The whole overview with every detail (the exports)."""
    return with_details(overview_rows(unit, year))


CURSOR_KEY = (b"stafettlogg-cursor", b"unit-overview")


def encode_cursor(row: OverviewRow) -> str:
    """The row's place in the overview's order, sealed: the order is by class and name,
    and a child's name must not stand in a URL (browser history, logs)."""
    return sealed.seal(json.dumps(row.sort_key, ensure_ascii=False), *CURSOR_KEY)


def decode_cursor(cursor: str | None) -> tuple | None:
    """A cursor as encode_cursor writes it; anything else starts from the top."""
    text = sealed.unseal(cursor or "", *CURSOR_KEY)
    if text is None:
        return None
    try:
        class_key, name_key, rank, number = json.loads(text)
    except (ValueError, TypeError, RecursionError):
        return None
    if isinstance(class_key, str) and isinstance(name_key, str) and type(rank) is int and type(number) is int:
        return (class_key, name_key, rank, number)
    return None


def overview_window(rows: list[OverviewRow], cursor: str | None) -> Window:
    """PAGE_SIZE rows of the overview after ``cursor`` (a keyset on the rows' order, so a
    row added or removed meanwhile neither repeats nor skips one), with their details."""
    size = page_size()
    after = decode_cursor(cursor)
    start = 0
    if after is not None:
        start = bisect.bisect_right([row.sort_key for row in rows], after)
    shown = rows[start : start + size]
    more = encode_cursor(shown[-1]) if start + size < len(rows) else None
    return Window(
        items=with_details(shown),
        total=len(rows),
        cursor=cursor if after is not None else None,
        next_cursor=more,
    )


def concerns_year(year: int):
    """The condition on KE's decisions that concern the school year: in force in it
    (in_force_in), or refused in it."""
    first_day, next_first_day = school_year_days(year)
    refused_in_the_year = (
        (CoordinatorRecord.decision == "refused")
        & (CoordinatorRecord.decided_on >= first_day)
        & (CoordinatorRecord.decided_on < next_first_day)
    )
    return in_force_in(year) | refused_in_the_year


def informed_decisions(unit: Unit, year: int) -> list[CoordinatorRecord]:
    """What KE has told the unit that concerns the school year, newest first."""
    return list(_informed_decisions.rows(unit.id, year=year))


@prepared
def _informed_decisions(unit_id: int, *, year: int):
    return (
        CoordinatorRecord.select()
        .where(CoordinatorRecord.unit == unit_id, CoordinatorRecord.informed_at.is_null(False), concerns_year(year))
        .order_by(CoordinatorRecord.informed_at.desc())
    )


def latest_year_showing(record: CoordinatorRecord) -> int:
    """The latest school year, up to this one, whose overview shows the decision (the
    year a refusal was made; the last year a grant was in force), where the unit is sent
    to see which child it concerns; the year it was decided when none does."""
    decided = school_year_of(record.decided_on)
    for year in range(current_school_year(), decided - 1, -1):
        if CoordinatorRecord.select().where(CoordinatorRecord.id == record.id, concerns_year(year)).exists():
            return year
    return decided


# ---------------------------------------------------------------- external coordination

EXTERNAL_FIELDS = (
    "child_name",
    "class_group",
    "holder",
    "koordinator",
    "barnekoordinator",
    "records_kept_in",
    "records_note",
)


def clean_external(form, parse_date) -> tuple[dict, dict]:
    """Values and errors (Norwegian, per field) from a posted form."""
    values = {name: (form.get(name) or "").strip() for name in EXTERNAL_FIELDS}
    errors = {}
    if not values["child_name"]:
        errors["child_name"] = _("Skriv navnet på barnet eller eleven.")
    if not (values["holder"] or values["koordinator"] or values["barnekoordinator"]):
        errors["holder"] = _("Skriv stafettholder, koordinator eller barnekoordinator.")
    if values["records_kept_in"] and values["records_kept_in"] not in labels.RECORD_LOCATIONS:
        errors["records_kept_in"] = _("Velg hvor innkallinger og referater ligger.")
    for name, limit in (("child_name", 200), ("class_group", 100), ("holder", 200), ("koordinator", 200),
                        ("barnekoordinator", 200), ("records_note", 200)):  # fmt: skip
        if len(values[name]) > limit:
            errors[name] = _("Teksten er for lang (høyst %(n)s tegn).", n=limit)
    informed = (form.get("guardians_informed_on") or "").strip()
    values["guardians_informed_on"] = None
    if informed:
        try:
            values["guardians_informed_on"] = parse_date(informed)
        except ValueError:
            errors["guardians_informed_on"] = _("Skriv datoen som dd.mm.åååå.")
        else:
            if values["guardians_informed_on"] > local_today():
                errors["guardians_informed_on"] = _("Datoen kan ikke være fram i tid.")
    return values, errors


def add_external(unit: Unit, year: int, by: User, values: dict) -> ExternalCoordination:
    """Seed 000: the unit's form lists every child with a holder or (barne-)koordinator,
    also those whose coordination is held outside Stafettlogg."""
    with write_transaction():
        ext = ExternalCoordination.create(unit=unit, school_year=year, created_by=by, **values)
        audit.record("external_coordination_create", obj=ext, user=by)
    return ext


class ExternalConflict(Exception):
    """The row was changed (or removed) by someone else since the form was opened."""


def update_external(ext: ExternalCoordination, by: User, values: dict, version: int) -> ExternalCoordination:
    """Optimistic locking: the unit leader and an ITO-koordinator may have the same row
    open; a save made on a version no longer current changes nothing and raises."""
    with write_transaction():
        changed = (
            ExternalCoordination.update(version=ExternalCoordination.version + 1, **values)
            .where(ExternalCoordination.id == ext.id, ExternalCoordination.version == version)
            .execute()
        )
        if not changed:
            raise ExternalConflict(
                _("Noen andre har endret dette barnet i oversikten samtidig. Endringene dine er ikke lagret.")
            )
        audit.record("external_coordination_update", obj=ext, user=by)
    return ExternalCoordination.get_by_id(ext.id)


def remove_external(ext: ExternalCoordination, by: User) -> None:
    with write_transaction():
        audit.record("external_coordination_delete", obj=ext, user=by)
        ExternalCoordination.delete().where(ExternalCoordination.id == ext.id).execute()


def current_school_year() -> int:
    return school_year_of(local_today())
