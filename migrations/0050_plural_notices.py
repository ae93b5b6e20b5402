"""Stored texts with a count have plural forms (messages.msg_plural): KE's June reminder
said «Juni: 1 skoler og barnehager …». Reminders stored before (notices and their
e-mails) are moved to the new key with the count as its number, so a nynorsk reader
keeps reading them in nynorsk (the old key is gone from the catalogues)."""
import json

from peewee import *

OLD = "Juni: %(n)s skoler og barnehager er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang."
SINGULAR = "Juni: %(num)s skole eller barnehage er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang."
PLURAL = "Juni: %(num)s skoler og barnehager er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang."
COLUMNS = (('notification', 'message'), ('outbox_email', 'subject_message'), ('outbox_email', 'body_message'))


def _to_plural(value):
    if isinstance(value, list):
        return [_to_plural(part) for part in value]
    if not isinstance(value, dict):
        return value
    if value.get('k') == OLD and 'pl' not in value:
        params = dict(value.get('p') or {})
        return {'k': SINGULAR, 'p': params, 'pl': PLURAL, 'n': params.pop('n', 0)}
    return {name: _to_plural(part) for name, part in value.items()}


def _to_single(value):
    if isinstance(value, list):
        return [_to_single(part) for part in value]
    if not isinstance(value, dict):
        return value
    if value.get('k') == SINGULAR and value.get('pl') == PLURAL:
        return {'k': OLD, 'p': {**(value.get('p') or {}), 'n': value.get('n')}}
    return {name: _to_single(part) for name, part in value.items()}


def _rewrite(db, change, marker):
    for table, column in COLUMNS:
        rows = db.execute_sql(
            f'SELECT id, {column} FROM {table} WHERE {column} LIKE {db.param}', (f'%{marker}%',)
        ).fetchall()
        for row_id, stored in rows:
            try:
                data = json.loads(stored)
            except (TypeError, ValueError):
                continue
            new = json.dumps(change(data), ensure_ascii=False, sort_keys=True)
            if new != stored:
                db.execute_sql(f'UPDATE {table} SET {column} = {db.param} WHERE id = {db.param}', (new, row_id))


def up(migrator, db):
    _rewrite(db, _to_plural, 'skoler og barnehager er ikke gjennomg')


def down(migrator, db):
    _rewrite(db, _to_single, 'skole eller barnehage er ikke gjennomg')
