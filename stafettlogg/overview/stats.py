"""Statistics for area and unit leaders: counts only, never a name (no personal data).

Counts per unit, BTI level and month; a bar chart rendered on the server as inline SVG
(presentation attributes only: the CSP forbids inline styles and scripts).

Small numbers identify a family in a small kindergarten: every count from 1 to 4 is shown
as "<5" (primary suppression), and every published sum is checked so that no hidden cell
can be worked out from it (secondary suppression): see ``protect``."""

import dataclasses
import datetime as dt
import json
import math
import typing

from babel.dates import get_month_names
from flask_babel import get_locale
from markupsafe import Markup, escape
from peewee import JOIN, SQL, Case, fn

from stafettlogg.dates import next_month, utc_start_of
from stafettlogg.db import snapshot, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import domain, states
from stafettlogg.models import (
    Answer,
    Handover,
    Log,
    LogPeriod,
    LogStatus,
    Measure,
    StatisticsSnapshot,
    Unit,
    utcnow,
)
from stafettlogg.windows import Window, page_size, row_id


@dataclasses.dataclass
class UnitCounts:
    unit: Unit
    active: int = 0
    closed: int = 0
    passive: int = 0
    handovers: int = 0
    overdue: int = 0


STATUSES_COUNTED = ("active", "closed", "passive")


def months_back(today: dt.date, count: int = 12) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    out = []
    for _i in range(count):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


def overdue_measures(in_scope, today: dt.date) -> dict[int, int]:
    """Overdue measures (logs.domain.measure_overdue) counted per unit, in the logs in use
    only: a log that waits for a new consent (states.waiting_ids, as the start page and
    the reminders ask) cannot be evaluated in, so its measures are not overdue work. Each
    measure keeps its latest evaluation's date, so this reads the index of measures
    awaiting an evaluation, joined to the active logs, with no subquery per measure:
    counted per log, then the logs' consent gaps read at once."""
    rows = list(
        Measure.select(Log.id, Log.unit, Log.status, fn.COUNT(SQL("*")))
        .join(Log)
        .where(in_scope(Log.unit), domain.measure_overdue(today))
        .group_by(Log.id, Log.unit, Log.status)
        .tuples()
    )
    waiting = states.waiting_ids(
        [Log(id=log_id, unit=unit_id, status=status) for log_id, unit_id, status, _n in rows], today
    )
    per_unit: dict[int, int] = {}
    for log_id, unit_id, _status, count in rows:
        if log_id not in waiting:
            per_unit[unit_id] = per_unit.get(unit_id, 0) + count
    return per_unit


def month_starts(months: list[tuple[int, int]]) -> list[dt.datetime]:
    """When each of ``months`` (consecutive (year, month), oldest first) begins in Norway,
    and when the last one ends, as stored times (naive UTC, dates.utc_start_of): a log
    started at 00:30 on 1 March in Norway (23:30 UTC on 28 February) is March's."""
    return [utc_start_of(dt.date(*month, 1)) for month in [*months, next_month(*months[-1])]]


def month_of(column, starts: list[dt.datetime]):
    """The number of the month (month_starts: 0 the first) a stored time ``column`` falls
    in, in SQL: the same comparisons of instants worked out in Python on either engine
    (SQLite has no time zones), the latest month first. None before the first; the caller
    leaves out the times after the last (per_month)."""
    return Case(None, [(column >= start, number) for number, start in reversed(list(enumerate(starts[:-1])))])


def where_held(query, at, in_scope):
    """``query`` (of logs, or joined to them) with the unit that had the log at ``at``, a
    column of the query, and its rows a unit in scope had then only: (query, unit). The
    one rule of whose a count of a month (or a handover) is: the log's unit when the first
    accepted handover at or after ``at`` was made (Handover.log_unit_id), or its unit now
    if none was. A child who moves school and whose log is handed over leaves the months
    before the move with the school it left; the new school's begin at the handover.

    That handover is a left join (one index lookup per log, no subquery per row), and
    the logs read are those of the units in scope now or handed over from one of them."""
    after = Handover.alias("handed_over_after")
    between = Handover.alias("handed_over_between")
    earlier_after = between.select(SQL("1")).where(
        between.log == Log.id,
        between.status == Answer.ACCEPTED,
        between.decided_at >= at,
        (between.decided_at < after.decided_at) | ((between.decided_at == after.decided_at) & (between.id < after.id)),
    )
    first_after = (after.log == Log.id) & (after.status == Answer.ACCEPTED) & (after.decided_at >= at)
    unit = fn.COALESCE(after.log_unit_id, Log.unit)
    return (
        query.join(after, JOIN.LEFT_OUTER, on=first_after & ~fn.EXISTS(earlier_after)).where(
            in_scope(Log.unit) | Log.id.in_(handed_over_from(in_scope)), in_scope(unit)
        ),
        unit,
    )


def handed_over_from(in_scope):
    """The logs handed over while they were a unit in scope's (Handover.log_unit_id, as
    where_held reads it): with its logs now, every log a unit had at some time."""
    return Handover.select(Handover.log).where(Handover.status == Answer.ACCEPTED, in_scope(Handover.log_unit_id))


def units_held(handovers, unit_now) -> list:
    """where_held's rule for the stretches between one log's accepted handovers (oldest
    first, each with its log_unit_id): the unit that had the log before each of them, then
    its unit now. The unit overview's periods (overview.domain.holder_periods) are these."""
    return [handover.log_unit_id for handover in handovers] + [unit_now]


def held_counts(query, at, in_scope) -> dict[int, int]:
    """Counts of ``query``'s rows by the unit that had the log at ``at`` (where_held)."""
    held, unit = where_held(query, at, in_scope)
    return dict(held.select(unit, fn.COUNT(SQL("*"))).group_by(unit).tuples())


def per_month(query, at, in_scope, months: list[tuple[int, int]]) -> dict[tuple[int, tuple[int, int]], int]:
    """Counts of ``query``'s rows by the month in Norway of ``at`` (month_of), ``months``
    only, and the unit that had the log then (where_held), grouped in the database."""
    starts = month_starts(months)
    held, unit = where_held(query.where(at >= starts[0], at < starts[-1]), at, in_scope)
    # grouped by the selected columns' places: the month's CASE has parameters, and
    # PostgreSQL takes a GROUP BY expression for the selected one only if both are the same text
    rows = held.select(unit, month_of(at, starts), fn.COUNT(SQL("*"))).group_by(SQL("1"), SQL("2")).tuples()
    return {(unit_id, months[number]): count for unit_id, number, count in rows if number is not None}


@snapshot()
def statistics(units: list[Unit], today: dt.date, scope=None) -> dict:
    """Counts for ``units``. ``scope``, a query of those units' ids, is used in the SQL
    instead of a list of every id (an area has hundreds of units: building and sending the
    list cost more than the counting on SQLite). Every query reads one snapshot of the
    database (db.snapshot): a log activated, closed or handed over meanwhile is counted in
    all of them or in none, so every sum published is the sum of its lines.

    The month chart counts a log as "Nye" once, in the month it was first made active (a
    log reopened with a new consent is not a new log, seed 001), and as "Avsluttet" in
    the month of each close, also a close before a reopening (LogPeriod). Each month's
    count, and each handover, is the unit's that had the log then (where_held), not the
    unit it has now: the counts of past months stay as they were when a log moves."""
    ids = [u.id for u in units]
    per_unit = {u.id: UnitCounts(u) for u in units}
    levels = {1: 0, 2: 0, 3: 0}
    # each unit's levels and months too: one unit's statistics (an area leader's ?enhet=)
    # are protected together with the area's, or the area's sum less the units shown
    # would give away the one hidden
    unit_levels = {u.id: dict.fromkeys(levels, 0) for u in units}

    def in_scope(column):
        return column.in_(scope if scope is not None else ids)

    if ids:
        # one row per unit with its three counts side by side (not one row per unit and status)
        counted = [fn.SUM(Case(None, [(Log.status == status, 1)], 0)) for status in STATUSES_COUNTED]
        for unit_id, *counts in (
            Log.select(Log.unit, *counted)
            .where(in_scope(Log.unit), Log.status.in_(STATUSES_COUNTED))
            .group_by(Log.unit)
            .tuples()
        ):
            if unit_id in per_unit:
                for status, count in zip(STATUSES_COUNTED, counts, strict=True):
                    setattr(per_unit[unit_id], status, int(count or 0))
        for unit_id, level, count in (
            Log.select(Log.unit, Log.level, fn.COUNT(SQL("*")))
            .where(in_scope(Log.unit), Log.status == LogStatus.ACTIVE)
            .group_by(Log.unit, Log.level)
            .tuples()
        ):
            levels[level] = levels.get(level, 0) + count
            if unit_id in unit_levels:
                unit_levels[unit_id][level] = unit_levels[unit_id].get(level, 0) + count
        accepted = Handover.select().join(Log).where(Handover.status == Answer.ACCEPTED)
        for unit_id, count in held_counts(accepted, Handover.decided_at, in_scope).items():
            if unit_id in per_unit:
                per_unit[unit_id].handovers = count
        for unit_id, count in overdue_measures(in_scope, today).items():
            if unit_id in per_unit:
                per_unit[unit_id].overdue = count
    months = months_back(today)
    by_month = {m: {"started": 0, "closed": 0, "handovers": 0} for m in months}
    unit_months = {u.id: {m: dict.fromkeys(MONTH_KEYS, 0) for m in months} for u in units}

    def bucket(counts, key):
        for (unit_id, month), count in counts.items():
            if month in by_month:
                by_month[month][key] += count
                if unit_id in unit_months:
                    unit_months[unit_id][month][key] += count

    if ids:
        # "Nye" counts a log once, in the month it was first made active: a log reopened
        # with a new consent is the same child's log taken up again, not a new one (seed
        # 001). "Avsluttet" counts every close, also those before a reopening (LogPeriod):
        # each was a log ended in that month.
        earliest = (
            LogPeriod.select(LogPeriod.log.alias("log_id"), fn.MIN(LogPeriod.started_at).alias("started_at"))
            .group_by(LogPeriod.log)
            .alias("earliest")
        )
        started = fn.COALESCE(earliest.c.started_at, Log.activated_at)
        bucket(
            per_month(
                Log.select().join(earliest, JOIN.LEFT_OUTER, on=(earliest.c.log_id == Log.id)),
                started,
                in_scope,
                months,
            ),
            "started",
        )
        bucket(per_month(Log.select(), Log.closed_at, in_scope, months), "closed")
        bucket(per_month(LogPeriod.select().join(Log), LogPeriod.ended_at, in_scope, months), "closed")
        bucket(per_month(accepted, Handover.decided_at, in_scope, months), "handovers")
    rows = list(per_unit.values())
    totals = UnitCounts(None)
    for row in rows:
        for name in ("active", "closed", "passive", "handovers", "overdue"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    return {
        "units": rows,
        "totals": totals,
        "levels": levels,
        "months": by_month,
        "unit_levels": unit_levels,
        "unit_months": unit_months,
    }


# ---------------------------------------------------------------- kept for a few minutes

SNAPSHOT_SECONDS = 300  # how old the counts on the page may be


@dataclasses.dataclass(frozen=True)
class Scope:
    """Whose statistics: ``key`` names them in the kept snapshot ("area:3", "unit:17"),
    ``unit_ids`` is a query of (or a list of) the units' ids, read only when counting."""

    key: str
    unit_ids: object


def snapshot_key(scope: Scope, today: dt.date) -> str:
    return f"{today.isoformat()}:{scope.key}"


def name_order(name: str) -> str:
    """A unit's place in a list by name, the Norwegian alphabet's (æ, ø, å after z) and the
    same on every database engine (their collations differ)."""
    return name.casefold().translate(_AFTER_Z)


_AFTER_Z = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # the three characters after "z"


def kept_statistics(scope: Scope, today: dt.date) -> tuple[dict, dt.datetime]:
    """The statistics of ``scope`` as they may be shown (``protect``), units by name, as
    counted at most SNAPSHOT_SECONDS ago for the same scope and day, and when they were
    counted. An area's counts read most of its logs, measures and evaluations, and its
    small-number protection goes through every unit: an area leader reads the page again
    and again. Kept in the database (statistics_snapshot), so every app server shares
    them, with the units' names, so a view reads no unit: the page shows a window of the
    units (an area has hundreds). Counting again replaces them."""
    key = snapshot_key(scope, today)
    now = utcnow()
    kept = StatisticsSnapshot.get_or_none(
        (StatisticsSnapshot.key == key)
        & (StatisticsSnapshot.computed_at > now - dt.timedelta(seconds=SNAPSHOT_SECONDS))
    )
    if kept is not None:
        return _decoded(kept), kept.computed_at
    with snapshot():  # the units counted are the units listed
        units = sorted(
            Unit.select(Unit.id, Unit.name).where(Unit.id.in_(scope.unit_ids)), key=lambda u: (name_order(u.name), u.id)
        )
        counted = statistics(units, today, scope.unit_ids)
    kept_counts = _to_json(protect(counted))
    counts = json.dumps(kept_counts)
    with write_transaction():
        StatisticsSnapshot.delete().where(StatisticsSnapshot.computed_at < now - dt.timedelta(days=1)).execute()
        StatisticsSnapshot.insert(key=key, computed_at=now, counts=counts).on_conflict(
            conflict_target=[StatisticsSnapshot.key],
            update={StatisticsSnapshot.computed_at: now, StatisticsSnapshot.counts: counts},
        ).execute()
    return _from_json(kept_counts), now


# Kept snapshots as decoded, by the text the database holds (read on every view): a parse
# of it, never used in its place.
_DECODED: dict[str, dict] = {}
_DECODED_KEPT = 64  # scopes and days a process keeps decoded at once


def _decoded(kept: StatisticsSnapshot) -> dict:
    """``kept``'s counts as the page reads them, decoded once per process: an area's kept
    counts are hundreds of units by month, and decoding them was half of a view's time.
    The dict is shared by the views that read it and not changed by them."""
    data = _DECODED.get(kept.counts)
    if data is None:
        if len(_DECODED) >= _DECODED_KEPT:
            _DECODED.clear()
        data = _DECODED[kept.counts] = _from_json(json.loads(kept.counts))
    return data


class Listed(typing.NamedTuple):
    """A unit of the per-unit table as kept: its id, name and protected counts as stored
    ([value, hidden] per column); ``unit_window`` makes Counts of the units shown only."""

    id: int
    name: str
    cells: list


def _cells(row) -> list:
    return [[getattr(row, name).value, getattr(row, name).hidden] for name in COLUMNS]


def _counts(cells: list) -> dict:
    return {name: Count(value, hidden) for name, (value, hidden) in zip(COLUMNS, cells, strict=True)}


def _to_json(data: dict) -> dict:
    return {
        "units": [[row.unit.id, row.unit.name, _cells(row)] for row in data["units"]],
        "totals": _cells(data["totals"]),
        "levels": {str(level): [c.value, c.hidden] for level, c in data["levels"].items()},
        "months": _months_to_json(data["months"]),
        "unit_levels": {
            str(unit_id): {str(level): [c.value, c.hidden] for level, c in counts.items()}
            for unit_id, counts in data.get("unit_levels", {}).items()
        },
        "unit_months": {
            str(unit_id): _months_to_json(months) for unit_id, months in data.get("unit_months", {}).items()
        },
    }


def _months_to_json(months: dict) -> dict:
    return {
        f"{year}-{month:02d}": {k: [c.value, c.hidden] for k, c in counts.items()}
        for (year, month), counts in months.items()
    }


def _months_from_json(kept: dict) -> dict:
    months = {}
    for month, counts in kept.items():
        year, number = month.split("-")
        months[(int(year), int(number))] = {k: Count(*cell) for k, cell in counts.items()}
    return months


def _from_json(kept: dict) -> dict:
    return {
        "units": [Listed(*unit) for unit in kept["units"]],
        "totals": UnitCounts(None, **_counts(kept["totals"])),
        "levels": {int(level): Count(*cell) for level, cell in kept["levels"].items()},
        "months": _months_from_json(kept["months"]),
        "unit_levels": {
            int(unit_id): {int(level): Count(*cell) for level, cell in counts.items()}
            for unit_id, counts in kept.get("unit_levels", {}).items()
        },
        "unit_months": {
            int(unit_id): _months_from_json(months) for unit_id, months in kept.get("unit_months", {}).items()
        },
    }


def named_like(units: list[Listed], search: str) -> list[Listed]:
    """The units whose name has ``search`` in it, whatever the case."""
    wanted = search.casefold()
    return [unit for unit in units if wanted in unit.name.casefold()]


def unit_window(units: list[Listed], cursor: str | None) -> Window:
    """PAGE_SIZE units of the per-unit table after the unit ``cursor`` (its id; one no
    longer listed, or made up, starts from the top), each a UnitCounts."""
    size = page_size()
    after = row_id(cursor)
    start = next((i + 1 for i, unit in enumerate(units) if unit.id == after), None)
    shown_from = start or 0
    shown = units[shown_from : shown_from + size]
    return Window(
        items=[UnitCounts(unit, **_counts(unit.cells)) for unit in shown],
        total=len(units),
        cursor=cursor if start is not None else None,
        next_cursor=str(shown[-1].id) if shown_from + size < len(units) else None,
    )


# ---------------------------------------------------------------- small-number protection

SMALLEST_SHOWN = 5  # a count from 1 to SMALLEST_SHOWN - 1 is never shown


@dataclasses.dataclass(frozen=True)
class Count:
    """A count as it may be published: the number, or hidden. ``hidden`` is "small" for a
    count from 1 to 4, "sum" for one hidden so that a sum cannot reveal a small one, and
    "few" for a count from 0 to 4 in a line of only small counts and zeros (``suppress``)."""

    value: int
    hidden: str = ""

    def __str__(self) -> str:
        if self.hidden == "small":
            return f"<{SMALLEST_SHOWN}"
        if self.hidden == "sum":
            return _("skjult")
        if self.hidden == "few":
            return f"0–{SMALLEST_SHOWN - 1}"
        return str(self.value)

    @property
    def height(self) -> int:
        """What a chart may draw: nothing for a hidden count."""
        return 0 if self.hidden else self.value


COLUMNS = ("active", "closed", "passive", "handovers", "overdue")
MONTH_KEYS = ("started", "closed", "handovers")


def suppress(cells: dict, lines: list[list]) -> dict:
    """Hide cells so that no published number from 1 to 4 remains and no line (cells whose
    last is the sum of the others) pins down a hidden cell: one hidden cell in a line is
    its sum minus the others, and two "<5" whose visible sum is 2 are both 1. The smallest
    visible non-zero cell of such a line is hidden too, until no line gives one away. A
    line with no such cell (four "<5" whose sum is "<5" are each 1) shows its small counts
    and zeros as "0–4": a part could then be none. Then the lines together: a hidden cell
    that no other table fitting what is published moves (``given_away``) has the nearest
    visible cell hidden with it, one at a time, until every hidden cell could be otherwise."""
    hidden = {key: "small" for key, value in cells.items() if 0 < value < SMALLEST_SHOWN}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _pinned_down(cells, hidden, line):
                continue
            visible = [key for key in line if key not in hidden and cells[key] > 0]
            if visible:
                hidden[min(visible, key=lambda k: cells[k])] = "sum"
                changed = True
            elif few := _small_or_none(cells, hidden, line):
                hidden.update(dict.fromkeys(few, "few"))
                changed = True
        if changed:
            continue
        # Lines that cross (a unit's levels and its active count, each level over the
        # units) can give a hidden cell away together, though none does alone: one
        # more cell hidden at a time, as each may keep others too.
        for key in given_away(cells, lines, hidden):
            visible = _nearest_visible(cells, lines, hidden, key)
            if visible:
                hidden[min(visible, key=lambda k: cells[k])] = "sum"
                changed = True
            elif few := _small_or_none(cells, hidden, [k for line in lines if key in line for k in line]):
                # no count to hide nearby (a table of small counts only): "0–4", as in a line
                hidden.update(dict.fromkeys(few, "few"))
                changed = True
            if changed:
                break
    return {key: Count(value, hidden.get(key, "")) for key, value in cells.items()}


def _small_or_none(cells: dict, hidden: dict, keys: list) -> list:
    """The cells shown as "<5" or as 0 among ``keys``: those "0–4" is shown for."""
    return list(dict.fromkeys(k for k in keys if hidden.get(k) == "small" or (k not in hidden and cells[k] == 0)))


SEARCH_STEPS = 2000  # steps of the search for another table, per hidden cell
SEARCH_DEPTH = 100  # cells one other table may change


def given_away(cells: dict, lines: list[list], hidden: dict) -> list:
    """The hidden cells not shown to be kept: a hidden cell is kept when the published
    table holds as well with it one more or one less, the difference made up by other
    hidden cells, each within what a reader knows of it (``_known``): then the reader
    cannot tell which it is. ``_another_table`` looks for such a table; a cell it finds
    none for within SEARCH_STEPS counts as given away (more is hidden, never less).
    Every cell another table changes is kept by it, so one search often settles many."""
    table = _HiddenLines(cells, lines, hidden)
    kept, away = set(), []
    for key in hidden:
        if key in kept:
            continue
        changed = table.another_table(key)
        if changed:
            kept.update(changed)
        else:
            away.append(key)
    return away


class _HiddenLines:
    """The lines as the search for another table needs them: each line's hidden parts and
    hidden sum (a visible cell never changes), each hidden cell's lines with its sign (+1
    a part, -1 the sum), and what a reader knows of each hidden cell."""

    def __init__(self, cells: dict, lines: list[list], hidden: dict):
        self.cells = cells
        self.lines_of: dict = {}
        members = []
        for number, line in enumerate(lines):
            members.append([(key, 1) for key in line[:-1] if key in hidden])
            if line[-1] in hidden:
                members[-1].append((line[-1], -1))
            for key, sign in members[-1]:
                self.lines_of.setdefault(key, []).append((number, sign))
        # each line's hidden cells, those in the fewest lines first (the fewest to make up)
        self.members = [sorted(cells_in, key=lambda member: len(self.lines_of[member[0]])) for cells_in in members]
        self.bounds = {key: _known(cells, hidden, key) for key in hidden}

    def another_table(self, key) -> dict | None:
        """Changes of one to hidden cells, ``key`` among them, that leave every line's sum
        as published and every cell within what is known of it; None when none is found.
        ``off``: each line whose parts' change differs from its sum's, by how much."""
        changed: dict = {}
        off: dict = {}
        steps = 0

        def change(cell, by: int) -> None:
            changed[cell] = by
            for number, sign in self.lines_of.get(cell, ()):
                off[number] = off.get(number, 0) + sign * by
                if not off[number]:
                    del off[number]

        def undo(cell) -> None:
            change(cell, -changed[cell])
            del changed[cell]

        def may_change(cell, by: int) -> bool:
            low, high = self.bounds[cell]
            return cell not in changed and low <= self.cells[cell] + by <= high

        def settle() -> bool:
            nonlocal steps
            steps += 1
            if steps > SEARCH_STEPS or len(changed) > SEARCH_DEPTH:
                return False
            if not off:
                return True
            number = next(iter(off))
            by = -1 if off[number] > 0 else 1  # a part changed by `by`, or the sum against it
            for cell, sign in self.members[number]:
                if not may_change(cell, by * sign):
                    continue
                change(cell, by * sign)
                if settle():
                    return True
                undo(cell)
            return False

        for first in (1, -1):
            if may_change(key, first):
                change(key, first)
                if settle():
                    return changed
                undo(key)
        return None


def _nearest_visible(cells: dict, lines: list[list], hidden: dict, key) -> list:
    """The visible non-zero cells of the lines through ``key``, or if they have none, of
    the lines through those lines' hidden cells, and so on outwards."""
    reached, seen = {key}, set()
    while True:
        near = [i for i, line in enumerate(lines) if i not in seen and reached.intersection(line)]
        if not near:
            return []
        seen.update(near)
        visible = [k for i in near for k in lines[i] if k not in hidden and cells[k] > 0]
        if visible:
            return visible
        reached = {k for i in near for k in lines[i] if k in hidden}


def _known(cells: dict, hidden: dict, key) -> tuple[float, float]:
    """What a reader knows of a cell: a shown count itself, "<5" 1 to 4, "0–4" 0 to 4,
    "skjult" 5 or more (only a count not small is hidden for a sum's sake)."""
    kind = hidden.get(key)
    if kind == "small":
        return 1, SMALLEST_SHOWN - 1
    if kind == "sum":
        return SMALLEST_SHOWN, math.inf
    if kind == "few":
        return 0, SMALLEST_SHOWN - 1
    return cells[key], cells[key]


def _pinned_down(cells: dict, hidden: dict, line: list) -> bool:
    """Whether the line, its last cell the sum of the others, leaves one of its hidden
    cells a single possible value given what is known of the rest."""
    if sum(1 for key in line if key in hidden) == 1:
        return True
    known = {key: _known(cells, hidden, key) for key in line}
    parts, total = line[:-1], line[-1]
    low = sum(known[k][0] for k in parts)
    unbounded = sum(1 for k in parts if known[k][1] == math.inf)
    high = sum(known[k][1] for k in parts if known[k][1] != math.inf)
    for key in line:
        if key not in hidden:
            continue
        own_low, own_high = known[key]
        if key == total:
            least, most = low, math.inf if unbounded else high
        else:
            # the other parts' bounds: the sums less this part's own (an infinite one counted)
            if own_high == math.inf:
                others_high = math.inf if unbounded > 1 else high
            else:
                others_high = math.inf if unbounded else high - own_high
            least = known[total][0] - others_high
            most = known[total][1] - (low - own_low)
        if max(least, own_low) >= min(most, own_high):
            return True
    return False


def protect(data: dict) -> dict:
    """The statistics as they may be shown and exported: every count a ``Count``.

    Lines, each its last cell the sum of the others: each column of the unit table with
    its sum (the "Sum" row, or the unit itself when only one is shown), and the levels
    table, whose sum is the number of active logs (and so the active column's sum too)."""
    cells, lines = {}, []
    units = data["units"]
    for name in COLUMNS:
        column = []
        for row in units:
            cells[("unit", row.unit.id, name)] = getattr(row, name)
            column.append(("unit", row.unit.id, name))
        cells[("total", name)] = getattr(data["totals"], name)
        lines.append([*column, ("total", name)])
    levels = []
    for level, count in data["levels"].items():
        cells[("level", level)] = count
        levels.append(("level", level))
    lines.append([*levels, ("total", "active")])
    for month, counts in data["months"].items():
        for key, count in counts.items():
            cells[("month", month, key)] = count
    # Several units: each one's levels and months may be shown alone (one_unit), so they
    # are lines with the area's: the area's count is the sum of its units'.
    several = len(units) > 1
    unit_levels = data.get("unit_levels", {}) if several else {}
    unit_months = data.get("unit_months", {}) if several else {}
    for unit_id, counts in unit_levels.items():
        for level, count in counts.items():
            cells[("unit_level", unit_id, level)] = count
        lines.append([*(("unit_level", unit_id, level) for level in counts), ("unit", unit_id, "active")])
    if unit_levels:
        for level in data["levels"]:
            lines.append([*(("unit_level", unit_id, level) for unit_id in unit_levels), ("level", level)])
    for unit_id, months in unit_months.items():
        for month, counts in months.items():
            for key, count in counts.items():
                cells[("unit_month", unit_id, month, key)] = count
    if unit_months:
        for month, counts in data["months"].items():
            for key in counts:
                lines.append([*(("unit_month", unit_id, month, key) for unit_id in unit_months), ("month", month, key)])
    shown = suppress(cells, lines)
    out_units = [
        UnitCounts(row.unit, **{name: shown[("unit", row.unit.id, name)] for name in COLUMNS}) for row in units
    ]
    return {
        "units": out_units,
        "totals": UnitCounts(None, **{name: shown[("total", name)] for name in COLUMNS}),
        "levels": {level: shown[("level", level)] for level in data["levels"]},
        "months": {m: {k: shown[("month", m, k)] for k in counts} for m, counts in data["months"].items()},
        "unit_levels": {
            unit_id: {level: shown[("unit_level", unit_id, level)] for level in counts}
            for unit_id, counts in unit_levels.items()
        },
        "unit_months": {
            unit_id: {m: {k: shown[("unit_month", unit_id, m, k)] for k in counts} for m, counts in months.items()}
            for unit_id, months in unit_months.items()
        },
    }


def one_unit(data: dict, unit_id: int) -> dict:
    """One unit of an area's kept statistics as the page shows it alone: its row, its
    levels and months as protected together with the area's (``protect``), so that the
    area's numbers less the units' never give away a hidden one."""
    row = next(unit for unit in data["units"] if unit.id == unit_id)
    return {
        "units": [row],
        "totals": UnitCounts(None, **_counts(row.cells)),
        "levels": data["unit_levels"][unit_id],
        "months": data["unit_months"][unit_id],
        "unit_levels": {},
        "unit_months": {},
    }


def month_abbr() -> tuple[str, ...]:
    """The twelve months' short names in the reader's language (CLDR, through Babel): «jan»
    … «des» in bokmål and nynorsk."""
    return tuple(get_month_names("abbreviated", context="stand-alone", locale=get_locale()).values())


SERIES = (("started", "#1f5f8b"), ("closed", "#8a4b08"))


def month_chart(by_month: dict, labels: dict, title: str) -> Markup:
    """A grouped bar chart (logs started and closed per month) as inline SVG, drawn from
    protected counts (``protect``): a hidden count gets no bar, only its "<5" label, and the
    axis is marked in fives so that no label is a small number. The same numbers are in
    the table next to it."""
    width, height, left, bottom, top = 720, 260, 36, 40, 16
    months = list(by_month)
    peak = max([0] + [by_month[m][k].height for m in months for k, _c in SERIES])
    names = month_abbr()
    peak = max(SMALLEST_SHOWN, math.ceil(peak / (2 * SMALLEST_SHOWN)) * 2 * SMALLEST_SHOWN)
    step = (width - left - 8) / len(months)
    bar = step / (len(SERIES) + 1)
    plot = height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-labelledby="chart-title chart-desc" focusable="false">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(labels["desc"])}</desc>',
    ]
    for tick in sorted({0, peak // 2 if peak % (2 * SMALLEST_SHOWN) == 0 else 0, peak}):
        y = top + plot - plot * tick / peak
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8ccd2" stroke-width="1"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="#333">{tick}</text>')
    for i, (year, month) in enumerate(months):
        x0 = left + i * step + bar / 2
        for j, (key, colour) in enumerate(SERIES):
            value = by_month[(year, month)][key]
            h = plot * value.height / peak
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{top + plot - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(labels[key])} {names[month - 1]} {year}: {escape(value)}</title></rect>'
            )
            if value.hidden:
                parts.append(
                    f'<text x="{x0 + j * bar + bar / 2:.1f}" y="{top + plot - 3}" text-anchor="middle" font-size="9" '
                    f'fill="{colour}">{escape(value)}</text>'
                )
        parts.append(
            f'<text x="{x0 + bar:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="12" fill="#333">'
            f"{names[month - 1]}</text>"
        )
    for j, (key, colour) in enumerate(SERIES):
        x = left + j * 160
        parts.append(f'<rect x="{x}" y="{height - 14}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="{height - 4}" font-size="12" fill="#333">{escape(labels[key])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text put into the SVG is escaped above
