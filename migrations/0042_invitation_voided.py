"""An invitation to the family ends for good when its log ends (closed, consent withdrawn,
deletion asked for): reopening the log does not bring it back (lifecycle.void_invitations)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('guardian_invitation', 'voided_at', DateTimeField(null=True)))


def down(migrator, db):
    db.execute_sql('ALTER TABLE guardian_invitation DROP COLUMN voided_at')
