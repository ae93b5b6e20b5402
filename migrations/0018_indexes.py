"""Indexes for pages that must not slow down as the municipality grows: the access
history reads a log's audit events newest first (log, time); a log's entries newest
first (log, date); overdue measures look for an evaluation on or after a date
(measure, date); statistics count a unit's logs by state (unit, state). The single
index on the audit events' log is covered by the new one and dropped (one index fewer
to write on every audited read)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("audit_event", ("log_id", "at", "id"), name="auditevent_log_id_at_id"),
        migrator.drop_index("audit_event", "auditevent_log_id"),
        migrator.add_index("entry", ("log_id", "entry_date", "id"), name="entry_log_id_entry_date_id"),
        migrator.add_index("evaluation", ("measure_id", "evaluated_on"), name="evaluation_measure_id_evaluated_on"),
        migrator.add_index("log", ("unit_id", "status"), name="log_unit_id_status"),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("log", "log_unit_id_status"),
        migrator.drop_index("evaluation", "evaluation_measure_id_evaluated_on"),
        migrator.drop_index("entry", "entry_log_id_entry_date_id"),
        migrator.add_index("audit_event", ("log_id",), name="auditevent_log_id"),
        migrator.drop_index("audit_event", "auditevent_log_id_at_id"),
    )
