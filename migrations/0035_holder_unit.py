"""A log keeps the unit its holder was in when they became holder (log.holder_unit_id):
a holder who made a log for another unit than their own (a public-health nurse for a
kindergarten) is not taken to have left, which let that unit's leader make someone else
holder without the holder's acceptance. Logs from before get the log's unit, which keeps
the earlier judgement for them (a holder in another unit than the log's has left)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('log', 'holder_unit_id', IntegerField(null=True)))
    db.execute_sql('UPDATE log SET holder_unit_id = unit_id')


def down(migrator, db):
    db.execute_sql('ALTER TABLE log DROP COLUMN holder_unit_id')
