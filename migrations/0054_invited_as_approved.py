"""Approved minutes are a record: they keep whom the meeting invited, as the meeting page
named them when the minutes were approved (meetings.domain.named_at_approval). The minutes
PDF and the archive print used to show only the free text «Andre inviterte», and a
guardian renamed or removed from the log would have changed a list read from the log's
people now.

Nothing is filled in: minutes approved before this migration keep NULL and name the log's
people as they are now, as the meeting's list always did (meetings.domain.invited_to). A
nullable column is added without rebuilding the table (its AUTOINCREMENT ids stay: 0021)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('meeting', 'invited_as_approved', TextField(null=True)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE meeting DROP COLUMN invited_as_approved')
