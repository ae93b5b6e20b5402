"""Notices and e-mail: stored as message keys, rendered in the reader's language, sent
after commit with retries (SECURITY.md: no network I/O inside a write transaction).

A local SMTP server (tests/smtp.py) accepts, hangs or refuses. In every case the user's
action succeeds at once; mail is delivered once the server is back, exactly once; no
database write lock is held while the app connects to the mail server."""

import ast
import datetime as dt
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from stafettlogg import mailer, outbox
from stafettlogg.models import Handover, MailStatus, Notification, OutboxEmail, User
from stafettlogg.notify import ALREADY_TOLD, NOT_REACHED, Join, Message, dumps, loads, msg, notify
from tests.conftest import _make_app, a_log, an_item, user
from tests.smtp import SmtpServer

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    mailer.wait_for_background_delivery()
    server.close()


@pytest.fixture
def mail_app(database_url, smtp):
    app = _make_app(
        database_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_SECURITY="none",
        SMTP_TIMEOUT=1,
        MAIL_RETRY_SECONDS=60,
        MAIL_MAX_ATTEMPTS=3,
        MAIL_FROM="stafettlogg@demo.kommune.no",
    )
    smtp.check_on_connect = _no_write_lock_held(database_url)
    yield app
    mailer.wait_for_background_delivery()
    from stafettlogg.db import db

    if not db.is_closed():
        db.close()


def _no_write_lock_held(database_url: str):
    """Run by the SMTP server on every connection: another connection can take the write
    lock at once (SQLite), or no backend has an open writing transaction (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        path = database_url.split("sqlite:///", 1)[1]

        def check():
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")  # raises "database is locked" if anyone writes
                conn.execute("ROLLBACK")
            finally:
                conn.close()

        return check

    def check_pg():
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            writers = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            ).fetchone()[0]
            assert writers == 0, f"{writers} transaction(s) hold writes while SMTP connects"

    return check_pg


def _login(app, username: str):
    from tests.conftest import Auth

    client = app.test_client()
    return Auth(app, client).login_as(username)


def _propose(app):
    """The holder proposes a new holder for a log of hers over HTTP; returns (seconds,
    status, the log)."""
    from stafettlogg.db import db

    log = a_log()
    with db.connection_context():
        target = user("kontaktlaerer")
        User.update(email="jonas.berg@example.no", language="").where(User.id == target.id).execute()
    client = _login(app, "stafettholder")
    started = time.monotonic()
    r = client.post(f"/logger/{log.id}/stafettholder", data={"to_user_id": target.id, "note": "Flytter"})
    return time.monotonic() - started, r.status_code, log


def _mails_to(address: str) -> list[OutboxEmail]:
    return list(OutboxEmail.select().where(OutboxEmail.to == address).order_by(OutboxEmail.id))


def _make_due() -> None:
    OutboxEmail.update(next_attempt_at=dt.datetime(2000, 1, 1)).where(OutboxEmail.status == MailStatus.QUEUED).execute()


@pytest.mark.parametrize("mode", ["accept", "hang", "refuse"])
def test_action_succeeds_at_once_and_mail_arrives_exactly_once(mail_app, smtp, mode):
    from stafettlogg.db import db

    smtp.set_mode(mode)
    seconds, status, log = _propose(mail_app)
    assert status in (302, 303) and seconds < 0.9, (status, seconds)  # SMTP_TIMEOUT is 1 s
    mailer.wait_for_background_delivery()
    with db.connection_context():
        assert Handover.select().where(Handover.log == log, Handover.status == "pending").count() == 1
        [mail] = _mails_to("jonas.berg@example.no")
        if mode == "accept":
            assert mail.status == MailStatus.SENT and mail.attempts == 1
        else:
            assert mail.status == MailStatus.QUEUED and mail.attempts == 1 and mail.last_error
            assert mail.next_attempt_at > dt.datetime.now(dt.UTC).replace(tzinfo=None)
    smtp.set_mode("accept")
    with mail_app.app_context():
        with db.connection_context():
            _make_due()
        mailer.deliver_all_due()
        mailer.deliver_all_due()  # a second sender run finds nothing to send
    with db.connection_context():
        [mail] = _mails_to("jonas.berg@example.no")
        assert mail.status == MailStatus.SENT
    delivered = [m for rcpt, m in smtp.messages if rcpt == ["jonas.berg@example.no"]]
    assert len(delivered) == 1
    assert "foreslår deg som ny stafettholder" in delivered[0].get_content()
    assert delivered[0]["Message-ID"] and delivered[0]["Content-Language"] == "nb"
    assert smtp.check_failures == []
    assert smtp.connections >= 1


def test_retries_back_off_and_give_up_with_the_error_on_the_outbox_page(mail_app, smtp):
    from stafettlogg.db import db

    smtp.set_mode("refuse")
    _propose(mail_app)
    mailer.wait_for_background_delivery()
    waits = []
    with mail_app.app_context():
        for _attempt in range(2):
            with db.connection_context():
                mail = _mails_to("jonas.berg@example.no")[0]
                waits.append(mail.next_attempt_at - mail.claimed_at if mail.claimed_at else None)
                _make_due()
            mailer.deliver_all_due()
    with db.connection_context():
        [mail] = _mails_to("jonas.berg@example.no")
        assert mail.status == MailStatus.FAILED and mail.attempts == 3
        assert "ConnectionRefused" in mail.last_error
    assert outbox.backoff(1, 60) == dt.timedelta(minutes=1)
    assert outbox.backoff(3, 60) == dt.timedelta(minutes=4)
    assert outbox.backoff(20, 60) == dt.timedelta(hours=1)
    page = _login(mail_app, "admin").get("/admin/utboks").get_data(as_text=True)
    assert "ga opp etter 3 forsøk" in page and "ConnectionRefused" in page
    # a failed message is never picked up again by itself
    smtp.set_mode("accept")
    with mail_app.app_context():
        mailer.deliver_all_due()
    assert smtp.messages == []
    # the admin puts it back in the queue: sent at once, once
    admin = _login(mail_app, "admin")
    assert admin.post("/admin/utboks/999999/prov-igjen").status_code == 404
    r = admin.post(f"/admin/utboks/{mail.id}/prov-igjen")
    assert r.status_code == 303
    mailer.wait_for_background_delivery()
    assert admin.post(f"/admin/utboks/{mail.id}/prov-igjen").status_code == 404  # sent: nothing to retry
    with db.connection_context():
        assert OutboxEmail.get_by_id(mail.id).status == MailStatus.SENT
    assert len(smtp.messages) == 1


def test_two_senders_at_once_send_each_message_once(mail_app, smtp):
    from stafettlogg.db import db

    smtp.set_mode("accept")
    with mail_app.app_context(), db.connection_context():
        people = list(User.select().where(User.active).order_by(User.id).limit(12))
        for person in people:
            notify(
                person,
                "test",
                msg("Et tiltak i stafettlogg nr. %(id)s skal evalueres %(date)s.", id=1, date="1.1.2027"),
            )
            User.update(email=f"{person.username}@example.no").where(User.id == person.id).execute()
        OutboxEmail.delete().execute()
        for person in User.select().where(User.id.in_([p.id for p in people])):
            notify(person, "test2", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=person.id))
    barrier = threading.Barrier(3)
    errors = []

    def sender():
        try:
            with mail_app.app_context():
                barrier.wait()
                mailer.deliver_all_due()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    recipients = sorted(rcpt[0] for rcpt, _m in smtp.messages)
    assert len(recipients) == len(people) and len(set(recipients)) == len(people)
    with db.connection_context():
        assert OutboxEmail.select().where(OutboxEmail.status == MailStatus.SENT).count() == len(people)


def test_send_reminders_never_loses_an_email(mail_app, smtp):
    """The mail server is down during the daily run: the run succeeds, every reminder's
    e-mail waits in the queue, and is sent once the server is back."""
    from stafettlogg.db import db
    from stafettlogg.models import Measure

    smtp.set_mode("refuse")
    with db.connection_context():
        User.update(email="holder@example.no").where(User.username == "stafettholder").execute()
        Measure.update(evaluation_date=None).execute()  # the demo's own dates are relative to the real today
    for responsible in ("stafettholder", "aktor"):
        an_item(
            a_log(),
            "measures",
            what="Faste lekegrupper i storefri",
            responsible="Kontaktlærer",
            responsible_user=user(responsible).id,
            evaluation_date=dt.date(2027, 3, 3),
            status="ongoing",
        )
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["send-reminders", "--today", "2027-03-01"])
    assert result.exit_code == 0, result.output
    with db.connection_context():
        queued = _mails_to("holder@example.no")
        assert queued and all(m.status == MailStatus.QUEUED and m.attempts == 1 for m in queued)
        _make_due()
    smtp.set_mode("accept")
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "prøves igjen senere: 0, ga opp: 0." in result.output
    assert len([1 for rcpt, _m in smtp.messages if rcpt == ["holder@example.no"]]) == len(queued)
    assert "Sendt: 0," in runner.invoke(args=["send-mail"]).output


def test_a_sender_that_died_mid_send_leaves_the_message_for_the_next(mail_app, smtp):
    from stafettlogg.db import db

    smtp.set_mode("accept")
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="x@example.no").where(User.username == "larer").execute()
        notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
        [claimed] = mailer.claim("dead-sender")
        assert mailer.deliver() == {"sent": 0, "queued": 0, "failed": 0}  # claimed: not sent twice
        OutboxEmail.update(claimed_at=dt.datetime(2000, 1, 1)).where(OutboxEmail.id == claimed.id).execute()
        assert mailer.deliver()["sent"] == 1
        assert OutboxEmail.get_by_id(claimed.id).status == MailStatus.SENT


def test_without_a_mail_server_mail_stays_in_the_outbox(auth, db_conn, app):
    runner = app.test_cli_runner()
    notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=1))
    User.update(email="x@example.no").where(User.username == "larer").execute()
    notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
    assert "SMTP_HOST er ikke satt" in runner.invoke(args=["send-mail"]).output
    assert OutboxEmail.get(OutboxEmail.to == "x@example.no").status == MailStatus.QUEUED
    page = auth.login_as("admin").get("/admin/utboks").get_data(as_text=True)
    assert "Ingen e-postserver er satt opp" in page and "I kø" in page


def test_mail_sent_or_given_up_is_deleted_after_the_kept_days(app, db_conn):
    """The outbox holds families' addresses: `flask send-mail` (every minute, with or
    without a mail server) deletes what was sent, given up on or never to be sent once it
    is older than MAIL_KEPT_DAYS, and nothing still to be sent."""
    from stafettlogg.models import utcnow

    days = app.config["MAIL_KEPT_DAYS"]
    rows = {
        "old-sent": (MailStatus.SENT, days + 1),
        "old-failed": (MailStatus.FAILED, days + 1),
        "old-skipped": (MailStatus.SKIPPED, days + 1),
        "old-queued": (MailStatus.QUEUED, days + 10),
        "recent-sent": (MailStatus.SENT, days - 1),
    }
    for key, (status, age) in rows.items():
        OutboxEmail.create(
            to=f"{key}@example.no",
            subject_message=dumps(msg("Ny stafettholder")),
            body_message=dumps(msg("Ny stafettholder")),
            idempotency_key=f"kept:{key}",
            status=status,
            created_at=utcnow() - dt.timedelta(days=age),
        )
    app.test_cli_runner().invoke(args=["send-mail"])
    left = {row.idempotency_key for row in OutboxEmail.select().where(OutboxEmail.idempotency_key.startswith("kept:"))}
    assert left == {"kept:old-queued", "kept:recent-sent"}


def test_the_migration_gives_a_notices_email_its_log(database_url, db_conn):
    """0032: an e-mail queued for a notice before the outbox named logs gets the notice's
    log (and goes with it when the log is deleted); one about no log names none."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db

    name = "0032_outbox_email_log"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    log = a_log()  # made by the code of today, before the schema goes back to 0032
    db.close()
    db.connect()
    runner.down(name)
    note = Notification.create(user=user("larer"), kind="t", message="{}", log_id=log.id, dedupe_key="mig-0032")
    keys = (f"notice:{note.id}", "mail:about-nothing")
    text = dumps(msg("Ny stafettholder"))
    mark = "%s" if "postgres" in database_url else "?"
    for key in keys:
        db.execute_sql(
            'INSERT INTO outbox_email ("to", subject_message, body_message, locale, idempotency_key, status, '
            f"attempts, last_error, claimed_by, created_at) VALUES ('a@example.no', {mark}, {mark}, 'nb', {mark}, "
            "'queued', 0, '', '', '2026-12-01 08:00:00')",
            (text, text, key),
        )
    runner.up()
    named = OutboxEmail.select(OutboxEmail.idempotency_key, OutboxEmail.log_id).where(
        OutboxEmail.idempotency_key.in_(keys)
    )
    assert dict(named.tuples()) == {f"notice:{note.id}": log.id, "mail:about-nothing": None}


# ------------------------------------------------------------------ the reader's language


def test_a_notice_from_a_bokmal_user_reads_in_nynorsk(auth, db_conn):
    from stafettlogg.handover import domain as handover

    handover.propose_handover(user("stafettholder"), a_log(), user("kontaktlaerer"))
    client = auth.login_as("kontaktlaerer")
    assert "foreslår deg som ny stafettholder" in client.get("/varsler").get_data(as_text=True)
    client.set_cookie("lang", "nn")
    page = client.get("/varsler").get_data(as_text=True)
    assert "foreslår deg som ny stafetthaldar" in page and "ny stafettholder" not in page


def test_email_is_written_in_the_recipients_language(auth, db_conn):
    target = user("kontaktlaerer")
    client = auth.login_as("kontaktlaerer")
    client.set_cookie("lang", "nb")
    assert client.post("/sprak", data={"lang": "nn", "next": "/"}).status_code == 303
    assert User.get_by_id(target.id).language == "nn"
    User.update(email="jonas@example.no").where(User.id == target.id).execute()
    from stafettlogg.handover import domain as handover

    handover.propose_handover(user("stafettholder"), a_log(), user("kontaktlaerer"))
    mail = OutboxEmail.get(OutboxEmail.to == "jonas@example.no")
    assert mail.locale == "nn"
    assert "som ny stafetthaldar" in mail.body and "Opne Stafettlogg" in mail.body
    assert "Av omsyn til personvernet" in mail.body


def test_message_parameters_and_storage_round_trip():
    inner = msg("barnekoordinator")
    message = msg("Koordinerende enhet informerer: %(role)s", role=inner)
    body = Join((message, msg("Åpne Stafettlogg: %(link)s", link="https://x/1")))
    assert loads(dumps(body)) == body
    assert loads("a plain text from before") == Message("a plain text from before")
    assert body.render("nn").endswith("Opne Stafettlogg: https://x/1")
    with pytest.raises(TypeError):
        msg("x %(when)s", when=dt.date(2027, 1, 1))  # format first: the reader's format is the app's


def test_notify_refuses_finished_text(db_conn):
    with pytest.raises(TypeError, match="msg"):
        notify(user("larer"), "test", "Ferdig oversatt tekst")


def test_legacy_notices_and_emails_survive_the_migration(tmp_path):
    """A database from before message keys: the notices and e-mails in it still read."""
    from playhouse.migrations import Runner

    from stafettlogg import db as database
    from stafettlogg.db import db

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db.initialize(database.open_database(url))
    with db.connection_context():
        Runner(db.obj, directory=str(database.MIGRATIONS_DIR)).up("0007_lifecycle_agreement")
        db.execute_sql(
            "INSERT INTO user (username, password_hash, name, role, job_title, email, phone, active, "
            "session_token, must_change_password, created_at) VALUES ('ola','','Ola','teacher','','','',1,'',0,'2026-01-01')"
        )
        db.execute_sql(
            "INSERT INTO notification (user_id, kind, text, url, dedupe_key, created_at) "
            "VALUES (1, 'old', 'Gammelt varsel', '/', 'k1', '2026-01-01')"
        )
        db.execute_sql(
            'INSERT INTO outbox_email ("to", subject, body, created_at, sent_at) VALUES '
            "('a@example.no', 'Emne', 'Tekst', '2026-01-01', '2026-01-01'), ('b@example.no', 'Emne 2', 'Tekst 2', '2026-01-01', NULL)"
        )
    database.migrate()
    with db.connection_context():
        assert Notification.get().text == "Gammelt varsel"
        sent, never = list(OutboxEmail.select().order_by(OutboxEmail.id))
        assert (sent.subject, sent.body, sent.status) == ("Emne", "Tekst", MailStatus.SENT)
        assert (never.subject, never.status) == ("Emne 2", MailStatus.SKIPPED)
    db.close() if not db.is_closed() else None


# ------------------------------------------------------------------ one way to send mail


def _python_files():
    return [p for p in (ROOT / "stafettlogg").rglob("*.py")]


def test_only_the_mailer_talks_smtp_and_only_notify_writes_notices():
    for path in _python_files():
        source = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        if name != "stafettlogg/mailer.py":
            assert "smtplib" not in source, f"{name} talks SMTP: queue through notify instead"
        if name not in ("stafettlogg/notify.py", "stafettlogg/models.py"):
            assert not re.search(r"\b(OutboxEmail|Notification)\.create\(", source), name


def test_every_outbox_is_delivered_by_the_one_outbox_runner():
    """E-mail and archive packages are claimed, retried and sent after the request by
    stafettlogg/outbox.py alone: a second copy of the claim or the thread drifts apart
    (one outbox retried a dead sender's claim, the other never did)."""
    assert isinstance(mailer.OUTBOX, outbox.Outbox)
    for path in _python_files():
        source = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        if name == "stafettlogg/outbox.py":
            continue
        assert "skip_locked" not in source, f"{name} claims rows itself: make it an outbox.Outbox"
        assert "_after_request" not in re.sub(r"\bdeliver_after_request\b", "", source), (
            f"{name} keeps its own after-request list: use Outbox.deliver_after_request"
        )
        # the demo identity provider's server; the archive write's own deadline (a hung
        # share: transport.write_atomically waits for its writer thread, it delivers nothing)
        if name not in ("stafettlogg/oidc/demo_provider.py", "stafettlogg/archive/transport.py"):
            assert "threading.Thread(" not in source, f"{name} starts its own thread: use an Outbox"


def test_every_notice_text_is_a_message_key():
    """notify(...) and send_email(...) get msg(...) (or a variable holding one), never _()."""
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "notify",
                "_notify",
                "send_email",
            ):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Call) and getattr(arg.func, "id", "") in ("_", "gettext", "lazy_gettext"):
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_every_message_key_has_a_nynorsk_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with open(ROOT / "translations/nn/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = read_po(f)
    keywords = {"msg": None, "msg_plural": (1, 2)}
    keys = {
        message if isinstance(message, str) else message[0]  # msg_plural: its singular and plural
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "stafettlogg"), method_map=[("**.py", "python")], keywords=keywords
        )
    }
    assert keys, "no msg() keys found: extraction is broken"
    assert any(catalogue.get(k) is not None and catalogue.get(k).pluralizable for k in keys), "no msg_plural() keys"

    def translated(key):
        found = catalogue.get(key)
        strings = found.string if found is not None else None
        return bool(strings) and all(strings if isinstance(strings, tuple) else [strings]) and not found.fuzzy

    missing = [k for k in keys if not translated(k)]
    assert missing == []


def test_the_suite_fails_a_test_whose_email_names_a_child(app, db_conn):
    """Every test's teardown (tests/conftest.py app) looks for children's names in the
    e-mails it left behind; here is one that names a child, so the check has something
    to find, and is removed before the teardown looks."""
    from stafettlogg.db import write_transaction
    from tests.conftest import emails_naming_a_child

    log = a_log()
    with app.test_request_context(), write_transaction():
        mail = OutboxEmail.create(
            to="kari@example.no",
            subject_message=dumps(msg("Stafettlogg nr. %(id)s", id=log.id)),
            body_message=dumps(msg("Om %(child)s", child=log.subject.name)),
            idempotency_key="mail:names-a-child",
        )
    assert emails_naming_a_child(app) == [f"kari@example.no: {log.subject.name!r}"]
    OutboxEmail.delete().where(OutboxEmail.id == mail.id).execute()
    assert emails_naming_a_child(app) == []


def test_a_name_with_a_line_break_injects_no_header_and_stops_no_other_email(mail_app, smtp):
    """A name typed with a line break (a crafted form, a provider's claim) reaches a
    notice's e-mail (its body: a subject is a fixed text): it adds no header, and never
    strands the e-mails claimed with it."""
    from stafettlogg.db import db

    smtp.set_mode("accept")
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="ito@example.no").where(User.username == "larer").execute()
        User.update(email="other@example.no").where(User.username == "aktor").execute()
        notify(
            user("larer"),
            "ito_revoked",
            msg(
                "%(name)s har avsluttet oppgaven din som ITO-koordinator for %(unit)s.",
                name="Kari\r\nBcc: evil@example.com",
                unit="Enhet\nX-Injected: 1",
            ),
        )
        User.update(email="bad@example.no\r\nBcc: evil@example.com").where(User.username == "ppt").execute()
        notify(user("ppt"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=3))
        notify(user("aktor"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
        counts = mailer.deliver_all_due()
        assert counts == {"sent": 2, "queued": 1, "failed": 0}
        [bad] = _mails_to("bad@example.no\r\nBcc: evil@example.com")
        assert bad.status == MailStatus.QUEUED and bad.claimed_by == "" and "ValueError" in bad.last_error
    delivered = {rcpt[0]: m for rcpt, m in smtp.messages}
    assert set(delivered) == {"ito@example.no", "other@example.no"}
    injected = delivered["ito@example.no"]
    assert injected["Bcc"] is None and injected["X-Injected"] is None
    assert injected["Subject"] == "Stafettlogg: ny melding til deg"
    assert "Kari\r\nBcc: evil@example.com har avsluttet" in injected.get_body().get_content()  # text, not a header


def test_a_message_the_server_accepted_is_sent_even_if_the_goodbye_fails(mail_app, smtp):
    """The server answered 250 to the message, then failed at QUIT: the message was
    handed over, so it is recorded as sent and never sent again."""
    from stafettlogg.db import db

    smtp.set_mode("accept")
    smtp.quit_reply = "421 closing"
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="x@example.no").where(User.username == "larer").execute()
        notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
        assert mailer.deliver_all_due()["sent"] == 1
        _make_due()
        mailer.deliver_all_due()
        [mail] = _mails_to("x@example.no")
        assert mail.status == MailStatus.SENT and mail.last_error == ""
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("meanwhile", ["taken_as_stale", "deleted_with_its_log"])
def test_a_message_claimed_in_a_long_batch_is_sent_only_while_this_sender_still_holds_it(mail_app, smtp, meanwhile):
    """A sender claims a batch and works through it one conversation at a time. A message
    whose claim went stale before its turn (a slow mail server, a long batch) is taken by
    the next sender: the first must not send it too. One deleted meanwhile (its log was
    deleted) is not sent at all."""
    from stafettlogg.db import db

    smtp.set_mode("accept")
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="first@example.no").where(User.username == "larer").execute()
        User.update(email="second@example.no").where(User.username == "aktor").execute()
        notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=1))
        notify(user("aktor"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
        [second] = _mails_to("second@example.no")
    send = mailer.OUTBOX.send

    def slow_send(row, config):
        send(row, config)
        if row.to == "first@example.no":  # while the first sender is still busy with its batch
            with db.connection_context():
                if meanwhile == "taken_as_stale":
                    OutboxEmail.update(claimed_at=dt.datetime(2000, 1, 1)).where(OutboxEmail.id == second.id).execute()
                    mailer.OUTBOX.send = send
                    assert mailer.deliver()["sent"] == 1  # the next sender takes it
                else:
                    OutboxEmail.delete().where(OutboxEmail.id == second.id).execute()

    mailer.OUTBOX.send = slow_send
    try:
        with mail_app.app_context():
            mailer.deliver()
    finally:
        mailer.OUTBOX.send = send
    delivered = sorted(rcpt[0] for rcpt, _m in smtp.messages)
    if meanwhile == "taken_as_stale":
        assert delivered == ["first@example.no", "second@example.no"]
        with db.connection_context():
            assert OutboxEmail.get_by_id(second.id).status == MailStatus.SENT
    else:
        assert delivered == ["first@example.no"]


def test_an_address_with_a_line_break_or_too_long_is_refused_where_it_is_typed(db_conn):
    """A crafted form keeps line breaks (typed.py keeps them for text areas): an e-mail
    address is one line without spaces, as long as the column holds, for staff and
    guardians alike — it becomes a header of every e-mail to them."""
    from stafettlogg.logs.domain import guardian_problem
    from stafettlogg.models import Role
    from stafettlogg.org.domain import OrganisationError, create_user

    long = "a" * 250 + "@example.no"
    for bad in ("kari@example.no\r\nBcc: evil@example.com", "kari @example.no", long):
        problem = guardian_problem({"name": "Kari", "relation": "", "email": bad})
        assert problem is not None and problem[1] == "email", bad
        with pytest.raises(OrganisationError, match="E-postadressen"):
            create_user(Role.STAFF, "ny.ansatt", "Ny Ansatt", password="et langt passord 123", email=bad)
    assert guardian_problem({"name": "Kari", "relation": "", "email": " kari@example.no "}) is None


def test_a_removed_guardian_is_sent_nothing_still_waiting_about_the_log(app, ctx):
    """A guardian whose parental responsibility ended is removed: the e-mails about the
    log still waiting for the mail server (a new holder's name and job) are not sent to
    them afterwards; others' e-mails stay in the queue."""
    from stafettlogg.logs import domain
    from stafettlogg.models import Guardian
    from stafettlogg.notify import send_email

    log = a_log()
    User.update(email="holder@example.no").where(User.username == "stafettholder").execute()
    mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor")
    text = msg(
        "Stafettholderen for barnet ditt har sluttet. %(name)s, %(job)s, er ny stafettholder og den dere kan kontakte.",
        name="Ny Holder",
        job="Lærer",
    )
    notify(user("foresatt"), "holder_assigned", text, log=log)  # her account's address
    send_email(mother.email, msg("Ny stafettholder"), text, recipient=mother, log=log)  # the address on the log
    notify(
        user("stafettholder"),
        "test",
        msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id),
        log=log,
    )
    domain.remove_guardian(user("stafettholder"), log, mother)
    waiting = {m.to for m in OutboxEmail.select().where(OutboxEmail.log_id == log.id)}
    assert waiting == {"holder@example.no"}


def test_smtp_over_ssl_checks_the_servers_certificate(monkeypatch):
    """SMTP_SECURITY=ssl (port 465) checks the mail server's certificate and name, as
    starttls does: smtplib's own default for SMTP_SSL checks neither, so anyone on the
    way could take the SMTP password and every e-mail."""
    import ssl
    from email.message import EmailMessage

    seen = {}

    class Connection:
        sock = None

        def __init__(self, host="", port=0, timeout=None, context=None, **options):
            seen["context"] = context

        def connect(self, host, port):
            raise ConnectionRefusedError("not connecting in this test")

        def close(self):
            pass

    monkeypatch.setattr(mailer.smtplib, "SMTP_SSL", Connection)
    message = EmailMessage()
    message["To"] = "x@example.no"
    message.set_content("Hei")
    config = {"SMTP_HOST": "mail.example.no", "SMTP_PORT": 465, "SMTP_TIMEOUT": 1, "SMTP_SECURITY": "ssl"}
    with pytest.raises(ConnectionRefusedError):
        mailer.smtp_send(message, config)
    context = seen["context"]
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


class TricklingSmtp:
    """A mail server that answers slowly but steadily: a continuation line of its greeting
    every 0.2 s, never a pause as long as the client's read timeout (an overloaded relay,
    a tarpit), until told to stop."""

    def __init__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.lines = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.sock.accept()
        try:
            while not self.stop.is_set():
                conn.sendall(b"220-busy, please wait\r\n")
                self.lines += 1
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()
            self.sock.close()


def test_a_slow_but_steady_mail_server_is_given_up_on_within_the_claim(monkeypatch):
    """SMTP_TIMEOUT bounds each read; the conversation as a whole ends at
    conversation_limit, which is inside the claim: no second sender takes the message
    while the first still talks to the server (it would be sent twice)."""
    from email.message import EmailMessage

    for timeout in (1, 5, 30, 120):
        config = {"SMTP_TIMEOUT": timeout}
        assert mailer.conversation_limit(config) < mailer._stale_after(config).total_seconds()
    server = TricklingSmtp()
    monkeypatch.setattr(mailer, "conversation_limit", lambda config: 1.0)
    message = EmailMessage()
    message["To"] = "x@example.no"
    message.set_content("Hei")
    config = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_TIMEOUT": 1, "SMTP_SECURITY": "none"}
    started = time.monotonic()
    try:
        with pytest.raises((OSError, mailer.smtplib.SMTPException)):
            mailer.smtp_send(message, config)
        took = time.monotonic() - started
    finally:
        server.stop.set()
    assert server.lines > 3 and 0.9 < took < 3, took  # it kept answering; the limit, not a read timeout, ended it


def test_an_address_the_mail_server_says_does_not_exist_is_given_up_on_at_once(mail_app, smtp):
    """A permanent refusal of the recipient (5xx to RCPT: no such mailbox) will not change
    by trying again: the message is marked failed at once with the server's answer, for
    the admin to see; a temporary one (4xx, greylisting) is tried again later."""
    from stafettlogg.db import db

    smtp.set_mode("accept")
    smtp.recipient_replies = {"gone@example.no": "550 5.1.1 no such user", "later@example.no": "451 4.7.1 try later"}
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="gone@example.no").where(User.username == "larer").execute()
        User.update(email="later@example.no").where(User.username == "aktor").execute()
        notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=1))
        notify(user("aktor"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
        assert mailer.deliver_all_due() == {"sent": 0, "queued": 1, "failed": 1}
        [gone] = _mails_to("gone@example.no")
        assert gone.status == MailStatus.FAILED and gone.attempts == 1 and "no such user" in gone.last_error
        [later] = _mails_to("later@example.no")
        assert later.status == MailStatus.QUEUED and later.attempts == 1


def test_an_unexpected_error_for_one_message_fails_that_message_not_the_run(mail_app, smtp):
    """A message that breaks in a way no one foresaw (a translation whose placeholder does
    not match) is recorded as a failed attempt with its error; the other messages of the
    batch are sent, and `flask send-mail` does not stop with a traceback every minute."""
    from stafettlogg.db import db

    smtp.set_mode("accept")
    with mail_app.app_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="first@example.no").where(User.username == "larer").execute()
        User.update(email="second@example.no").where(User.username == "aktor").execute()
        notify(user("larer"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=1))
        notify(user("aktor"), "test", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=2))
    send = mailer.OUTBOX.send

    def broken_for_the_first(row, config):
        if row.to == "first@example.no":
            raise KeyError("navn")
        send(row, config)

    mailer.OUTBOX.send = broken_for_the_first
    try:
        result = mail_app.test_cli_runner().invoke(args=["send-mail"])
    finally:
        mailer.OUTBOX.send = send
    assert result.exit_code == 0, result.output
    assert "Sendt: 1, prøves igjen senere: 1" in result.output
    assert [rcpt[0] for rcpt, _m in smtp.messages] == ["second@example.no"]
    with db.connection_context():
        [first] = _mails_to("first@example.no")
        assert first.status == MailStatus.QUEUED and first.claimed_by == "" and "KeyError" in first.last_error


# ------------------------------------------------------------------ a staff member who has left


def test_mail_to_a_staff_member_deactivated_after_it_was_queued_is_not_sent(mail_app, smtp):
    """A teacher's notices wait in a long batch (a slow mail server); meanwhile she leaves
    the municipality and her account is deactivated. When her e-mail's turn comes it is not
    sent: cancelled, with the reason on the admin's outbox page (in nynorsk for a nynorsk
    reader) and no «Prøv å sende igjen». E-mail to a guardian, to their account or to the
    address on the log, goes as before."""
    from stafettlogg.db import db
    from stafettlogg.models import Guardian
    from stafettlogg.notify import send_email

    smtp.set_mode("accept")
    log = a_log()
    text = msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id)
    with mail_app.test_request_context(), db.connection_context():
        OutboxEmail.delete().execute()
        for username, address in (("aktor", "stays@example.no"), ("larer", "left@example.no")):
            User.update(email=address).where(User.username == username).execute()
        User.update(email="mother.account@example.no").where(User.username == "foresatt").execute()
        notify(user("aktor"), "test", text, log=log)
        notify(user("larer"), "test", text, log=log)
        notify(user("foresatt"), "test", text, log=log)
        mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor")
        Guardian.update(email="mother@example.no").where(Guardian.id == mother.id).execute()
        send_email("mother@example.no", msg("Ny stafettholder"), text, recipient=mother, log=log)
    send = mailer.OUTBOX.send

    def she_leaves_during_the_batch(row, config):
        send(row, config)
        if row.to == "stays@example.no":  # the teacher's e-mail is claimed and waits its turn
            with db.connection_context():
                User.update(active=False).where(User.username == "larer").execute()

    mailer.OUTBOX.send = she_leaves_during_the_batch
    try:
        with mail_app.app_context():
            counts = mailer.deliver_all_due()
    finally:
        mailer.OUTBOX.send = send
    assert counts == {"sent": 3, "queued": 0, "failed": 0, "cancelled": 1}
    assert sorted(rcpt[0] for rcpt, _m in smtp.messages) == [
        "mother.account@example.no",
        "mother@example.no",
        "stays@example.no",
    ]
    with db.connection_context():
        [left] = _mails_to("left@example.no")
        assert (left.status, left.attempts, left.claimed_by) == (MailStatus.CANCELLED, 0, "")
    with mail_app.app_context():
        assert mailer.deliver_all_due()["sent"] == 0  # never picked up again
    admin = _login(mail_app, "admin")
    assert admin.post(f"/admin/utboks/{left.id}/prov-igjen").status_code == 404
    admin.set_cookie("lang", "nn")
    page = admin.get("/admin/utboks").get_data(as_text=True)
    assert "Ikkje send: mottakaren har slutta (kontoen er deaktivert)" in page
    assert page.count("prov-igjen") == 0
    assert len(smtp.messages) == 3


def test_deactivating_a_staff_member_cancels_the_email_waiting_for_them_at_once(app, auth, db_conn):
    """The unit leader deactivates a teacher who leaves: her e-mails still waiting (queued,
    or given up on and waiting for «Prøv å sende igjen») are cancelled at once, with the
    reason on the outbox page; what was sent stays as it was, and others' e-mail waits as
    before. Cancelled e-mail leaves the outbox after MAIL_KEPT_DAYS like any finished."""
    from stafettlogg.models import utcnow
    from stafettlogg.notify import send_email
    from stafettlogg.org.domain import deactivate_staff

    log = a_log()
    OutboxEmail.delete().execute()
    text = msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id)
    User.update(email="left@example.no").where(User.username == "larer").execute()
    User.update(email="stays@example.no").where(User.username == "aktor").execute()
    with app.test_request_context():
        waiting, failed, sent = (notify(user("larer"), "test", text, log=log) for _ in range(3))
        notify(user("aktor"), "test", text, log=log)
        send_email("someone@example.no", msg("Ny stafettholder"), text, log=log)  # an address alone
    OutboxEmail.update(status=MailStatus.FAILED, attempts=3).where(
        OutboxEmail.idempotency_key == f"notice:{failed.id}"
    ).execute()
    OutboxEmail.update(status=MailStatus.SENT, sent_at=utcnow()).where(
        OutboxEmail.idempotency_key == f"notice:{sent.id}"
    ).execute()

    with app.test_request_context():
        deactivate_staff(user("enhetsleder"), user("larer"))

    status = dict(OutboxEmail.select(OutboxEmail.idempotency_key, OutboxEmail.status).tuples())
    assert status[f"notice:{waiting.id}"] == status[f"notice:{failed.id}"] == MailStatus.CANCELLED
    assert status[f"notice:{sent.id}"] == MailStatus.SENT
    assert {m.status for m in _mails_to("stays@example.no") + _mails_to("someone@example.no")} == {MailStatus.QUEUED}
    page = auth.login_as("admin").get("/admin/utboks").get_data(as_text=True)
    assert page.count("Ikke sendt: mottakeren har sluttet (kontoen er deaktivert)") == 2
    OutboxEmail.update(created_at=utcnow() - dt.timedelta(days=app.config["MAIL_KEPT_DAYS"] + 1)).execute()
    assert mailer.forget_old(app.config) == 3  # the two cancelled and the one sent
    assert {m.status for m in OutboxEmail.select()} == {MailStatus.QUEUED}


def test_nobody_whose_account_is_deactivated_gets_a_notice_or_an_email(app, db_conn):
    """notify() is the one place that decides who is told: a teacher who has left and a
    mother whose account was deactivated get no notice and no e-mail (NOT_REACHED, where
    a duplicate is ALREADY_TOLD: false both, so a caller counting notices counts neither),
    and send_email to their account queues nothing. The address the holder
    recorded for the mother on the log is the family's, not the account's: mail to it goes."""
    from stafettlogg.models import Guardian
    from stafettlogg.notify import send_email

    log = a_log()
    OutboxEmail.delete().execute()
    text = msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id)
    User.update(email="left@example.no").where(User.username == "larer").execute()
    User.update(email="mother.account@example.no").where(User.username == "foresatt").execute()
    User.update(email="stays@example.no").where(User.username == "aktor").execute()
    User.update(active=False).where(User.username.in_(["larer", "foresatt"])).execute()
    mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor")
    with app.test_request_context():
        for username in ("larer", "foresatt"):
            assert notify(user(username), "test", text, log=log) is NOT_REACHED
            assert notify(user(username), "test", text, log=log, dedupe_key=f"k:{username}") is NOT_REACHED
            assert send_email(f"{username}@example.no", msg("Ny stafettholder"), text, recipient=user(username)) is None
        assert send_email("mother@example.no", msg("Ny stafettholder"), text, recipient=mother, log=log) is not None
        assert notify(user("aktor"), "test", text, log=log, dedupe_key="k:aktor")  # someone still here is told
        assert notify(user("aktor"), "test", text, log=log, dedupe_key="k:aktor") is ALREADY_TOLD  # once
    told = Notification.select().where(Notification.user.in_([user("larer").id, user("foresatt").id]))
    assert not told.exists()
    assert [m.to for m in OutboxEmail.select().order_by(OutboxEmail.id)] == ["mother@example.no", "stays@example.no"]


def test_mail_to_a_guardian_account_deactivated_after_it_was_queued_is_not_sent(mail_app, smtp):
    """A mother's account is deactivated while a notice's e-mail to it waits in the queue:
    it is cancelled at its turn, as for a staff member who has left, and stays cancelled
    when the account is opened again (deliberately: the notice is in the app). The address
    the holder recorded for her on the log gets its e-mail as before."""
    from stafettlogg.db import db
    from stafettlogg.models import Guardian
    from stafettlogg.notify import send_email

    smtp.set_mode("accept")
    log = a_log()
    text = msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=log.id)
    with mail_app.test_request_context(), db.connection_context():
        OutboxEmail.delete().execute()
        User.update(email="mother.account@example.no").where(User.username == "foresatt").execute()
        assert notify(user("foresatt"), "test", text, log=log) is not None
        mother = Guardian.get(Guardian.log == log, Guardian.relation == "mor")
        send_email("mother@example.no", msg("Ny stafettholder"), text, recipient=mother, log=log)
        User.update(active=False).where(User.username == "foresatt").execute()
    with mail_app.app_context():
        counts = mailer.deliver_all_due()
    assert counts == {"sent": 1, "queued": 0, "failed": 0, "cancelled": 1}
    assert [rcpt[0] for rcpt, _m in smtp.messages] == ["mother@example.no"]
    with db.connection_context():
        User.update(active=True).where(User.username == "foresatt").execute()
        [account_mail] = _mails_to("mother.account@example.no")
        assert account_mail.status == MailStatus.CANCELLED
    with mail_app.app_context():
        assert mailer.deliver_all_due()["sent"] == 0  # reactivating brings no cancelled mail back
    assert len(smtp.messages) == 1


def test_the_migration_names_the_reader_of_a_notices_email(database_url, db_conn):
    """0037: an e-mail queued for a notice before the outbox named its reader gets the
    notice's reader (and is not sent if that is a staff member who has left); one to an
    address alone names none."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db

    name = "0037_consent_expired_once_and_mail_recipient"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    runner.down(name)
    note = Notification.create(user=user("larer"), kind="t", message="{}", dedupe_key="mig-0037")
    keys = (f"notice:{note.id}", "mail:to-an-address")
    text = dumps(msg("Ny stafettholder"))
    mark = "%s" if "postgres" in database_url else "?"
    for key in keys:
        db.execute_sql(
            'INSERT INTO outbox_email ("to", subject_message, body_message, locale, idempotency_key, status, '
            f"attempts, last_error, claimed_by, created_at) VALUES ('a@example.no', {mark}, {mark}, 'nb', {mark}, "
            "'queued', 0, '', '', '2026-12-01 08:00:00')",
            (text, text, key),
        )
    runner.up()
    named = OutboxEmail.select(OutboxEmail.idempotency_key, OutboxEmail.recipient_id).where(
        OutboxEmail.idempotency_key.in_(keys)
    )
    assert dict(named.tuples()) == {f"notice:{note.id}": user("larer").id, "mail:to-an-address": None}


def test_the_outbox_shows_no_text_keeps_no_link_once_sent_and_the_family_sees_who_looked(mail_app, smtp):
    """A family's invitation holds a link that gives access (its token is otherwise stored
    only as a hash). The admin's outbox shows to whom, the subject and the status, never
    the text; the text is not kept once sent; and the family's access history says that
    the admin saw an e-mail about their log."""
    from stafettlogg.db import db
    from stafettlogg.guardians.queries import access_history
    from stafettlogg.models import AuditEvent, Guardian

    smtp.set_mode("accept")
    log = a_log()
    with db.connection_context():
        OutboxEmail.delete().execute()
        guardian = Guardian.get(Guardian.log == log.id, Guardian.user.is_null())
        Guardian.update(email="far.testesen@example.no").where(Guardian.id == guardian.id).execute()
        guardian = Guardian.get_by_id(guardian.id)
    holder = _login(mail_app, "stafettholder")
    r = holder.post(f"/logger/{log.id}/tilgang-foresatte", data={"guardian_id": guardian.id})
    assert r.status_code == 200
    mailer.wait_for_background_delivery()
    with mail_app.app_context(), db.connection_context():
        mailer.deliver_all_due()
        [sent] = _mails_to(guardian.email)
        assert sent.status == MailStatus.SENT and sent.body_message == "" and sent.body == ""
    [(_recipients, message)] = smtp.messages  # the family got the link
    link = next(line for line in message.get_body().get_content().splitlines() if "/invitasjon/" in line)
    token = link.rsplit("/invitasjon/", 1)[1].split("?")[0]
    assert len(token) > 20 and token in r.get_data(as_text=True)  # and the holder's page shows it
    with db.connection_context():
        assert not OutboxEmail.select().where(OutboxEmail.body_message.contains(token)).exists()

    page = _login(mail_app, "admin").get("/admin/utboks").get_data(as_text=True)
    assert guardian.email in page and "Invitasjon til Stafettlogg" in page  # to whom, what about
    assert token not in page and "har gitt deg tilgang" not in page and log.unit.name not in page
    with mail_app.test_request_context(), db.connection_context():
        seen = AuditEvent.get(AuditEvent.action == "view:org.outbox", AuditEvent.log_id == log.id)
        assert seen.role == "admin"
        assert "Så at det er sendt e-post om stafettloggen" in {row["text"] for row in access_history(log).items}
    assert "Sendt" in _login(mail_app, "admin").get("/admin/utboks").get_data(as_text=True)
