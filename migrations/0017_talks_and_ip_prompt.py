"""Talks with the child linked to the agreement they follow (seed 002), and the decision
guide's answer given from inside a log, which the individual-plan prompt reads."""

from peewee import *


def up(migrator, db):
    class Log(Model):
        class Meta:
            database = db
            table_name = "log"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class ChildTalkAgreement(Model):
        class Meta:
            database = db
            table_name = "child_talk_agreement"

    # numbers never given out twice (0021): AUTOINCREMENT on SQLite, a sequence on PostgreSQL
    if isinstance(db, SqliteDatabase):
        from playhouse.sqlite_ext import AutoIncrementField as KeyField
    else:
        KeyField = AutoField

    class GuideAnswer(Model):
        id = KeyField()
        log = ForeignKeyField(Log, on_delete="CASCADE")
        result_id = CharField(max_length=40)
        answers = TextField(default="{}")
        answered_by = ForeignKeyField(User, on_delete="RESTRICT")
        answered_at = DateTimeField()

        class Meta:
            database = db
            table_name = "guide_answer"

    migrator.migrate(
        migrator.add_column(
            "child_talk",
            "agreement_id",
            ForeignKeyField(ChildTalkAgreement, null=True, on_delete="SET NULL", field=ChildTalkAgreement.id),
        ),
    )
    db.create_tables([GuideAnswer])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "guide_answer"')
    migrator.migrate(migrator.drop_column("child_talk", "agreement_id"))
