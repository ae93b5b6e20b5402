"""An e-mail's subject is a fixed text that names nothing (notify.SUBJECT_OF_KIND): it is
read on lock screens, in mail lists and on the admin's outbox page. E-mails queued
before were headed with the notice's whole text (a log number, units, people, dates);
those still waiting to be sent, and those kept on the outbox page after sending, get
the general subject «Stafettlogg: ny melding til deg». A subject without parameters
(«Ny stafettholder», «Invitasjon til Stafettlogg») was fixed already and is kept.

Not undone by down(): the old subjects are what this removes."""
import json

from peewee import *

GENERAL = {'k': 'Stafettlogg: ny melding til deg', 'p': {}}


def _names_something(value) -> bool:
    """A stored text with parameters (or put together from several), or a plain text
    stored before texts had keys: not one of the fixed subjects."""
    if isinstance(value, dict) and 'join' in value:
        return True
    if isinstance(value, dict):
        return bool(value.get('p'))
    return True


def up(migrator, db):
    general = json.dumps(GENERAL, ensure_ascii=False, sort_keys=True)
    rows = db.execute_sql('SELECT id, subject_message FROM outbox_email').fetchall()
    named = []
    for row_id, stored in rows:
        try:
            data = json.loads(stored)
        except (TypeError, ValueError):
            data = stored
        if _names_something(data):
            named.append(row_id)
    for start in range(0, len(named), 500):
        chunk = named[start:start + 500]
        marks = ', '.join([db.param] * len(chunk))
        db.execute_sql(
            f'UPDATE outbox_email SET subject_message = {db.param} WHERE id IN ({marks})', (general, *chunk)
        )


def down(migrator, db):
    pass
