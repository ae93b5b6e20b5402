"""The archive's case number (saksnummer) outlives the log on its tombstone: after the
log is deleted, it is where the municipality finds what was filed."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('log_tombstone', 'archive_reference', CharField(max_length=100, default='')))


def down(migrator, db):
    db.execute_sql('ALTER TABLE log_tombstone DROP COLUMN archive_reference')
