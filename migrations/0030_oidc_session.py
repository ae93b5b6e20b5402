"""The provider sessions our sessions began with (iss, sid): their front-channel logout is
recorded whatever the per-address limit on anonymous writes."""
from peewee import *


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


def down(migrator, db):
    migrator.migrate(migrator.drop_table('oidc_session'))
