"""seed 001: «Enhetsleder kan etter avtale slette en logg som er satt passiv.» A passive
log is kept because the family agreed to keep it; deleting it needs a new agreement, and
the tombstone records with whom (the role: a guardian or the youth, no name: a tombstone
holds no personal data) and on which day."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('log_tombstone', 'agreed_with', CharField(max_length=20, default='')),
        migrator.add_column('log_tombstone', 'agreed_on', DateField(null=True)),
    )


def down(migrator, db):
    db.execute_sql('ALTER TABLE log_tombstone DROP COLUMN agreed_on')
    db.execute_sql('ALTER TABLE log_tombstone DROP COLUMN agreed_with')
