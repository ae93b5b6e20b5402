"""Second factor for password sign-in: the TOTP secret (encrypted with a key derived from
SECRET_KEY), when it was confirmed, the last time step accepted (a code is used once), and
single-use recovery codes stored as Argon2 hashes."""

from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class RecoveryCode(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        code_hash = CharField(max_length=255)
        created_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'recovery_code'

    migrator.migrate(
        migrator.add_column("user", "totp_secret", TextField(default="")),
        migrator.add_column("user", "totp_enabled_at", DateTimeField(null=True)),
        migrator.add_column("user", "totp_last_step", BigIntegerField(default=0)),
    )
    db.create_tables([RecoveryCode])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "recovery_code"')
    migrator.migrate(
        migrator.drop_column("user", "totp_secret"),
        migrator.drop_column("user", "totp_enabled_at"),
        migrator.drop_column("user", "totp_last_step"),
    )
