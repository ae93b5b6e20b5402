"""The June review's version: KE and the unit each save their part of a unit's row
(optimistic locking, as every other shared record): a save from a page read before the
other's is refused and shows what was saved meanwhile, instead of erasing it."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('reconciliation', 'version', IntegerField(default=1)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE reconciliation DROP COLUMN version')
