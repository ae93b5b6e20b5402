"""seed 001: «Skriv i loggen i møter der foresatte/barnet/ungdommen er til stede.» Minutes
approved with no one of the family marked present carry why (the holder writes it at
approval), shown with the minutes to the family and in the archive."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('meeting', 'family_absent_note', TextField(default='')))


def down(migrator, db):
    db.execute_sql('ALTER TABLE meeting DROP COLUMN family_absent_note')
