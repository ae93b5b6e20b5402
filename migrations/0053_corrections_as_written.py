"""A correction under approved minutes is part of their record: it keeps who wrote it,
their name and job title when they wrote it (meetings.domain.add_correction). It used to
be shown with the author's name now, so a new name changed what approved minutes said.

Corrections written before this migration get what they showed until now: the author's
name and job title now. On SQLite the migrator's rebuild of the table (the columns are
NOT NULL) keeps its AUTOINCREMENT ids (0021; tests/test_ids.py)."""
from peewee import *

COLUMNS = ('author_name', 'author_job_title')


def up(migrator, db):
    migrator.migrate(
        *[migrator.add_column('minutes_correction', c, CharField(max_length=200, default='')) for c in COLUMNS]
    )
    db.execute_sql(
        'UPDATE minutes_correction SET '
        'author_name = COALESCE((SELECT u.name FROM "user" u WHERE u.id = minutes_correction.author_id), \'\'), '
        'author_job_title = COALESCE((SELECT u.job_title FROM "user" u WHERE u.id = minutes_correction.author_id), \'\')'
    )


def down(migrator, db):
    for column in reversed(COLUMNS):
        db.execute_sql(f'ALTER TABLE minutes_correction DROP COLUMN {column}')
