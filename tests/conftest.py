"""Fixtures: an app on a fresh copy of a seeded database per test, a client per role.

The world is the demo municipality (stafettlogg/demo.py), so tests and `make run`
show the same people. Personas for the permission matrix (SECURITY.md "Access"):
"""

import datetime as dt
import io
import itertools
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import markupsafe
import pytest

from stafettlogg.dates import local_today
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.models import User, utcnow
from tests import files
from tests.signin_helpers import clock  # noqa: F401  (the sign-in rules' clock, moved by tests)

# persona -> demo username. A log a test makes with a_log() is held by "stafettholder"
# (Nordbyen skole); "aktor" takes part in it; "larer" works at Nordbyen skole but is not
# on it; "enhetsleder" leads Nordbyen skole; "kontaktlaerer" works at Sørbyen skole;
# "foresatt" signs in as the child's mother.
PERSONAS = {
    "holder": "stafettholder",
    "participant": "aktor",
    "same_unit_staff": "larer",
    "unit_leader": "enhetsleder",
    "ito_coordinator": "ito",
    "other_unit_staff": "kontaktlaerer",
    "other_unit_leader": "enhetsleder2",
    "guardian": "foresatt",
    "coordinating_unit": "ke",
    "area_leader": "omradeleder",
    "admin": "admin",
}

# The commands speak the operator's language (stafettlogg/console.py): the suite expects
# bokmål whatever the machine's LANG; a test asks for another with env= on invoke.
os.environ["STAFETTLOGG_LANG"] = "nb"

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def _make_app(url: str, **overrides):
    from stafettlogg.application import create_app

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_MAX_FAILURES": 5,
    }
    config.update(overrides)
    return create_app(config)


def _seed(url: str) -> None:
    from stafettlogg import demo
    from stafettlogg.db import close_kept_connections, db

    app = _make_app(url)  # migrates
    with app.app_context(), db.connection_context():
        demo.seed()
    close_kept_connections()  # the SQLite template is copied as a file: its WAL written into it


class _Template:
    """The session's migrated and seeded database, each test's starting point. The demo's
    dates are relative to today in Norway, so a session that runs past midnight there
    seeds another for the new day: a test compares the demo's dates with local_today()."""

    def __init__(self, tmp_path_factory):
        self._tmp = tmp_path_factory
        self._day = None
        self._made: list = []

    def current(self):
        """The template seeded today (Oslo time): a PostgreSQL database name or a file."""
        today = local_today()
        if today != self._day:
            self._made.append(self._make())
            self._day = today
        return self._made[-1]

    def _make(self):
        if ON_POSTGRES:
            name = f"stafett_tpl_{uuid.uuid4().hex[:8]}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            _seed(_pg_url(name))
            from stafettlogg.db import db

            db.close() if not db.is_closed() else None
            return name
        path = self._tmp.mktemp("template") / "template.sqlite3"
        _seed(f"sqlite:///{path}")
        return path

    def remove(self) -> None:
        if ON_POSTGRES:
            for name in self._made:
                drop_pg_database(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    kept = _Template(tmp_path_factory)
    yield kept
    kept.remove()


@pytest.fixture
def template_database(templates):
    """Migrated and seeded once per session (and day); each test gets its own copy."""
    return templates.current()


def _pg_url(name: str) -> str:
    base, _sep, _old = TEST_DATABASE_URL.rpartition("/")
    return f"{base}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def drop_pg_database(name: str) -> None:
    """Drop a test database, ending our own leftover connections first.

    WITH (FORCE) would also try to end an autovacuum worker on that database, which only a
    superuser may do; the tests' role is not one. So end the sessions this role owns and
    retry while PostgreSQL's own workers still hold the database.
    """
    import time

    import psycopg

    for _attempt in range(100):
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
                (name,),
            )
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.1)
    raise RuntimeError(f"test database {name} is still in use")


def _fresh_database(tmp_path, prefix: str, template=None):
    """A database of this test's own, seeded from the session's template or empty;
    on PostgreSQL dropped afterwards."""
    if ON_POSTGRES:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        yield _pg_url(name)
        from stafettlogg.db import db

        if not db.is_closed():
            db.close()
        drop_pg_database(name)
    else:
        path = tmp_path / f"{prefix}.sqlite3"
        if template:
            shutil.copy(template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(template_database, tmp_path):
    yield from _fresh_database(tmp_path, "stafett", template_database)


@pytest.fixture
def app(database_url):
    app = _make_app(database_url)
    yield app
    from stafettlogg.db import db

    problems = notification_link_problems(app)
    naming = emails_naming_a_child(app)
    if not db.is_closed():
        db.close()
    # every test that leaves a notice behind checks that its link leads to a route
    assert not problems, f"notifications link to no route: {problems}"
    # ... and every test that leaves an e-mail behind, that it names no child
    assert not naming, f"e-mails that name a child: {naming}"


def emails_naming_a_child(app) -> list[str]:
    """The queued or sent e-mails whose subject or body names a child of the database or
    one of its guardians (which tells as much). E-mail leaves the municipality's systems:
    it refers to a log by its number and to «et barn», never by name (SECURITY.md)."""
    from peewee import DatabaseError

    from stafettlogg.db import db
    from stafettlogg.models import Guardian, OutboxEmail, Subject

    with app.app_context():
        try:
            db.connect(reuse_if_open=True)
            mails = list(OutboxEmail.select())
            names = set()
            if mails:
                names = {s.name.strip() for s in Subject.select(Subject.name)}
                names |= {g.name.strip() for g in Guardian.select(Guardian.name)}
        except DatabaseError:
            return []  # a test that took the database away
    found = []
    for mail in mails:
        text = f"{mail.subject}\n{mail.body}"
        found += [f"{mail.to}: {name!r}" for name in sorted(names) if name and name in text]
    return found


def notification_link_problems(app) -> list[str]:
    """The stored notification links that match no route of the app (links are built
    with url_for / web.path_for, never written by hand)."""
    from urllib.parse import urlsplit

    from peewee import DatabaseError
    from werkzeug.exceptions import HTTPException

    from stafettlogg.db import db
    from stafettlogg.models import Notification

    adapter = app.url_map.bind("localhost")
    with app.app_context():
        try:
            db.connect(reuse_if_open=True)
            urls = {n.url for n in Notification.select(Notification.url).distinct() if n.url}
        except DatabaseError:
            return []  # a test that took the database away
    problems = []
    for url in sorted(urls):
        try:
            adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            problems.append(url)
    return problems


@pytest.fixture
def db_conn(app):
    """An open connection for arranging and asserting outside requests."""
    from stafettlogg.db import db

    db.connect(reuse_if_open=True)
    yield db
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


def user(username: str) -> User:
    return User.get(User.username == username)


class Auth:
    """Log a test client in as a demo user without the cost of argon2 each time."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def login_as(self, username: str):
        from stafettlogg.db import db

        with db.connection_context():
            u = user(username)
            session_id = u.get_id()
        with self.client.session_transaction() as session:
            session.clear()
            session["_user_id"] = session_id
            session["_fresh"] = True
            session["last_seen"] = time.time()
        return self.client

    def login(self, username: str, password: str = "demo-passord", **kwargs):
        return self.client.post("/login", data={"username": username, "password": password}, **kwargs)

    def persona(self, name: str):
        if name == "anonymous":
            return self.client
        return self.login_as(PERSONAS[name])


@pytest.fixture
def auth(app, client):
    return Auth(app, client)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if (here / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------ shared by several test modules


def url_values(app, log=None):
    """Real ids for every URL parameter, from `log` (by default a log of the test's own,
    held by "stafettholder" at Nordbyen skole with "aktor" taking part; its consent must
    be valid) and rows made for it."""
    from stafettlogg import notify
    from stafettlogg.dates import school_year_of
    from stafettlogg.db import db, write_transaction
    from stafettlogg.messages import msg
    from stafettlogg.models import CoordinatorRecord, ExternalCoordination, Guardian, Participant
    from stafettlogg.takeover.domain import ask_for_log

    log = log or a_log()
    # A section and an item the participant may change (a highlight "aktor" wrote), and a
    # measure "aktor" is responsible for: the table is about routes; finer rules per item
    # are tested in test_log_permissions.py.
    highlight = an_item(log, "highlights", by="aktor", body="Barnet hoppet tau i storefri.")
    measure = a_measure(log, "Helsesykepleier har samtale med barnet annenhver uke.", responsible_user=user("aktor").id)
    meeting = a_meeting(log)
    with app.test_request_context(), db.connection_context():
        request = ask_for_log(user("kontaktlaerer"), log)  # a take-over request to answer
        with write_transaction():
            notice = notify.notify(
                user("stafettholder"), "test", msg("Hei"), url=f"/logger/{log.id}", log=log
            )  # and its e-mail in the queue
            record = CoordinatorRecord.create(
                child_name=log.subject.name,
                unit=log.unit,
                kind="koordinator",
                decision="granted",
                decided_on=local_today(),
                created_by=user("ke"),
            )
            external = ExternalCoordination.create(
                unit=log.unit,
                school_year=school_year_of(local_today()),
                child_name="Petter Testesen",
                created_by=user("enhetsleder"),
            )
        return {
            "log_id": log.id,
            "unit_id": log.unit_id,
            "school_id": log.unit_id,  # a unit KE reviews with: a global route
            "staff_id": user("larer").id,
            "leader_id": user("omradeleder").id,  # an area leader: the admin's
            "consent_id": log.consents[0].id,
            "guardian_id": Guardian.select().where(Guardian.log == log).first().id,
            "participant_id": Participant.select().where(Participant.log == log).first().id,
            "key": "highlights",
            "item_id": highlight.id,
            "measure_id": measure.id,
            "notification_id": notice.id,
            "meeting_id": meeting.id,
            "handover_id": 99999999,  # no proposal pending: a made-up id
            "delivery_id": 99999999,  # nothing archived: a made-up id
            "request_id": request.id,
            "token": "ugyldig-token",
            "record_id": record.id,
            "external_id": external.id,
            "year": 2026,
            "fmt": "csv",
            "form": "nb",
            "filename": "css/app.css",
            "mail_id": notify.OutboxEmail.select().order_by(notify.OutboxEmail.id.desc()).first().id,
        }


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


LOG_HIDDEN = "Vi fant ikke stafettloggen, eller du har ikke tilgang til den."


def refused(response) -> bool:
    """Refused: 401 or 403, sent to login, or, on a log the caller has no role on, the
    404 a log that does not exist gets (access.check_request)."""
    if response.status_code in (401, 403):
        return True
    if response.status_code == 404 and LOG_HIDDEN in response.get_data(as_text=True):
        return True
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    return response.status_code in (302, 303, 200) and "/login?next=" in location


def _options(html: str, select_id: str) -> list[tuple[str, bool, str]]:
    select = html.split(f'<select id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)


def options_of(html: str, select_id: str) -> dict[str, str]:
    """The options of the <select id="select_id"> in a page or fragment: {value: text}."""
    return {value: markupsafe.Markup(text).unescape() for value, _chosen, text in _options(html, select_id)}


def chosen_in(html: str, select_id: str) -> str | None:
    """The value of the option selected in <select id="select_id">, None if none is."""
    return next((value for value, chosen, _text in _options(html, select_id) if chosen), None)


def fails(monkeypatch, app, module, name: str, error: Exception) -> None:
    """From now on `module.name` raises `error`, and the app answers 500 instead of
    passing the error on to the test."""

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(module, name, broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False


NEW_CHILD = {
    "kind": "barn",
    "name": "Lea Testesen",
    "birth_date": "2017-05-04",
    "national_id": with_control_digits("040517500"),
    "class_group": "3A",
    "level": "1",
    "concern_title": "Lea sover dårlig og er trøtt på skolen",
    "concern_body": "Mor har sett det siden høsten.",
    "guardian-1-name": "Siv Testesen",
    "guardian-1-relation": "mor",
    "guardian-1-phone": "999 88 777",
}


def child_form(log, **changes) -> dict:
    """The new-log form for NEW_CHILD naming `log`'s child: name, birth date, fødselsnummer."""
    subject = log.subject
    return dict(
        NEW_CHILD,
        name=subject.name,
        birth_date=subject.birth_date.isoformat(),
        national_id=subject.national_id,
        **changes,
    )


def create(client, **changes):
    """POST the new-log form for NEW_CHILD (with changes)."""
    data = dict(NEW_CHILD, **changes)
    return client.post("/logger/ny", data=data)


def new_log(auth, **changes):
    """A draft log for NEW_CHILD made by the holder persona through the form."""
    from stafettlogg.models import Log

    c = auth.persona("holder")
    r = create(c, **changes)
    assert r.status_code == 303, r.get_data(as_text=True)
    return Log.get_by_id(int(r.headers["Location"].rsplit("/", 1)[1]))


@pytest.fixture
def empty_url(tmp_path):
    yield from _fresh_database(tmp_path, "stafett_up")


# ------------------------------------------------------------------ factories: a test arranges its own log
#
# The demo municipality gives the people (PERSONAS) and units; a test that reads or
# changes a log makes its own with these, so it never depends on the seed's ids or on
# what the demo happens to have written in Emma's log.

_CHILDREN = itertools.count(1)


def a_log(
    holder: str = "stafettholder",
    *,
    participants=None,
    guardian: str | None = "foresatt",
    consent: bool = True,
    services=(),
    level: int = 2,
    group: str = "4B",
    name: str | None = None,
    guardians_informed: bool = True,
    concern: str = "Barnet er mye alene i friminuttene",
    nid9: str | None = None,
):
    """A log held by `holder` (a username) about a new child: with `participants`, a
    mother who signs in as `guardian` (None: a mother without an account) and a father,
    and the signed consent on file (active), naming `services` and the participants'
    services, with `concern` as its first concern and a fødselsnummer if `nid9` gives its
    first nine digits (born 14.03.2016). consent=False gives a draft, which has no
    participants yet (they are added once the consent is on file). By default the
    participant persona takes part in an active log."""
    from stafettlogg import demo
    from stafettlogg.db import db, write_transaction
    from stafettlogg.logs import domain
    from stafettlogg.models import Guardian, Log

    if participants is None:
        participants = ("aktor",) if consent else ()
    n = next(_CHILDREN)
    with db.connection_context():
        # the consent names the services of the participants from other units
        services = sorted({*services, *(f"kind:{user(p).unit.kind}" for p in participants if user(p).unit)})
        log = demo.make_log(
            user(holder),
            name or f"Testbarn {n} Testesen",
            dt.date(2016, 3, 14),
            nid9,
            "barn",
            level,
            group,
            concern,
            [
                {"name": f"Mor {n} Testesen", "relation": "mor", "phone": "911 00 000", "email": "mor@example.no"},
                {"name": f"Far {n} Testesen", "relation": "far", "phone": "922 00 000", "email": ""},
            ],
            consent=consent,
            services=services,
        )
        with write_transaction():
            if guardian:
                mother = Guardian.select().where(Guardian.log == log, Guardian.relation == "mor").get()
                Guardian.update(user=user(guardian)).where(Guardian.id == mother.id).execute()
            if guardians_informed:
                Log.update(guardians_informed_on=local_today()).where(Log.id == log.id).execute()
        for username in participants:
            domain.add_participant(user(holder), log, user(username))
        return Log.get_by_id(log.id)


@pytest.fixture
def log(app):
    """A log of a_log's defaults: active, held by the holder persona, the participant
    taking part and the guardian persona as the signed-in mother (PERSONAS)."""
    return a_log()


@pytest.fixture
def ctx(app, db_conn):
    """A request context for calling domain functions directly."""
    with app.test_request_context():
        yield


def an_item(log, key: str, by: str = "stafettholder", **fields):
    """An item of the log's section `key` ("entries", "measures", …) written by `by`
    through the section's own rules; dates may be given as dates."""
    from stafettlogg import demo
    from stafettlogg.db import db
    from stafettlogg.logs import sections

    with db.connection_context():
        if key in ("goals", "measures") and "concern" not in fields:
            fields["concern"] = log.concerns[0].id
        item, errors = sections.create_item(user(by), log, sections.SECTIONS[key], demo.form_values(**fields))
        assert not errors, errors
        return item


def a_meeting(log, days: int = 6, by: str = "stafettholder", family_present: bool = True, **fields):
    """A planned meeting of the log `days` from today at 14:00 (an evaluation meeting at
    the school with the parents invited, unless `fields` say otherwise), with the log's
    first guardian (or else the child) marked present, as the log is written with the
    family (seed 001; without, approving the minutes asks why: family_present=False)."""
    from stafettlogg.models import Guardian, Log, Meeting, Subject

    starts = dt.datetime.combine(local_today() + dt.timedelta(days=days), dt.time(14, 0))
    values = {
        "kind": "evalueringsmote",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "Nordbyen skole, møterom 2",
        "invited": "Mor og far",
        "agenda": "1. Hvordan går det?\n2. Veien videre",
        **fields,
    }
    meeting = an_item(log, "meetings", by=by, **values)
    if family_present:
        guardian = Guardian.select().where(Guardian.log == log.id).order_by(Guardian.id).first()
        who = guardian.name if guardian else Subject.get_by_id(Log.get_by_id(log.id).subject_id).name
        Meeting.update(present=who).where(Meeting.id == meeting.id).execute()
        meeting = Meeting.get_by_id(meeting.id)
    return meeting


def a_measure(log, what: str = "Kontaktlærer setter opp faste lekegrupper i storefri.", **fields):
    """An ongoing measure of the log's first concern, started 30 days ago and to be
    evaluated in 14 days (unless `fields` say otherwise)."""
    today = local_today()
    values = {
        "responsible": "Kontaktlærer",
        "start_date": today - dt.timedelta(days=30),
        "evaluation_date": today + dt.timedelta(days=14),
        "status": "ongoing",
        **fields,
    }
    return an_item(log, "measures", what=what, **values)


def a_consent(log, by: str = "stafettholder", *, data: bytes | None = None, filename: str = "samtykke.pdf", **changes):
    """A signed consent (a PDF, or `data`) uploaded to `log` by `by` through the upload
    rules: given today by the mother, with no end date, naming the services of the log's
    participants; `changes` overrides any other argument of upload_consent."""
    from stafettlogg.db import db
    from stafettlogg.demo import _Upload
    from stafettlogg.logs import domain
    from stafettlogg.models import Participant
    from tests import files

    with db.connection_context():
        services = sorted({f"kind:{p.user.unit.kind}" for p in Participant.select().where(Participant.log == log.id)})
        args = {
            "given_by": "guardian",
            "given_by_name": "Mor Testesen",
            "relation": "mor",
            "consent_date": local_today(),
            "expires_on": None,
            "services": services,
            "max_bytes": 10 * 1024 * 1024,
            "consent_age": 16,
        }
        return domain.upload_consent(user(by), log, _Upload(data or files.pdf(), filename), **dict(args, **changes))


def an_ended_log(status: str = "closed", **log_args):
    """A log made by a_log that ended 60 days ago after a year in use: closed, and the
    family said no to keeping it (so the unit leader may delete it), or passive, kept by
    the mother's agreement."""
    from stafettlogg.db import db, write_transaction
    from stafettlogg.models import Guardian, Log, LogStatus

    log = a_log(**log_args)
    ended = {
        "status": status,
        "created_at": utcnow() - dt.timedelta(days=400),
        "activated_at": utcnow() - dt.timedelta(days=395),
        "closed_at": utcnow() - dt.timedelta(days=60),
        "close_reason": "needs_met",
        "keep_answer": "no",
    }
    with db.connection_context():
        if status == LogStatus.PASSIVE:
            mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor")
            ended.update(
                guardian_agreed_to_keep=True,
                keep_answer="yes",
                keep_agreed_by=f"{mother.name} (mor)",
                keep_agreed_on=local_today() - dt.timedelta(days=60),
            )
        with write_transaction():
            Log.update(**ended).where(Log.id == log.id).execute()
        return Log.get_by_id(log.id)


def hourly_notices(username: str, count: int, start=dt.datetime(2026, 1, 1, 8, 0), read_every: int = 0) -> None:
    """`count` notices for `username`, an hour apart from `start`, "Varsel nummer 0" the
    oldest; with read_every, every read_every-th one (from the second) already read."""
    from stafettlogg.db import write_transaction
    from stafettlogg.messages import Message, dumps
    from stafettlogg.models import Notification

    person = user(username)
    rows = [
        {
            "user": person.id,
            "kind": "test",
            "message": dumps(Message(f"Varsel nummer {n}")),
            "url": "",
            "dedupe_key": f"test-{username}-{n}",
            "created_at": start + dt.timedelta(hours=n),
            "read_at": start if read_every and n % read_every else None,
        }
        for n in range(count)
    ]
    with write_transaction():
        Notification.insert_many(rows).execute()


def hourly_mails(count: int, failed: int, start=dt.datetime(2026, 1, 1, 8, 0), key: str = "test") -> None:
    """`count` e-mails in the outbox, an hour apart from `start`, "E-post nummer 0" the
    oldest, all sent but number `failed` (given up after 3 tries)."""
    from stafettlogg.db import write_transaction
    from stafettlogg.messages import Message, dumps
    from stafettlogg.models import MailStatus, OutboxEmail

    rows = [
        {
            "to": f"mottaker{n}@example.no",
            "subject_message": dumps(Message(f"E-post nummer {n}")),
            "body_message": dumps(Message("Hei.\n\nDu har fått et varsel i Stafettlogg.")),
            "idempotency_key": f"{key}-{n}",
            "status": MailStatus.FAILED if n == failed else MailStatus.SENT,
            "attempts": 3 if n == failed else 1,
            "created_at": start + dt.timedelta(hours=n),
            "sent_at": None if n == failed else start + dt.timedelta(hours=n, minutes=1),
        }
        for n in range(count)
    ]
    with write_transaction():
        OutboxEmail.insert_many(rows).execute()


def daily_tombstones(username: str, count: int, first: int, start=dt.datetime(2026, 1, 1, 8, 0)) -> None:
    """`count` logs deleted by the unit leader `username` in their unit, a day apart from
    `start`, numbered from `first` (numbers no log has) the oldest."""
    from stafettlogg.db import write_transaction
    from stafettlogg.models import LogTombstone

    leader = user(username)
    rows = [
        {
            "log_id": first + n,
            "unit": leader.unit_id,
            "created_at": start - dt.timedelta(days=400),
            "closed_at": start - dt.timedelta(days=30),
            "deleted_at": start + dt.timedelta(days=n),
            "deleted_by": leader.id,
            "reason": "not_kept",
        }
        for n in range(count)
    ]
    with write_transaction():
        LogTombstone.insert_many(rows).execute()


def consent_form(**changes):
    """The holder's «Last opp samtykke» form as posted (multipart): a guardian's consent
    for a year, covering the health centre and PPT, with a PDF."""
    data = {
        "given_by": "guardian",
        "given_by_name": "Fatima Hansen",
        "relation": "mor",
        "consent_date": local_today().isoformat(),
        "expires_on": (local_today() + dt.timedelta(days=365)).isoformat(),
        "services": ["kind:helsestasjon", "kind:ppt"],
    }
    data.update(changes)
    data["file"] = (io.BytesIO(files.pdf()), "samtykke.pdf")
    return data


# ------------------------------------------------------------------ races: two requests at once


def in_thread(app, work, done: list):
    """Run work() in a thread of its own (its own database connection), in a request
    context; what it returns or raises lands in `done`."""
    import threading

    from stafettlogg.db import db

    def run():
        try:
            with app.test_request_context():
                done.append(work())
        except Exception as exc:  # noqa: BLE001 - handed to the test
            done.append(exc)
        finally:
            db.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def waits_on_a_lock(app) -> bool:
    """PostgreSQL: is a session of this database waiting for a row lock?"""
    import time

    from stafettlogg.db import db

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with db.connection_context():
            waiting = db.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
        if waiting:
            return True
        time.sleep(0.02)  # polling pg_stat_activity: a condition, not a guess at time
    return False


def second_waits_for_first(app, monkeypatch, first, second, *, held_after: tuple) -> tuple:
    """A race played in one order: ``first()`` runs in a thread until the function
    ``held_after`` (module, name) has returned, and stays there, inside its transaction;
    then ``second()`` starts in another. On PostgreSQL the second must be seen waiting on
    a lock (not merely slow), and neither may finish before the first is let go. Returns
    what each returned or raised."""
    module, name = held_after
    holding, release = threading.Event(), threading.Event()
    real = getattr(module, name)

    def run_and_hold(*args, **kwargs):
        result = real(*args, **kwargs)
        holding.set()
        assert release.wait(30)
        return result

    monkeypatch.setattr(module, name, run_and_hold)
    firsts, seconds = [], []
    one = in_thread(app, first, firsts)
    try:
        assert holding.wait(30)
        two = in_thread(app, second, seconds)
        if ON_POSTGRES:
            assert waits_on_a_lock(app)
        assert seconds == []
    finally:
        release.set()
    one.join(30)
    two.join(30)
    return firsts[0], seconds[0]
