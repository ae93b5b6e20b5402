"""An e-mail about a log names the log (outbox_email.log_id), so that deleting the log
deletes its e-mails too: the outbox kept the family's addresses and the holder's and
unit's names after the log was purged. E-mails of a notice get the notice's log; the
rest written before this migration name none (they leave the outbox after MAIL_KEPT_DAYS)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('outbox_email', 'log_id', IntegerField(null=True)),
        migrator.add_index('outbox_email', ('log_id',)),
    )
    db.execute_sql(
        "UPDATE outbox_email SET log_id = (SELECT n.log_id FROM notification n "
        "WHERE 'notice:' || CAST(n.id AS TEXT) = outbox_email.idempotency_key)"
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('outbox_email', 'outbox_email_log_id'),
        migrator.drop_column('outbox_email', 'log_id'),
    )
