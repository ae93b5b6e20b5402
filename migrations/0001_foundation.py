"""Foundation: organisation, accounts, audit, notifications (generated from a schema diff)."""
from peewee import *


def up(migrator, db):
    class Area(Model):
        name = CharField(unique=True, max_length=200)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'area'
    db.create_tables([Area])

    class AuditEvent(Model):
        at = DateTimeField(index=True)
        user_id = IntegerField(index=True, null=True)
        username = CharField(max_length=150, default='')
        role = CharField(max_length=40, default='')
        action = CharField(max_length=60)
        log_id = IntegerField(index=True, null=True)
        object_type = CharField(max_length=40, default='')
        object_id = IntegerField(null=True)
        ip = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'audit_event'
    db.create_tables([AuditEvent])

    class LoginFailure(Model):
        key = CharField(index=True, max_length=200)
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'login_failure'
    db.create_tables([LoginFailure])

    class Unit(Model):
        area = ForeignKeyField(Area, on_delete='RESTRICT')
        name = CharField(max_length=200)
        kind = CharField(max_length=40)
        active = BooleanField(default=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'unit'
            indexes = ((('area', 'name'), True),)
    db.create_tables([Unit])

    class User(Model):
        username = CharField(unique=True, max_length=150)
        password_hash = CharField(default='')
        name = CharField(max_length=200)
        role = CharField(index=True, max_length=30)
        job_title = CharField(max_length=200, default='')
        email = CharField(max_length=254, default='')
        phone = CharField(max_length=40, default='')
        unit = ForeignKeyField(Unit, null=True, on_delete='RESTRICT')
        area = ForeignKeyField(Area, null=True, on_delete='RESTRICT')
        active = BooleanField(default=True)
        session_token = CharField(max_length=64, default='')
        must_change_password = BooleanField(default=False)
        created_at = DateTimeField()
        deactivated_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Notification(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=40)
        text = TextField()
        url = CharField(max_length=500, default='')
        log_id = IntegerField(index=True, null=True)
        dedupe_key = CharField(unique=True, max_length=200)
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
    db.create_tables([Notification])

    class OutboxEmail(Model):
        to = CharField(max_length=254)
        subject = CharField(max_length=300)
        body = TextField()
        created_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_email'
    db.create_tables([OutboxEmail])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('outbox_email'))
    migrator.migrate(migrator.drop_table('notification'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('unit'))
    migrator.migrate(migrator.drop_table('login_failure'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('area'))
