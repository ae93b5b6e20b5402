"""Closing asks, never assumes: the family's answer to "Skal loggen tas vare på?" is
stored as its own value: "yes" (kept, passive), "no" (the unit leader may delete the
log), "undecided" (asked again later; the holder is reminded), "" (not asked: an open
log). Closed logs from before, where "no" and "not decided yet" were one answer, become
"undecided": nobody recorded a refusal."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("log", "keep_answer", CharField(max_length=20, default="")))
    db.execute_sql("UPDATE log SET keep_answer = 'yes' WHERE guardian_agreed_to_keep")
    db.execute_sql("UPDATE log SET keep_answer = 'undecided' WHERE status = 'closed' AND NOT guardian_agreed_to_keep")


def down(migrator, db):
    migrator.migrate(migrator.drop_column("log", "keep_answer"))
