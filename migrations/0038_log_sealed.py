"""A log taken over (a request for an ended log accepted: it reopened as a draft to the
requester) is sealed until the family's new consent is on file: if it ends again before,
the content from before opens to no one in the staff. Before, the new holder read it all
once the draft was closed, or the family withdrew or asked for deletion. Logs taken over
before this, with no consent since, are sealed now: the takeover is the audit's
log_reopened event that names the handover."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('log', 'sealed', BooleanField(default=False)))
    db.execute_sql(
        "UPDATE log SET sealed = TRUE WHERE EXISTS ("
        " SELECT 1 FROM audit_event e WHERE e.log_id = log.id AND e.action = 'log_reopened'"
        " AND e.object_type = 'handover' AND NOT EXISTS ("
        "  SELECT 1 FROM consent c WHERE c.log_id = log.id AND c.uploaded_at > e.at))"
    )


def down(migrator, db):
    db.execute_sql('ALTER TABLE log DROP COLUMN sealed')
