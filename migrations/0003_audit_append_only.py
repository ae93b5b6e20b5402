"""The audit table is append-only: the database itself refuses UPDATE and DELETE."""
from peewee import SqliteDatabase


def up(migrator, db):
    target = getattr(db, "obj", db)
    if isinstance(target, SqliteDatabase):
        for op in ("update", "delete"):
            db.execute_sql(
                f"CREATE TRIGGER audit_event_no_{op} BEFORE {op.upper()} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
    else:
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )


def down(migrator, db):
    target = getattr(db, "obj", db)
    if isinstance(target, SqliteDatabase):
        for op in ("update", "delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS audit_event_no_{op}")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
