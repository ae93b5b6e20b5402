"""The child's class/group per unit and school year (seed 000: each year's unit overview
shows what was true then, also after the log has moved to another unit)."""

import datetime as dt

from stafettlogg.dates import local_today, school_year_of
from stafettlogg.models import ClassGroupPeriod


def record_class_group(log_id: int, unit_id: int, class_group: str, day: dt.date | None = None) -> None:
    """Remember the class/group the log has in the unit in the school year of the day
    (today): the last one written that year wins. Runs inside the caller's transaction."""
    class_group = (class_group or "").strip()
    year = school_year_of(day or local_today())
    where = (
        (ClassGroupPeriod.log == log_id) & (ClassGroupPeriod.unit == unit_id) & (ClassGroupPeriod.school_year == year)
    )
    if not class_group:
        ClassGroupPeriod.delete().where(where).execute()
        return
    if not ClassGroupPeriod.update(class_group=class_group).where(where).execute():
        ClassGroupPeriod.create(log=log_id, unit=unit_id, school_year=year, class_group=class_group)


def class_group_in(unit_id: int, year: int, log_id):
    """The class/group recorded for the log ``log_id`` (a column: the log of the row the
    caller reads) in the unit that school year, as a scalar subquery: the index on log,
    unit and year answers it once per row (the unit's overview selects it with its logs)."""
    return ClassGroupPeriod.select(ClassGroupPeriod.class_group).where(
        ClassGroupPeriod.log == log_id,
        ClassGroupPeriod.unit == unit_id,
        ClassGroupPeriod.school_year == year,
    )
