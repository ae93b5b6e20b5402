"""The log's version when it was closed: a change after closing (the family's deletion
request, their answer about keeping it, passive by agreement) makes the archive's copy of
the whole log a new version to file (archive.documents.whole_log_key). Logs closed
before this have none: their copy stays as it was keyed."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('log', 'closed_version', IntegerField(null=True)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE log DROP COLUMN closed_version')
