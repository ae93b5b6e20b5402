"""Taking over an earlier log without an oracle: a staff member who finds a log by
fødselsnummer asks for it (log_request) and the holder or unit leader answers; every
search by fødselsnummer is counted per user for the rate limit (national_id_lookup).

The date the guardians were told who the holder is belongs to that holder: a date that
was recorded before the latest accepted handover of a log was carried over to the new
holder, so it is cleared (the new holder is asked to record when they told the family).
"""
from peewee import *


def up(migrator, db):
    class Log(Model):
        class Meta:
            database = db
            table_name = 'log'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Handover(Model):
        class Meta:
            database = db
            table_name = 'handover'

    class LogRequest(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        requester = ForeignKeyField(User, on_delete='CASCADE')
        status = CharField(max_length=20, default='pending', index=True)
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decline_reason = TextField(default='')
        handover = ForeignKeyField(Handover, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'log_request'

    class NationalIdLookup(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'national_id_lookup'

    db.create_tables([LogRequest, NationalIdLookup])

    # A log whose holder came by a handover keeps its informed date only when the
    # current holder wrote the log's header (where the date is recorded) after it.
    rows = db.execute_sql(
        "SELECT h.log_id, h.to_user_id, MAX(h.decided_at) FROM handover h JOIN log l ON l.id = h.log_id"
        " WHERE h.status = 'accepted' AND h.to_user_id = l.holder_id AND l.guardians_informed_on IS NOT NULL"
        " GROUP BY h.log_id, h.to_user_id"
    ).fetchall()
    for log_id, holder_id, decided_at in rows:
        since = db.execute_sql(
            "SELECT COUNT(*) FROM audit_event WHERE action = 'log_header_updated' AND log_id = %s"
            " AND user_id = %s AND at >= %s".replace("%s", db.param),
            (log_id, holder_id, decided_at),
        ).fetchone()[0]
        if not since:
            db.execute_sql(
                "UPDATE log SET guardians_informed_on = NULL WHERE id = %s".replace("%s", db.param), (log_id,)
            )


def down(migrator, db):
    for table in ('national_id_lookup', 'log_request'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
