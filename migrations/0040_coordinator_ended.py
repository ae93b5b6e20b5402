"""KE records that a koordinator or barnekoordinator no longer has the role (the IP
ended, the child moved away, the responsibility passed to someone else, seed 002):
a decision shows in the unit overviews of the school years it was in force, not every
year after it was made (seed 000: «sikre at oversikten er dynamisk og oppdatert»)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('coordinator_record', 'ended_on', DateField(null=True)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE coordinator_record DROP COLUMN ended_on')
