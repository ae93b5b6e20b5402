"""Notices and e-mails stored as message keys with parameters (rendered in the reader's
language); the e-mail outbox becomes a queue with status, attempts and an idempotency key;
a person's chosen language. Existing notices and e-mails keep their text as a key without
parameters; e-mails never sent (no mail server then) are marked skipped, not sent now."""
import json

from peewee import *


def _message(text):
    return json.dumps({"k": text or "", "p": {}}, ensure_ascii=False, sort_keys=True)


def up(migrator, db):
    class Notification(Model):
        text = TextField()
        message = TextField(default='')
        class Meta:
            database = db
            table_name = 'notification'

    class OutboxEmail(Model):
        subject = CharField(max_length=300)
        body = TextField()
        sent_at = DateTimeField(null=True)
        subject_message = TextField(default='')
        body_message = TextField(default='')
        idempotency_key = CharField(max_length=100, default='')
        status = CharField(max_length=10, default='queued')
        class Meta:
            database = db
            table_name = 'outbox_email'

    migrator.migrate(
        migrator.add_column('user', 'language', CharField(max_length=10, default='')),
        migrator.add_column('notification', 'message', TextField(default='')),
        migrator.add_column('outbox_email', 'subject_message', TextField(default='')),
        migrator.add_column('outbox_email', 'body_message', TextField(default='')),
        migrator.add_column('outbox_email', 'locale', CharField(max_length=10, default='nb')),
        migrator.add_column('outbox_email', 'idempotency_key', CharField(max_length=100, default='')),
        migrator.add_column('outbox_email', 'status', CharField(max_length=10, default='queued')),
        migrator.add_column('outbox_email', 'attempts', IntegerField(default=0)),
        migrator.add_column('outbox_email', 'next_attempt_at', DateTimeField(null=True)),
        migrator.add_column('outbox_email', 'last_error', TextField(default='')),
        migrator.add_column('outbox_email', 'claimed_by', CharField(max_length=64, default='')),
        migrator.add_column('outbox_email', 'claimed_at', DateTimeField(null=True)),
    )
    for note in Notification.select(Notification.id, Notification.text):
        Notification.update(message=_message(note.text)).where(Notification.id == note.id).execute()
    for mail in OutboxEmail.select(OutboxEmail.id, OutboxEmail.subject, OutboxEmail.body, OutboxEmail.sent_at):
        OutboxEmail.update(
            subject_message=_message(mail.subject),
            body_message=_message(mail.body),
            idempotency_key=f'legacy:{mail.id}',
            status='sent' if mail.sent_at else 'skipped',
        ).where(OutboxEmail.id == mail.id).execute()
    migrator.migrate(
        migrator.drop_column('notification', 'text'),
        migrator.drop_column('outbox_email', 'subject'),
        migrator.drop_column('outbox_email', 'body'),
        migrator.add_index('outbox_email', ('idempotency_key',), unique=True),
        migrator.add_index('outbox_email', ('status',)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('outbox_email', 'outbox_email_status'),
        migrator.drop_index('outbox_email', 'outbox_email_idempotency_key'),
        migrator.add_column('notification', 'text', TextField(default='')),
        migrator.add_column('outbox_email', 'subject', CharField(max_length=300, default='')),
        migrator.add_column('outbox_email', 'body', TextField(default='')),
    )
    for table, pairs in (('notification', (('message', 'text'),)),
                         ('outbox_email', (('subject_message', 'subject'), ('body_message', 'body')))):
        columns = [source for source, _target in pairs]
        for row in db.execute_sql(f'SELECT id, {", ".join(columns)} FROM "{table}"').fetchall():
            values = [json.loads(value or '{}').get('k', '') for value in row[1:]]
            assignments = ", ".join(f'"{target}" = %s' for _source, target in pairs).replace('%s', db.param)
            db.execute_sql(f'UPDATE "{table}" SET {assignments} WHERE id = {db.param}', (*values, row[0]))
    migrator.migrate(
        migrator.drop_column('notification', 'message'),
        *[migrator.drop_column('outbox_email', c) for c in (
            'subject_message', 'body_message', 'locale', 'idempotency_key', 'status', 'attempts',
            'next_attempt_at', 'last_error', 'claimed_by', 'claimed_at')],
        migrator.drop_column('user', 'language'),
    )
