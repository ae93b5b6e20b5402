"""The stafettlogg: subjects, logs, consents, sections, meetings, handovers (generated from a schema diff)."""
from peewee import *


def up(migrator, db):
    class Unit(Model):
        class Meta:
            database = db
            table_name = 'unit'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Subject(Model):
        kind = CharField(max_length=20, default='barn')
        name = CharField(index=True, max_length=200)
        birth_date = DateField(null=True)
        national_id = CharField(unique=True, null=True, max_length=11)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'subject'
    db.create_tables([Subject])

    class Log(Model):
        subject = ForeignKeyField(Subject, on_delete='CASCADE')
        unit = ForeignKeyField(Unit, on_delete='RESTRICT')
        holder = ForeignKeyField(User, on_delete='RESTRICT')
        status = CharField(index=True, max_length=20, default='draft')
        level = IntegerField(default=1)
        class_group = CharField(max_length=100, default='')
        guardians_informed_on = DateField(null=True)
        records_kept_in = CharField(max_length=60, default='stafettlogg')
        close_reason = CharField(max_length=30, default='')
        close_note = TextField(default='')
        coordinator_name = CharField(max_length=200, default='')
        coordinator_service = CharField(max_length=200, default='')
        guardian_agreed_to_keep = BooleanField(default=False)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        activated_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'log'
    db.create_tables([Log])

    class Concern(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        title = CharField(max_length=300)
        body = TextField(default='')
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'concern'
    db.create_tables([Concern])

    class StoredFile(Model):
        content = BlobField()
        content_type = CharField(max_length=60)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'stored_file'
    db.create_tables([StoredFile])

    class Consent(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        file = ForeignKeyField(StoredFile, on_delete='CASCADE')
        filename = CharField(max_length=200)
        given_by = CharField(max_length=20)
        given_by_name = CharField(max_length=200)
        relation = CharField(max_length=60, default='')
        consent_date = DateField()
        expires_on = DateField(null=True)
        services = TextField(default='')
        uploaded_by = ForeignKeyField(User, on_delete='RESTRICT')
        uploaded_at = DateTimeField()
        replaced_at = DateTimeField(null=True)
        withdrawn_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'consent'
    db.create_tables([Consent])

    class Entry(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        entry_date = DateField()
        body = TextField()
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'entry'
    db.create_tables([Entry])

    class Meeting(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        kind = CharField(max_length=30)
        starts_at = DateTimeField()
        place = CharField(max_length=300, default='')
        invited = TextField(default='')
        agenda = TextField(default='')
        minutes = TextField(default='')
        present = TextField(default='')
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        finalised_at = DateTimeField(null=True)
        finalised_by = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'meeting'
    db.create_tables([Meeting])

    class Measure(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        concern = ForeignKeyField(Concern, null=True, on_delete='SET NULL')
        meeting = ForeignKeyField(Meeting, null=True, on_delete='SET NULL')
        what = TextField()
        responsible = CharField(max_length=200)
        responsible_user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        start_date = DateField(null=True)
        evaluation_date = DateField(index=True, null=True)
        status = CharField(max_length=20, default='planned')
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'measure'
    db.create_tables([Measure])

    class Evaluation(Model):
        measure = ForeignKeyField(Measure, on_delete='CASCADE')
        evaluated_on = DateField()
        what_worked = TextField()
        decision = CharField(max_length=20)
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'evaluation'
    db.create_tables([Evaluation])

    class Goal(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        concern = ForeignKeyField(Concern, null=True, on_delete='SET NULL')
        body = TextField()
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'goal'
    db.create_tables([Goal])

    class Guardian(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        name = CharField(max_length=200)
        relation = CharField(max_length=60, default='')
        phone = CharField(max_length=40, default='')
        email = CharField(max_length=254, default='')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'guardian'
    db.create_tables([Guardian])

    class Handover(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        from_user = ForeignKeyField(User, on_delete='RESTRICT')
        to_user = ForeignKeyField(User, on_delete='RESTRICT')
        note = TextField(default='')
        status = CharField(index=True, max_length=20, default='pending')
        decline_reason = TextField(default='')
        direct_assignment = BooleanField(default=False)
        created_by = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'handover'
    db.create_tables([Handover])

    class Highlight(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        body = TextField()
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'highlight'
    db.create_tables([Highlight])

    class MinutesCorrection(Model):
        meeting = ForeignKeyField(Meeting, on_delete='CASCADE')
        body = TextField()
        author = ForeignKeyField(User, on_delete='RESTRICT')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'minutes_correction'
    db.create_tables([MinutesCorrection])

    class Participant(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='RESTRICT')
        added_by = ForeignKeyField(User, on_delete='RESTRICT')
        added_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'participant'
            indexes = ((('log', 'user'), True),)
    db.create_tables([Participant])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('participant'))
    migrator.migrate(migrator.drop_table('minutes_correction'))
    migrator.migrate(migrator.drop_table('highlight'))
    migrator.migrate(migrator.drop_table('handover'))
    migrator.migrate(migrator.drop_table('guardian'))
    migrator.migrate(migrator.drop_table('goal'))
    migrator.migrate(migrator.drop_table('evaluation'))
    migrator.migrate(migrator.drop_table('measure'))
    migrator.migrate(migrator.drop_table('meeting'))
    migrator.migrate(migrator.drop_table('entry'))
    migrator.migrate(migrator.drop_table('consent'))
    migrator.migrate(migrator.drop_table('stored_file'))
    migrator.migrate(migrator.drop_table('concern'))
    migrator.migrate(migrator.drop_table('log'))
    migrator.migrate(migrator.drop_table('subject'))
