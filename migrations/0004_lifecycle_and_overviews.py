"""Lifecycle (deletion requests, invitations, tombstones) and overviews (KE register, external coordination, reconciliation)."""
from peewee import *


def up(migrator, db):
    class Guardian(Model):
        class Meta:
            database = db
            table_name = 'guardian'

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

    class CoordinatorRecord(Model):
        child_name = CharField(max_length=200)
        birth_date = DateField(null=True)
        unit = ForeignKeyField(Unit, null=True, on_delete='SET NULL')
        class_group = CharField(max_length=100, default='')
        kind = CharField(max_length=20)
        decision = CharField(max_length=20)
        decided_on = DateField()
        person_name = CharField(max_length=200, default='')
        person_service = CharField(max_length=200, default='')
        person_contact = CharField(max_length=200, default='')
        has_ip = BooleanField(default=False)
        consent_to_inform = BooleanField(default=False)
        informed_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'coordinator_record'
    db.create_tables([CoordinatorRecord])

    class DeletionRequest(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        requested_by = ForeignKeyField(User, on_delete='RESTRICT')
        reason = TextField(default='')
        created_at = DateTimeField()
        handled_at = DateTimeField(null=True)
        handled_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        outcome = CharField(max_length=20, default='')
        class Meta:
            database = db
            table_name = 'deletion_request'
    db.create_tables([DeletionRequest])

    class ExternalCoordination(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        school_year = IntegerField(index=True)
        child_name = CharField(max_length=200)
        class_group = CharField(max_length=100, default='')
        holder = CharField(max_length=200, default='')
        koordinator = CharField(max_length=200, default='')
        barnekoordinator = CharField(max_length=200, default='')
        records_kept_in = CharField(max_length=100, default='')
        records_note = CharField(max_length=200, default='')
        guardians_informed_on = DateField(null=True)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'external_coordination'
    db.create_tables([ExternalCoordination])

    class GuardianInvitation(Model):
        guardian = ForeignKeyField(Guardian, on_delete='CASCADE')
        token_hash = CharField(unique=True, max_length=64)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'guardian_invitation'
    db.create_tables([GuardianInvitation])

    class LogTombstone(Model):
        log_id = IntegerField(unique=True)
        unit = ForeignKeyField(Unit, on_delete='RESTRICT')
        created_at = DateTimeField()
        closed_at = DateTimeField(null=True)
        deleted_at = DateTimeField()
        deleted_by = ForeignKeyField(User, on_delete='RESTRICT')
        reason = CharField(max_length=30, default='')
        class Meta:
            database = db
            table_name = 'log_tombstone'
    db.create_tables([LogTombstone])

    class Reconciliation(Model):
        unit = ForeignKeyField(Unit, on_delete='CASCADE')
        school_year = IntegerField()
        status = CharField(max_length=20, default='not_started')
        ke_contact_name = CharField(max_length=200, default='')
        unit_contact_name = CharField(max_length=200, default='')
        note = TextField(default='')
        reviewed_at = DateTimeField(null=True)
        reviewed_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'reconciliation'
            indexes = ((('unit', 'school_year'), True),)
    db.create_tables([Reconciliation])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('reconciliation'))
    migrator.migrate(migrator.drop_table('log_tombstone'))
    migrator.migrate(migrator.drop_table('guardian_invitation'))
    migrator.migrate(migrator.drop_table('external_coordination'))
    migrator.migrate(migrator.drop_table('deletion_request'))
    migrator.migrate(migrator.drop_table('coordinator_record'))
