"""Stored and console texts with a count (messages.msg_plural) take the plural form of the
reader's language: «1 skole eller barnehage», «3 skoler og barnehager», never «1 skoler».
Texts stored before keep rendering, and KE's June reminders stored with the old key are
moved to the new one (migration 0050)."""

import datetime as dt

import pytest
from playhouse.migrations import Runner

from stafettlogg.db import MIGRATIONS_DIR, db
from stafettlogg.messages import Join, dumps, loads, msg, msg_plural
from stafettlogg.models import Notification, Reconciliation
from stafettlogg.overview import reconciliation
from tests.conftest import user

pytestmark = pytest.mark.db

RECONCILIATION = (
    "Juni: %(num)s skole eller barnehage er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang.",
    "Juni: %(num)s skoler og barnehager er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang.",
)


@pytest.mark.parametrize(
    ("locale", "num", "said"),
    [
        ("nb", 1, "Juni: 1 skole eller barnehage er ikke gjennomgått for 2026/27. Avtal årlig gjennomgang."),
        ("nb", 4, "Juni: 4 skoler og barnehager er ikke gjennomgått for 2026/27. Avtal årlig gjennomgang."),
        ("nn", 1, "Juni: 1 skule eller barnehage er ikkje gått gjennom for 2026/27. Avtal årleg gjennomgang."),
        ("nn", 4, "Juni: 4 skular og barnehagar er ikkje gått gjennom for 2026/27. Avtal årleg gjennomgang."),
    ],
)
def test_a_stored_count_takes_the_readers_plural_form(locale, num, said):
    stored = dumps(msg_plural(*RECONCILIATION, num=num, year="2026/27"))
    assert loads(stored).render(locale) == said


@pytest.mark.parametrize(
    ("locale", "one", "many"),
    [
        ("nb", "1 påminnelse sendt.", "0 påminnelser sendt."),
        ("nn", "1 påminning sendt.", "0 påminningar sende."),
        ("en", "1 reminder sent.", "0 reminders sent."),
    ],
)
def test_a_console_count_takes_the_operators_plural_form(locale, one, many):
    text = ("%(num)s påminnelse sendt.", "%(num)s påminnelser sendt.")
    assert msg_plural(*text, num=1).render(locale) == one
    assert msg_plural(*text, num=0).render(locale) == many


def test_a_plural_inside_a_stored_email_body_keeps_its_number():
    body = Join((msg("Hei"), msg_plural(*RECONCILIATION, num=2, year="2026/27")))
    assert (
        loads(dumps(body))
        .render("nn")
        .endswith("Juni: 2 skular og barnehagar er ikkje gått gjennom for 2026/27. Avtal årleg gjennomgang.")
    )


def test_a_text_stored_before_plurals_still_renders():
    """Rows written before msg_plural: {"k", "p"} without a plural, a plain text."""
    old = '{"k": "Stafettlogg nr. %(id)s finnes ikke.", "p": {"id": 7}}'
    assert loads(old).render("nb") == "Stafettlogg nr. 7 finnes ikke."
    assert loads(old).render("nn") == "Stafettlogg nr. 7 finst ikkje."
    assert dumps(loads(old)) == old  # a text without a count is stored as before
    assert loads('"Ein gammal tekst"').render("nn") == "Ein gammal tekst"


def test_ke_is_told_of_one_unit_in_the_singular(app, db_conn):
    units = reconciliation.units_for_reconciliation()
    for unit in units[1:]:
        Reconciliation.create(unit=unit, school_year=2026, status="reviewed")
    with app.test_request_context():
        reconciliation.june_reminders(dt.date(2027, 6, 3))
    notice = Notification.get(Notification.user == user("ke"), Notification.kind == "june_reconciliation")
    assert loads(notice.message).render("nb").startswith("Juni: 1 skole eller barnehage er ikke gjennomgått")
    assert loads(notice.message).render("nn").startswith("Juni: 1 skule eller barnehage er ikkje gått gjennom")


def test_the_migration_moves_june_reminders_stored_before_to_the_plural_key(app, db_conn):
    old = '{"k": "Juni: %(n)s skoler og barnehager er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang.", "p": {"n": 1, "year": "2026/27"}}'
    notice = Notification.create(user=user("ke"), kind="june_reconciliation", message=old, dedupe_key="old-june")
    runner = Runner(db.obj, directory=str(MIGRATIONS_DIR))
    db.close()
    db.connect()
    runner.down("0050_plural_notices")
    assert Notification.get_by_id(notice.id).message == old
    runner.up()
    moved = loads(Notification.get_by_id(notice.id).message)
    assert (
        moved.render("nn")
        == "Juni: 1 skule eller barnehage er ikkje gått gjennom for 2026/27. Avtal årleg gjennomgang."
    )
    assert (
        moved.render("nb") == "Juni: 1 skole eller barnehage er ikke gjennomgått for 2026/27. Avtal årlig gjennomgang."
    )
