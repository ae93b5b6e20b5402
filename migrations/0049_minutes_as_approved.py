"""Approved minutes are a record: they keep whom they named when they were approved (the
holder as of the meeting with their job title, the log's unit, who approved). They used
to be shown with the people as they are now, so a new job title, a new name, a handover
or the log's move to another school changed minutes approved long before.

Minutes approved before this migration get what they showed until now: the holder as of
the meeting by the holder history (accepted handovers by the time they were decided),
with the name and title that person has now, the log's unit now and the approver's name
now. On SQLite the migrator's rebuild of the table (the columns are NOT NULL) keeps its
AUTOINCREMENT ids (0021; tests/test_ids.py)."""
from peewee import *

ACCEPTED = 'accepted'
COLUMNS = ('finalised_by_name', 'holder_name', 'holder_job_title', 'unit_name')


def holder_as_of(starts_at, holder_id, handovers):
    """The holder when the meeting took place (logs.queries.holder_on, as it was when this
    migration was written): the receiver of the last handover accepted before it; before
    any, the giver of the first; with none, the log's holder. handovers: (from, to,
    decided_at), oldest first."""
    holder = handovers[0][0] if handovers else holder_id
    for from_id, to_id, decided_at in handovers:
        if decided_at is not None and decided_at <= starts_at:
            holder = to_id
    return holder


def up(migrator, db):
    migrator.migrate(*[migrator.add_column('meeting', c, CharField(max_length=200, default='')) for c in COLUMNS])
    mark = db.param
    field = DateTimeField()
    approved = db.execute_sql(
        'SELECT m.id, m.log_id, m.starts_at, m.finalised_by_id, "log".holder_id, unit.name FROM meeting m '
        'JOIN "log" ON "log".id = m.log_id JOIN unit ON unit.id = "log".unit_id '
        'WHERE m.finalised_at IS NOT NULL ORDER BY m.log_id, m.id'
    ).fetchall()
    people, histories = {}, {}

    def person(user_id):
        if user_id not in people:
            row = db.execute_sql(f'SELECT name, job_title FROM "user" WHERE id = {mark}', (user_id,)).fetchone()
            people[user_id] = (row[0] or '', row[1] or '') if row else ('', '')
        return people[user_id]

    for meeting_id, log_id, starts_at, approver_id, holder_id, unit_name in approved:
        if log_id not in histories:
            rows = db.execute_sql(
                'SELECT from_user_id, to_user_id, decided_at FROM handover '
                f'WHERE log_id = {mark} AND status = {mark} ORDER BY decided_at',
                (log_id, ACCEPTED),
            ).fetchall()
            histories[log_id] = [(f, t, field.python_value(at)) for f, t, at in rows]
        holder = holder_as_of(field.python_value(starts_at), holder_id, histories[log_id])
        name, title = person(holder)
        approver = person(approver_id)[0] if approver_id is not None else ''
        db.execute_sql(
            f'UPDATE meeting SET finalised_by_name = {mark}, holder_name = {mark}, holder_job_title = {mark}, '
            f'unit_name = {mark} WHERE id = {mark}',
            (approver, name, title, unit_name or '', meeting_id),
        )


def down(migrator, db):
    for column in reversed(COLUMNS):
        db.execute_sql(f'ALTER TABLE meeting DROP COLUMN {column}')
