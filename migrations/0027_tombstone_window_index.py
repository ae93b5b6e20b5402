"""An index on a unit's deleted logs by the time of deletion: the record of what the unit
has deleted («Slettet» on the deletion page) comes in windows, newest first, with a keyset
cursor (time and id), and grows with every year the unit uses the service."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("log_tombstone", ("unit_id", "deleted_at", "id"), name="logtombstone_unit_id_deleted_at_id")
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("log_tombstone", "logtombstone_unit_id_deleted_at_id"))
