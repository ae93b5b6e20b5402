"""The unit leader's deletion page reads one window of each queue of the unit's ended
logs (lifecycle.DELETION_QUEUES), the longest closed first, with a keyset cursor (time
closed and id): an index on the unit's logs by status and time closed. An ended log has
always been given its closing time; one without (from an import) gets its last known
time, so that the window's order includes it."""

from peewee import *


def up(migrator, db):
    db.execute_sql(
        "UPDATE log SET closed_at = COALESCE(activated_at, created_at) "
        "WHERE closed_at IS NULL AND status IN ('closed', 'passive')"
    )
    migrator.migrate(
        migrator.add_index("log", ("unit_id", "status", "closed_at", "id"), name="log_unit_id_status_closed_at_id")
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("log", "log_unit_id_status_closed_at_id"))
