"""A note the system writes on a handover (a unit leader proposing on behalf of a holder
who leaves, a request after a search by fødselsnummer) is kept as a message key with its
parameters (handover.system_note) and read in the reader's language, instead of as text
in the language of whoever caused it. Notes written before in bokmål or nynorsk are moved
over; a note a person wrote stays theirs."""
import json
import re

from peewee import *

# the two notes as they were stored, in bokmål and nynorsk, and their message keys
KEYS = (
    (
        "Foreslått av enhetsleder %(name)s fordi stafettholderen slutter.",
        ("Foreslått av enhetsleder %(name)s fordi stafettholderen slutter.",
         "Foreslått av einingsleiar %(name)s fordi stafetthaldaren sluttar."),
    ),
    (
        "Forespørsel etter søk på fødselsnummer, godtatt av %(name)s.",
        ("Forespørsel etter søk på fødselsnummer, godtatt av %(name)s.",
         "Førespurnad etter søk på fødselsnummer, godteken av %(name)s."),
    ),
)


def _pattern(text):
    return re.compile("^" + re.escape(text).replace(re.escape("%(name)s"), "(?P<name>.+)") + "$", re.S)


def up(migrator, db):
    migrator.migrate(migrator.add_column('handover', 'system_note', TextField(default='')))
    patterns = [(key, _pattern(text)) for key, texts in KEYS for text in texts]
    cursor = db.execute_sql(
        f"SELECT id, note FROM handover WHERE note LIKE {db.param} OR note LIKE {db.param} OR note LIKE {db.param}",
        ("Foresl%", "Foresp%", "Førespurnad%"),
    )
    for handover_id, note in cursor.fetchall():
        for key, pattern in patterns:
            found = pattern.match(note or "")
            if found:
                stored = json.dumps({"k": key, "p": {"name": found["name"]}}, ensure_ascii=False, sort_keys=True)
                db.execute_sql(
                    f"UPDATE handover SET note = '', system_note = {db.param} WHERE id = {db.param}",
                    (stored, handover_id),
                )
                break


def down(migrator, db):
    cursor = db.execute_sql("SELECT id, system_note FROM handover WHERE system_note <> ''")
    for handover_id, stored in cursor.fetchall():
        data = json.loads(stored)
        text = data["k"] % data.get("p", {})
        db.execute_sql(f"UPDATE handover SET note = {db.param} WHERE id = {db.param}", (text, handover_id))
    db.execute_sql('ALTER TABLE handover DROP COLUMN system_note')
