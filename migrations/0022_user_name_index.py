"""An index on the people's names: the participant search and the pick lists give the
first matches in name order, and the index gives them without sorting (or scanning) every
account of the municipality."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_index("user", ("name",), name="user_name"))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("user", "user_name"))
