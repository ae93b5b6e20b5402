"""Languages: each guardian's preferred language (their e-mails and paper version) and
whether an interpreter is needed in meetings."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("guardian", "language", CharField(max_length=10, default="")),
        migrator.add_column("guardian", "needs_interpreter", BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("guardian", "language"),
        migrator.drop_column("guardian", "needs_interpreter"),
    )
