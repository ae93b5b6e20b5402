"""The provider sessions our sessions began with (iss, sid): their front-channel logout is
recorded whatever the per-address limit on anonymous writes. On SQLite the new table's
ids are AUTOINCREMENT like every other table's (0021)."""
import importlib.util
from pathlib import Path

from peewee import *


def _ids_never_reused():
    path = Path(__file__).with_name("0021_ids_never_reused.py")
    if not path.exists():
        return None  # a copy of the migrations without 0021: it rebuilds this table when it runs
    spec = importlib.util.spec_from_file_location("ids_never_reused", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def up(migrator, db):
    class OidcSession(Model):
        iss = CharField(max_length=500)
        sid = CharField(max_length=255)
        at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = 'oidc_session'
            indexes = ((('iss', 'sid'), True),)

    db.create_tables([OidcSession])
    rebuild = _ids_never_reused()
    if rebuild is not None and isinstance(getattr(db, "obj", db), SqliteDatabase):
        rebuild.rebuild_with_autoincrement(db)


def down(migrator, db):
    migrator.migrate(migrator.drop_table('oidc_session'))
