"""Two indexes on the people's notices. «Varsler» comes in windows, newest first, with a
keyset cursor (time and id): an index on user, time and id gives each window without
sorting (or reading) every notice the person has had. Every page counts the person's
unread notices: a partial index of the unread ones counts them without reading the read
ones, however many years of notices a person has."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_index("notification", ("user_id", "created_at", "id"), name="notification_user_id_created_at_id")
    )
    db.execute_sql('CREATE INDEX "notification_unread" ON "notification" ("user_id") WHERE "read_at" IS NULL')


def down(migrator, db):
    db.execute_sql('DROP INDEX "notification_unread"')
    migrator.migrate(migrator.drop_index("notification", "notification_user_id_created_at_id"))
