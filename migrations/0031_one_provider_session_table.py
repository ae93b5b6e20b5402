"""One table of provider sessions (oidc_session) instead of two with the same columns:
a session of ours began with it (``ended_at`` empty), or the provider said it ended
(front-channel logout, ``ended_at`` set). The ended sessions of oidc_logout are kept:
a row of oidc_session with the same (iss, sid) is marked ended, any other row is added as
ended. On SQLite the rebuilt oidc_logout of a downgrade has AUTOINCREMENT ids (0021)."""
import importlib.util
from pathlib import Path

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('oidc_session', 'ended_at', DateTimeField(null=True)))
    db.execute_sql(
        'UPDATE oidc_session SET ended_at = (SELECT l.at FROM oidc_logout l '
        'WHERE l.iss = oidc_session.iss AND l.sid = oidc_session.sid)'
    )
    db.execute_sql(
        'INSERT INTO oidc_session (iss, sid, at, ended_at) SELECT l.iss, l.sid, l.at, l.at FROM oidc_logout l '
        'WHERE NOT EXISTS (SELECT 1 FROM oidc_session s WHERE s.iss = l.iss AND s.sid = l.sid) ORDER BY l.id'
    )
    migrator.migrate(migrator.drop_table('oidc_logout'))


def _ids_never_reused():
    path = Path(__file__).with_name("0021_ids_never_reused.py")
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("ids_never_reused", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def down(migrator, db):
    class OidcLogout(Model):
        iss = CharField(max_length=500)
        sid = CharField(max_length=255)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = 'oidc_logout'
            indexes = ((('iss', 'sid'), True),)

    db.create_tables([OidcLogout])
    db.execute_sql(
        'INSERT INTO oidc_logout (iss, sid, at) SELECT iss, sid, ended_at FROM oidc_session '
        'WHERE ended_at IS NOT NULL ORDER BY id'
    )
    db.execute_sql('DELETE FROM oidc_session WHERE ended_at IS NOT NULL AND ended_at = at')
    migrator.migrate(migrator.drop_column('oidc_session', 'ended_at'))
    rebuild = _ids_never_reused()
    if rebuild is not None and isinstance(getattr(db, "obj", db), SqliteDatabase):
        rebuild.rebuild_with_autoincrement(db)
