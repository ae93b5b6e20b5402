"""A child with coordination outside Stafettlogg (the unit overview's external rows) gets
a version: the unit leader and an ITO-koordinator editing the same row at once no longer
overwrite each other without a word; the later save is refused and keeps what was typed."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('external_coordination', 'version', IntegerField(default=1)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE external_coordination DROP COLUMN version')
