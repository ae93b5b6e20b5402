"""The periods a log was in use before it was reopened (log_period): the years it was in
use keep it in their overview, exports and reconciliation after it is reopened. The
period in progress, or the last one, stays the log's own (activated_at, closed_at).

Reopening used to forget the earlier period (the new consent set activated_at anew, the
reopening cleared closed_at). The audit trail still has it: each log that was reopened
gets back the periods it ended before its last reopening, read from its events (a
consent uploaded while the log was not in use starts a period, its close or the family's
withdrawal ends it). A log reopened and still waiting for its new consent no longer
counts as activated: the start it kept belongs to the period filed here. On SQLite the
new table's ids are AUTOINCREMENT like every other table's (0021)."""
import importlib.util
from pathlib import Path

from peewee import *

STARTS = ('consent_uploaded',)
ENDS = ('log_closed', 'consent_withdrawn')
REOPENS = ('log_reopened',)


def earlier_periods(events):
    """[(started_at, ended_at)] of the periods that ended before the last reopening, from
    one log's events (action, at) in the order they happened."""
    periods, started, filed = [], None, 0
    for action, at in events:
        if action in STARTS and started is None:
            started = at
        elif action in ENDS and started is not None:
            periods.append((started, at))
            started = None
        elif action in REOPENS:
            filed = len(periods)
            started = None
    return periods[:filed]


def _ids_never_reused():
    path = Path(__file__).with_name("0021_ids_never_reused.py")
    if not path.exists():
        return None  # a copy of the migrations without 0021: it rebuilds this table when it runs
    spec = importlib.util.spec_from_file_location("ids_never_reused", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def up(migrator, db):
    class Log(Model):
        class Meta:
            database = db
            table_name = 'log'

    class LogPeriod(Model):
        log = ForeignKeyField(Log, on_delete='CASCADE')
        started_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        coordinator_name = CharField(max_length=200, default='')
        coordinator_service = CharField(max_length=200, default='')

        class Meta:
            database = db
            table_name = 'log_period'

    db.create_tables([LogPeriod])
    rebuild = _ids_never_reused()  # on SQLite its ids are AUTOINCREMENT like every table's (0021)
    if rebuild is not None and isinstance(getattr(db, "obj", db), SqliteDatabase):
        rebuild.rebuild_with_autoincrement(db)
    mark = db.param
    reopened = [
        row[0]
        for row in db.execute_sql(
            'SELECT DISTINCT a.log_id FROM audit_event a JOIN "log" ON "log".id = a.log_id '
            f'WHERE a.action = {mark} ORDER BY a.log_id',
            REOPENS,
        )
    ]
    field = DateTimeField()
    actions = STARTS + ENDS + REOPENS
    places = ', '.join([mark] * len(actions))
    for log_id in reopened:
        events = db.execute_sql(
            f"SELECT action, at FROM audit_event WHERE log_id = {mark} AND action IN ({places}) ORDER BY at, id",
            (log_id, *actions),
        ).fetchall()
        periods = earlier_periods([(action, field.python_value(at)) for action, at in events])
        # the koordinator then is not in the trail: the one the log records is the best known
        name, service = db.execute_sql(
            f'SELECT coordinator_name, coordinator_service FROM "log" WHERE id = {mark}', (log_id,)
        ).fetchone()
        for started, ended in periods:
            LogPeriod.insert(
                log=log_id, started_at=started, ended_at=ended, coordinator_name=name, coordinator_service=service
            ).execute()
        if periods:  # its start is the filed period's now; none else without a period to show
            db.execute_sql(
                f'UPDATE "log" SET activated_at = NULL WHERE id = {mark} AND status = {mark}', (log_id, 'draft')
            )


def down(migrator, db):
    migrator.migrate(migrator.drop_table('log_period'))
