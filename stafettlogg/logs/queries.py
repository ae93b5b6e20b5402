"""Read-side queries. A fixed number of queries per page, whatever the data: joins and
prefetch, never a query per row (DEVELOPERS.md "Speed is a feature")."""

import datetime as dt
import functools
from dataclasses import replace

from flask import g, has_request_context
from flask_babel import get_locale
from peewee import Case, Tuple, fn

from stafettlogg import languages
from stafettlogg.access import held_by, log_with_people, of_consent_age
from stafettlogg.dates import local_today
from stafettlogg.db import Prepared, known, once_per_request, prepared
from stafettlogg.logs import domain, states, talks
from stafettlogg.logs.domain import consents_expiring, current_consent
from stafettlogg.logs.ip_prompt import ip_prompt
from stafettlogg.logs.sections import SECTIONS
from stafettlogg.models import (
    YOUTH_RELATION,
    Answer,
    Area,
    ChildTalk,
    Consent,
    DeletionRequest,
    Entry,
    Evaluation,
    Guardian,
    Handover,
    Highlight,
    Log,
    LogStatus,
    LogTombstone,
    Measure,
    Meeting,
    MinutesCorrection,
    Participant,
    Subject,
    Unit,
    User,
)
from stafettlogg.takeover import domain as requests
from stafettlogg.windows import Window, dated_window, newest_first, page_size, row_id

Author = User.alias("author")


def byline_columns(user):
    """The columns of a user that an item's byline names: not the whole account row
    (password hash, second factor), which costs time to read on every item and is not shown."""
    return (user.id, user.name, user.job_title)


def load_log(log_id: int) -> Log:
    """The log with its child, unit and holder (DoesNotExist if there is none): the
    request's log as the access check read it (access._log_of_request), unless a write
    transaction has come since."""
    log = known(("log", log_id)) or _listed_log.first(log_id)
    if log is None:
        raise Log.DoesNotExist(log_id)
    return log


@prepared
def _listed_log(log_id: int):
    return log_with_people().where(Log.id == log_id).limit(1)


def _with_author(model):
    return model.select(model, *byline_columns(Author)).join(Author, on=(model.author == Author.id))


# A measure shows its latest evaluations; the rest on asking («Vis alle evalueringene»).
EVALUATIONS_SHOWN = 3


# What is read of each evaluation, by who reads it: the log page (with the author's
# byline), the archive copy (all of it) and the guardians' view (never the author).
EVALUATION_COLUMNS = {
    "log_page": lambda: (
        Evaluation.id,
        Evaluation.evaluated_on,
        Evaluation.what_worked_html,
        Evaluation.decision,
        *byline_columns(User),
    ),
    "archive": lambda: (Evaluation, *byline_columns(User)),
    "family": lambda: (Evaluation.evaluated_on, Evaluation.what_worked, Evaluation.decision),
}


def with_evaluations(measures: list[Measure], view: str, expanded: int | None = None, whole: bool = False) -> list:
    """Each measure with its latest EVALUATIONS_SHOWN evaluations (all of them for the
    measure `expanded`, or for every measure with whole), oldest first, as
    measure.evaluations, and how many it has in all as measure.evaluation_count: one
    query, whatever the log's age; a prepared read (db.Prepared) but with whole. view:
    what to read of each evaluation (EVALUATION_COLUMNS)."""
    for measure in measures:
        measure.evaluations, measure.evaluation_count = [], 0
    if not measures:
        return measures
    by_id = {m.id: m for m in measures}
    ids = list(by_id)
    if whole or len(ids) + 1 > Prepared.MAX_IDS:
        rows = _evaluations(ids, view, expanded or 0, whole)
    else:  # expanded is its last id (0: none)
        rows = _latest_evaluations.rows(*ids, expanded or 0, view=view)
    for evaluation in rows:
        measure = by_id[evaluation.measure_id]
        measure.evaluations.append(evaluation)
        measure.evaluation_count = evaluation.in_measure
    return measures


@prepared
def _latest_evaluations(*ids: int, view: str):
    return _evaluations(list(ids[:-1]), view, ids[-1], whole=False)


def _evaluations(measure_ids: list, view: str, expanded: int, whole: bool):
    newest_first = [Evaluation.evaluated_on.desc(), Evaluation.id.desc()]
    rank = fn.ROW_NUMBER().over(partition_by=[Evaluation.measure], order_by=newest_first)
    ranked = (
        Evaluation.select(Evaluation.id, Evaluation.measure, rank.alias("rank"))
        .where(Evaluation.measure.in_(measure_ids))
        .alias("ranked")
    )
    shown = Evaluation.select(ranked.c.id).from_(ranked)
    if not whole:
        shown = shown.where((ranked.c.rank <= EVALUATIONS_SHOWN) | (ranked.c.measure_id == expanded))
    other = Evaluation.alias("counted")
    in_measure = other.select(fn.COUNT(other.id)).where(other.measure == Evaluation.measure)
    columns = EVALUATION_COLUMNS[view]()
    query = Evaluation.select(Evaluation.measure, *columns, in_measure.alias("in_measure"))
    if any(getattr(c, "model", None) is User for c in columns):
        query = query.join(User, on=(Evaluation.author == User.id))
    return query.where(Evaluation.id.in_(shown)).order_by(Evaluation.evaluated_on, Evaluation.id)


@once_per_request
def section_items(log: Log, key: str, expanded: int | None = None, whole: bool = False) -> list:
    """The section's items, whole. Measures: with their latest evaluations, all of them for
    the measure `expanded`, and every evaluation in full with whole (the archive copy)."""
    model = SECTIONS[key].model
    query = _with_author(model).where(model.log == log)
    if key == "measures":
        measures = list(query.order_by(*domain.measure_order()))
        return with_evaluations(measures, "archive" if whole else "log_page", expanded=expanded, whole=whole)
    if key in WHOLE:
        return list(_whole_section.rows(getattr(log, "id", log), key=key))
    if key == "meetings":
        return list(query.order_by(Meeting.starts_at.desc()))
    if key == "entries":
        return list(query.order_by(Entry.entry_date.desc(), Entry.id.desc()))
    if key == "highlights":
        return list(query.order_by(Highlight.id.desc()))
    if key == "talks":
        return list(query.order_by(ChildTalk.talked_on.desc(), ChildTalk.id.desc()))
    return list(query.order_by(model.id))


# The sections listed whole in the order they were written (the log page reads them on
# every view: prepared reads, db.Prepared).
WHOLE = ("concerns", "goals", "talk_agreements")


@prepared
def _whole_section(log_id: int, *, key: str):
    model = SECTIONS[key].model
    return _with_author(model).where(model.log == log_id).order_by(model.id)


@once_per_request
def current_measures(log: Log) -> list[Measure]:
    """The measures being followed (not ended), most urgent evaluation first, each marked
    overdue as the rule says (domain.measure_overdue): the plan, listed whole on the log
    page."""
    return list(_current_measures.rows(getattr(log, "id", log), today=local_today()))


@prepared
def _current_measures(log_id: int, *, today: dt.date):
    """A prepared read, built once a day (the date is part of its shape)."""
    return (
        _with_author(Measure)
        .select_extend(domain.measure_overdue(today).alias("overdue"))
        .switch(Measure)
        .join(Log, on=(Measure.log == Log.id))
        .where(Measure.log == log_id, ~domain.measure_ended())
        .order_by(*domain.measure_order())
    )


def _windowed(key: str, log_id):
    """The query a windowed section's windows are cut from: its items with their authors,
    and the number of the section's items in the log. The
    measures section's windows are of the ended ones."""
    model = SECTIONS[key].model
    query = _with_author(model).where(model.log == log_id)
    if key == "measures":
        query = query.where(domain.measure_ended())
    # the window counts all the section's rows in the same query (a scalar subquery,
    # evaluated once), whichever window it is
    counted = model.select(fn.COUNT(model.id)).where(model.log == log_id)
    query = query.select_extend(counted.alias("in_log"))
    if key == "meetings":
        # the corrections under each approved minutes, counted in the same query: the
        # card shows the minutes whole, and says they were corrected since
        corrected = MinutesCorrection.select(fn.COUNT(MinutesCorrection.id)).where(
            MinutesCorrection.meeting == Meeting.id
        )
        query = query.select_extend(corrected.alias("corrected"))
    return query


@prepared
def _newest(log_id: int, *, key: str, limit: int):
    """A windowed section's first window (the log page's on every view): a prepared read."""
    section = SECTIONS[key]
    model = section.model
    return newest_first(_windowed(key, log_id), getattr(model, section.window_by), model.id).limit(limit)


def _section_window(log: Log, key: str, cursor: str | None) -> Window:
    section = SECTIONS[key]
    model = section.model
    return dated_window(
        lambda: _windowed(key, log.id),
        getattr(model, section.window_by),
        model.id,
        cursor,
        0,
        newest=lambda limit: _newest.rows(log.id, key=key, limit=limit),
    )


def current_then_ended(ended: Window, read_current) -> list:
    """The measures section's items: on its first window the current measures whole (the
    plan being followed, ``read_current``), then the ended ones, which grow with the log's
    age, newest first in windows (``ended``); a later window is the ended ones alone. The
    log page and the family's view list them so, each with its own columns."""
    if ended.cursor is not None:
        return list(ended.items)
    return [*read_current(), *ended.items]


def _measures_window(log: Log, cursor: str | None, expanded: int | None) -> Window:
    """The measures section: the current measures whole, then the ended ones, which grow
    with the log's age, newest first in windows of PAGE_SIZE (a later window is the ended
    ones alone); each with its latest evaluations (with_evaluations), in one more query."""
    window = _section_window(log, "measures", cursor)
    items = current_then_ended(window, lambda: current_measures(log))
    if window.items:
        total = window.items[0].in_log
    elif window.cursor is None:
        total = len(items)  # no ended measure at all
    else:
        total = Measure.select().where(Measure.log == log).count()
    with_evaluations(items, "log_page", expanded=expanded)
    return replace(window, items=items, total=total)


def section_window(log: Log, key: str, cursor: str | None = None, expanded: int | None = None) -> Window:
    """The items of a section as the log page shows them. A section that grows with the
    log's age (Section.window_by: entries, meetings, highlights, talks) comes in windows
    of PAGE_SIZE, newest first, continued by a keyset cursor (its date or time and the
    id), so a window costs the same however old the log is; the others are read whole.
    expanded: the measure whose evaluations are all shown (the others show their latest)."""
    section = SECTIONS[key]
    if key == "measures":
        return _measures_window(log, cursor, expanded)
    if section.window_by is None:
        items = section_items(log, key)
        return Window(items=items, total=len(items))
    model = section.model
    window = _section_window(log, key, cursor)
    if window.items:
        in_log = window.items[0].in_log
    elif window.cursor is None:
        in_log = 0  # the newest window is empty: the section has no items
    else:
        in_log = model.select().where(model.log == log).count()
    return replace(window, total=in_log)


participants = states.participants  # read once per request: the consent gate asks too


@once_per_request
def guardians(log: Log) -> list[Guardian]:
    """The log's guardians (and the youth), read once per request: the log page, the
    meeting page, whom a meeting may invite and who needs an interpreter ask."""
    return list(_guardians.rows(getattr(log, "id", log)))


@prepared
def _guardians(log_id: int):
    return Guardian.select().where(Guardian.log == log_id).order_by(Guardian.id)


COUNTED = ("concerns", "highlights", "goals", "measures", "meetings", "entries", "talks")


def summary(log: Log, windows: dict[str, Window] | None = None) -> dict:
    """Counters for the section navigation and the deadline list (refreshed by htmx).
    windows: the log page's sections, already read with their totals."""
    if windows is not None:
        counts = {key: windows[key].total for key in COUNTED}
    else:
        # every section's count in one query (a scalar subquery per section)
        models = [(key, SECTIONS[key].model) for key in COUNTED]
        counts = (
            Log.select(*(model.select(fn.COUNT(model.id)).where(model.log == log).alias(key) for key, model in models))
            .where(Log.id == getattr(log, "id", log))
            .dicts()
            .get()
        )
    soon = local_today() + dt.timedelta(days=14)
    return {
        "counts": counts,
        "due": measures_due_on_log(log, soon),
        "talks": [d for d in talks.schedule(log) if d.due_on <= soon],
    }


def measures_due_on_log(log: Log, soon: dt.date) -> list[Measure]:
    """The log's measures to evaluate by `soon` (the rule: domain.measure_due_by), each
    marked overdue (domain.measure_overdue), soonest first: the log page's deadline list."""
    return list(_measures_due_on_log.rows(getattr(log, "id", log), soon=soon, today=local_today()))


@prepared
def _measures_due_on_log(log_id: int, *, soon: dt.date, today: dt.date):
    """A prepared read, built once a day (the dates are part of its shape)."""
    overdue = domain.measure_overdue(today).alias("overdue")
    return (
        Measure.select(Measure.id, Measure.what, Measure.evaluation_date, overdue)
        .join(Log)
        .where(Measure.log == log_id, domain.measure_due_by(soon))
        .order_by(Measure.evaluation_date, Measure.id)
    )


def holder_history(log: Log | int) -> list[Handover]:
    """The log's accepted handovers, oldest first, with giver and receiver (a prepared read:
    the log page and every meeting's minutes ask)."""
    return list(_holder_history.rows(log.id if isinstance(log, Log) else int(log)))


@prepared
def _holder_history(log_id: int):
    from_user = User.alias("from_user")
    to_user = User.alias("to_user")
    return (
        Handover.select(Handover, *byline_columns(from_user), *byline_columns(to_user))
        .join(from_user, on=(Handover.from_user == from_user.id))
        .switch(Handover)
        .join(to_user, on=(Handover.to_user == to_user.id))
        .where(Handover.log == log_id, Handover.status == Answer.ACCEPTED)
        .order_by(Handover.decided_at)
    )


def holder_on(log: Log, when: dt.datetime, history: list[Handover] | None = None) -> User:
    """Who held the log at that moment, from the holder history by date (seed 000 point 4:
    the minutes name the holder as of the meeting): the receiver of the last handover
    accepted before it; before any, the giver of the first; with none, the holder."""
    history = holder_history(log) if history is None else history
    holder = history[0].from_user if history else log.holder
    for handover in history:
        if handover.decided_at is not None and handover.decided_at <= when:
            holder = handover.to_user
    return holder


def remember_holders(log: Log, history: list[Handover]) -> None:
    """The log (with its holder) and its holder history, for templating.meeting_holder
    in this request: read once, not again per meeting."""
    if has_request_context():
        g.setdefault("holder_histories", {})[log.id] = history
        g.setdefault("holder_logs", {})[log.id] = log


def log_page(
    log: Log,
    cursor: str | None = None,
    cursor_section: str = "entries",
    expanded: int | None = None,
    *,
    content: bool = True,
) -> dict:
    """What the log page shows. cursor: a later window of one section (cursor_section),
    the page «Vis flere» links to without JavaScript; the other sections show their newest.
    expanded: the measure whose evaluations are all shown."""
    context = {
        "log": log,
        "guardians": guardians(log),
        "participants": participants(log),
        # an ended log's consent may have been withdrawn: the page says when
        "consent": current_consent(log) or (states.last_consent(log) if log.status in states.ENDED else None),
        "history": holder_history(log),
    }
    # meetings/_interpreter.html (the meetings' add form) names them from the guardians
    # just read instead of reading them again
    reader = str(get_locale() or languages.DEFAULT)
    context["interpreter_needs"] = [
        (gd.name, languages.name_in(gd.language or languages.DEFAULT, reader))
        for gd in context["guardians"]
        if gd.needs_interpreter
    ]
    remember_holders(log, context["history"])
    if not (content and states.shows_content(log)):
        # a draft, or someone the consent does not let read it (states.content_readable_by):
        # the page shows the log's frame only, so its sections are not read, not even counted
        return {**context, "summary": None}
    # the sections first: their totals are the summary's counts
    windows = {key: section_window(log, key, cursor if key == cursor_section else None, expanded) for key in SECTIONS}
    context["windows"] = windows
    context["items"] = {key: window.items for key, window in windows.items()}
    context["summary"] = summary(log, windows)
    context["ip_prompt"] = ip_prompt(log)
    return context


# ------------------------------------------------------------------ start page


def my_log_ids(user: User):
    """Ids of the logs I hold (access.held_by: not an ended one I have left) or take part
    in: a UNION of two index lookups (an OR of the two conditions makes PostgreSQL scan
    every log)."""
    held = Log.select(Log.id).where(held_by(user))
    return held | Participant.select(Participant.log).where(Participant.user == user)


def units_named_by(consents) -> list[Unit]:
    """The units the consents name by id ("unit:12"), to name their services: only
    those, never every unit of the municipality."""
    prefix = "unit:"
    ids = {
        number
        for consent in consents
        for service in states.consent_services(consent)
        if service.startswith(prefix) and (number := row_id(service[len(prefix) :])) is not None
    }
    return list(Unit.select(Unit.id, Unit.name).where(Unit.id.in_(sorted(ids) or [0])))


def _log_cards():
    """Logs for a list of cards (templates/main/_log_list.html): only the columns a card
    shows and the consent gate asks for. A whole log, child, unit and holder is some 60
    columns, their timestamps parsed, for every card of the window."""
    holder = User.alias("holder")
    return (
        Log.select(
            Log.id,
            Log.status,
            Log.class_group,
            Log.subject,
            Log.unit,
            Log.holder,
            Subject.id,
            Subject.name,
            Subject.kind,
            Unit.id,
            Unit.name,
            holder.id,
            holder.name,
        )
        .join(Subject)
        .switch(Log)
        .join(Unit)
        .switch(Log)
        .join(holder, on=(Log.holder == holder.id))
    )


def _cards_order() -> tuple:
    """The order of "Mine stafettlogger", and its keyset: active logs first, then drafts,
    then the rest, each by the child's name."""
    rank = Case(None, [(Log.status == LogStatus.ACTIVE, 0), (Log.status == LogStatus.DRAFT, 1)], 2)
    return (rank, Subject.name, Log.id)


def my_logs(user: User, after: str | None = None) -> Window:
    """Logs where I am holder or participant, active first, then by the child's name: one
    window of PAGE_SIZE after the log `after` (an id, the last one shown), a keyset on
    (status rank, name, id) so a later window costs what the first does."""
    order, mine = _cards_order(), my_log_ids(user)
    size = page_size()
    cursor = None
    last = None
    if after and (last_id := row_id(after)) is not None:
        last = Log.select(*order).join(Subject).where(Log.id == last_id, Log.id.in_(mine)).tuples().first()
    if last is None:  # the first window: a prepared read (the start page's on every view)
        rows = list(_my_first_cards.rows(user.id, limit=size + 1))
    else:
        cursor = after
        query = _log_cards().where(Log.id.in_(mine), Tuple(*order) > Tuple(*last))
        rows = list(query.order_by(*order).limit(size + 1))
    total = _my_log_count.first(user.id)[0]
    items = rows[:size]
    more = str(items[-1].id) if len(rows) > size else None
    return Window(items=items, total=total, cursor=cursor, next_cursor=more)


@prepared
def _my_first_cards(user_id: int, *, limit: int):
    return _log_cards().where(Log.id.in_(my_log_ids(user_id))).order_by(*_cards_order()).limit(limit)


@prepared
def _my_log_count(user_id: int):
    return Log.select(fn.COUNT(Log.id)).where(Log.id.in_(my_log_ids(user_id))).tuples()


MEASURES_DUE_DAYS = 14  # the start page's «Tiltak som skal evalueres»: due within two weeks, or overdue


def measures_due(user: User, within_days: int = MEASURES_DUE_DAYS) -> Window:
    """Measures in my active logs whose evaluation date is within the days, or past:
    the PAGE_SIZE most urgent (the oldest date first) and how many there are in all,
    with the columns the start page shows. Only in logs whose consent lets us work now
    (states.waiting_ids, as the reminders): a log that waits for a new consent cannot be
    evaluated in, and a participant outside its scope may not read what its measures say,
    nor a holder moved to a unit it leaves out (states.closed_to)."""
    today = local_today()
    limit = today + dt.timedelta(days=within_days)
    logs = logs_with_measures_due(user, limit)
    ready = sorted({log.id for log in logs} - states.closed_to(user, logs))
    if not ready:
        return Window(items=[], total=0)
    if len(ready) > Prepared.MAX_IDS:
        rows = _due_in(ready, limit=limit, today=today, size=page_size())
    else:
        rows = _measures_due.rows(*ready, limit=limit, today=today, size=page_size())
    items = list(rows)
    return Window(items=items, total=items[0].total if items else 0)


def readers_roles(user: User, logs) -> dict[int, str]:
    """The role `user` reads each of these logs in, for the start page's to-dos: they are
    my logs (my_log_ids), held or taken part in, read with their holder."""
    return {log.id: "holder" if log.holder_id == user.id else "participant" for log in logs}


def start_page_reads(user: User, context: dict) -> dict[int, str]:
    """The logs whose content the start page shows, each with the reader's role: the
    measures to evaluate (what each is) and the talks with the child (who talks)."""
    shown = [m.log for m in context["due"].items] + [t.agreement.log for t in context["talks_due"]]
    return readers_roles(user, shown)


@once_per_request
def logs_with_measures_due(user: User, limit: dt.date) -> list[Log]:
    """My active logs with a measure due by `limit` (the start page primes their consent
    gaps with its other logs', then measures_due reads them again from memory)."""
    return list(_logs_with_measures_due.rows(user.id, limit=limit))


@prepared
def _logs_with_measures_due(user_id: int, *, limit: dt.date):
    """My active logs with a measure due by `limit`, with what consent_gaps and
    states.outside_for read of them."""
    return (
        Log.select(Log.id, Log.status, Log.unit, Log.holder)
        .join(Measure)
        .where(Log.id.in_(my_log_ids(user_id)), domain.measure_due_by(limit))
        .distinct()
    )


@prepared
def _measures_due(*log_ids: int, limit: dt.date, today: dt.date, size: int):
    """A prepared read for each number of logs, built once a day (the dates are part of its shape)."""
    return _due_in(list(log_ids), limit=limit, today=today, size=size)


def _due_in(log_ids: list[int], *, limit: dt.date, today: dt.date, size: int):
    return (
        Measure.select(
            Measure.id,
            Measure.log,
            Measure.what,
            Measure.evaluation_date,
            Log.id,
            Log.subject,
            Log.holder,
            Subject.id,
            Subject.name,
            domain.measure_overdue(today).alias("overdue"),
            fn.COUNT(Measure.id).over().alias("total"),
        )
        .join(Log)
        .join(Subject)
        .where(Measure.log.in_(log_ids), domain.measure_due_by(limit))
        .order_by(Measure.evaluation_date, Measure.id)
        .limit(size)
    )


def outside_scope(user: User) -> list[Log]:
    """Active logs I hold whose consent does not cover my unit (handed over from a unit
    it was given to): read only for the logs whose consent names another unit, so the
    rows are the candidates, not all my logs."""
    candidates = list(_outside_scope_candidates.rows(user.id))
    gaps = states.consent_gaps(candidates)
    return [log for log in candidates if gaps.get(log.id, ("",))[0] == states.GAP_HOLDER_UNIT]


@prepared
def _outside_scope_candidates(user_id: int):
    return (
        Log.select(Log, Subject)
        .join(Subject)
        .switch(Log)
        .join(Consent, on=(Consent.log == Log.id))
        .where(
            Log.holder == user_id,
            Log.status == LogStatus.ACTIVE,
            states.consent_in_force(),
            Consent.unit.is_null() | (Consent.unit != Log.unit),
        )
        .distinct()
        .order_by(Subject.name, Log.id)
    )


def to_hand_over(user: User) -> list[Log]:
    """Logs in use I hold in a unit I no longer work in, whose consent leaves out my unit
    (states.outside_for: I read none of their content) and that no one has yet been
    proposed to take over: handing them over is all I can do with them (seed 002: the
    holder keeps the log until someone accepts). Read only for the logs of another unit."""
    if user.unit_id is None:
        return []
    candidates = list(_held_elsewhere.rows(user.id, user.unit_id))
    outside = states.outside_for(user, candidates)
    return [log for log in candidates if log.id in outside]


@prepared
def _held_elsewhere(user_id: int, unit_id: int):
    proposed = Handover.select(Handover.id).where(Handover.log == Log.id, Handover.status == Answer.PENDING)
    return (
        Log.select(Log, Subject)
        .join(Subject)
        .where(Log.holder == user_id, Log.status == LogStatus.ACTIVE, Log.unit != unit_id, ~fn.EXISTS(proposed))
        .order_by(Subject.name, Log.id)
    )


def start_page(user: User, after: str | None = None, *, window_only: bool = False) -> dict:
    """The start page's lists: my logs in windows, and the to-dos (each read by its own
    condition in SQL, so their rows are what asks for action, not all my logs).
    window_only: just the next window of my logs (htmx appends it)."""
    window = my_logs(user, after)
    if window_only:
        states.consent_gaps(window.items)  # each card's state (log_state), read at once
        return {"window": window, "logs": window.items}
    # the consent gaps of every log the page names (its cards and its to-dos), read at once:
    # the cards' states (log_state) and the to-dos' filters ask them without a query each
    named = window.items + logs_with_measures_due(user, local_today() + dt.timedelta(days=MEASURES_DUE_DAYS))
    named += [agreement.log for agreement in talks.my_ongoing_agreements(user)]
    states.consent_gaps(named)
    return {
        "window": window,
        "logs": window.items,
        "outside_scope": outside_scope(user),
        "to_hand_over": to_hand_over(user),
        "due": measures_due(user),
        "talks_due": talks.talks_due(user),
        "drafts": list(_drafts.rows(user.id)),
        "expiring": consents_expiring(user),
        "pending_handovers": list(_handovers_to_me.rows(user.id)),
        "today": local_today(),
        "tell_guardians": domain.guardians_to_tell(user),
        "requests_to_answer": requests.waiting_for(user),
        "my_requests": requests.sent_by(user),
    }


# The start page's to-dos are prepared reads (db.Prepared): built afresh on every view
# they cost more than they take to run.


@prepared
def _drafts(user_id: int):
    return (
        Log.select(Log, Subject)
        .join(Subject)
        .where(Log.holder == user_id, Log.status == LogStatus.DRAFT)
        .order_by(Subject.name, Log.id)
    )


@prepared
def _handovers_to_me(user_id: int):
    return (
        Handover.select(Handover, Log, Subject)
        .join(Log)
        .join(Subject)
        .where(Handover.to_user == user_id, Handover.status == Answer.PENDING)
        .order_by(Handover.id)
    )


def guardian_logs(user: User) -> tuple[list[Log], bool]:
    """A guardian's logs, with their states (log_state: waiting for consent?) read at once,
    and whether the reader is listed on each as the youth, who reads their own log; and
    whether a youth's own log is left out because they are under the consent age now
    (access.of_consent_age, the rule the log's pages are opened by)."""
    youth = Case(None, [(Guardian.relation == YOUTH_RELATION, 1)], 0)
    logs = list(
        log_with_people()
        .select_extend(youth.alias("read_by_youth"))
        .join(Guardian, on=(Guardian.log == Log.id))
        .where(Guardian.user == user)
    )
    readable = [log for log in logs if not log.read_by_youth or of_consent_age(log.subject.birth_date)]
    states.consent_gaps(readable)
    return readable, len(readable) < len(logs)


def unit_choices(user, chosen_ids=(), exclude_ids=()) -> tuple[list[Unit], list[tuple[str, list[Unit]]]]:
    """A pick list of units starts with the user's own unit(s) — their unit, an area
    leader's area — and what is already chosen; the rest of the municipality follows,
    grouped by area, to be searched. Returns (first, [(area name, units), …])."""
    units = list(
        Unit.select(Unit, Area)
        .join(Area)
        .where(Unit.active, Unit.id.not_in(list(exclude_ids) or [0]))
        .order_by(Area.name, Unit.name)
    )
    own = {user.unit_id} if getattr(user, "unit_id", None) else set()
    area = getattr(user, "area_id", None)
    first = [u for u in units if u.id in own or u.id in set(chosen_ids) or (area and u.area_id == area)]
    first.sort(key=lambda u: (u.id not in own, u.name))
    rest: dict[str, list[Unit]] = {}
    for unit in units:
        if unit not in first:
            rest.setdefault(unit.area.name, []).append(unit)
    return first, list(rest.items())


# The deletion page's queues (states.DELETION_QUEUES), each continued by its own
# query parameter: «Vis flere» under one queue opens the page at that queue's next window.
DELETION_QUEUE_PARAMS = {"requested": "krav", "deletable": "kan", "waiting": "venter"}


def deletion_queues(unit_id: int, cursors: dict[str, str | None], only: str | None = None) -> dict[str, Window]:
    """One window of each of the unit's queues of ended logs, the longest closed first,
    after the queue's cursor (time closed and id), with how many each holds in all: the
    unit's ended logs grow with every year it keeps logs passive by agreement.
    only: just that queue's window, without the counts (htmx appends its rows).
    The counts and each queue's first window are prepared reads (db.Prepared): the page's
    SQL is built once per process, not on every view."""
    keys = [key for key in states.DELETION_QUEUES if only in (None, key)]
    counts = _deletion_queue_counts.first(unit_id) if only is None else (0,) * len(keys)
    windows = {}
    for key, total in zip(keys, counts, strict=True):
        windows[key] = dated_window(
            functools.partial(_deletion_queue, unit_id, key),  # built only for a later window
            Log.closed_at,
            Log.id,
            cursors.get(key),
            int(total or 0),
            newest=lambda limit, key=key: _deletion_queue_first.rows(unit_id, key=key, limit=limit),
            oldest_first=True,
        )
    for log in windows["requested"].items if "requested" in windows else ():  # as the database gives it
        log.requested_at = DeletionRequest.created_at.python_value(log.requested_at)
    return windows


def _ended_in(unit_id):
    return (Log.unit == unit_id) & Log.status.in_(LogStatus.ENDED)


@prepared
def _deletion_queue_counts(unit_id: int):
    """How many of the unit's ended logs each queue holds, in the queues' order."""
    sums = (fn.COALESCE(fn.SUM(Case(None, [(where(), 1)], 0)), 0) for where in states.DELETION_QUEUES.values())
    return Log.select(*sums).where(_ended_in(unit_id)).tuples()


def _deletion_queue(unit_id, key: str):
    """The unit's ended logs in queue `key`, with the child and the holder (and, for the
    family's requests, when the oldest open one was made): the columns a row shows and
    access.holder_left asks (the log's unit, the unit it was held from, the holder's unit
    and whether they are active)."""
    holder = User.alias("holder")
    asked = DeletionRequest.select(fn.MIN(DeletionRequest.created_at)).where(
        DeletionRequest.log == Log.id, states.deletion_request_open()
    )
    return (
        Log.select(
            Log.id,
            Log.status,
            Log.closed_at,
            Log.subject,
            Log.holder,
            Log.unit,
            Log.holder_unit_id,
            Subject.id,
            Subject.name,
            holder.id,
            holder.name,
            holder.active,
            holder.unit,
            *([asked.alias("requested_at")] if key == "requested" else []),
        )
        .join(Subject)
        .switch(Log)
        .join(holder, on=(Log.holder == holder.id))
        .where(_ended_in(unit_id), states.DELETION_QUEUES[key]())
    )


@prepared
def _deletion_queue_first(unit_id: int, *, key: str, limit: int):
    """A queue's first window (and one more row: is there a next?), the longest closed first."""
    return _deletion_queue(unit_id, key).order_by(Log.closed_at, Log.id).limit(limit)


def deleted_window(unit_id: int, cursor: str | None = None) -> Window:
    """One window of the unit's record of deleted logs (no personal data: number, dates,
    who deleted and why), newest first, after ``cursor`` (time and id: the index on unit,
    time and id answers it however many logs the unit has deleted over the years)."""
    return dated_window(
        functools.partial(_deleted, unit_id),  # built only for a later window
        LogTombstone.deleted_at,
        LogTombstone.id,
        cursor,
        total=0,
        newest=lambda limit: _deleted_first.rows(unit_id, limit=limit),
    )


def _deleted(unit_id):
    """The unit's record of deleted logs, each with who deleted it."""
    return LogTombstone.select(LogTombstone, User).join(User).where(LogTombstone.unit == unit_id)


@prepared
def _deleted_first(unit_id: int, *, limit: int):
    """The record's first window (and one more row: is there a next?), the newest first."""
    return newest_first(_deleted(unit_id), LogTombstone.deleted_at, LogTombstone.id).limit(limit)
