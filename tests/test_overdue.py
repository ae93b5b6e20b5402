"""Overdue measures: a measure of an active log, not ended, whose evaluation date has passed
without an evaluation on or after it. Each measure keeps its latest evaluation's date
(``last_evaluated_on``, written with the evaluation), so the statistics count the overdue
ones from an index and not with a subquery per measure. The rule is said once
(logs.domain.measure_due_by / measure_overdue over models.Measure.awaiting_evaluation):
the statistics, the start page's measures to evaluate and the reminders all ask it, and
the test at the end fails if it is restated anywhere else."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from stafettlogg import demo
from stafettlogg.dates import local_today
from stafettlogg.db import db, is_sqlite
from stafettlogg.invariants import check_invariants
from stafettlogg.logs import queries, sections
from stafettlogg.models import Consent, Log, LogStatus, Measure, Notification, StatisticsSnapshot, Unit
from stafettlogg.overview import stats
from stafettlogg.reminders import measure_reminders
from tests.conftest import PERSONAS, a_log, a_measure, user

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parent.parent

# name: (evaluation date, evaluations, measure status, log status) → overdue today?
CASES = {
    "never evaluated, the date passed yesterday": ((-1, [], "ongoing", "active"), True),
    "evaluated, but before the date": ((-3, [-10], "ongoing", "active"), True),
    "evaluated on the date": ((-3, [-3], "ongoing", "active"), False),
    "evaluated after the date": ((-3, [-1], "ongoing", "active"), False),
    "an earlier evaluation entered after a later one": ((-3, [-2, -20], "ongoing", "active"), False),
    "the date is today": ((0, [], "ongoing", "active"), False),
    "the date is ahead": ((5, [], "planned", "active"), False),
    "ended": ((-3, [], "ended", "active"), False),
    "in a closed log": ((-3, [], "ongoing", LogStatus.CLOSED), False),
    "in a passive log": ((-3, [], "ongoing", LogStatus.PASSIVE), False),
}


def evaluate(log, measure, days: int):
    evaluation, errors = sections.add_evaluation(
        user("stafettholder"),
        log,
        Measure.get_by_id(measure.id),
        demo.form_values(
            evaluated_on=local_today() + dt.timedelta(days=days), what_worked="Det virket.", decision="continue"
        ),
    )
    assert not errors, errors
    return evaluation


def arrange(date, evaluations, status, log_status):
    log = a_log(participants=())
    measure = a_measure(
        log,
        start_date=local_today() - dt.timedelta(days=60),
        evaluation_date=local_today() + dt.timedelta(days=date),
        status=status,
    )
    for days in evaluations:
        evaluate(log, measure, days)
    if log_status != "active":
        Log.update(status=log_status, closed_at=dt.datetime.now()).where(Log.id == log.id).execute()
    return log, Measure.get_by_id(measure.id)


def overdue_in(unit: Unit) -> int:
    data = stats.statistics([unit], local_today())
    return data["units"][0].overdue


@pytest.fixture
def nordbyen(db_conn):
    Measure.update(evaluation_date=None).execute()  # the demo's own measures out of the way
    return Unit.get(Unit.name == "Nordbyen skole")


@pytest.mark.parametrize("case", CASES)
def test_an_overdue_measure_is_counted_and_nothing_else(nordbyen, case):
    (date, evaluations, status, log_status), overdue = CASES[case]
    before = overdue_in(nordbyen)
    _log, measure = arrange(date, evaluations, status, log_status)
    assert overdue_in(nordbyen) == before + overdue
    assert check_invariants() == []  # the measure keeps its latest evaluation's date
    if evaluations:
        assert measure.last_evaluated_on == local_today() + dt.timedelta(days=max(evaluations))


def test_the_statistics_the_start_page_and_the_reminders_agree(app, nordbyen):
    """Every case at once: the overdue ones are counted, listed on the start page as to be
    evaluated (with those due within 14 days) and reminded as overdue; no other is."""
    arranged = {name: arrange(*given)[1] for name, (given, _o) in CASES.items()}
    overdue = {arranged[name].id for name, (_g, is_overdue) in CASES.items() if is_overdue}
    due_soon = {arranged[name].id for name in ("the date is today", "the date is ahead")}
    assert overdue_in(nordbyen) == len(overdue)
    with app.test_request_context("/"):
        listed = {m.id for m in queries.measures_due(user("stafettholder")).items}
        measure_reminders(local_today())
    assert listed == overdue | due_soon
    kinds = {}
    for note in Notification.select().where(Notification.kind.in_(("measure_due", "measure_overdue"))):
        kinds[int(note.dedupe_key.split(":")[1])] = note.kind
    assert {m for m, kind in kinds.items() if kind == "measure_overdue"} == overdue
    assert {m for m, kind in kinds.items() if kind == "measure_due"} == due_soon


def test_the_start_page_asks_no_one_to_evaluate_in_a_log_waiting_for_consent(auth, nordbyen):
    """A log whose consent ran out, or does not cover a participant's service, waits for a
    new consent: no one may evaluate in it, and a participant outside its scope may not
    read what its measures say. The start page lists its measures as the reminders do:
    not at all, until a new consent is on file; the count beside the list agrees."""
    log = a_log()  # the holder and the participant (aktor, from the health centre)
    waiting = a_measure(log, what="Helsesykepleier har samtaler om søvn", evaluation_date=local_today())
    other = a_measure(a_log(), what="Leksehjelp to dager i uka", evaluation_date=local_today())

    def listed(persona):
        page = auth.persona(persona).get("/").get_data(as_text=True)
        with auth.app.test_request_context("/"):
            window = queries.measures_due(user(PERSONAS[persona]))
        ids = {m.id for m in window.items}
        assert window.total == len(ids)
        assert ("Helsesykepleier har samtaler om søvn" in page) == (waiting.id in ids)
        return ids

    assert listed("holder") == {waiting.id, other.id} and listed("participant") == {waiting.id, other.id}
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log).execute()
    assert listed("holder") == {other.id} and listed("participant") == {other.id}
    assert "Last opp nytt samtykke for" in auth.persona("holder").get("/").get_data(as_text=True)
    # the family named only the school: the health centre's participant is outside it
    Consent.update(expires_on=None, services="").where(Consent.log == log).execute()
    assert listed("holder") == {other.id} and listed("participant") == {other.id}
    with auth.app.test_request_context("/"):
        measure_reminders(local_today())
    assert not Notification.select().where(Notification.dedupe_key.contains(f":{waiting.id}:")).exists()
    Consent.update(services=f"kind:{user('aktor').unit.kind}").where(Consent.log == log).execute()
    assert listed("holder") == {waiting.id, other.id} and listed("participant") == {waiting.id, other.id}


def test_the_statistics_count_no_overdue_measure_in_a_log_waiting_for_consent(app, nordbyen):
    """A log that waits for a new consent (its consent ran out, or does not cover the
    holder's unit or a participant's service) cannot be evaluated in: the start page and
    the reminders leave its measures out, and so do the statistics, counted fresh or
    kept (statistics_snapshot), until a new consent is on file."""
    log = a_log()  # the holder and the participant (aktor, from the health centre)
    a_measure(log, evaluation_date=local_today() - dt.timedelta(days=3))
    a_measure(log, evaluation_date=local_today() - dt.timedelta(days=1))
    a_measure(a_log(), evaluation_date=local_today() - dt.timedelta(days=2))  # in use throughout
    scope = stats.Scope(f"units:{nordbyen.id}", [nordbyen.id])

    def counted() -> tuple[int, int]:
        StatisticsSnapshot.delete().execute()  # counted again, as after a few minutes
        with app.test_request_context("/"):
            fresh = stats.statistics([nordbyen], local_today())["units"][0].overdue
            kept, _at = stats.kept_statistics(scope, local_today())
        return fresh, kept["totals"].overdue.value

    assert counted() == (3, 3)
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log).execute()
    assert counted() == (1, 1)
    # the family named only the school: the health centre's participant is outside it
    Consent.update(expires_on=None, services="").where(Consent.log == log).execute()
    assert counted() == (1, 1)
    # handed over to a unit the consent does not cover
    other = Unit.get(Unit.name == "Sørbyen skole")
    Consent.update(services=f"kind:{user('aktor').unit.kind}", unit=other).where(Consent.log == log).execute()
    assert counted() == (1, 1)
    Consent.update(unit=nordbyen).where(Consent.log == log).execute()  # a new consent: in use again
    assert counted() == (3, 3)


@pytest.mark.parametrize("case", CASES)
def test_the_log_page_s_deadline_list_agrees(auth, nordbyen, case):
    """The log page's «Frister de neste 14 dagene» lists a measure as the start page does,
    and marks it «Forfalt» as the statistics count it."""
    given, overdue = CASES[case]
    log, measure = arrange(*given)
    html = auth.persona("holder").get(f"/logger/{log.id}").get_data(as_text=True)
    deadlines = html[html.index('class="deadlines"') : html.index("</ul>", html.index('class="deadlines"'))]
    with auth.app.test_request_context("/"):
        listed = measure.id in {m.id for m in queries.measures_due(user("stafettholder")).items}
    assert (f"#measures-{measure.id}" in deadlines) == listed
    assert ("Forfalt" in deadlines) == overdue


@pytest.mark.parametrize("case", CASES)
def test_the_measure_on_the_log_page_and_the_start_page_are_marked_as_the_rule_says(auth, nordbyen, case):
    """«Forfalt» beside the measure in the log's plan and in the start page's «Tiltak som
    skal evalueres» exactly when the statistics count it: a measure evaluated after its
    date is not overdue there either."""
    given, overdue = CASES[case]
    log, measure = arrange(*given)
    holder = auth.persona("holder")
    html = holder.get(f"/logger/{log.id}").get_data(as_text=True)
    start = html.index(f'id="measures-{measure.id}"')
    item = html[start : html.index("</dl>", start)]
    assert ("Forfalt" in item) == overdue
    start_page = holder.get("/").get_data(as_text=True)
    due = start_page[start_page.index('id="due-h"') : start_page.index("</section>", start_page.index('id="due-h"'))]
    assert ("Forfalt" in due) == overdue


def test_a_new_evaluation_date_after_the_last_evaluation_makes_it_due_again(nordbyen):
    """Evaluations are never deleted one by one (only with their log): a measure becomes
    due again when its evaluation date is moved past its latest evaluation."""
    log, measure = arrange(-10, [-5], "ongoing", "active")
    before = overdue_in(nordbyen)
    form = demo.form_values(
        what=measure.what,
        responsible=measure.responsible,
        start_date=measure.start_date,
        evaluation_date=local_today() - dt.timedelta(days=2),
        status=measure.status,
        concern=measure.concern_id,
        version=measure.version,
    )
    _item, errors = sections.update_item(user("stafettholder"), log, sections.SECTIONS["measures"], measure, form)
    assert not errors, errors
    assert overdue_in(nordbyen) == before + 1
    evaluate(log, measure, -1)
    assert overdue_in(nordbyen) == before


# ---------------------------------------------------------------- the indexes are used


def _plan(sql: str, params, sort: bool = True) -> str:
    if is_sqlite():
        return "\n".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    with db.atomic():  # the setting ends with the transaction
        # a test database is small: ask what could be used for a large one
        db.execute_sql("SET LOCAL enable_seqscan = off")
        if not sort:
            db.execute_sql("SET LOCAL enable_sort = off")
        return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params).fetchall())


def _queries(client, path):
    from bench.run import counting

    with counting(db) as counter:
        assert client.get(path).status_code == 200
    return counter["sql"]


def test_overdue_and_due_measures_are_read_from_the_index_of_those_awaiting_evaluation(auth, nordbyen):
    """The rule and the partial index's predicate must match, or the database reads every
    measure again (0024_measure_last_evaluated.py)."""
    arrange(-3, [], "ongoing", "active")
    checked = 0
    for persona, path in (("area_leader", "/statistikk"), ("holder", "/")):
        for sql, params in _queries(auth.persona(persona), path):
            if '"last_evaluated_on"' in sql and sql.lstrip().upper().startswith("SELECT"):
                assert "measure_awaiting_evaluation" in _plan(sql, params), sql
                checked += 1
    assert checked == 3  # the statistics' count, the start page's logs with measures due and its list


def test_the_ke_register_reads_the_newest_decisions_from_an_index(auth, db_conn):
    [(sql, params)] = [
        (sql, params)
        for sql, params in _queries(auth.persona("coordinating_unit"), "/ke")
        if 'FROM "coordinator_record"' in sql and "ORDER BY" in sql
    ]
    plan = _plan(sql, params, sort=False)
    assert "coordinatorrecord_decided_on_id" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan  # no sort of the whole register


# ---------------------------------------------------------------- the rule is said once

# where the rule lives: (file, function)
RULE = {
    ("stafettlogg/models.py", "awaiting_evaluation"),
    ("stafettlogg/logs/domain.py", "measure_due_by"),
    ("stafettlogg/logs/domain.py", "measure_overdue"),
}
# Not on the rule yet: none (the log page's deadline list asks it: queries.measures_due_on_log).
NOT_YET: set = set()
EVALUATED = {"evaluated_on", "last_evaluated_on"}
TEMPLATE_RESTATED = re.compile(r"evaluation_date\s*(<|>|<=|>=)\s*\w+|\w+\s*(<|>|<=|>=)\s*\S*evaluation_date")
SQL_RESTATED = re.compile(r"evaluation_date\s*(<|>|<=|>=)|(<|>|<=|>=)\s*\S*evaluation_date", re.I)


def restatements(source: str, filename: str) -> list[str]:
    """Places in ``source`` outside the rule that decide whether a measure is due or
    overdue themselves: a comparison with a measure's evaluation date (in Python or in
    peewee), or SQL text comparing one."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        home = (filename, function) in RULE | NOT_YET
        if isinstance(node, ast.Compare) and not home:
            attrs = {n.attr for n in [node.left, *node.comparators] if isinstance(n, ast.Attribute)}
            if "evaluation_date" in attrs or (attrs & EVALUATED and "evaluation_date" in ast.unparse(node)):
                found.append(f"{filename}:{node.lineno} {ast.unparse(node)}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and not home
            and SQL_RESTATED.search(node.value)
        ):
            found.append(f"{filename}:{node.lineno} {node.value!r}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def test_the_rule_for_due_and_overdue_measures_is_said_once():
    found = []
    for path in sorted((ROOT / "stafettlogg").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        found += restatements(path.read_text(encoding="utf-8"), name)
    for path in sorted((ROOT / "templates").rglob("*.html")):  # a page marks what the rule read
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in TEMPLATE_RESTATED.finditer(text)]
    assert found == [], "due/overdue decided outside logs.domain.measure_due_by: " + "; ".join(found)
    for filename, function in RULE | NOT_YET:  # the homes exist (a rename must update this test)
        assert f"def {function}(" in (ROOT / filename).read_text(encoding="utf-8"), (filename, function)


@pytest.mark.parametrize(
    "restated",
    [
        # the statistics before this rule: an evaluation on or after the date, per measure
        "def overdue(today):\n"
        "    later = Evaluation.alias()\n"
        "    return ~fn.EXISTS(later.select().where(later.evaluated_on >= Measure.evaluation_date))\n",
        # the reminders before: the latest evaluation compared in Python, then the date
        "def remind(measure, last, today):\n"
        "    if last is not None and last >= measure.evaluation_date:\n"
        "        return None\n"
        "    return measure.evaluation_date < today\n",
        "def count(today):\n    return Measure.select().where(Measure.evaluation_date < today).count()\n",
        "def count(db):\n    return db.execute_sql('SELECT COUNT(*) FROM measure WHERE evaluation_date < CURRENT_DATE')\n",
    ],
)
def test_a_restated_rule_is_found(restated):
    assert restatements(restated, "stafettlogg/overview/stats.py")


def status_literals(source: str, filename: str) -> list[str]:
    """A measure's status compared with, or written as, a string of its own instead of
    models.MeasureStatus."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            of_measure = any(
                isinstance(n, ast.Attribute) and n.attr == "status" and "measure" in ast.unparse(n.value).lower()
                for n in operands
            )
            if of_measure and any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in operands):
                found.append(f"{filename}:{node.lineno} {ast.unparse(node)}")
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("Measure.update", "Measure.create"):
            found += [
                f"{filename}:{node.lineno} status={ast.unparse(k.value)}"
                for k in node.keywords
                if k.arg == "status" and isinstance(k.value, ast.Constant)
            ]
    return found


def test_a_measure_s_status_is_named_once():
    """The statuses are models.MeasureStatus; «ended» is asked as domain.measure_ended."""
    found = []
    for path in sorted((ROOT / "stafettlogg").rglob("*.py")):
        found += status_literals(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    assert found == [], "; ".join(found)
    assert status_literals('def f(m):\n    return m.measure.status != "ended"\n', "x.py")
    assert status_literals('Measure.update(status="ended").execute()\n', "x.py")
