"""Staff sign-in with the municipality's provider: provider sessions ended by front-channel
logout, and the one-time code that goes with a guardian's invitation link."""
from peewee import *


def up(migrator, db):
    class OidcLogout(Model):
        iss = CharField(max_length=500)
        sid = CharField(max_length=255)
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'oidc_logout'
            indexes = ((('iss', 'sid'), True),)

    migrator.migrate(
        migrator.add_column('guardian_invitation', 'code_hash', CharField(max_length=64, default='')),
    )
    db.create_tables([OidcLogout])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table('oidc_logout'),
        migrator.drop_column('guardian_invitation', 'code_hash'),
    )
