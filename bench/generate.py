"""A realistic municipality for the benchmark, inserted in bulk.

On top of the demo municipality (so the demo personas and their password sign in), the
generator adds units, staff and logs in the proportions of issue 17: for 10,000 logs
40 units, 800 staff, ~13.5 entries, ~5.3 measures, ~7.9 evaluations, ~2.9 meetings
with minutes of about 2,000 characters and ~60 audit events per log. Emma's log (the
demo holder's, read by the demo guardian) is grown to the size the pages are measured
at: 100 entries, 8 measures, 6 meetings and 500 audit events.

Rows go in per table in one transaction: COPY on PostgreSQL, executemany in chunks on
SQLite (with the load-time PRAGMAs: no fsync, memory journal; the app's own settings
apply again when it opens the file).
"""

import datetime as dt
import functools
import random
import time

from stafettlogg import models
from stafettlogg.db import db, is_sqlite
from stafettlogg.models import (
    Area,
    Concern,
    Entry,
    Guardian,
    Log,
    LogStatus,
    Measure,
    Meeting,
    Role,
    Subject,
    Unit,
    User,
)
from stafettlogg.textformat import html_column, render_markdown

WORDS = [
    "barnet",
    "trives",
    "godt",
    "i",
    "klassen",
    "og",
    "har",
    "fått",
    "flere",
    "venner",
    "etter",
    "at",
    "vi",
    "startet",
    "med",
    "faste",
    "samtaler",
    "hver",
    "uke",
    "mor",
    "forteller",
    "at",
    "søvnen",
    "er",
    "bedre",
    "men",
    "morgenene",
    "er",
    "fortsatt",
    "tunge",
    "helsesykepleier",
    "har",
    "snakket",
    "med",
    "eleven",
    "om",
    "mat",
    "og",
    "aktivitet",
    "læreren",
    "ser",
    "mer",
    "ro",
    "i",
    "friminuttene",
    "vi",
    "avtaler",
    "at",
    "kontaktlæreren",
    "følger",
    "opp",
    "med",
    "en",
    "kort",
    "samtale",
    "hver",
    "fredag",
    "tiltaket",
    "evalueres",
    "i",
    "neste",
    "samarbeidsmøte",
    "far",
    "ønsker",
    "tettere",
    "kontakt",
    "med",
    "skolen",
    "PPT",
    "vurderer",
    "behov",
    "for",
    "spesialpedagogisk",
    "hjelp",
    "barnehagen",
    "melder",
    "om",
    "språkutvikling",
    "i",
    "tråd",
    "med",
    "alder",
    "familien",
    "har",
    "fått",
    "tilbud",
    "om",
    "veiledning",
    "fra",
    "familieteamet",
]

CHUNK = 2000


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, chars: int) -> str:
    parts, size = [], 0
    while size < chars:
        s = sentence(rng, rng.randint(8, 18))
        parts.append(s)
        size += len(s) + 1
    return " ".join(parts)


# Bump when the generated data changes: a database made by an older generator is built again.
GENERATION = 2


@functools.lru_cache(maxsize=1024)
def _rendered(text: str) -> str:
    """The stored HTML of a text (the pools' texts repeat: each is rendered once)."""
    return str(render_markdown(text))


def _with_rendered_html(model, fields: list[str], rows):
    """``fields`` and ``rows`` with each Markdown field's ``<field>_html`` added."""
    sources = [i for i, name in enumerate(fields) if name in getattr(model, "rendered_text", ())]
    if not sources:
        return fields, rows
    names = fields + [html_column(fields[i]) for i in sources]
    return names, (tuple(row) + tuple(_rendered(row[i] or "") for i in sources) for row in rows)


class Loader:
    """Bulk inserts of tuples with ids chosen here (sequences set at the end)."""

    def __init__(self):
        self.sqlite = is_sqlite()
        self.next_ids: dict[type, int] = {}
        self.counts: dict[str, int] = {}

    def next_id(self, model) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (model.select(model.id).order_by(model.id.desc()).limit(1).scalar() or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def insert(self, model, fields: list[str], rows) -> None:
        """Rows are tuples in the order of ``fields``; every other NOT NULL column gets
        its Python default (computed once). A Markdown field's HTML is rendered with the
        app's own renderer and stored next to it, as every write of the app does
        (models.RenderedText): the pages show the text as a municipality's would."""
        fields, rows = _with_rendered_html(model, list(fields), rows)
        meta = model._meta
        extra = []
        for name, f in meta.fields.items():
            if name in fields or name == "id" or f.null:
                continue
            default = f.default() if callable(f.default) else f.default
            extra.append((name, default))
        names = list(fields) + [n for n, _ in extra]
        columns = [meta.fields[n].column_name for n in names]
        tail = tuple(self._value(v) for _, v in extra)
        table = meta.table_name
        count = 0
        with db.atomic():
            cursor = db.cursor()
            if self.sqlite:
                sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                batch = []
                for row in rows:
                    batch.append(tuple(self._value(v) for v in row) + tail)
                    if len(batch) >= CHUNK:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
            else:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(tuple(row) + tuple(v for _, v in extra))
                        count += 1
        self.counts[table] = self.counts.get(table, 0) + count

    def _value(self, value):
        if not self.sqlite:
            return value
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    def finish(self) -> None:
        if not self.sqlite:
            for model in self.next_ids:
                table = model._meta.table_name
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
                )
        db.execute_sql("ANALYZE")


def generate(logs: int, seed: int = 17, report=print) -> dict:
    """Add a municipality of ``logs`` logs to a database that holds the demo data."""
    rng = random.Random(seed)
    started = time.monotonic()
    loader = Loader()
    if loader.sqlite:
        db.execute_sql("PRAGMA synchronous = OFF")
        db.execute_sql("PRAGMA journal_mode = MEMORY")
        db.execute_sql("PRAGMA cache_size = -200000")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).replace(microsecond=0)
    today = now.date()
    scale = logs / 10_000
    unit_count = max(6, round(40 * scale)) if logs < 10_000 else round(40 * scale)
    staff_count = max(40, round(800 * scale))

    password_hash = User.get(User.username == "larer").password_hash
    holder = User.get(User.username == "stafettholder")
    guardian_user = User.get(User.username == "foresatt")
    big_log = Log.select().join(Guardian).where(Guardian.user == guardian_user).order_by(Log.id).get()
    oppvekst = Area.get(Area.name == "Oppvekst")
    helse = Area.get(Area.name == "Helse og velferd")

    # units: the demo's six, then schools, kindergartens and health services
    units = list(Unit.select().order_by(Unit.id))
    kinds = ("skole", "barnehage", "skole", "helsestasjon", "barnehage", "ppt", "barnevern")
    new_units = []
    for i in range(max(0, unit_count - len(units))):
        kind = kinds[i % len(kinds)]
        area = helse if kind in ("helsestasjon", "barnevern") else oppvekst
        new_units.append((loader.next_id(Unit), area.id, f"{kind.capitalize()} {i + 1:03d}", kind, True, now))
    loader.insert(Unit, ["id", "area", "name", "kind", "active", "created_at"], new_units)
    units = list(Unit.select().order_by(Unit.id))
    unit_ids = [u.id for u in units]

    # staff: a leader for each new unit, the rest spread over all units
    staff_rows = []
    staff_by_unit: dict[int, list[int]] = {u.id: [] for u in units}
    for user in User.select().where(User.role.in_(Role.STAFF_LIKE), User.unit.is_null(False)):
        staff_by_unit[user.unit_id].append(user.id)
    jobs = ("Kontaktlærer", "Pedagogisk leder", "Helsesykepleier", "Spesialpedagog", "Miljøterapeut", "Rådgiver")
    for i in range(staff_count - sum(len(v) for v in staff_by_unit.values())):
        uid = loader.next_id(User)
        unit_id = new_units[i][0] if i < len(new_units) else rng.choice(unit_ids)
        role = Role.UNIT_LEADER if i < len(new_units) else Role.STAFF
        staff_rows.append(
            (uid, f"ansatt{uid}", password_hash, f"Ansatt {uid} Nordmann", role, rng.choice(jobs), unit_id, True, now)
        )
        staff_by_unit[unit_id].append(uid)
    loader.insert(
        User,
        ["id", "username", "password_hash", "name", "role", "job_title", "unit", "active", "created_at"],
        staff_rows,
    )
    all_staff = [uid for ids in staff_by_unit.values() for uid in ids]

    # logs with their subjects; the demo holder holds 40 more and takes part in 60
    statuses = [LogStatus.ACTIVE] * 60 + [LogStatus.CLOSED] * 25 + [LogStatus.DRAFT] * 10 + [LogStatus.PASSIVE] * 5
    log_rows, subject_rows, new_logs = [], [], []
    unit_of = {row[0]: row[6] for row in staff_rows}
    unit_of[holder.id] = holder.unit_id
    for i in range(logs):
        lid = loader.next_id(Log)
        sid = loader.next_id(Subject)
        if i < 40:
            unit_id, holder_id = holder.unit_id, holder.id
        else:
            unit_id = rng.choice(unit_ids)
            holder_id = rng.choice(staff_by_unit[unit_id] or all_staff)
        created = now - dt.timedelta(days=rng.randint(1, 1100), minutes=rng.randint(0, 1440))
        status = rng.choice(statuses)
        activated = created + dt.timedelta(days=rng.randint(3, 30)) if status != LogStatus.DRAFT else None
        if activated and activated > now:
            activated = now
        closed = None
        if status in LogStatus.ENDED:
            closed = min(now, (activated or created) + dt.timedelta(days=rng.randint(60, 500)))
        birth = today - dt.timedelta(days=rng.randint(365, 17 * 365))
        subject_rows.append((sid, "barn", f"Barn {sid} Testesen", birth, created))
        log_rows.append(
            (
                lid,
                sid,
                unit_id,
                holder_id,
                status,
                rng.randint(1, 3),
                f"{rng.randint(1, 10)}{'ABC'[i % 3]}",
                holder_id,
                created,
                activated,
                closed,
                "gjennomforing_avsluttet" if closed else "",
                unit_of.get(holder_id, unit_id),  # the holder's unit (a unit without staff: another's)
            )
        )
        new_logs.append((lid, unit_id, holder_id, created, status))
    loader.insert(Subject, ["id", "kind", "name", "birth_date", "created_at"], subject_rows)
    loader.insert(
        Log,
        [
            "id",
            "subject",
            "unit",
            "holder",
            "status",
            "level",
            "class_group",
            "created_by",
            "created_at",
            "activated_at",
            "closed_at",
            "close_reason",
            "holder_unit_id",
        ],
        log_rows,
    )
    # every log that has been activated has its written consent on file (seed 001): given to
    # its unit, naming every kind of service (participants come from any unit), one in
    # five with an expiry date ahead, so no log waits for a new consent
    from stafettlogg.logs.files import store
    from stafettlogg.models import Consent, UnitKind

    pdf = store(b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n", "application/pdf")
    every_kind = ",".join(f"kind:{k}" for k in UnitKind.CHOICES)
    loader.insert(
        Consent,
        ["id", "log", "file", "filename", "given_by", "given_by_name", "consent_date", "expires_on", "services"]
        + ["unit", "uploaded_by", "uploaded_at"],
        [  # a list, not a generator: next_id may ask the database, never in the middle of a COPY
            (
                loader.next_id(Consent),
                lid,
                pdf.id,
                "samtykke.pdf",
                "guardian",
                "Foresatt Testesen",
                created.date(),
                today + dt.timedelta(days=rng.randint(60, 700)) if rng.random() < 0.2 else None,
                every_kind,
                unit_id,
                holder_id,
                created,
            )
            for lid, unit_id, holder_id, created, status in new_logs
            if status != LogStatus.DRAFT
        ],
    )
    report(f"  units {len(units)}, staff {len(all_staff)}, logs {logs}  ({time.monotonic() - started:.0f} s)")

    def participants():
        for n, (lid, _unit, holder_id, created, _s) in enumerate(new_logs):
            chosen = set()
            if 40 <= n < 100:
                chosen.add(holder.id)
            for _ in range(rng.randint(1, 3)):
                chosen.add(rng.choice(all_staff))
            chosen.discard(holder_id)
            for uid in chosen:
                yield (lid, uid, holder_id, created)

    loader.insert(models.Participant, ["log", "user", "added_by", "added_at"], participants())

    def guardians():
        for lid, _u, _h, created, _s in new_logs:
            yield (lid, f"Foresatt {lid} A", "mor", created)
            if rng.random() < 0.6:
                yield (lid, f"Foresatt {lid} B", "far", created)

    loader.insert(Guardian, ["log", "name", "relation", "created_at"], guardians())

    # content: built per log, inserted per table
    concern_rows, goal_rows, entry_rows, meeting_rows, measure_rows = [], [], [], [], []
    entry_texts = [paragraph(rng, rng.randint(120, 600)) for _ in range(300)]
    minutes_texts = [paragraph(rng, rng.randint(1700, 2300)) for _ in range(60)]
    measure_ids: list[tuple[int, int, dt.datetime]] = []

    def content(lid, holder_id, created, entries, measures, meetings):
        cid = loader.next_id(Concern)
        concern_rows.append(
            (cid, lid, sentence(rng, 6)[:300], entry_texts[rng.randrange(300)], holder_id, created, created)
        )
        goal_rows.append((lid, cid, sentence(rng, 10), holder_id, created, created))
        span = max(1, (now - created).days)
        for _ in range(entries):
            at = created + dt.timedelta(days=rng.randint(0, span), minutes=rng.randint(0, 600))
            entry_rows.append((lid, at.date(), entry_texts[rng.randrange(300)], holder_id, at, at))
        mids = []
        for _ in range(meetings):
            mid = loader.next_id(Meeting)
            at = created + dt.timedelta(days=rng.randint(0, span), hours=rng.randint(8, 15))
            final = at + dt.timedelta(days=2) if at + dt.timedelta(days=2) < now else None
            meeting_rows.append(
                (
                    mid,
                    lid,
                    rng.choice(("samarbeidsmote", "evalueringsmote")),
                    at,
                    "Møterom 2",
                    sentence(rng, 12),
                    minutes_texts[rng.randrange(60)],
                    holder_id,
                    at,
                    at,
                    final,
                    holder_id if final else None,
                )
            )
            mids.append(mid)
        for _ in range(measures):
            mid_ = loader.next_id(Measure)
            at = created + dt.timedelta(days=rng.randint(0, span))
            measure_rows.append(
                (
                    mid_,
                    lid,
                    cid,
                    rng.choice(mids) if mids and rng.random() < 0.7 else None,
                    sentence(rng, 9),
                    "Kontaktlærer",
                    at.date(),
                    (at + dt.timedelta(days=rng.randint(30, 120))).date(),
                    rng.choice(("planned", "ongoing", "ongoing", "ended")),
                    holder_id,
                    at,
                    at,
                )
            )
            measure_ids.append((mid_, holder_id, at))

    for lid, _u, holder_id, created, status in new_logs:
        if status == LogStatus.DRAFT:
            content(lid, holder_id, created, rng.randint(0, 3), 0, 0)
        else:
            content(lid, holder_id, created, rng.randint(5, 22), rng.randint(3, 8), rng.randint(1, 5))
    # the measured log: 100 entries, 8 measures, 6 meetings
    have = {model: model.select().where(model.log == big_log.id).count() for model in (Entry, Measure, Meeting)}
    content(
        big_log.id,
        holder.id,
        big_log.created_at - dt.timedelta(days=300),
        100 - have[Entry],
        max(0, 8 - have[Measure]),
        max(0, 6 - have[Meeting]),
    )
    # one open meeting per benchmark client for autosave, in the holder's other logs
    autosave_meetings = []
    for lid, _u, holder_id, _created, status in new_logs[:40]:
        if status == LogStatus.ACTIVE and len(autosave_meetings) < 16:
            mid = loader.next_id(Meeting)
            meeting_rows.append(
                (
                    mid,
                    lid,
                    "samarbeidsmote",
                    now + dt.timedelta(days=7),
                    "Møterom 1",
                    sentence(rng, 8),
                    "",
                    holder_id,
                    now,
                    now,
                    None,
                    None,
                )
            )
            autosave_meetings.append(mid)

    loader.insert(Concern, ["id", "log", "title", "body", "author", "created_at", "updated_at"], concern_rows)
    loader.insert(models.Goal, ["log", "concern", "body", "author", "created_at", "updated_at"], goal_rows)
    loader.insert(Entry, ["log", "entry_date", "body", "author", "created_at", "updated_at"], entry_rows)
    loader.insert(
        Meeting,
        [
            "id",
            "log",
            "kind",
            "starts_at",
            "place",
            "agenda",
            "minutes",
            "author",
            "created_at",
            "updated_at",
            "finalised_at",
            "finalised_by",
        ],
        meeting_rows,
    )
    loader.insert(
        Measure,
        [
            "id",
            "log",
            "concern",
            "meeting",
            "what",
            "responsible",
            "start_date",
            "evaluation_date",
            "status",
            "author",
            "created_at",
            "updated_at",
        ],
        measure_rows,
    )
    report(f"  content: {len(entry_rows)} entries, {len(meeting_rows)} meetings  ({time.monotonic() - started:.0f} s)")

    def evaluations():
        for mid, author, at in measure_ids:
            for k in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
                day = (at + dt.timedelta(days=30 * (k + 1))).date()
                if day < today:
                    yield (mid, day, sentence(rng, 14), rng.choice(("continue", "adjust", "end")), author, at)

    loader.insert(
        models.Evaluation, ["measure", "evaluated_on", "what_worked", "decision", "author", "created_at"], evaluations()
    )
    # approved minutes keep whom they named, as meetings.domain.finalise writes it (migration 0049)
    held_by = 'FROM "user" JOIN "log" ON "log".holder_id = "user".id WHERE "log".id = meeting.log_id'
    db.execute_sql(
        'UPDATE meeting SET finalised_by_name = (SELECT name FROM "user" WHERE "user".id = meeting.finalised_by_id), '
        f'holder_name = (SELECT "user".name {held_by}), holder_job_title = (SELECT "user".job_title {held_by}), '
        'unit_name = (SELECT unit.name FROM unit JOIN "log" ON "log".unit_id = unit.id WHERE "log".id = meeting.log_id) '
        "WHERE finalised_at IS NOT NULL"
    )
    # each measure keeps its latest evaluation's date, as the app writes it (migration 0024)
    db.execute_sql(
        "UPDATE measure SET last_evaluated_on = "
        "(SELECT MAX(evaluated_on) FROM evaluation WHERE evaluation.measure_id = measure.id)"
    )

    def talks():
        for lid, _u, holder_id, created, status in new_logs:
            if status == LogStatus.ACTIVE and rng.random() < 0.3:
                for k in range(rng.randint(1, 6)):
                    day = (created + dt.timedelta(days=14 * (k + 1))).date()
                    yield (lid, min(day, today), "Kontaktlærer", sentence(rng, 10), holder_id, created, created)

    loader.insert(
        models.ChildTalk, ["log", "talked_on", "who", "how_it_goes", "author", "created_at", "updated_at"], talks()
    )

    def periods():
        for lid, unit_id, _h, created, _s in new_logs:
            year = created.year if created.month >= 8 else created.year - 1
            for y in range(year, today.year + 1):
                yield (lid, unit_id, y, f"{rng.randint(1, 10)}A")

    loader.insert(models.ClassGroupPeriod, ["log", "unit", "school_year", "class_group"], periods())

    def handovers():
        for lid, unit_id, holder_id, created, status in new_logs:
            if status != LogStatus.DRAFT and rng.random() < 0.3:
                other = rng.choice(staff_by_unit[unit_id] or all_staff)
                at = created + dt.timedelta(days=rng.randint(10, 300))
                if at < now and other != holder_id:
                    yield (lid, other, holder_id, "accepted", other, at, at)

    loader.insert(
        models.Handover,
        ["log", "from_user", "to_user", "status", "created_by", "created_at", "decided_at"],
        handovers(),
    )
    # each handed over from the giver's unit, of the log's unit (as models.Handover.save fills them)
    db.execute_sql(
        'UPDATE handover SET from_unit_id = (SELECT "user".unit_id FROM "user" WHERE "user".id = handover.from_user_id)'
        " WHERE from_unit_id IS NULL"
    )
    db.execute_sql(
        'UPDATE handover SET log_unit_id = (SELECT "log".unit_id FROM "log" WHERE "log".id = handover.log_id)'
        " WHERE log_unit_id IS NULL"
    )

    ke_user = User.get(User.username == "ke")

    def records():
        for n in range(round(logs * 0.045)):
            at = now - dt.timedelta(days=rng.randint(1, 1100))
            yield (
                f"Barn {n} Registersen",
                (at - dt.timedelta(days=rng.randint(2000, 5000))).date(),
                rng.choice(unit_ids),
                f"{rng.randint(1, 10)}B",
                rng.choice(("koordinator", "barnekoordinator")),
                rng.choice(("granted", "granted", "granted", "refused")),
                at.date(),
                "Koordinator Person",
                "Helsestasjonen",
                ke_user.id,
                at,
            )

    loader.insert(
        models.CoordinatorRecord,
        [
            "child_name",
            "birth_date",
            "unit",
            "class_group",
            "kind",
            "decision",
            "decided_on",
            "person_name",
            "person_service",
            "created_by",
            "created_at",
        ],
        records(),
    )

    actions = (
        "view:logs.show",
        "view:logs.show",
        "view:logs.section",
        "view:meetings.show",
        "entry_created",
        "view:logs.summary",
        "meeting_minutes_saved",
        "measure_updated",
    )
    usernames = {}
    # who each holder was when they read (audit_event.actor_title, actor_unit_id)
    people = {u.id: (u.job_title, u.unit_id) for u in User.select(User.id, User.job_title, User.unit)}

    def events():
        for lid, _u, holder_id, created, _s in new_logs + [(big_log.id, None, holder.id, big_log.created_at, None)]:
            count = rng.randint(30, 90) if lid != big_log.id else 500
            span = max(60, int((now - created).total_seconds()))
            for _ in range(count):
                at = created + dt.timedelta(seconds=rng.randint(0, span))
                name = usernames.setdefault(holder_id, f"ansatt{holder_id}")
                yield (at, holder_id, name, "holder", rng.choice(actions), lid, "127.0.0.1", *people[holder_id])

    columns = ["at", "user_id", "username", "role", "action", "log_id", "ip", "actor_title", "actor_unit_id"]
    loader.insert(models.AuditEvent, columns, events())

    # notices: each log's holder is told of its meetings over the log's life (3 to 12),
    # those older than two weeks read: «Varsler» and the unread count on every page
    from stafettlogg.messages import dumps, msg

    def notices():
        for lid, _u, holder_id, created, status in new_logs:
            if status == LogStatus.DRAFT:
                continue
            span = max(60, int((now - created).total_seconds()))
            for k in range(rng.randint(3, 12)):
                at = created + dt.timedelta(seconds=rng.randint(0, span))
                text = msg("Du har møte i stafettlogg nr. %(id)s i morgen kl. %(time)s.", id=lid, time="14:00")
                read = at + dt.timedelta(hours=rng.randint(1, 72)) if at < now - dt.timedelta(days=14) else None
                url = f"/logger/{lid}#meetings"
                yield (holder_id, "meeting_tomorrow", dumps(text), url, lid, f"bench:{lid}:{k}", at, read)

    loader.insert(
        models.Notification,
        ["user", "kind", "message", "url", "log_id", "dedupe_key", "created_at", "read_at"],
        notices(),
    )
    loader.finish()
    report(
        f"  generated in {time.monotonic() - started:.0f} s: " + ", ".join(f"{k} {v}" for k, v in loader.counts.items())
    )
    return {
        "big_log": big_log.id,
        "meeting": Meeting.select(Meeting.id).where(Meeting.log == big_log.id).order_by(Meeting.id).first().id,
        "autosave_meetings": autosave_meetings,
        "unit": holder.unit_id,
    }
