"""The log's own unit when it was handed over (handover.log_unit_id): the statistics
count each month of a log for the unit that had it then, so a child who moves school
leaves the months before the move with the school they left. from_unit_id is the unit
the holder held it from, which is another than the log's when a service holds a
school's log (a public-health nurse).

Handovers made before are given the unit the log had, rebuilt for each log from what is
recorded: its accepted handovers are walked backwards (by decided_at, id) from the log's
unit now, and the unit before a handover is the one after it unless that handover moved
the log (handover.follows_holder as it was when this migration was written: a school's
or kindergarten's log stays there when a service takes over; it moves to another school
or kindergarten, and from a service to the holder's unit). In that order:

1. a «child moved out» notice sent when the handover was decided names the unit the log
   moved from;
2. a consent registered since the handover before records the log's unit then;
3. a handover to someone in another unit than the log had after it did not move it
   (the receiver's unit: the one the next handover was held from, the log's holder's
   unit for the last, else the receiver's unit now); nor one from the log's unit;
4. otherwise it moved the log from the giver's unit when that is a school or
   kindergarten, or when the log came to a service;
5. a service's holder who handed the log to someone at a school or kindergarten held
   it for the school or kindergarten that gave it to a service before (the giver's unit
   of the last earlier handover from one, unless a notice says that handover moved the
   log), else for the unit of the last consent before, else it was the service's own log
   (a baby's log from the health station to the kindergarten: the common case where a
   service made the log itself); a «child arrived» notice of that handover says it did
   move. The class/group rows tell no time within the year and are not read.

Handovers not accepted get the unit the log had when they were made. Down drops the
column."""
from peewee import *

ACCEPTED = 'accepted'
WHERE_CHILDREN_ARE = ('barnehage', 'skole')  # models.UnitKind.WHERE_CHILDREN_ARE
MOVED_OUT, ARRIVED = 'child_moved_out', 'child_arrived'  # child_moved_out:{log}:{old unit}:{version}:{leader}
CHUNK = 500


def _by_log(rows):
    found = {}
    for row in rows:
        found.setdefault(row[0], []).append(row[1:])
    return found


def log_units(handovers, log, kinds, user_units, moved_out, arrived, consents):
    """The log's unit before each accepted handover, oldest first. handovers: (from_user,
    to_user, from_unit, decided_at), oldest first; log: (unit, holder, holder_unit);
    moved_out: {handover index: old unit}; arrived: handover indexes; consents:
    (uploaded_at, unit), oldest first."""
    unit_now, holder_id, holder_unit = log

    def school(unit_id):
        return kinds.get(unit_id) in WHERE_CHILDREN_ARE

    def receiver_unit(i):
        to_user = handovers[i][1]
        if i + 1 < len(handovers) and handovers[i + 1][0] == to_user and handovers[i + 1][2] is not None:
            return handovers[i + 1][2]
        if i + 1 == len(handovers) and holder_id == to_user and holder_unit is not None:
            return holder_unit
        return user_units.get(to_user)

    def consent_unit(since, until):
        units = [u for at, u in consents if u is not None and (since is None or at > since) and at <= until]
        return units[-1] if units else None

    def held_for(i, service):
        for j in range(i - 1, -1, -1):
            if j in moved_out:
                return receiver_unit(j)
            if school(handovers[j][2]):
                return handovers[j][2]
        return consent_unit(None, handovers[i][3]) or service

    units, unit = [], unit_now
    for i in range(len(handovers) - 1, -1, -1):
        from_unit, decided_at = handovers[i][2], handovers[i][3]
        since = handovers[i - 1][3] if i else None
        before = moved_out.get(i) or (consent_unit(since, decided_at) if decided_at is not None else None)
        if before is None:
            if receiver_unit(i) != unit or from_unit in (None, unit):
                before = unit
            elif school(from_unit) or not school(unit):
                before = from_unit
            else:
                before = held_for(i, from_unit)
                if before == unit and i in arrived:
                    before = from_unit
        units.append(before)
        unit = before
    return units[::-1]


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('handover', 'log_unit_id', IntegerField(null=True)),
        migrator.add_index('handover', ('log_unit_id', 'status'), False),
    )
    at = DateTimeField().python_value
    mark = db.param
    kinds = dict(db.execute_sql('SELECT id, kind FROM unit').fetchall())
    user_units = dict(db.execute_sql('SELECT id, unit_id FROM "user"').fetchall())
    logs = {i: (u, h, hu) for i, u, h, hu in db.execute_sql('SELECT id, unit_id, holder_id, holder_unit_id FROM "log"')}
    all_handovers = _by_log(
        (log_id, i, f, t, fu, s, at(c), at(d))
        for log_id, i, f, t, fu, s, c, d in db.execute_sql(
            'SELECT log_id, id, from_user_id, to_user_id, from_unit_id, status, created_at, decided_at FROM handover'
        )
    )
    notices = _by_log(
        (log_id, kind, key, at(created))
        for log_id, kind, key, created in db.execute_sql(
            f'SELECT log_id, kind, dedupe_key, created_at FROM notification WHERE kind IN ({mark}, {mark}) '
            'AND log_id IS NOT NULL',
            (MOVED_OUT, ARRIVED),
        )
    )
    consents = _by_log(
        (log_id, at(uploaded), unit_id)
        for log_id, uploaded, unit_id in db.execute_sql('SELECT log_id, uploaded_at, unit_id FROM consent')
    )
    found = {}
    for log_id, rows in all_handovers.items():
        if log_id not in logs:
            continue
        accepted = sorted((r for r in rows if r[4] == ACCEPTED and r[6] is not None), key=lambda r: (r[6], r[0]))
        moved_out, arrived = {}, set()
        for kind, key, created in notices.get(log_id, ()):
            decided = [i for i, r in enumerate(accepted) if r[6] <= created]
            if not decided:
                continue
            if kind == ARRIVED:
                arrived.add(decided[-1])
            elif key.count(':') == 4 and key.split(':')[2].isdigit():
                moved_out[decided[-1]] = int(key.split(':')[2])
        units = log_units(
            [(r[1], r[2], r[3], r[6]) for r in accepted],
            logs[log_id],
            kinds,
            user_units,
            moved_out,
            arrived,
            sorted((c for c in consents.get(log_id, ()) if c[0] is not None), key=lambda c: c[0]),
        )
        for row, unit in zip(accepted, units):
            found[row[0]] = unit
        # a handover not accepted: the unit the log had when it was made
        changes = [(r[6], unit) for r, unit in zip(accepted, units)]
        for row in rows:
            if row[0] not in found:
                later = [unit for decided, unit in changes if row[5] is not None and decided > row[5]]
                found[row[0]] = later[0] if later else logs[log_id][0]
    by_unit = {}
    for handover_id, unit in found.items():
        by_unit.setdefault(unit, []).append(handover_id)
    for unit, ids in by_unit.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            db.execute_sql(
                f'UPDATE handover SET log_unit_id = {mark} WHERE id IN ({", ".join([mark] * len(chunk))})',
                (unit, *chunk),
            )


def down(migrator, db):
    migrator.migrate(migrator.drop_index('handover', 'handover_log_unit_id_status'))
    db.execute_sql('ALTER TABLE handover DROP COLUMN log_unit_id')
