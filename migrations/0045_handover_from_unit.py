"""The unit a handover was made from (the unit the old holder held the log from), kept on
the handover: a holder who moves later no longer carries the children they once handed
over into their new unit's overview. Handovers made before are given the giver's unit
as it is now, which is what the overview used for them."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('handover', 'from_unit_id', IntegerField(null=True)),
        migrator.add_index('handover', ('from_unit_id', 'status'), False),
    )
    db.execute_sql(
        'UPDATE handover SET from_unit_id = (SELECT "user".unit_id FROM "user" WHERE "user".id = handover.from_user_id)'
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('handover', 'handover_from_unit_id_status'))
    db.execute_sql('ALTER TABLE handover DROP COLUMN from_unit_id')
