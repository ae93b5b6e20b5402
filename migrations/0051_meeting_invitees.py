"""Who of the log's people is invited to a meeting (meeting_invitee): the holder ticks
them when she plans the meeting; the free text (meeting.invited) stays for anyone else.
The «møte i morgen» reminder used to go to everyone on the log.

No rows are filled in: a meeting whose invitees were never chosen
(meeting.invitees_chosen false) invites everyone on the log (meetings/invitees.py), so
the meetings planned before this migration are reminded as they were. A meeting whose
list was chosen keeps it when an invited guardian is removed and its rows go with them. On SQLite the new table's ids are AUTOINCREMENT like every other table's
(0021; tests/test_ids.py)."""
import importlib.util
from pathlib import Path

from peewee import *


def _ids_never_reused():
    path = Path(__file__).with_name("0021_ids_never_reused.py")
    if not path.exists():
        return None  # a copy of the migrations without 0021: it rebuilds this table when it runs
    spec = importlib.util.spec_from_file_location("ids_never_reused", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Guardian(Model):
        class Meta:
            database = db
            table_name = 'guardian'

    class Meeting(Model):
        class Meta:
            database = db
            table_name = 'meeting'

    class MeetingInvitee(Model):
        meeting = ForeignKeyField(Meeting, backref='+', on_delete='CASCADE')
        user = ForeignKeyField(User, null=True, backref='+', on_delete='CASCADE')
        guardian = ForeignKeyField(Guardian, null=True, backref='+', on_delete='CASCADE')

        class Meta:
            database = db
            table_name = 'meeting_invitee'
            indexes = ((('meeting', 'user'), True), (('meeting', 'guardian'), True))
            constraints = [Check('(user_id IS NULL) <> (guardian_id IS NULL)')]

    db.create_tables([MeetingInvitee])
    migrator.migrate(migrator.add_column('meeting', 'invitees_chosen', BooleanField(default=False)))
    rebuild = _ids_never_reused()  # on SQLite its ids are AUTOINCREMENT like every table's (0021)
    if rebuild is not None and isinstance(getattr(db, "obj", db), SqliteDatabase):
        rebuild.rebuild_with_autoincrement(db)


def down(migrator, db):
    migrator.migrate(migrator.drop_column('meeting', 'invitees_chosen'))
    migrator.migrate(migrator.drop_table('meeting_invitee'))
