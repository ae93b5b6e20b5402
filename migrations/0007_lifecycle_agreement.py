"""Lifecycle (issue 6): who agreed that a closed log is kept (passive), and the unit leader's answer to a deletion request."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("log", "keep_agreed_by", CharField(max_length=200, default="")),
        migrator.add_column("log", "keep_agreed_on", DateField(null=True)),
        migrator.add_column("deletion_request", "response", TextField(default="")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("log", "keep_agreed_by"),
        migrator.drop_column("log", "keep_agreed_on"),
        migrator.drop_column("deletion_request", "response"),
    )
