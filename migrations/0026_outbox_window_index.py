"""An index on the e-mail outbox by time: the administrator's «Utboks» comes in windows,
newest first, with a keyset cursor (time and id), and the index gives each window without
sorting every e-mail the municipality has sent."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("outbox_email", ("created_at", "id"), name="outboxemail_created_at_id"))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("outbox_email", "outboxemail_created_at_id"))
