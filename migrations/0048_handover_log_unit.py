"""The log's own unit when it was handed over (handover.log_unit_id): the statistics
count each month of a log for the unit that had it then, so a child who moves school
leaves the months before the move with the school they left. from_unit_id is the unit
the holder held it from, which is another than the log's when a service holds a
school's log (a public-health nurse). Handovers made before are given the unit they
were made from (the log's where none was kept): what the unit overview used for them."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('handover', 'log_unit_id', IntegerField(null=True)),
        migrator.add_index('handover', ('log_unit_id', 'status'), False),
    )
    db.execute_sql(
        'UPDATE handover SET log_unit_id = COALESCE(from_unit_id, '
        '(SELECT "log".unit_id FROM "log" WHERE "log".id = handover.log_id))'
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('handover', 'handover_log_unit_id_status'))
    db.execute_sql('ALTER TABLE handover DROP COLUMN log_unit_id')
