"""Notes the system writes on a handover are stored as a message key with its parameters
and read in the reader's language (the developers' guide: stored notices are keys, not
text in the language of whoever caused them); a note a person wrote stays their words.
No domain code stores a translated text in a row."""

import ast
from pathlib import Path

import pytest

from stafettlogg.handover import domain as ho
from stafettlogg.models import Handover, LogRequest
from stafettlogg.takeover import domain as takeover
from tests.conftest import a_log, user

pytestmark = pytest.mark.db

LEAVING = {
    "nb": "Foreslått av enhetsleder Eva Enhetsleder fordi stafettholderen slutter.",
    "nn": "Foreslått av einingsleiar Eva Enhetsleder fordi stafetthaldaren sluttar.",
}
REQUESTED = {
    "nb": "Forespørsel etter søk på fødselsnummer, godtatt av %s.",
    "nn": "Førespurnad etter søk på fødselsnummer, godteken av %s.",
}


def _read_as(auth, username: str, lang: str, path: str) -> str:
    client = auth.login_as(username)
    client.set_cookie("lang", lang)
    return client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_proposal_for_a_leaving_holder_reads_in_the_readers_language(app, auth, db_conn, lang):
    log, leader = a_log(), user("enhetsleder")
    assert leader.name == "Eva Enhetsleder"
    with app.test_request_context():  # made by a unit leader who reads bokmål
        handover = ho.propose_for_leaving_holder(leader, log, user("larer"))
    stored = Handover.get_by_id(handover.id)
    assert stored.note == "" and "Eva Enhetsleder" in stored.system_note
    page = _read_as(auth, "larer", lang, f"/stafettholder/{handover.id}")
    assert LEAVING[lang] in page
    assert LEAVING["nb" if lang == "nn" else "nn"] not in page
    holder_page = _read_as(auth, "stafettholder", lang, f"/logger/{log.id}/stafettholder")
    assert LEAVING[lang] in holder_page


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_a_handover_after_a_request_reads_in_the_readers_language(app, auth, db_conn, lang):
    log, holder = a_log(nid9="140316530"), user("stafettholder")
    request = LogRequest.create(log=log.id, requester=user("kontaktlaerer"))
    with app.test_request_context():
        handover = takeover.accept(holder, request)
    assert Handover.get_by_id(handover.id).note == ""
    page = _read_as(auth, "kontaktlaerer", lang, f"/stafettholder/{handover.id}")
    assert REQUESTED[lang] % holder.name in page


def test_a_note_a_person_wrote_is_shown_as_written(app, auth, db_conn):
    log = a_log()
    with app.test_request_context():
        handover = ho.propose_handover(user("stafettholder"), log, user("larer"), "Ring meg om Emma før fredag.")
    assert Handover.get_by_id(handover.id).system_note == ""
    assert "Ring meg om Emma før fredag." in _read_as(auth, "larer", "nn", f"/stafettholder/{handover.id}")


def test_the_migration_moves_the_old_notes_to_keys(database_url, db_conn):
    """0034: a bokmål or nynorsk note the system wrote before becomes a key read in each
    reader's language; a person's own note, and one that only looks alike, stay as they are."""
    from playhouse.migrations import Runner

    from stafettlogg.db import MIGRATIONS_DIR, db

    name = "0034_handover_system_note"
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    # made by the code of today, before the schema goes back (later migrations go too)
    log, holder, to = a_log(), user("stafettholder"), user("larer")
    db.close()
    db.connect()
    runner.down(name)
    notes = (
        LEAVING["nb"],
        LEAVING["nn"],
        REQUESTED["nn"] % "Kari Holder",
        "Foreslått av meg selv – ring Emma.",
    )
    mark = db.obj.param
    for note in notes:
        db.execute_sql(
            "INSERT INTO handover (log_id, from_user_id, to_user_id, note, status, decline_reason, "
            f"direct_assignment, created_by_id, created_at) VALUES ({mark}, {mark}, {mark}, {mark}, 'cancelled', '', "
            f"{db.obj.param == '%s' and 'false' or '0'}, {mark}, '2026-12-01 08:00:00')",
            (log.id, holder.id, to.id, note, holder.id),
        )
    runner.up()
    rows = list(Handover.select().where(Handover.log == log.id).order_by(Handover.id))
    assert [(row.note, bool(row.system_note)) for row in rows] == [
        ("", True),
        ("", True),
        ("", True),
        ("Foreslått av meg selv – ring Emma.", False),
    ]
    from stafettlogg.messages import loads

    assert [loads(row.system_note).render("nb") for row in rows[:3]] == [
        LEAVING["nb"],
        LEAVING["nb"],
        REQUESTED["nb"] % "Kari Holder",
    ]


def _translated_texts_stored(path: Path) -> list[str]:
    """Calls that write a row (create, insert, update, get_or_create) with a keyword
    argument that is a translated text (_, gettext, lazy_gettext)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("create", "insert", "update", "get_or_create", "replace"):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("_", "_l", "gettext", "lazy_gettext"):
                found.append(f"{path.name}:{node.lineno} {keyword.arg}")
    return found


def test_no_row_is_written_with_a_translated_text():
    root = Path(__file__).resolve().parent.parent / "stafettlogg"
    found = [hit for path in sorted(root.rglob("*.py")) for hit in _translated_texts_stored(path)]
    assert not found, found
