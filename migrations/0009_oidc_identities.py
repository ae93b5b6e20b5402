"""OpenID Connect sign-in: the guardian's fødselsnummer, the person number a guardian
account signs in with (ID-porten pid), and a staff member's login identity at the
municipality's identity provider."""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("guardian", "national_id", CharField(max_length=11, null=True, index=True)),
        migrator.add_column("user", "national_id", CharField(max_length=11, null=True, unique=True)),
        migrator.add_column("user", "login_identity", CharField(max_length=254, null=True, unique=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("guardian", "national_id"),
        migrator.drop_column("user", "national_id"),
        migrator.drop_column("user", "login_identity"),
    )
