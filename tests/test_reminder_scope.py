"""The daily reminders (stafettlogg/reminders.py): what one run reads, whom it tells, and
what the e-mail of a notice shows before anyone signs in."""

import datetime as dt

import pytest
from playhouse.migrations import Runner

from bench.run import counting
from stafettlogg import mailer
from stafettlogg.archive import outbox as archive_outbox
from stafettlogg.dates import local_today
from stafettlogg.db import MIGRATIONS_DIR, db, write_transaction
from stafettlogg.messages import dumps
from stafettlogg.models import Measure, Notification, OutboxEmail, User
from stafettlogg.notify import msg, notify, send_email
from stafettlogg.reminders import REMIND_OVERDUE_FOR_DAYS, measure_reminders
from tests.conftest import a_log, a_measure, user

pytestmark = pytest.mark.db

TODAY = local_today()


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _reminded(measure) -> int:
    return Notification.select().where(Notification.dedupe_key.contains(f":{measure.id}:")).count()


def test_a_reminder_run_reads_what_falls_due_around_today_not_the_whole_backlog(app, db_conn):
    """A large municipality collects overdue measures nobody evaluated, month after month.
    Each was reminded of once, the day after its date; a later run reads none of them
    again: its statements and the rows it reads are the same with a backlog of twenty as
    with none (before: every run read every measure overdue since the first, and tried
    to tell each of their people again)."""
    Measure.update(evaluation_date=None).execute()  # the demo's own measures out of the way
    log = a_log(participants=())
    due = a_measure(log, evaluation_date=_days(3))
    long_ago = _days(-60)

    def one_run() -> tuple[int, int]:
        with counting(db) as counter:
            measure_reminders(TODAY)
        return len(counter["sql"]), sum(counter["sql_rows"])

    measure_reminders(TODAY)
    without_backlog = one_run()
    backlog = [a_measure(log, start_date=long_ago, evaluation_date=long_ago) for _ in range(20)]
    assert measure_reminders(long_ago + dt.timedelta(days=1)) == 20  # reminded when they fell overdue
    assert all(_reminded(m) == 1 for m in backlog) and _reminded(due) == 1
    assert one_run() == without_backlog
    assert all(_reminded(m) == 1 for m in backlog)


def test_a_missed_run_is_made_up_for_within_the_window_and_nothing_is_told_twice(app, db_conn):
    """The timer did not run for some days (the server was down): the next run reminds of
    a measure that fell overdue meanwhile, once, however often it runs; one overdue for
    longer than REMIND_OVERDUE_FOR_DAYS is on the start page's to-dos, not in a reminder."""
    Measure.update(evaluation_date=None).execute()
    log = a_log(participants=("aktor",))
    missed = a_measure(log, evaluation_date=_days(-REMIND_OVERDUE_FOR_DAYS), responsible_user=user("aktor").id)
    older = a_measure(log, evaluation_date=_days(-REMIND_OVERDUE_FOR_DAYS - 1))
    assert measure_reminders(TODAY) == 2  # the holder and the nurse responsible for it
    assert measure_reminders(TODAY) == 0 and measure_reminders(_days(1)) == 0
    kinds = {n.kind for n in Notification.select().where(Notification.dedupe_key.contains(f":{missed.id}:"))}
    assert kinds == {"measure_overdue"} and _reminded(missed) == 2
    assert _reminded(older) == 0


def test_an_emails_subject_says_what_kind_of_message_waits_and_nothing_of_what_it_says(auth, db_conn):
    """A subject is read on a lock screen, in a mail list and on the admin's outbox page,
    before anyone signs in. It names no log, unit, person or date, in the reader's
    language: the notice's text is in the body (before: the subject was the whole text,
    and the outbox page showed it, «never the text» notwithstanding)."""
    Measure.update(evaluation_date=None).execute()
    log = a_log(participants=("aktor",))
    User.update(email="holder@example.no").where(User.id == log.holder_id).execute()
    User.update(email="aktor@example.no", language="nn").where(User.username == "aktor").execute()
    a_measure(log, evaluation_date=_days(-1), responsible_user=user("aktor").id)
    assert measure_reminders(TODAY) == 2
    holder_mail = OutboxEmail.get(OutboxEmail.to == "holder@example.no")
    assert holder_mail.subject == "Stafettlogg: en påminnelse til deg"
    assert OutboxEmail.get(OutboxEmail.to == "aktor@example.no").subject == "Stafettlogg: ei påminning til deg"
    said = f"Et tiltak i stafettlogg nr. {log.id} skulle vært evaluert {_days(-1):%d.%m.%Y}."
    assert said in holder_mail.body and f"/logger/{log.id}#measures" in holder_mail.body
    # a task, and any other notice, in the reader's language
    User.update(email="larer@example.no").where(User.username == "larer").execute()
    with auth.app.test_request_context():
        notify(user("larer"), "handover_proposed", msg("Stafettlogg nr. %(id)s er avsluttet av stafettholderen.", id=7))
        User.update(email="mor@example.no", language="pl").where(User.username == "foresatt").execute()
        notify(
            user("foresatt"), "deletion_refused", msg("Enhetslederen har svart på kravet om sletting av stafettloggen.")
        )
    subjects = {m.to: m.subject for m in OutboxEmail.select()}
    assert subjects["larer@example.no"] == "Stafettlogg: ny oppgave til deg"
    assert subjects["mor@example.no"] == "Stafettlogg: nowa wiadomość dla Ciebie"
    page = auth.persona("admin").get("/admin/utboks").get_data(as_text=True)
    assert "holder@example.no" in page and "Stafettlogg: en påminnelse til deg" in page
    assert f"nr. {log.id}" not in page and "skulle vært evaluert" not in page


def test_no_subject_can_carry_a_name():
    """A subject with parameters is refused where an e-mail is queued: no caller can put a
    name, a unit or a log number in front of the sign-in."""
    with pytest.raises(ValueError, match="subject"):
        send_email("a@example.no", msg("Ny stafettholder for %(name)s", name="Kari"), msg("Tekst"))
    with pytest.raises(ValueError, match="subject"):
        notify(None, "x", msg("Tekst"), email_subject=msg("Om %(unit)s", unit="Nordbyen skole"))


def test_no_outbox_is_delivered_inside_a_write_transaction(app, db_conn):
    """E-mail (and an archive package) goes after commit: a sender called while a write
    transaction is open refuses at once, before it claims or sends anything, instead of
    talking to the mail server while the caller's locks are held and its rows unwritten."""
    app.config["SMTP_HOST"] = "127.0.0.1"  # a sender that would try to send
    with app.app_context():
        for outbox in (mailer.OUTBOX, archive_outbox.OUTBOX):
            with write_transaction(), pytest.raises(RuntimeError, match="after commit"):
                outbox.deliver()


def test_emails_queued_before_are_headed_with_the_general_subject_after_the_upgrade(app, db_conn):
    """Migration 0052: an e-mail queued (or kept on the outbox page) before subjects were
    fixed texts was headed with the notice's text; after the upgrade it names nothing. A
    subject that was a fixed text already is kept."""
    old = dumps(msg("Stafettlogg nr. %(id)s er overført til %(unit)s.", id=17, unit="Sørbyen skole"))
    fixed = dumps(msg("Invitasjon til Stafettlogg"))
    rows = [
        OutboxEmail.create(
            to=f"{n}@example.no", subject_message=subject, body_message=dumps(msg("x")), idempotency_key=f"old-{n}"
        )
        for n, subject in enumerate((old, '"Stafettlogg nr. 17: Kari har sluttet"', fixed))
    ]
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0052_email_subjects_name_nothing")
    runner.up()
    subjects = [OutboxEmail.get_by_id(row.id).subject for row in rows]
    assert subjects == [
        "Stafettlogg: ny melding til deg",
        "Stafettlogg: ny melding til deg",
        "Invitasjon til Stafettlogg",
    ]
