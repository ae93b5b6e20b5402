"""Lists that grow with the municipality or with a log's age come in windows: the newest
PAGE_SIZE rows, and a keyset cursor (a date and an id) that continues after the last one
shown, so a window costs the same however long the list is (no OFFSET). The page shows
«Vis flere» as a link (a whole page without JavaScript) that htmx swaps for the next
window's rows."""

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from peewee import DateTimeField, Tuple

from stafettlogg.typed import INTEGER_COLUMN


@dataclass(frozen=True)
class Window:
    """One window of a list: what is shown, how many there are in all, the cursor it
    started after (None for the newest) and the cursor that continues it (None at the end)."""

    items: list
    total: int
    cursor: str | None = None
    next_cursor: str | None = None


def page_size() -> int:
    return max(1, int(current_app.config.get("PAGE_SIZE", 50)))


def parse_cursor(cursor: str | None, kind: type = dt.date) -> tuple[dt.date, int] | None:
    """A cursor as written for a window: a date ("2026-03-01_42") or, with kind
    datetime, a time ("2026-03-01T10:15:00.123456_42") and a row id; anything else
    (made up, cut off, an id too large for the database) starts from the newest."""
    at, _sep, number = (cursor or "").rpartition("_")
    try:
        day = kind.fromisoformat(at)
    except ValueError:
        return None
    number = row_id(number)
    return None if number is None else (day, number)


def row_id(value: str | None) -> int | None:
    """A row id from a query string: a whole number a database column holds, or None."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if is_row_id(number) else None


def is_row_id(number: int) -> bool:
    """Whether a whole number can be a row's id: positive, and one a database column holds."""
    return number > 0 and number in INTEGER_COLUMN


def newest_first(query, day_field, id_field):
    """The order of a window: newest first by its date or time, then by id."""
    return query.order_by(day_field.desc(), id_field.desc())


def dated_window(
    query, day_field, id_field, cursor: str | None, total: int, newest=None, oldest_first: bool = False
) -> Window:
    """The rows of `query` newest first by (day_field, id_field), one window after `cursor`
    (oldest_first: the oldest first, for a queue whose oldest waited longest).
    day_field: a date or a time (DateTimeField); the query must select both fields.
    newest(limit): the first window's rows read another way (a prepared read of the same
    query, newest_first, limited to `limit`); then `query` may be a function that builds
    the query, built only for a later window (building one costs more than the read)."""
    size = page_size()
    after = parse_cursor(cursor, dt.datetime if isinstance(day_field, DateTimeField) else dt.date)
    if after is None and newest is not None:
        rows = list(newest(size + 1))
    else:
        if callable(query):
            query = query()
        if after is not None:
            # a row comparison: the index on (…, day, id) answers it from the cursor on
            # (an OR of the two conditions reads and drops the rows before it)
            key = Tuple(day_field, id_field)
            query = query.where(key > Tuple(*after) if oldest_first else key < Tuple(*after))
        query = query.order_by(day_field, id_field) if oldest_first else newest_first(query, day_field, id_field)
        rows = list(query.limit(size + 1))
    items = rows[:size]
    more = None
    if len(rows) > size:
        last = items[-1]
        more = f"{getattr(last, day_field.name).isoformat()}_{getattr(last, id_field.name)}"
    return Window(items=items, total=total, cursor=cursor if after is not None else None, next_cursor=more)
