"""Overdue measures without a subquery per measure: each measure keeps the date of its
latest evaluation (``last_evaluated_on``, written in the same transaction as the
evaluation), filled here from the evaluations that exist. A partial index holds the
measures still awaiting an evaluation (not ended, not evaluated on or after the
evaluation date): the statistics count the overdue ones and the start page lists the due
ones from it alone (models.Measure.awaiting_evaluation states the same condition).
And the KE register's newest decisions first, from an index instead of a sort of the
whole register."""
from peewee import *

AWAITING = "status <> 'ended' AND (last_evaluated_on IS NULL OR last_evaluated_on < evaluation_date)"


def up(migrator, db):
    migrator.migrate(migrator.add_column('measure', 'last_evaluated_on', DateField(null=True)))
    db.execute_sql(
        'UPDATE measure SET last_evaluated_on = '
        '(SELECT MAX(evaluated_on) FROM evaluation WHERE evaluation.measure_id = measure.id)'
    )
    migrator.migrate(
        migrator.add_index('measure', ('log_id', 'evaluation_date'), where=SQL(AWAITING),
                           name='measure_awaiting_evaluation'),
        migrator.add_index('coordinator_record', ('decided_on', 'id'), name='coordinatorrecord_decided_on_id'),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('coordinator_record', 'coordinatorrecord_decided_on_id'),
        migrator.drop_index('measure', 'measure_awaiting_evaluation'),
        migrator.drop_column('measure', 'last_evaluated_on'),
    )
