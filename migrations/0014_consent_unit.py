"""Consent as the gate: each consent records the unit it was given to, so a log handed
over to another unit is no longer covered by a consent given to the old one.

Existing consents get the unit of the staff member who registered it (the holder at the
time, who works in the log's unit then), else the log's unit."""
from peewee import *


def up(migrator, db):
    class Unit(Model):
        class Meta:
            database = db
            table_name = 'unit'

    migrator.migrate(
        migrator.add_column('consent', 'unit_id', ForeignKeyField(Unit, null=True, on_delete='SET NULL', field=Unit.id)),
    )
    db.execute_sql(
        'UPDATE consent SET unit_id = COALESCE('
        '(SELECT "user".unit_id FROM "user" WHERE "user".id = consent.uploaded_by_id), '
        '(SELECT log.unit_id FROM log WHERE log.id = consent.log_id))'
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column('consent', 'unit_id'))
