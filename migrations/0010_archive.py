"""Archive (seed 003): the unit's document language, each delivery of a log to the
municipality's archive, the archive's case number on the log, and why a log was deleted
without being archived (kept on the tombstone)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class ArchiveDelivery(Model):
        log_id = IntegerField(index=True)
        delivered_at = DateTimeField()
        delivered_by = ForeignKeyField(User, on_delete='RESTRICT')
        transport = CharField(max_length=20)
        package_name = CharField(max_length=200)
        package_sha256 = CharField(max_length=64)
        documents = TextField(default='[]')

        class Meta:
            database = db
            table_name = 'archive_delivery'

    migrator.migrate(
        migrator.add_column('unit', 'document_language', CharField(max_length=10, default='nb')),
        migrator.add_column('log', 'archive_reference', CharField(max_length=100, default='')),
        migrator.add_column('log_tombstone', 'archive_waiver', TextField(default='')),
    )
    db.create_tables([ArchiveDelivery])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table('archive_delivery'),
        migrator.drop_column('unit', 'document_language'),
        migrator.drop_column('log', 'archive_reference'),
        migrator.drop_column('log_tombstone', 'archive_waiver'),
    )
