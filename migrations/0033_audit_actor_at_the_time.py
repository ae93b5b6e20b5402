"""An audit event keeps who the person was when it happened: their job title and unit
then (audit_event.actor_title, actor_unit_id), for the family's access history and the
archive's history. A teacher who later moves to another school or changes title is shown
as the reader they were. Events written before this migration have neither (NULL): they
are shown with the person's title and unit as they are now, as before."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('audit_event', 'actor_title', CharField(max_length=200, null=True)),
        migrator.add_column('audit_event', 'actor_unit_id', IntegerField(null=True)),
    )


def down(migrator, db):
    # ALTER TABLE ... DROP COLUMN: the migrator's SQLite drop_column rebuilds the table,
    # which would lose its append-only triggers and AUTOINCREMENT ids
    db.execute_sql('ALTER TABLE audit_event DROP COLUMN actor_unit_id')
    db.execute_sql('ALTER TABLE audit_event DROP COLUMN actor_title')
