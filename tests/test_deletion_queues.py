"""The unit leader's deletion page («Avsluttede logger og sletting»): the unit's ended logs
in three queues — the family asked for deletion, deletable without a request (passive by
agreement, or the family said no to keeping it), and waiting for the family's answer.
Logs kept passive by agreement pile up year by year, so each queue comes in windows of
PAGE_SIZE, the longest closed first, continued by its own «Vis flere» (the page at that
queue's next window without JavaScript, its rows appended by htmx), with a keyset cursor;
the heading counts the whole queue. Which queue a log is in is deletion_reason's rule,
said in SQL once (states.DELETION_QUEUES): a test below checks that they agree."""

import datetime as dt
import itertools
import re

import pytest

from bench.run import counting
from stafettlogg.dates import format_date
from stafettlogg.db import db
from stafettlogg.logs import lifecycle, states
from stafettlogg.models import AuditEvent, DeletionRequest, Log, LogStatus, Unit, utcnow
from tests.conftest import PERSONAS, a_log, user
from tests.windowed import MADE_UP_CURSORS, Listed

pytestmark = pytest.mark.db

SIZE = 3
COUNT = 2 * SIZE + 1
PARAMS = {"requested": "krav", "deletable": "kan", "waiting": "venter"}
HEADING_IDS = {"requested": "requests-h", "deletable": "deletable-h", "waiting": "waiting-h"}
HEADINGS = {"requested": "Krav om sletting", "deletable": "Kan slettes", "waiting": "Venter på familiens svar"}
# as deletion_reason names them: the queue each reason puts a log in
REASON_QUEUE = {"guardian_request": "requested", "passive_by_agreement": "deletable", "not_kept": "deletable", None: "waiting"}  # fmt: skip


def ended_log(queue: str, n: int, days_ago: int) -> Log:
    """An ended log of the holder's unit (the unit leader's) in `queue`, named by its
    queue and number, closed `days_ago`."""
    log = a_log(participants=(), guardian=None, name=f"Kø-{queue}-{n}")
    status, keep = (LogStatus.PASSIVE, "yes") if queue == "deletable" and n % 2 else (LogStatus.CLOSED, "undecided")
    if queue == "deletable" and not n % 2:
        keep = "no"
    closed = utcnow() - dt.timedelta(days=days_ago)
    Log.update(
        status=status, keep_answer=keep, guardian_agreed_to_keep=status == LogStatus.PASSIVE, closed_at=closed
    ).where(Log.id == log.id).execute()
    if queue == "requested":
        DeletionRequest.create(log=log, requested_by=user("foresatt"), created_at=closed + dt.timedelta(days=1))
    return log


@pytest.fixture
def unit(app, db_conn):
    """COUNT ended logs in each queue of the unit leader's unit, closed a day apart (the
    number 0 the longest closed), and one ended log of another unit."""
    app.config["PAGE_SIZE"] = SIZE
    mine, other_unit = user("enhetsleder").unit_id, user("enhetsleder2").unit_id
    # the demo's ended logs move out of the way (the queues below are counted)
    Log.update(unit=other_unit).where(Log.unit == mine, Log.status.in_(LogStatus.ENDED)).execute()
    for queue in PARAMS:
        for n in range(COUNT):
            ended_log(queue, n, days_ago=400 - n)
    other = ended_log("waiting", 99, days_ago=500)
    Log.update(unit=other_unit).where(Log.id == other.id).execute()
    return Unit.get_by_id(mine)


def listed(unit, queue: str) -> Listed:
    return Listed(f"/enheter/{unit.id}/sletting", rf"<td>Kø-{queue}-(\d+)</td>", PARAMS[queue], "Til starten av listen")


def test_every_ended_log_is_in_the_one_queue_deletion_reason_names(app, db_conn):
    """Every kind of ended log (status, the family's answer, agreement, an open request):
    in exactly one queue, the one the rule the delete form asks names."""
    log = a_log(participants=(), guardian=None)
    request = DeletionRequest.create(log=log, requested_by=user("foresatt"))
    kinds = itertools.product(LogStatus.ENDED, ("", "undecided", "no", "yes"), (False, True), (False, True))
    for status, keep, agreed, asked in kinds:
        Log.update(status=status, keep_answer=keep, guardian_agreed_to_keep=agreed, closed_at=utcnow()).where(
            Log.id == log.id
        ).execute()
        DeletionRequest.update(handled_at=None if asked else utcnow()).where(DeletionRequest.id == request.id).execute()
        queues = [
            key
            for key, where in states.DELETION_QUEUES.items()
            if Log.select().where(Log.id == log.id, where()).exists()
        ]
        with app.test_request_context():
            reason = lifecycle.deletion_reason(Log.get_by_id(log.id))
        assert queues == [REASON_QUEUE[reason]], (status, keep, agreed, asked)


def test_the_page_shows_the_first_window_of_each_queue_and_counts_it_whole(auth, unit):
    html = auth.persona("unit_leader").get(f"/enheter/{unit.id}/sletting").get_data(as_text=True)
    for queue, heading in HEADINGS.items():
        assert f'{heading} <span class="count">({COUNT})</span>' in html
        assert listed(unit, queue).numbers(html) == [0, 1, 2]  # the longest closed first
        assert listed(unit, queue).more(html, "href") and listed(unit, queue).more(html, "hx-get")
    assert "Kø-waiting-99" not in html  # another unit's log is not there
    assert "Slettet" in html and "Ingen logger er slettet." in html  # the record is there too


@pytest.mark.parametrize("queue", PARAMS)
def test_without_javascript_each_queue_is_walked_once(auth, unit, queue):
    seen, pages, walked = listed(unit, queue).walk(auth.persona("unit_leader"))
    assert pages == -(-COUNT // SIZE)
    assert seen == list(range(COUNT))  # each once, the longest closed first
    assert walked.count("<h1") == pages and f"#{HEADING_IDS[queue]}" in walked
    for other in set(PARAMS) - {queue}:  # the other queues stay at their first window
        assert walked.count(f"<td>Kø-{other}-0</td>") == pages


@pytest.mark.parametrize("queue", PARAMS)
def test_with_htmx_the_next_window_is_only_that_queue_s_rows(auth, unit, queue):
    client = auth.persona("unit_leader")
    link = listed(unit, queue).more(client.get(f"/enheter/{unit.id}/sletting").get_data(as_text=True), "hx-get")
    with counting(db) as reads:
        fragment = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "<table" not in fragment and "<h2" not in fragment
    assert fragment.lstrip().startswith("<tr") and "data-focus-on-load" in fragment
    assert listed(unit, queue).numbers(fragment) == [3, 4, 5] and listed(unit, queue).more(fragment, "hx-get")
    assert not re.search(r"Kø-(?!" + queue + ")", fragment)
    # one window of the one queue: no count, no other queue, not the record of deletions
    ended = [sql for sql, _params in reads["sql"] if 'FROM "log" ' in sql and '"closed_at"' in sql]
    assert len(ended) == 1 and "LIMIT" in ended[0] and "OFFSET" not in ended[0] and "SUM(" not in ended[0]
    assert not [sql for sql, _params in reads["sql"] if '"log_tombstone"' in sql]


@pytest.mark.parametrize("hx", [False, True])
def test_every_view_of_the_queues_is_audited(auth, unit, hx):
    """The queues name the unit's children whose log has ended: each view (the page, or
    htmx's next window of one queue) is audited like the unit overview (SECURITY.md
    "Audit"), on the unit."""
    client = auth.persona("unit_leader")
    path = f"/enheter/{unit.id}/sletting"
    if hx:
        path = listed(unit, "waiting").more(client.get(path).get_data(as_text=True), "hx-get")
    views = AuditEvent.select().where(AuditEvent.action == "deletion_queue_view", AuditEvent.object_id == unit.id)
    before = views.count()
    html = client.get(path, headers={"HX-Request": "true"} if hx else {}).get_data(as_text=True)
    assert "Kø-waiting-" in html
    assert views.count() == before + 1
    assert views.order_by(AuditEvent.id.desc()).first().user_id == user("enhetsleder").id


def test_a_requested_log_shows_when_the_family_asked(auth, unit):
    html = auth.persona("unit_leader").get(f"/enheter/{unit.id}/sletting").get_data(as_text=True)
    first = DeletionRequest.select().order_by(DeletionRequest.created_at).first()
    row = re.search(r"<td>Kø-requested-0</td>.*?</tr>", html, re.S).group(0)
    assert re.search(rf"<td[^>]*>{format_date(first.created_at)}</td>", row) and "Behandle" in row


@pytest.mark.parametrize("cursor", MADE_UP_CURSORS + ["2026-13-01T00:00:00_1", "9999-01-01T00:00:00_1"])
@pytest.mark.parametrize("queue", PARAMS)
def test_a_made_up_cursor_starts_from_the_top_or_finds_nothing(auth, unit, queue, cursor):
    client = auth.persona("unit_leader")
    response = client.get(f"/enheter/{unit.id}/sletting?{PARAMS[queue]}={cursor}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if cursor.startswith("9999"):  # after the last: an empty window that says so
        assert listed(unit, queue).numbers(html) == [] and "Ingen flere stafettlogger." in html
        assert "Til starten av listen" in html
    else:
        assert listed(unit, queue).numbers(html) == [0, 1, 2]


def test_the_page_reads_one_window_per_queue_however_many_logs_the_unit_has_ended(auth, unit):
    client = auth.persona("unit_leader")
    path = f"/enheter/{unit.id}/sletting"

    def read() -> tuple[int, int, str]:
        client.get(path)
        with counting(db) as counter:
            html = client.get(path).get_data(as_text=True)
        return len(counter["sql"]), counter["rows"], html

    few, few_rows, _html = read()
    for queue in PARAMS:
        for n in range(COUNT, 3 * COUNT):
            ended_log(queue, n, days_ago=300 - n)
    many, many_rows, html = read()
    assert many == few and many_rows == few_rows  # windows, not the unit's ended logs
    for heading in HEADINGS.values():
        assert f'{heading} <span class="count">({3 * COUNT})</span>' in html


def test_a_deleted_log_leaves_its_queue(auth, unit):
    client = auth.persona("unit_leader")
    first = Log.get(Log.unit == unit, Log.status == LogStatus.CLOSED, Log.keep_answer == "no")
    name = first.subject.name
    response = client.post(
        f"/logger/{first.id}/slett",
        data={"reason": "not_kept", "archive_waiver": "Ikke arkivverdig: ingen vedtak", "confirm": "yes"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    html = client.get(f"/enheter/{unit.id}/sletting").get_data(as_text=True)
    assert f'Kan slettes <span class="count">({COUNT - 1})</span>' in html
    assert f"<td>{name}</td>" not in html and "<td>Kø-deletable-1</td>" in html


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"unit_leader"}))
def test_no_one_else_sees_any_queue_of_the_unit(auth, unit, persona):
    client = auth.persona(persona)
    for param in PARAMS.values():
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(f"/enheter/{unit.id}/sletting?{param}=2025-01-01T00:00:00_1", headers=headers)
            assert response.status_code in (403, 404) and "Kø-" not in response.get_data(as_text=True)


def test_in_nynorsk_an_empty_later_window_reads_in_nynorsk(auth, unit):
    client = auth.persona("unit_leader")
    client.set_cookie("lang", "nn")
    html = client.get(f"/enheter/{unit.id}/sletting?kan=9999-01-01T00:00:00_1").get_data(as_text=True)
    assert "Ingen fleire stafettloggar." in html and "Til starten av lista" in html


def test_the_children_a_queue_names_have_it_in_their_access_history(auth, unit):
    """The queues name children whose log has ended: each child of the windows shown (and
    of an htmx window appended) has the leader's look in the family's access history; the
    children of the windows not shown do not."""
    from stafettlogg.guardians.queries import access_history

    def seen(queue: str, n: int) -> bool:
        log = Log.select().join(Log.subject.rel_model).where(Log.subject.rel_model.name == f"Kø-{queue}-{n}").get()
        with auth.app.test_request_context():
            return any(row["text"] == "Så barnet på en oversikt for enheten" for row in access_history(log).items)

    client = auth.persona("unit_leader")
    html = client.get(f"/enheter/{unit.id}/sletting").get_data(as_text=True)
    assert all(seen(queue, n) for queue in PARAMS for n in range(SIZE))
    assert not any(seen(queue, n) for queue in PARAMS for n in range(SIZE, COUNT))
    client.get(listed(unit, "waiting").more(html, "hx-get"), headers={"HX-Request": "true"})
    assert all(seen("waiting", n) for n in range(SIZE, 2 * SIZE)) and not seen("requested", SIZE)
    events = AuditEvent.select().where(AuditEvent.action == "view:lifecycle.queue")
    assert events.count() == len(PARAMS) * SIZE + SIZE  # bounded by the windows shown


def test_the_page_writes_its_view_and_each_child_it_names_in_one_statement(auth, unit):
    """The page's own event and the reads of the logs it names are one INSERT and one
    durable commit (audit.record_reads): the view as audit.record writes it (the unit, on
    no log), each read in the same person's role, title and unit, at the same time."""
    client = auth.persona("unit_leader")
    path = f"/enheter/{unit.id}/sletting"
    client.get(path)
    with counting(db) as counter:
        client.get(path)
    assert len([sql for sql, _params in counter["sql"] if sql.startswith('INSERT INTO "audit_event"')]) == 1
    view = AuditEvent.select().where(AuditEvent.action == "deletion_queue_view").order_by(AuditEvent.id.desc()).get()
    reads = list(AuditEvent.select().where(AuditEvent.action == "view:lifecycle.queue", AuditEvent.at == view.at))
    assert (view.log_id, view.object_type, view.object_id) == (None, "unit", unit.id)
    assert len(reads) == len(PARAMS) * SIZE and all(read.id > view.id for read in reads)
    person = ("user_id", "username", "role", "actor_title", "actor_unit_id", "ip")
    assert {tuple(getattr(read, f) for f in person) for read in reads} == {tuple(getattr(view, f) for f in person)}
    assert (view.username, view.role) == ("enhetsleder", "unit_leader")
