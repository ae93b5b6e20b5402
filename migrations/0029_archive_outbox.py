"""The archive's import folder is written after commit from an outbox: each delivery has
a status (queued, sending, delivered, failed, cancelled), its attempts and last error,
and the package itself until it is delivered. Earlier deliveries were all delivered."""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('archive_delivery', 'status', CharField(max_length=10, default='delivered')),
        migrator.add_column('archive_delivery', 'attempts', IntegerField(default=0)),
        migrator.add_column('archive_delivery', 'next_attempt_at', DateTimeField(null=True)),
        migrator.add_column('archive_delivery', 'last_error', TextField(default='')),
        migrator.add_column('archive_delivery', 'claimed_by', CharField(max_length=64, default='')),
        migrator.add_column('archive_delivery', 'claimed_at', DateTimeField(null=True)),
        migrator.add_column('archive_delivery', 'package', BlobField(null=True)),
        migrator.add_index('archive_delivery', ('status',)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('archive_delivery', 'archive_delivery_status'),
        *(
            migrator.drop_column('archive_delivery', name)
            for name in ('status', 'attempts', 'next_attempt_at', 'last_error', 'claimed_by', 'claimed_at', 'package')
        ),
    )
