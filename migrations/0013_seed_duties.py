"""Seed duties: the ITO-koordinator delegation (seed 000 point 1), class/group per unit and
school year, and "Samtale med barnet" between meetings (seed 002): the agreement (named
adult, how often) and a note of each talk."""
from peewee import *


def up(migrator, db):
    class Log(Model):
        class Meta:
            database = db
            table_name = 'log'

    class Unit(Model):
        class Meta:
            database = db
            table_name = 'unit'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ItoDelegation(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='RESTRICT')
        granted_by = ForeignKeyField(User, on_delete='RESTRICT')
        granted_at = DateTimeField()
        revoked_at = DateTimeField(null=True, index=True)
        revoked_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'ito_delegation'

    class ClassGroupPeriod(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='RESTRICT')
        school_year = IntegerField()
        class_group = CharField(max_length=100)
        class Meta:
            database = db
            table_name = 'class_group_period'
            indexes = ((('log', 'unit', 'school_year'), True),)

    class ChildTalkAgreement(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        adult = CharField(max_length=200)
        adult_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        every_days = IntegerField()
        start_date = DateField()
        how = TextField(default='')
        status = CharField(max_length=20, default='ongoing')
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'child_talk_agreement'

    class ChildTalk(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        talked_on = DateField(index=True)
        who = CharField(max_length=200)
        how_it_goes = TextField()
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'child_talk'

    db.create_tables([ItoDelegation, ClassGroupPeriod, ChildTalkAgreement, ChildTalk])


def down(migrator, db):
    for table in ('child_talk', 'child_talk_agreement', 'class_group_period', 'ito_delegation'):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
