"""Two changes.

A consent runs out once: its «Samtykket gikk ut» event is unique (a partial unique index
on audit_event, for action 'consent_expired', by consent), so two overlapping reminder
runs (two app servers' timers) write it once. Such runs may already have written it
twice: the copies are removed first, the earliest of each kept. They are the same
system event written twice, nothing anyone did or read, so the audit table's
append-only guard is lifted for this one DELETE, inside the migration's transaction,
and is back before it commits.

An e-mail names the account it is written to (outbox_email.recipient_id), so that mail to
a staff member deactivated since it was queued is not sent. E-mails of a notice get the
notice's reader; the rest name none (an address alone)."""
from peewee import IntegerField, SqliteDatabase

DUPLICATES = (
    "DELETE FROM audit_event WHERE action = 'consent_expired' AND object_id IS NOT NULL "
    "AND id NOT IN (SELECT MIN(id) FROM audit_event WHERE action = 'consent_expired' "
    "AND object_id IS NOT NULL GROUP BY object_id)"
)


def _sqlite(db):
    return isinstance(getattr(db, "obj", db), SqliteDatabase)


def _remove_duplicates(db):
    if _sqlite(db):
        guard = db.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_event_no_delete'"
        ).fetchone()
        if guard:
            db.execute_sql("DROP TRIGGER audit_event_no_delete")
        db.execute_sql(DUPLICATES)
        if guard:
            db.execute_sql(guard[0])
    else:
        db.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        db.execute_sql(DUPLICATES)
        db.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def up(migrator, db):
    _remove_duplicates(db)
    db.execute_sql(
        'CREATE UNIQUE INDEX "audit_event_consent_expired_once" ON "audit_event" ("object_id") '
        "WHERE (\"action\" = 'consent_expired')"
    )
    migrator.migrate(migrator.add_column('outbox_email', 'recipient_id', IntegerField(null=True)))
    # the notice's id from the key (notice:<id>), looked up by its primary key: comparing
    # keys built from every notice would read all of them once per e-mail
    db.execute_sql(
        "UPDATE outbox_email SET recipient_id = (SELECT n.user_id FROM notification n "
        "WHERE n.id = CAST(SUBSTR(outbox_email.idempotency_key, 8) AS INTEGER)) "
        "WHERE SUBSTR(idempotency_key, 1, 7) = 'notice:'"
    )


def down(migrator, db):
    # a plain DROP COLUMN: SQLite's rebuild of the table would lose its AUTOINCREMENT ids
    db.execute_sql('ALTER TABLE outbox_email DROP COLUMN recipient_id')
    db.execute_sql('DROP INDEX "audit_event_consent_expired_once"')
