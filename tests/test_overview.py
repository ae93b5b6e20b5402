"""Issue 7: the unit overview (seed 000), its exports, KE's register and the June
reconciliation, the decision guide (seed 004) and statistics without personal data."""

import csv
import datetime as dt
import io
import random
import re

import pytest

from stafettlogg.dates import local_today
from stafettlogg.models import (
    AuditEvent,
    Consent,
    CoordinatorRecord,
    ExternalCoordination,
    Handover,
    Log,
    Notification,
    OutboxEmail,
    Reconciliation,
    Subject,
    Unit,
    utcnow,
)
from stafettlogg.overview import domain, reconciliation, stats
from tests.conftest import PERSONAS, a_log, a_measure, an_item, user

pytestmark = pytest.mark.db

COLUMNS = [
    "Barn / elev",
    "Klasse / barnehagegruppe",
    "Stafettholder (navn og tilhørighet)",
    "Koordinator (navn og tilhørighet)",
    "Barnekoordinator (navn og tilhørighet)",
    "Innkalling / referat (hvor det befinner seg)",
    "Foresatte er informert (dato)",
]


def unit(name) -> Unit:
    return Unit.get(Unit.name == name)


def this_year() -> int:
    return domain.current_school_year()


@pytest.fixture
def log(app):
    """Lea's log, held by Kari Ottesen at Nordbyen skole (class 4B)."""
    return a_log(name="Lea Testesen", group="4B")


def move_mid_year(log, year: int) -> None:
    """The log started in Nordbyen in September and was handed over to Jonas Berg at
    Sørbyen skole on 15 January (accepted): the log now belongs to Sørbyen."""
    kari, jonas = user("stafettholder"), user("kontaktlaerer")
    Log.update(activated_at=dt.datetime(year, 9, 1, 8), created_at=dt.datetime(year, 8, 28, 8)).where(
        Log.id == log.id
    ).execute()
    Handover.create(
        log=log,
        from_user=kari,
        to_user=jonas,
        status="accepted",
        created_by=kari,
        created_at=dt.datetime(year + 1, 1, 10, 9),
        decided_at=dt.datetime(year + 1, 1, 15, 9),
    )
    Log.update(unit=jonas.unit, holder=jonas, class_group="5C").where(Log.id == log.id).execute()


def names(rows):
    return [r.child_name for r in rows]


# ---------------------------------------------------------------- the overview


def test_overview_lists_the_units_children_with_holder_and_metadata(db_conn):
    rows = domain.unit_overview(unit("Nordbyen skole"), this_year())
    by_name = {r.child_name: r for r in rows}
    # Emma (active), Oskar (closed in this year), Petter (held outside); Noah is a draft,
    # Ida's log was closed (passive) in the spring, before this school year began
    assert set(by_name) == {"Emma Hansen", "Oskar Nilsen", "Petter Ås Strøm"}
    emma = by_name["Emma Hansen"]
    assert (emma.class_group, emma.holder) == ("4B", "Kari Ottesen, Kontaktlærer")
    assert emma.records_kept_in == "I Stafettlogg"
    assert emma.guardians_informed_on == local_today() - dt.timedelta(days=40)
    assert by_name["Oskar Nilsen"].closed_on is not None
    petter = by_name["Petter Ås Strøm"]
    assert (petter.source, petter.koordinator, petter.records_kept_in) == (
        "external",
        "Lene Fjeld, fysioterapeut",
        "DIPS Samspill, IP",
    )
    # Sofie's log belongs to the kindergarten, never to the school
    assert "Sofie Lie" not in names(domain.unit_overview(unit("Nordbyen skole"), this_year()))
    assert "Sofie Lie" in names(domain.unit_overview(unit("Solsiden barnehage"), this_year()))


def test_mid_year_handover_between_units_shows_in_both_overviews(db_conn, log):
    year = this_year() - 1
    move_mid_year(log, year)
    nord = {r.child_name: r for r in domain.unit_overview(unit("Nordbyen skole"), year)}
    sor = {r.child_name: r for r in domain.unit_overview(unit("Sørbyen skole"), year)}
    assert nord["Lea Testesen"].moved_out_on == dt.date(year + 1, 1, 15)
    assert nord["Lea Testesen"].moved_in_on is None
    assert nord["Lea Testesen"].holder == "Kari Ottesen, Kontaktlærer"
    assert nord["Lea Testesen"].class_group == ""  # the class now belongs to the new school
    assert sor["Lea Testesen"].moved_in_on == dt.date(year + 1, 1, 15)
    assert sor["Lea Testesen"].moved_out_on is None
    assert sor["Lea Testesen"].holder == "Jonas Berg, Kontaktlærer"
    assert sor["Lea Testesen"].class_group == "5C"
    # the next year: only at the new school, no longer marked as moved
    later_nord = names(domain.unit_overview(unit("Nordbyen skole"), year + 1))
    later_sor = {r.child_name: r for r in domain.unit_overview(unit("Sørbyen skole"), year + 1)}
    assert "Lea Testesen" not in later_nord
    assert later_sor["Lea Testesen"].moved_in_on is None
    # the year before it started: nowhere
    assert "Lea Testesen" not in names(domain.unit_overview(unit("Nordbyen skole"), year - 1))
    assert "Lea Testesen" not in names(domain.unit_overview(unit("Sørbyen skole"), year - 1))


def test_the_unit_a_log_left_sees_it_as_it_left(auth, db_conn, log):
    """After the move the log is the new school's: its koordinator (appointed when the new
    holder closes it) and its wait for a consent that covers the new school are not shown
    to the school the child left, on the page or in the export."""
    year = this_year()
    move_mid_year(log, year - 1)
    Log.update(activated_at=dt.datetime(year, 9, 1, 8)).where(Log.id == log.id).execute()
    Handover.update(decided_at=dt.datetime(year, 10, 15, 9), created_at=dt.datetime(year, 10, 10, 9)).where(
        Handover.log == log
    ).execute()
    Log.update(coordinator_name="Kim Koordinator", coordinator_service="PPT").where(Log.id == log.id).execute()
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log).execute()
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    left = {r.child_name: r for r in domain.unit_overview(nord, year)}["Lea Testesen"]
    now = {r.child_name: r for r in domain.unit_overview(sor, year)}["Lea Testesen"]
    assert left.moved_out_on == dt.date(year, 10, 15)
    assert (left.koordinator_shown, left.status) == ("", "")
    assert (now.koordinator_shown, now.status) == ("Kim Koordinator, PPT", "waiting_for_consent")
    page = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year}").get_data(as_text=True)
    assert "Lea Testesen" in page and "Flyttet ut" in page
    assert "Kim Koordinator" not in page and "Venter på nytt samtykke" not in page
    export = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year}/csv")
    assert export.status_code == 200 and "Kim Koordinator" not in export.get_data(as_text=True)


def test_the_unit_a_log_left_does_not_see_when_the_new_holder_told_the_guardians(auth, db_conn, log):
    """The date the guardians were told who the holder is belongs to the holder who
    recorded it (a handover clears it): the new school's holder's date is the new school's,
    not a date of the school the child left, on its page or in its export."""
    year = this_year()
    move_mid_year(log, year - 1)
    Log.update(activated_at=dt.datetime(year, 9, 1, 8)).where(Log.id == log.id).execute()
    Handover.update(decided_at=dt.datetime(year, 10, 15, 9), created_at=dt.datetime(year, 10, 10, 9)).where(
        Handover.log == log
    ).execute()
    told = dt.date(year, 11, 3)
    Log.update(guardians_informed_on=told).where(Log.id == log.id).execute()  # by Jonas at Sørbyen
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    left = {r.child_name: r for r in domain.unit_overview(nord, year)}["Lea Testesen"]
    now = {r.child_name: r for r in domain.unit_overview(sor, year)}["Lea Testesen"]
    assert (left.guardians_informed_on, now.guardians_informed_on) == (None, told)
    export = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year}/csv").get_data(as_text=True)
    assert "Lea Testesen" in export and f"03.11.{year}" not in export


def test_the_unit_a_log_left_after_the_year_sees_that_year_as_it_left(auth, db_conn, log):
    """Last year's overview of the school the child left this autumn shows the log as it
    was there: not the koordinator the new school's holder appointed, nor its wait for a
    consent that covers the new school."""
    year = this_year()
    move_mid_year(log, year - 1)
    Log.update(activated_at=dt.datetime(year - 1, 9, 1, 8)).where(Log.id == log.id).execute()
    Handover.update(decided_at=dt.datetime(year, 10, 15, 9), created_at=dt.datetime(year, 10, 10, 9)).where(
        Handover.log == log
    ).execute()
    Log.update(coordinator_name="Kim Koordinator", coordinator_service="PPT").where(Log.id == log.id).execute()
    Consent.update(expires_on=local_today() - dt.timedelta(days=1)).where(Consent.log == log).execute()
    nord = unit("Nordbyen skole")
    left = {r.child_name: r for r in domain.unit_overview(nord, year - 1)}["Lea Testesen"]
    assert left.moved_out_on is None  # it left after that year
    assert (left.koordinator_shown, left.status) == ("", "")
    page = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year - 1}").get_data(as_text=True)
    assert "Lea Testesen" in page
    assert "Kim Koordinator" not in page and "Venter på nytt samtykke" not in page
    export = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year - 1}/csv")
    assert export.status_code == 200 and "Kim Koordinator" not in export.get_data(as_text=True)


def test_log_closed_before_the_year_is_not_listed_and_deleted_logs_never(db_conn, log):
    from stafettlogg.logs.lifecycle import _purge

    Log.update(activated_at=dt.datetime(this_year() - 1, 9, 1), closed_at=dt.datetime(this_year() - 1, 12, 1)).where(
        Log.subject == Subject.get(Subject.name == "Oskar Nilsen").id
    ).execute()
    assert "Oskar Nilsen" not in names(domain.unit_overview(unit("Nordbyen skole"), this_year()))
    assert "Oskar Nilsen" in names(domain.unit_overview(unit("Nordbyen skole"), this_year() - 1))
    assert "Lea Testesen" in names(domain.unit_overview(unit("Nordbyen skole"), this_year()))
    _purge(log)
    assert "Lea Testesen" not in names(domain.unit_overview(unit("Nordbyen skole"), this_year()))


def test_ke_decision_appears_only_after_ke_informed_the_unit(db_conn):
    nord = unit("Nordbyen skole")
    assert "Trine Olsen" not in names(domain.unit_overview(nord, this_year()))
    CoordinatorRecord.update(informed_at=utcnow()).where(CoordinatorRecord.child_name == "Trine Olsen").execute()
    trine = next(r for r in domain.unit_overview(nord, this_year()) if r.child_name == "Trine Olsen")
    assert (trine.source, trine.koordinator_shown, trine.class_group) == (
        "ke",
        "Karianne Petrusen, helsesykepleier",
        "4B",
    )


def test_log_closed_with_ip_shows_its_koordinator(db_conn, log):
    Log.update(coordinator_name="Lise Habil", coordinator_service="habiliteringstjenesten").where(
        Log.id == log.id
    ).execute()
    lea = next(r for r in domain.unit_overview(unit("Nordbyen skole"), this_year()) if r.child_name == "Lea Testesen")
    assert lea.koordinator_shown == "Lise Habil, habiliteringstjenesten"


def test_overview_page_shows_metadata_never_content(auth, db_conn, log):
    a_measure(log, "Kontaktlærer setter opp faste lekegrupper i storefri.")
    an_item(log, "entries", entry_date=local_today(), body="Samtale med mor.")
    nord = unit("Nordbyen skole")
    client = auth.persona("unit_leader")
    response = client.get(f"/enheter/{nord.id}/oversikt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Lea Testesen", "Kari Ottesen, Kontaktlærer", "Petter Ås Strøm", "Lene Fjeld, fysioterapeut", "§ 13"):
        assert text in html
    # need-to-know: no concerns, measures or entries, and no link into the log, only to the
    # page where the unit leader may change its holder (its frame, seed 001)
    for content in ("mye alene", "lekegrupper", "Samtale med mor"):
        assert content not in html
    assert set(re.findall(rf'href="(/logger/{log.id}[^"]*)"', html)) == {f"/logger/{log.id}/stafettholder"}
    event = AuditEvent.select().where(AuditEvent.action == "overview_view").order_by(AuditEvent.id.desc()).first()
    assert (event.log_id, event.object_type, event.object_id) == (None, "unit", nord.id)
    assert client.get(f"/enheter/{nord.id}/oversikt/1999").status_code == 404


@pytest.mark.parametrize(
    "persona, path, data",
    [
        ("unit_leader", "eksterne", {"child_name": ""}),  # a registration without a name
        ("ito_coordinator", "eksterne", {"child_name": ""}),
        ("unit_leader", "gjennomgang", {"unit_contact_name": ""}),  # the review without a contact
    ],
)
def test_the_overview_shown_again_with_a_refusal_is_audited(auth, db_conn, log, persona, path, data):
    """The overview names the unit's children with a log: shown again with a 422, it is
    read as much as by its GET, and audited the same way (SECURITY.md "Audit")."""
    nord = unit("Nordbyen skole")
    views = AuditEvent.select().where(AuditEvent.action == "overview_view", AuditEvent.object_id == nord.id)
    before = views.count()
    response = auth.persona(persona).post(f"/enheter/{nord.id}/oversikt/{this_year()}/{path}", data=data)
    assert response.status_code == 422 and "Lea Testesen" in response.get_data(as_text=True)
    assert views.count() == before + 1
    assert views.order_by(AuditEvent.id.desc()).first().user_id == user(PERSONAS[persona]).id


# ---------------------------------------------------------------- exports


def test_csv_export_reads_back_with_the_seeds_columns(auth, db_conn, log):
    nord = unit("Nordbyen skole")
    year = this_year()
    response = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year}/csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert "Nordbyen skole" in rows[0][0] and f"{year}/{year + 1}" in rows[0][0]
    assert rows[1] == ["Unntatt offentlighet, offentleglova § 13"]
    assert rows[2] == COLUMNS
    body = {r[0]: r for r in rows[3:]}
    assert body["Petter Ås Strøm"] == [
        "Petter Ås Strøm",
        "7B",
        "",
        "Lene Fjeld, fysioterapeut",
        "",
        "DIPS Samspill, IP",
        (local_today() - dt.timedelta(days=75)).strftime("%d.%m.%Y"),
    ]
    assert body["Lea Testesen"][2] == "Kari Ottesen, Kontaktlærer"
    event = AuditEvent.select().where(AuditEvent.action == "overview_export_csv").get()
    assert (event.log_id, event.object_type, event.object_id, event.username) == (None, "unit", nord.id, "enhetsleder")


def test_exports_are_marked_in_the_readers_language_form(auth, db_conn, log):
    """A nynorsk unit leader's export is nynorsk throughout: title, columns and the marking."""
    from openpyxl import load_workbook

    nord, year = unit("Nordbyen skole"), this_year()
    client = auth.persona("unit_leader")
    client.set_cookie("lang", "nn")
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(f"/enheter/{nord.id}/oversikt/{year}/csv").data.decode("utf-8-sig")), delimiter=";"
        )
    )
    sheet = load_workbook(io.BytesIO(client.get(f"/enheter/{nord.id}/oversikt/{year}/xlsx").data)).active
    assert csv_rows[1] == ["Unnateke offentlegheit, offentleglova § 13"]
    assert sheet["A2"].value == "Unnateke offentlegheit, offentleglova § 13"
    assert sheet.oddHeader.center.text == "Unnateke offentlegheit, offentleglova § 13"


def test_xlsx_export_reads_back_with_openpyxl(auth, db_conn, log):
    from openpyxl import load_workbook

    year = this_year() - 1
    move_mid_year(log, year)
    sor = unit("Sørbyen skole")
    response = auth.persona("other_unit_leader").get(f"/enheter/{sor.id}/oversikt/{year}/xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert f'filename="oversikt-sorbyen-skole-{year}-{year + 1}.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "Sørbyen skole" in values[0][0] and f"{year}/{year + 1}" in values[0][0]
    assert values[1][0] == "Unntatt offentlighet, offentleglova § 13"
    assert values[2] == COLUMNS
    assert values[3][0] == f"Lea Testesen (flyttet inn 15.01.{year + 1})"
    assert values[3][1:3] == ["5C", "Jonas Berg, Kontaktlærer"]
    assert (
        AuditEvent.select().where(AuditEvent.action == "overview_export_xlsx", AuditEvent.object_id == sor.id).exists()
    )


def test_export_of_another_unit_is_refused(auth, db_conn):
    nord = unit("Nordbyen skole")
    for persona in ("other_unit_leader", "holder", "coordinating_unit", "area_leader"):
        assert auth.persona(persona).get(f"/enheter/{nord.id}/oversikt/{this_year()}/xlsx").status_code == 403
    assert not AuditEvent.select().where(AuditEvent.action.startswith("overview_export")).exists()


# ---------------------------------------------------------------- external coordination


def test_unit_leader_registers_edits_and_removes_external_coordination(auth, db_conn):
    nord = unit("Nordbyen skole")
    year = this_year()
    client = auth.persona("unit_leader")
    response = client.post(f"/enheter/{nord.id}/oversikt/{year}/eksterne", data={"child_name": "", "class_group": "3A"})
    assert response.status_code == 422
    assert "Skriv navnet på barnet" in response.get_data(as_text=True)
    assert 'value="3A"' in response.get_data(as_text=True)  # the user's text is kept
    response = client.post(
        f"/enheter/{nord.id}/oversikt/{year}/eksterne",
        data={
            "child_name": "Åse Ødegård",
            "class_group": "3A",
            "barnekoordinator": "Kaspar Vestborg, habiliteringstjenesten",
            "records_kept_in": "pasientjournal",
            "guardians_informed_on": "2026-09-01",
            "unit": "999",  # not the form's to set
        },
    )
    assert response.status_code == 303
    ext = ExternalCoordination.get(ExternalCoordination.child_name == "Åse Ødegård")
    assert (ext.unit_id, ext.school_year, ext.guardians_informed_on) == (nord.id, year, dt.date(2026, 9, 1))
    assert "Åse Ødegård" in names(domain.unit_overview(nord, year))
    assert "Åse Ødegård" not in names(domain.unit_overview(nord, year - 1))

    assert client.get(f"/enheter/{nord.id}/eksterne/{ext.id}").status_code == 200
    response = client.post(
        f"/enheter/{nord.id}/eksterne/{ext.id}",
        data={"child_name": "Åse Ødegård", "class_group": "3B", "barnekoordinator": "Kaspar Vestborg", "version": 1},
    )
    assert response.status_code == 303
    assert ExternalCoordination.get_by_id(ext.id).class_group == "3B"

    # another school's leader can neither see nor change it, not even through their own unit's URL
    other = auth.persona("other_unit_leader")
    assert other.post(f"/enheter/{nord.id}/eksterne/{ext.id}/slett").status_code == 403
    sor = unit("Sørbyen skole")
    assert other.post(f"/enheter/{sor.id}/eksterne/{ext.id}/slett").status_code == 404
    assert ExternalCoordination.get_or_none(ExternalCoordination.id == ext.id) is not None

    client = auth.persona("unit_leader")
    assert client.post(f"/enheter/{nord.id}/eksterne/{ext.id}/slett").status_code == 303
    assert ExternalCoordination.get_or_none(ExternalCoordination.id == ext.id) is None
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_type == "externalcoordination")]
    assert actions == ["external_coordination_create", "external_coordination_update", "external_coordination_delete"]


def test_two_people_editing_one_external_row_do_not_overwrite_each_other(auth, db_conn):
    """The unit leader and the ITO-koordinator open the same row; the leader saves first.
    The coordinator's save, made on what they saw before, is refused (409), keeps what
    they typed and shows what is stored now; saved again, it counts. A row removed
    meanwhile sends them back to the overview."""
    nord = unit("Nordbyen skole")
    ext = domain.add_external(
        nord, this_year(), user("enhetsleder"), {"child_name": "Åse Ødegård", "class_group": "3A"}
    )
    url = f"/enheter/{nord.id}/eksterne/{ext.id}"
    form = auth.persona("ito_coordinator").get(url).get_data(as_text=True)
    assert 'name="version" value="1"' in form
    leader = auth.persona("unit_leader")
    saved = leader.post(url, data={"child_name": "Åse Ødegård", "class_group": "3B", "holder": "Kari", "version": 1})
    assert saved.status_code == 303
    coordinator = auth.persona("ito_coordinator")
    stale = {"child_name": "Åse Ødegård", "class_group": "3C", "koordinator": "Per, PPT", "version": 1}
    refused = coordinator.post(url, data=stale)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Noen andre har endret" in html
    assert 'value="3C"' in html and "<dd>3B</dd>" in html  # what they typed, and what is stored
    assert 'name="version" value="2"' in html
    stored = ExternalCoordination.get_by_id(ext.id)
    assert (stored.class_group, stored.holder, stored.koordinator, stored.version) == ("3B", "Kari", "", 2)
    assert coordinator.post(url, data={**stale, "version": 2}).status_code == 303  # saved again, knowingly
    assert ExternalCoordination.get_by_id(ext.id).class_group == "3C"
    updates = AuditEvent.select().where(AuditEvent.action == "external_coordination_update").count()
    assert updates == 2  # the refused save left no trace of a change
    domain.remove_external(ExternalCoordination.get_by_id(ext.id), user("enhetsleder"))
    gone = coordinator.post(url, data={**stale, "version": 3})
    assert gone.status_code == 404  # removed: nothing to edit


def test_an_external_row_removed_while_it_is_saved_sends_back_to_the_overview(auth, db_conn, monkeypatch):
    nord = unit("Nordbyen skole")
    ext = domain.add_external(
        nord, this_year(), user("enhetsleder"), {"child_name": "Åse Ødegård", "class_group": "3A"}
    )
    update = domain.update_external

    def removed_first(row, by, values, version):  # the other person removes it a moment before
        domain.remove_external(row, user("enhetsleder"))
        return update(row, by, values, version)

    monkeypatch.setattr(domain, "update_external", removed_first)
    client = auth.persona("ito_coordinator")
    response = client.post(
        f"/enheter/{nord.id}/eksterne/{ext.id}", data={"child_name": "Åse Ødegård", "holder": "Kari", "version": 1}
    )
    assert response.status_code == 303 and f"/enheter/{nord.id}/oversikt/" in response.headers["Location"]
    assert "fjernet fra oversikten av noen andre" in client.get(response.headers["Location"]).get_data(as_text=True)


# ---------------------------------------------------------------- KE's register


RECORD = {
    "child_name": "Liv Åsheim",
    "birth_date": "2019-04-02",
    "kind": "barnekoordinator",
    "decision": "granted",
    "decided_on": "2026-10-01",
    "person_name": "Kaspar Vestborg",
    "person_service": "habiliteringstjenesten",
    "person_contact": "900 77 777",
    "has_ip": "no",
    "consent_to_inform": "yes",
}


def test_ke_registers_a_decision_and_lists_it_with_filters(auth, db_conn):
    bhg = unit("Solsiden barnehage")
    client = auth.persona("coordinating_unit")
    response = client.post("/ke/vedtak", data={**RECORD, "person_name": "", "decided_on": "31.02.2026"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Skriv navnet på den som er oppnevnt" in html and "Skriv datoen som dd.mm.åååå" in html
    assert not CoordinatorRecord.select().where(CoordinatorRecord.child_name == "Liv Åsheim").exists()
    response = client.post(
        "/ke/vedtak", data={**RECORD, "unit": bhg.id, "informed_at": "2020-01-01 00:00", "version": "9"}
    )
    assert response.status_code == 303
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Liv Åsheim")
    assert (record.unit_id, record.kind, record.decision, record.consent_to_inform, record.has_ip) == (
        bhg.id,
        "barnekoordinator",
        "granted",
        True,
        False,
    )
    assert record.informed_at is None and record.version == 1  # extra fields change nothing
    html = client.get("/ke?kind=barnekoordinator").get_data(as_text=True)
    assert "Liv Åsheim" in html and "Ahmed Rahimi" in html and "Trine Olsen" not in html
    html = client.get("/ke?decision=refused").get_data(as_text=True)
    assert "Jonas Eriksen" in html and "Liv Åsheim" not in html
    html = client.get("/ke?q=vestborg&informed=no").get_data(as_text=True)
    assert "Liv Åsheim" in html and "Ahmed Rahimi" not in html
    for wildcard in ("_", "%", "T_ine"):  # typed text, not a pattern: "_" matches no one
        html = client.get("/ke", query_string={"q": wildcard}).get_data(as_text=True)
        assert "Trine Olsen" not in html and "Liv Åsheim" not in html, wildcard
    html = client.get(f"/ke?unit={bhg.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and "Liv Åsheim" in html and "Trine Olsen" not in html


def test_reading_kes_register_is_audited(auth, db_conn):
    # The register names children and their koordinator decisions, a page or a further
    # window of it: each answer is a read in the audit trail, like a decision's own page.
    client = auth.persona("coordinating_unit")
    for path in ("/ke", "/ke?q=Trine"):
        before = AuditEvent.select().where(AuditEvent.action == "coordinator_records_view").count()
        html = client.get(path).get_data(as_text=True)
        assert "Trine Olsen" in html
        assert AuditEvent.select().where(AuditEvent.action == "coordinator_records_view").count() == before + 1


def test_ke_edit_with_a_stale_version_is_refused_and_keeps_the_text(auth, db_conn):
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Trine Olsen")
    client = auth.persona("coordinating_unit")
    data = {**RECORD, "child_name": "Trine Olsen", "kind": "koordinator", "person_name": "Ny Person"}
    assert client.post(f"/ke/vedtak/{record.id}", data={**data, "version": record.version}).status_code == 303
    response = client.post(f"/ke/vedtak/{record.id}", data={**data, "person_name": "Gammel Tekst", "version": 1})
    assert response.status_code == 409
    assert "Gammel Tekst" in response.get_data(as_text=True)
    assert CoordinatorRecord.get_by_id(record.id).person_name == "Ny Person"


def _decision(name: str, kind: str, born: dt.date, decided: dt.date, ended: dt.date | None = None):
    return CoordinatorRecord.create(
        child_name=name,
        birth_date=born,
        unit=unit("Nordbyen skole"),
        kind=kind,
        decision="granted",
        decided_on=decided,
        ended_on=ended,
        person_name="Kaspar Vestborg",
        consent_to_inform=True,
        informed_at=dt.datetime(decided.year, decided.month, decided.day, 12),
        created_by=user("ke"),
    )


def test_a_decision_shows_only_in_the_school_years_it_was_in_force(auth, db_conn):
    """seed 000: the overview is «dynamisk og oppdatert»; seed 003: a barnekoordinator is
    appointed until the child turns 18. KE records when a role ended; a decision shows in
    the unit overview (and the June reconciliation) of the years it was in force only."""
    year = domain.current_school_year()
    first_day = dt.date(year, 8, 1)
    nord = unit("Nordbyen skole")
    _decision("Gammel Elev", "barnekoordinator", first_day.replace(year=year - 18), dt.date(year - 5, 10, 1))
    _decision(
        "Nesten Voksen",
        "barnekoordinator",
        first_day.replace(year=year - 18) + dt.timedelta(days=1),
        dt.date(year - 5, 10, 1),
    )
    _decision("Ferdig Plan", "koordinator", dt.date(year - 12, 3, 3), dt.date(year - 3, 10, 1), dt.date(year, 6, 1))
    _decision("Voksen Med IP", "koordinator", first_day.replace(year=year - 30), dt.date(year - 2, 10, 1))
    names = lambda y: {r.child_name for r in domain.ke_records_for(nord, y)}  # noqa: E731
    now, last = names(year), names(year - 1)
    assert "Gammel Elev" not in now and "Gammel Elev" in last  # turned 18 on the first day of this year
    assert "Nesten Voksen" in now  # turns 18 tomorrow of the year's first day
    assert "Ferdig Plan" not in now and "Ferdig Plan" in last  # ended in June
    assert "Voksen Med IP" in now  # a koordinator has no age limit
    page = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt/{year}").get_data(as_text=True)
    assert "Gammel Elev" not in page and "Ferdig Plan" not in page and "Nesten Voksen" in page


def test_ke_records_when_a_role_ended_and_not_before_it_began(auth, db_conn):
    client = auth.persona("coordinating_unit")
    page = client.get("/ke/vedtak/ny").get_data(as_text=True)
    assert 'name="ended_on"' in page and "Rollen avsluttet" in page
    refused = client.post("/ke/vedtak", data={**RECORD, "ended_on": "2026-09-30"})
    assert refused.status_code == 422 and "kan ikke være før vedtaksdatoen" in refused.get_data(as_text=True)
    assert not CoordinatorRecord.select().where(CoordinatorRecord.child_name == RECORD["child_name"]).exists()
    assert client.post("/ke/vedtak", data={**RECORD, "ended_on": "2026-11-15"}).status_code == 303
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == RECORD["child_name"])
    assert record.ended_on == dt.date(2026, 11, 15)
    assert "Avsluttet 15.11.2026" in client.get("/ke").get_data(as_text=True)
    assert 'value="2026-11-15"' in client.get(f"/ke/vedtak/{record.id}").get_data(as_text=True)


def test_inform_the_unit_requires_consent(auth, db_conn):
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Jonas Eriksen")  # refused, no consent
    response = auth.persona("coordinating_unit").post(f"/ke/vedtak/{record.id}/informer")
    assert response.status_code == 409
    assert "samtykke" in response.get_data(as_text=True)
    assert CoordinatorRecord.get_by_id(record.id).informed_at is None
    assert not Notification.select().where(Notification.kind == "ke_informed").exists()


def test_a_decision_shown_again_with_a_message_is_audited_like_the_page(auth, db_conn):
    # A refused "inform" (no consent) and a form with an error show the decision with the
    # child's name, as the page does: each such answer is a read in the audit trail.
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Jonas Eriksen")
    client = auth.persona("coordinating_unit")

    def reads():
        return (
            AuditEvent.select()
            .where(AuditEvent.action == "coordinator_record_view", AuditEvent.object_id == record.id)
            .count()
        )

    before = reads()
    response = client.post(f"/ke/vedtak/{record.id}/informer")
    assert response.status_code == 409 and "Jonas Eriksen" in response.get_data(as_text=True)
    assert reads() == before + 1
    response = client.post(f"/ke/vedtak/{record.id}", data={**RECORD, "person_name": "", "version": record.version})
    assert response.status_code == 422 and "Jonas Eriksen" in response.get_data(as_text=True)
    assert reads() == before + 2
    assert client.get(f"/ke/vedtak/{record.id}").status_code == 200
    assert reads() == before + 3


def test_inform_the_unit_notifies_its_leader_with_the_appointed_person(auth, db_conn):
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Trine Olsen")
    response = auth.persona("coordinating_unit").post(f"/ke/vedtak/{record.id}/informer")
    assert response.status_code == 303
    assert CoordinatorRecord.get_by_id(record.id).informed_at is not None
    note = Notification.get(Notification.kind == "ke_informed")
    assert note.user_id == user("enhetsleder").id
    assert "Karianne Petrusen" in note.text and "900 33 333" in note.text
    assert "Trine" not in note.text  # no child data in notifications and e-mails
    mail = OutboxEmail.select().where(OutboxEmail.to == "eva.enhetsleder@demo.kommune.no").get()
    assert "Trine" not in mail.body and "Trine" not in mail.subject
    # the leader follows the link and sees which child
    html = auth.persona("unit_leader").get(note.url.split("#")[0]).get_data(as_text=True)
    assert "Trine Olsen" in html and f'id="ke-{record.id}"' in html


@pytest.mark.parametrize("change", ["unit", "consent"])
def test_a_decision_moved_to_another_unit_or_without_consent_is_no_longer_shown_as_informed(auth, db_conn, change):
    """KE informed Nordbyen skole of Trine's koordinator with the family's consent (seed 000
    point 3). Then KE records that Trine goes to Sørbyen skole, or that the family took the
    consent back: Sørbyen was never informed, and the consent no longer lets Nordbyen be.
    Neither overview shows Trine until KE informs (again) with consent."""
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Trine Olsen")
    ke = auth.persona("coordinating_unit")
    assert ke.post(f"/ke/vedtak/{record.id}/informer").status_code == 303
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    assert "Trine Olsen" in names(domain.unit_overview(nord, this_year()))
    record = CoordinatorRecord.get_by_id(record.id)
    form = {
        "child_name": record.child_name,
        "birth_date": record.birth_date.isoformat() if record.birth_date else "",
        "unit": sor.id if change == "unit" else nord.id,
        "class_group": record.class_group,
        "kind": record.kind,
        "decision": record.decision,
        "decided_on": record.decided_on.isoformat(),
        "person_name": record.person_name,
        "person_service": record.person_service,
        "person_contact": record.person_contact,
        "has_ip": "yes" if record.has_ip else "no",
        "consent_to_inform": "no" if change == "consent" else "yes",
        "version": record.version,
    }
    assert ke.post(f"/ke/vedtak/{record.id}", data=form).status_code == 303
    for school in (nord, sor):
        assert "Trine Olsen" not in names(domain.unit_overview(school, this_year())), school.name
        assert not domain.informed_decisions(school, this_year())
    assert CoordinatorRecord.get_by_id(record.id).informed_at is None  # KE's page offers «Informer» again
    leader = "other_unit_leader" if change == "unit" else "unit_leader"
    shown = auth.persona(leader).get(f"/enheter/{(sor if change == 'unit' else nord).id}/oversikt")
    assert "Trine Olsen" not in shown.get_data(as_text=True) and "Karianne Petrusen" not in shown.get_data(as_text=True)


@pytest.mark.parametrize("change", ["unit", "consent"])
def test_informing_checks_the_decision_as_it_is_when_it_writes(app, db_conn, change):
    """KE opened «Informer» on Trine's decision while a colleague recorded, a moment
    before, that the family took the consent back or that Trine moved: the unit is not
    told, and the decision is not marked informed (no overview shows it)."""
    from stafettlogg.overview import ke

    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Trine Olsen")
    sor = unit("Sørbyen skole")
    moved = {"unit": sor} if change == "unit" else {"consent_to_inform": False}
    CoordinatorRecord.update(version=CoordinatorRecord.version + 1, **moved).where(
        CoordinatorRecord.id == record.id
    ).execute()
    notices = Notification.select().count()
    with app.test_request_context(), pytest.raises(ke.KeError):
        ke.inform_unit(user("ke"), record)  # the record as it was read before the change
    assert CoordinatorRecord.get_by_id(record.id).informed_at is None
    assert Notification.select().count() == notices
    for school in (unit("Nordbyen skole"), sor):
        assert "Trine Olsen" not in names(domain.unit_overview(school, this_year()))


def test_a_refused_decision_is_also_informed_with_consent(auth, db_conn):
    record = CoordinatorRecord.get(CoordinatorRecord.child_name == "Jonas Eriksen")
    CoordinatorRecord.update(consent_to_inform=True).where(CoordinatorRecord.id == record.id).execute()
    assert auth.persona("coordinating_unit").post(f"/ke/vedtak/{record.id}/informer").status_code == 303
    note = Notification.get(Notification.kind == "ke_informed")
    assert note.user_id == user("enhetsleder2").id and "avslått" in note.text


def test_the_notice_of_a_decision_links_to_a_year_that_shows_it_and_the_flash_counts_who_was_told(auth, db_conn):
    """Finding: the notice always linked to this school year's overview, where a refusal
    made last year (or a grant that has ended) is not shown; and the flash counted the
    unit's leaders while the unit's ITO-koordinator was told too."""
    from stafettlogg.models import ItoDelegation

    nord = unit("Nordbyen skole")
    ItoDelegation.create(unit=nord, user=user("larer"), granted_by=user("enhetsleder"))
    last_year = domain.current_school_year() - 1
    refused = CoordinatorRecord.create(
        child_name="Avslag Barn", unit=nord, kind="koordinator", decision="refused",
        decided_on=dt.date(last_year + 1, 6, 20), consent_to_inform=True, created_by=user("ke"),
    )  # fmt: skip
    response = auth.persona("coordinating_unit").post(f"/ke/vedtak/{refused.id}/informer", follow_redirects=True)
    told = Notification.select().where(Notification.kind == "ke_informed")
    assert {user("enhetsleder").id, user("larer").id} <= {n.user_id for n in told}
    assert f"({told.count()} personer fikk varsel)" in response.get_data(as_text=True)
    url = told.first().url
    assert f"/oversikt/{last_year}#ke-{refused.id}" in url
    page = auth.persona("unit_leader").get(url.split("#")[0]).get_data(as_text=True)
    assert f'id="ke-{refused.id}"' in page and "Avslag Barn" in page


# ---------------------------------------------------------------- June reconciliation


def test_reconciliation_finds_each_kind_of_difference(db_conn, log):
    nord = unit("Nordbyen skole")
    ke = user("ke")
    # Lea's log names a koordinator, KE's register another person
    Log.update(coordinator_name="Lise Habil", coordinator_service="habiliteringstjenesten").where(
        Log.id == log.id
    ).execute()
    CoordinatorRecord.create(
        child_name="Lea Testesen",
        birth_date=log.subject.birth_date,
        unit=nord,
        kind="koordinator",
        decision="granted",
        decided_on=local_today() - dt.timedelta(days=3),
        person_name="Per Annen",
        consent_to_inform=True,
        created_by=ke,
    )
    found = {(d.kind, d.child_name, d.role) for d in reconciliation.differences(nord, this_year())}
    assert found == {
        ("missing_in_unit", "Trine Olsen", "koordinator"),  # KE has it, the school was never told
        ("missing_in_ke", "Petter Ås Strøm", "koordinator"),  # the school knows, KE has no decision
        ("different_person", "Lea Testesen", "koordinator"),
    }
    # once informed, Trine is on the school's overview; the same person on both sides agrees
    CoordinatorRecord.update(informed_at=utcnow()).where(CoordinatorRecord.child_name == "Trine Olsen").execute()
    CoordinatorRecord.update(person_name="Lise Habil").where(CoordinatorRecord.child_name == "Lea Testesen").execute()
    assert {d.kind for d in reconciliation.differences(nord, this_year())} == {"missing_in_ke"}
    # a refused decision is no difference
    assert reconciliation.differences(unit("Sørbyen skole"), this_year()) == []


@pytest.mark.parametrize("person", ["Lene Fjeld", "Per Annen"])
def test_the_units_differences_do_not_tell_of_a_decision_ke_has_not_told_it(auth, db_conn, person):
    """Seed 000 point 3: the unit learns of KE's decision only when KE informs it with the
    family's consent. Petter's koordinator is in Nordbyen's own overview, "missing in KE's
    register"; a decision KE then records without consent to inform (the same person or
    another) must leave the unit's list of differences as it was, or its change tells the
    school that KE has a decision for Petter."""
    nord = unit("Nordbyen skole")

    def shown():
        return {(d.kind, d.child_name) for d in reconciliation.differences_for_unit(nord, this_year())}

    before = shown()
    assert ("missing_in_ke", "Petter Ås Strøm") in before
    CoordinatorRecord.create(
        child_name="Petter Ås Strøm",
        unit=nord,
        kind="koordinator",
        decision="granted",
        decided_on=local_today() - dt.timedelta(days=3),
        person_name=person,
        consent_to_inform=False,
        created_by=user("ke"),
    )
    assert shown() == before
    html = auth.persona("ito_coordinator").get(f"/enheter/{nord.id}/oversikt/{this_year()}").get_data(as_text=True)
    assert "Mangler i KE-registeret" in html


@pytest.mark.parametrize("method, data", [("GET", None), ("POST", {"status": "x"})])
def test_the_reconciliation_page_is_audited(auth, db_conn, log, method, data):
    """A unit's June review names children whose log records a koordinator (from the
    unit's overview, not KE's register): a read of the logs' children, audited like the
    unit overview, also when shown again with a refusal (422). The list of every unit
    names no child, and reads no unit's children."""
    Log.update(coordinator_name="Lise Habil", coordinator_service="habiliteringstjenesten").where(
        Log.id == log.id
    ).execute()
    views = AuditEvent.select().where(AuditEvent.action == "reconciliation_view")
    before = views.count()
    ke = auth.persona("coordinating_unit")
    listing = ke.get(f"/ke/avstemming/{this_year()}").get_data(as_text=True)
    assert "Lea Testesen" not in listing and "Petter Ås Strøm" not in listing and views.count() == before
    nord = unit("Nordbyen skole")
    if method == "GET":
        response = ke.get(f"/ke/avstemming/{this_year()}/enhet/{nord.id}")
    else:
        response = ke.post(f"/ke/avstemming/{this_year()}", data={"unit": nord.id, "version": 0, **data})
    assert response.status_code == (200 if method == "GET" else 422)
    assert "Lea Testesen" in response.get_data(as_text=True)
    assert views.count() == before + 1
    assert views.order_by(AuditEvent.id.desc()).first().user_id == user("ke").id
    # and in the family's access history of the child it names: KE saw Lea on a list
    from stafettlogg.guardians.queries import access_history

    with auth.app.test_request_context():
        rows = access_history(log).items
    seen = [row for row in rows if row["text"] == "Så barnet på en oversikt for enheten"]
    assert seen and seen[0]["role"] == "coordinating_unit"


def test_the_reconciliation_list_reads_every_unit_in_a_fixed_number_of_queries(auth, db_conn):
    """Finding: KE's June page read each unit's overview, KE's decisions and leaders one
    unit at a time (six queries a unit: 900 for 150 schools and kindergartens) and named
    every child with a difference in one answer. Now the list reads the units, their
    reviews and their leaders in one query each; a unit's differences are on its page."""
    from bench.run import counting
    from stafettlogg.db import db

    ke = auth.persona("coordinating_unit")

    def queries():
        with counting(db) as counter:
            assert ke.get(f"/ke/avstemming/{this_year()}").status_code == 200
        return len(counter["sql"])

    before = queries()
    nord = unit("Nordbyen skole")
    for i in range(20):
        Unit.create(name=f"Testskole {i:02d}", kind=nord.kind, area=nord.area, active=True)
    html = ke.get(f"/ke/avstemming/{this_year()}").get_data(as_text=True)
    assert "Testskole 19" in html
    assert queries() == before
    for unit_id in (nord.id + 10**6, 10**30):
        assert ke.get(f"/ke/avstemming/{this_year()}/enhet/{unit_id}").status_code == 404
    Unit.update(active=False).where(Unit.id == nord.id).execute()
    assert ke.get(f"/ke/avstemming/{this_year()}/enhet/{nord.id}").status_code == 404


def test_ke_reviews_a_unit_and_june_reminders_are_idempotent(app, auth, db_conn):
    nord = unit("Nordbyen skole")
    year = 2026
    client = auth.persona("coordinating_unit")
    html = client.get(f"/ke/avstemming/{year}/enhet/{nord.id}").get_data(as_text=True)
    assert "Mangler i KE-registeret" in html and "Petter Ås Strøm" in html
    response = client.post(
        f"/ke/avstemming/{year}",
        data={"unit": nord.id, "version": 0, "status": "reviewed", "ke_contact_name": "Kristin Koordinator",
              "unit_contact_name": "Eva Enhetsleder"},
    )  # fmt: skip
    assert response.status_code == 303
    rec = Reconciliation.get(Reconciliation.unit == nord, Reconciliation.school_year == year)
    assert (rec.status, rec.ke_contact_name, rec.reviewed_by_id) == ("reviewed", "Kristin Koordinator", user("ke").id)
    assert client.post(f"/ke/avstemming/{year}", data={"unit": nord.id, "status": "x"}).status_code == 422
    assert client.post(f"/ke/avstemming/{year}", data={"unit": 99999, "status": "reviewed"}).status_code == 422

    runner = app.test_cli_runner()
    assert "Ingen påminnelser" in runner.invoke(args=["june-reminders", "--today", "2027-05-31"]).output
    assert not Notification.select().where(Notification.kind == "june_reconciliation").exists()
    result = runner.invoke(args=["june-reminders", "--today", "2027-06-02"])
    assert result.exit_code == 0, result.output
    reminded = {n.user.username for n in Notification.select().where(Notification.kind == "june_reconciliation")}
    # Nordbyen is reviewed; Sørbyen and the kindergarten are not; KE is reminded too
    assert reminded == {"enhetsleder2", "styrer", "ke"}
    count = Notification.select().count()
    again = runner.invoke(args=["june-reminders", "--today", "2027-06-20"])
    assert "0 påminnelser" in again.output and Notification.select().count() == count
    assert runner.invoke(args=["june-reminders", "--today", "juni"]).exit_code != 0


def test_unit_overview_shows_the_review_status_and_ke_contact(auth, db_conn):
    nord = unit("Nordbyen skole")
    Reconciliation.create(unit=nord, school_year=this_year(), ke_contact_name="Kristin Koordinator")
    html = auth.persona("unit_leader").get(f"/enheter/{nord.id}/oversikt").get_data(as_text=True)
    assert "Kristin Koordinator" in html and "Ikke startet" in html


# ---------------------------------------------------------------- the decision guide


def expected_results():
    from stafettlogg.guide.domain import load_guide

    return set(load_guide()["results"])


def test_every_path_through_the_guide_reaches_its_recommendation(auth):
    from stafettlogg.guide.domain import load_guide, paths

    guide = load_guide()
    client = auth.persona("same_unit_staff")
    reached = set()
    for answers, result_id in paths():
        query = "&".join(f"{k}={v}" for k, v in answers.items())
        html = client.get(f"/veileder?{query}").get_data(as_text=True)
        result = guide["results"][result_id]
        assert result["title"] in html, (answers, result_id)
        start = 'class="button button--primary" href="/logger/ny">Opprett ny stafettlogg'
        assert (start in html) == (result_id == "stafettlogg"), result_id
        if result["roles"]:
            assert "Hvem skal ha rollen?" in html
        reached.add(result_id)
    assert reached == expected_results() == {"no_plan", "iup_iop", "stafettlogg", "ip_koordinator", "barnekoordinator"}


def test_guide_outcomes_for_the_main_paths():
    from stafettlogg.guide.domain import walk

    def outcome(**answers):
        return walk(answers).result_id

    assert outcome(services="nei", needs_services="nei") == "no_plan"
    assert outcome(services="ja", over_time="nei") == "no_plan"
    assert outcome(services="ja", over_time="ja", only_ppt="ja", has_iup="ja") == "iup_iop"
    yes = {"services": "ja", "over_time": "ja", "only_ppt": "nei"}
    assert outcome(**yes, child_coordinator="ja") == "barnekoordinator"
    assert outcome(**yes, child_coordinator="nei", individual_plan="ja") == "ip_koordinator"
    assert outcome(**yes, child_coordinator="nei", individual_plan="nei") == "stafettlogg"
    # the table: which service naturally holds the role, and when it is not natural
    step = walk({**yes, "child_coordinator": "nei", "individual_plan": "nei"})
    services = {s["service"]: s for s in step.services}
    assert "Skole/barnehage" in services and "Saksbehandler ved tildelingskontoret" not in services
    assert "barneverntjenesten" in services["Skole/barnehage"]["not_natural"]
    step = walk({**yes, "child_coordinator": "ja"})
    assert [s["service"] for s in step.services] == ["Saksbehandler ved tildelingskontoret"]


def test_guide_asks_one_question_at_a_time_and_ignores_junk(auth):
    client = auth.persona("holder")
    html = client.get("/veileder").get_data(as_text=True)
    assert "Mottar barnet/familien tjenester fra andre tjenesteytere?" in html
    assert 'name="services"' in html and "Har barnet IUP" not in html
    html = client.get("/veileder?services=kanskje&evil=<script>").get_data(as_text=True)
    assert 'name="services"' in html and "<script>" not in html
    html = client.get("/veileder?services=ja").get_data(as_text=True)
    assert 'name="over_time"' in html and 'type="hidden" name="services" value="ja"' in html


# ---------------------------------------------------------------- statistics


def personal_names() -> set[str]:
    found = {s.name for s in Subject.select()}
    found |= {r.child_name for r in CoordinatorRecord.select()}
    found |= {e.child_name for e in ExternalCoordination.select()}
    for name in list(found):
        found |= set(name.split()[:1])  # first names alone too
    return found


def test_statistics_count_without_names(auth, db_conn, log):
    year = this_year() - 1
    move_mid_year(log, year)
    for persona in ("area_leader", "unit_leader", "other_unit_leader"):
        response = auth.persona(persona).get("/statistikk")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<svg" in html and "<table" in html
        assert "style=" not in html.split("<svg", 1)[1].split("</svg>")[0]  # CSP: no inline styles
        for name in personal_names():
            assert not re.search(rf"\b{re.escape(name)}\b", html), (persona, name)
    html = auth.persona("unit_leader").get("/statistikk").get_data(as_text=True)
    assert "Nordbyen skole" in html and "Sørbyen skole" not in html
    html = auth.persona("area_leader").get("/statistikk").get_data(as_text=True)
    assert "Nordbyen skole" in html and "Sørbyen skole" in html and "Helsestasjonen" not in html


def test_statistics_numbers(db_conn):
    today = local_today()
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    data = stats.statistics([nord, sor], today)
    counts = {row.unit.name: row for row in data["units"]}
    n = counts["Nordbyen skole"]
    # Emma active (Noah is a draft), Oskar closed, Ida passive; the nurse's talks are overdue
    assert (n.active, n.closed, n.passive, n.handovers, n.overdue) == (1, 1, 1, 0, 1)
    assert data["levels"][2] == 1
    assert data["totals"].active == 1
    assert sum(m["started"] for m in data["months"].values()) >= 1
    chart = stats.month_chart(
        stats.protect(data)["months"], {"started": "Nye", "closed": "Avsluttet", "desc": "d"}, "t"
    )
    assert chart.startswith("<svg") and chart.count("<rect") >= 24


# ---------------------------------------------------------------- permissions


ROUTES = [
    # (method, path template, personas allowed)
    ("GET", "/enheter/{nord}/oversikt", {"unit_leader", "ito_coordinator"}),
    ("GET", "/enheter/{nord}/oversikt/{year}", {"unit_leader", "ito_coordinator"}),
    ("GET", "/enheter/{nord}/oversikt/{year}/csv", {"unit_leader", "ito_coordinator"}),
    ("GET", "/enheter/{nord}/oversikt/{year}/xlsx", {"unit_leader", "ito_coordinator"}),
    ("POST", "/enheter/{nord}/oversikt/{year}/eksterne", {"unit_leader", "ito_coordinator"}),
    ("GET", "/enheter/{nord}/eksterne/{ext}", {"unit_leader", "ito_coordinator"}),
    ("POST", "/enheter/{nord}/eksterne/{ext}", {"unit_leader", "ito_coordinator"}),
    ("POST", "/enheter/{nord}/eksterne/{ext}/slett", {"unit_leader", "ito_coordinator"}),
    ("GET", "/ke", {"coordinating_unit"}),
    ("GET", "/ke/vedtak/ny", {"coordinating_unit"}),
    ("POST", "/ke/vedtak", {"coordinating_unit"}),
    ("GET", "/ke/vedtak/{record}", {"coordinating_unit"}),
    ("POST", "/ke/vedtak/{record}", {"coordinating_unit"}),
    ("POST", "/ke/vedtak/{record}/informer", {"coordinating_unit"}),
    ("GET", "/ke/avstemming", {"coordinating_unit"}),
    ("GET", "/ke/avstemming/{year}", {"coordinating_unit"}),
    ("GET", "/ke/avstemming/{year}/enhet/{nord}", {"coordinating_unit"}),
    ("POST", "/ke/avstemming/{year}", {"coordinating_unit"}),
    ("GET", "/statistikk", {"unit_leader", "other_unit_leader", "area_leader"}),
    (
        "GET",
        "/veileder",
        {
            "holder",
            "participant",
            "same_unit_staff",
            "unit_leader",
            "ito_coordinator",
            "other_unit_staff",
            "other_unit_leader",
            "coordinating_unit",
        },
    ),  # fmt: skip
    ("POST", "/enheter/{nord}/oversikt/{year}/gjennomgang", {"unit_leader", "ito_coordinator"}),
]


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_every_new_route_by_persona(auth, db_conn, persona):
    values = {
        "nord": unit("Nordbyen skole").id,
        "year": this_year(),
        "ext": ExternalCoordination.get(ExternalCoordination.child_name == "Petter Ås Strøm").id,
        "record": CoordinatorRecord.get(CoordinatorRecord.child_name == "Ahmed Rahimi").id,
    }
    wrong = []
    for method, template, allowed in ROUTES:
        path = template.format(**values)
        client = auth.persona(persona)
        response = client.open(path, method=method, data={})
        location = response.headers.get("Location", "")
        refused = response.status_code == 403 or "/login" in location
        if response.status_code >= 500 or refused == (persona in allowed):
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == []


def test_nav_items_by_role(auth):
    expectations = {
        "unit_leader": ({"Oversikt", "Veileder", "Statistikk"}, {"KE-register"}),
        "coordinating_unit": ({"KE-register", "Veileder"}, {"Oversikt", "Statistikk"}),
        "area_leader": ({"Statistikk"}, {"Oversikt", "Veileder", "KE-register"}),
        "holder": ({"Veileder"}, {"Oversikt", "Statistikk", "KE-register"}),
        "guardian": (set(), {"Veileder", "Oversikt", "Statistikk", "KE-register"}),
    }
    for persona, (present, absent) in expectations.items():
        html = auth.persona(persona).get("/").get_data(as_text=True)
        nav = html.split('class="site-nav"', 1)[1].split("</nav>")[0]
        labels = set(re.findall(r">([^<>]+)</a>", nav))
        assert present <= labels and not (absent & labels), (persona, labels)


def test_exports_never_turn_typed_text_into_formulas(auth, db_conn):
    from openpyxl import load_workbook

    nord = unit("Nordbyen skole")
    ExternalCoordination.create(
        unit=nord,
        school_year=this_year(),
        child_name='=HYPERLINK("http://evil.example","Klikk")',
        koordinator="+47 900 00 000",
        created_by=user("enhetsleder"),
    )
    client = auth.persona("unit_leader")
    text = client.get(f"/enheter/{nord.id}/oversikt/{this_year()}/csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ['\'=HYPERLINK("http://evil.example","Klikk")', "'+47 900 00 000"] in [[r[0], r[3]] for r in rows[3:]]
    sheet = load_workbook(io.BytesIO(client.get(f"/enheter/{nord.id}/oversikt/{this_year()}/xlsx").data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert [(c.data_type, c.value) for c in cells] == [("s", '\'=HYPERLINK("http://evil.example","Klikk")')]
    koordinator = [c.value for row in sheet.iter_rows() for c in row if c.value and "900 00 000" in str(c.value)]
    assert koordinator == ["'+47 900 00 000"]
    assert sheet.title == f"Oversikt {this_year()}-{this_year() + 1}"


@pytest.mark.parametrize("sign", ["＝", "＋", "－", "＠"])
def test_a_full_width_formula_sign_is_escaped_too(sign):
    """Some spreadsheets read the full-width signs as the ASCII ones."""
    from stafettlogg.overview.exports import spreadsheet_safe

    assert spreadsheet_safe(f"{sign}HYPERLINK(1)") == f"'{sign}HYPERLINK(1)"
    assert spreadsheet_safe("Ｏla") == "Ｏla" and spreadsheet_safe("") == ""


def test_guide_file_with_a_dangling_answer_is_refused(tmp_path, monkeypatch):
    from stafettlogg.guide import domain as guide_domain

    broken = tmp_path / "guide.toml"
    broken.write_text(
        guide_domain.GUIDE_FILE.read_text(encoding="utf-8").replace(
            'no = "result:no_plan"', 'no = "result:nowhere"', 1
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(guide_domain, "GUIDE_FILE", broken)
    guide_domain.load_guide.cache_clear()
    try:
        with pytest.raises(ValueError, match="nowhere"):
            guide_domain.load_guide()
    finally:
        guide_domain.load_guide.cache_clear()


def test_a_handover_through_the_handover_routine_moves_the_child_between_overviews(app, db_conn, log):
    from stafettlogg.handover import domain as routine

    Log.update(activated_at=utcnow() - dt.timedelta(days=1)).where(Log.id == log.id).execute()
    with app.test_request_context():
        proposal = routine.propose_handover(user("stafettholder"), Log.get_by_id(log.id), user("kontaktlaerer"))
        routine.accept_handover(user("kontaktlaerer"), proposal)
    from stafettlogg.dates import local

    today = local(utcnow()).date()
    nord = {r.child_name: r for r in domain.unit_overview(unit("Nordbyen skole"), this_year())}
    sor = {r.child_name: r for r in domain.unit_overview(unit("Sørbyen skole"), this_year())}
    assert (nord["Lea Testesen"].moved_out_on, nord["Lea Testesen"].holder) == (today, "Kari Ottesen, Kontaktlærer")
    assert (sor["Lea Testesen"].moved_in_on, sor["Lea Testesen"].holder) == (today, "Jonas Berg, Kontaktlærer")


# ---------------------------------------------------------------- small numbers never shown


def table_cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]


def test_no_count_from_one_to_four_is_shown(auth, db_conn):
    # The demo has 1s everywhere: Nordbyen has one active, one closed, one passive log.
    for persona in ("unit_leader", "area_leader"):
        html = auth.persona(persona).get("/statistikk").get_data(as_text=True)
        cells = table_cells(html.split("<main", 1)[1])
        numbers = [c for c in cells if c.isdigit()]
        assert numbers and all(int(c) == 0 or int(c) >= 5 for c in numbers), (persona, numbers)
        assert "&lt;5" in html
        svg = html.split("<svg", 1)[1].split("</svg>")[0]
        labels = [t for t in re.findall(r">([^<>]*)<", svg) if t.strip()]
        for label in labels:
            for number in re.findall(r"\d+", label.replace("2025", "").replace("2026", "").replace("2027", "")):
                assert int(number) == 0 or int(number) >= 5, (persona, label)


def test_suppression_leaves_no_line_with_one_hidden_cell():
    # Three units; one has 2 active logs: the column sum would reveal it, so the next
    # smallest is hidden too, and the levels (whose sum is the active total) as well.
    cells = {"a": 2, "b": 7, "c": 9, "sum": 18, "l1": 6, "l2": 12}
    lines = [["a", "b", "c", "sum"], ["l1", "l2", "sum"], ["l1", "l2", "a", "b", "c"]]
    shown = stats.suppress(cells, lines)
    assert str(shown["a"]) == "<5"
    for line in lines:
        assert sum(1 for key in line if shown[key].hidden) != 1, line
    assert not any(0 < c.value < 5 and not c.hidden for c in shown.values())
    # Nothing hidden when nothing is small; zeros are shown.
    shown = stats.suppress({"a": 0, "b": 5, "sum": 5}, [["a", "b", "sum"]])
    assert [str(shown[k]) for k in ("a", "b", "sum")] == ["0", "5", "5"]
    # A single unit with 3 active logs: its sum row is the same cell; the levels are hidden.
    shown = stats.suppress({"a": 3, "sum": 3, "l1": 0, "l2": 3}, [["a", "sum"], ["l1", "l2", "sum"]])
    assert all(str(shown[k]) == "<5" for k in ("a", "sum", "l2"))


def _range_in_line(shown: dict, line: list, key) -> tuple:
    """What a reader learns of ``key`` from one published line (its last cell the sum of
    the others): a visible count is itself, "<5" is 1 to 4, "skjult" 5 or more (every
    count from 1 to 4 is shown as "<5")."""
    inf = float("inf")

    def bounds(k):
        count = shown[k]
        return {"": (count.value, count.value), "small": (1, 4), "few": (0, 4), "sum": (5, inf)}[count.hidden]

    parts, total = line[:-1], line[-1]
    if key == total:
        low, high = sum(bounds(k)[0] for k in parts), sum(bounds(k)[1] for k in parts)
    else:
        others = [k for k in parts if k != key]
        low = bounds(total)[0] - sum(bounds(k)[1] for k in others)
        high = bounds(total)[1] - sum(bounds(k)[0] for k in others)
    own = bounds(key)
    return max(low, own[0]), min(high, own[1])


def test_hidden_counts_cannot_be_pinned_down_by_their_sum():
    # Two units with one closed log each and one with ten: "<5", "<5", 10 and the sum 12
    # leave 2 for the two hidden cells, so each is 1.
    lines = [["a", "b", "c", "sum"]]
    shown = stats.suppress({"a": 1, "b": 1, "c": 10, "sum": 12}, lines)
    for key in ("a", "b"):
        low, high = _range_in_line(shown, lines[0], key)
        assert low < high, (key, low, high)
    # One unit with 1, another with 5: "<5", "skjult" and the sum 6: "skjult" is 5 or more,
    # so "<5" is 1.
    shown = stats.suppress({"a": 1, "b": 5, "sum": 6}, [["a", "b", "sum"]])
    for key in ("a", "b"):
        low, high = _range_in_line(shown, ["a", "b", "sum"], key)
        assert low < high, (key, low, high)
    # still: nothing hidden when nothing is small, and no small count shown
    assert not any(c.hidden for c in stats.suppress({"a": 5, "b": 6, "sum": 11}, [["a", "b", "sum"]]).values())


def test_a_line_of_only_small_counts_does_not_give_each_away():
    # Four units with one passive log each: "<5" four times and a sum of "<5" told that
    # each was 1 (four counts of at least 1 make at most 4). A fifth unit with none is no
    # help while its 0 shows. Shown as "0–4" (the zero too), each could be none.
    for cells in ({"a": 1, "b": 1, "c": 1, "d": 1, "sum": 4}, {"a": 1, "b": 1, "c": 1, "d": 1, "e": 0, "sum": 4}):
        line = list(cells)
        shown = stats.suppress(cells, [line])
        for key in line:
            low, high = _range_in_line(shown, line, key)
            assert low < high, (key, low, high, {k: str(c) for k, c in shown.items()})
        assert {str(shown[k]) for k in line[:-1]} == {"0–4"}
        assert not any(0 < c.value < 5 and not c.hidden for c in shown.values())
    # where a part is not small, "<5" stays: 1, 1 and 10 of 12
    shown = stats.suppress({"a": 1, "b": 1, "c": 10, "sum": 12}, [["a", "b", "c", "sum"]])
    assert str(shown["a"]) == "<5" and not any(c.hidden == "few" for c in shown.values())


def _worked_out(cells: dict, lines: list[list], hidden: set) -> list:
    """The hidden cells whose value the published ones determine: each line says its last
    cell is the sum of the others; a hidden cell is worked out when the unit vector of it
    is a combination of the lines (exact arithmetic, Gauss-Jordan)."""
    from fractions import Fraction

    keys = sorted(hidden, key=repr)
    rows = []
    for line in lines:
        row = dict.fromkeys(keys, Fraction(0))
        for key in line[:-1]:
            if key in hidden:
                row[key] += 1
        if line[-1] in hidden:
            row[line[-1]] -= 1
        rows.append(row)
    pivots = []
    for key in keys:
        found = next((r for r in rows if all(r is not p for p in pivots) and r[key] != 0), None)
        if found is None:
            continue
        scale = found[key]
        for k in keys:
            found[k] /= scale
        for r in rows:
            if r is not found and r[key] != 0:
                factor = r[key]
                for k in keys:
                    r[k] -= factor * found[k]
        pivots.append(found)
    return [next(k for k in keys if r[k] != 0) for r in pivots if sum(1 for k in keys if r[k] != 0) == 1]


def test_no_hidden_level_can_be_worked_out_across_units_and_levels():
    # Six units' active logs per BTI level (the area's table and each unit's alone, with
    # their sums). Hiding so that no single sum has exactly one hidden cell is not enough:
    # unit 6's one level-1 log followed from the sums of units 1 and 5, level 3 and the
    # area's active total taken together.
    per_unit = {1: (0, 8, 2), 2: (12, 3, 0), 3: (6, 2, 8), 4: (6, 6, 0), 5: (0, 0, 3), 6: (1, 8, 5)}
    units = [stats.UnitCounts(Unit(id=i, name=f"Enhet {i}"), active=sum(c)) for i, c in per_unit.items()]
    months = {(2026, 1): dict.fromkeys(stats.MONTH_KEYS, 0)}
    data = {
        "units": units,
        "totals": stats.UnitCounts(None, active=sum(u.active for u in units)),
        "levels": {level: sum(c[level - 1] for c in per_unit.values()) for level in (1, 2, 3)},
        "months": months,
        "unit_levels": {i: {level: c[level - 1] for level in (1, 2, 3)} for i, c in per_unit.items()},
        "unit_months": {i: {m: dict(k) for m, k in months.items()} for i in per_unit},
    }
    cells, _lines, shown = _protected(data)
    # what is published: each unit's levels with its active count, the levels with the
    # area's, the active column with its sum
    lines = [[("unit_level", i, level) for level in (1, 2, 3)] + [("unit", i, "active")] for i in per_unit]
    lines += [[("unit_level", i, level) for i in per_unit] + [("level", level)] for level in (1, 2, 3)]
    lines += [[("level", level) for level in (1, 2, 3)] + [("total", "active")]]
    lines += [[("unit", i, "active") for i in per_unit] + [("total", "active")]]
    hidden = {key for key, count in shown.items() if count.hidden}
    assert hidden, "the small counts are hidden"
    assert _worked_out(cells, lines, hidden) == []
    assert not any(0 < c.value < 5 and not c.hidden for c in shown.values())


def test_protected_statistics_cannot_be_recomputed(db_conn):
    nord, sor = unit("Nordbyen skole"), unit("Sørbyen skole")
    raw = stats.statistics([nord, sor], local_today())
    shown = stats.protect(raw)
    for name in stats.COLUMNS:
        column = [getattr(row, name) for row in shown["units"]] + [getattr(shown["totals"], name)]
        assert sum(1 for c in column if c.hidden) != 1, name
    levels = list(shown["levels"].values())
    assert sum(1 for c in [*levels, shown["totals"].active] if c.hidden) != 1
    for count in [*levels, *(c for m in shown["months"].values() for c in m.values())]:
        assert count.value == 0 or count.value >= 5 or count.hidden


def _shown_table(html: str, heading_id: str) -> dict[str, list[str]]:
    """A statistics table as shown: its row heading and the cells of each row."""
    body = html.split(f'id="{heading_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = table_cells(row)
        rows[cells[0]] = cells[1:]
    return rows


def test_one_units_statistics_cannot_be_worked_out_from_the_areas(auth, db_conn):
    # Five months ago Nordbyen started six logs and Sørbyen two. The area shows eight,
    # Nordbyen alone six: if Sørbyen alone showed its two as "<5", 8 - 6 gave them away.
    logs = [a_log(name=f"Nordbarn {i} Testesen") for i in range(6)]
    logs += [a_log("kontaktlaerer", participants=(), name=f"Sørbarn {i} Testesen") for i in range(2)]
    started = utcnow() - dt.timedelta(days=150)
    Log.update(activated_at=started).where(Log.id.in_([log.id for log in logs])).execute()
    client = auth.persona("area_leader")
    area = user("omradeleder").area_id
    units = list(Unit.select().where(Unit.area == area, Unit.active == True))  # noqa: E712
    tables = {}
    for key in (None, *(u.id for u in units)):
        html = client.get("/statistikk" + (f"?enhet={key}" if key else "")).get_data(as_text=True)
        tables[key] = {name: _shown_table(html, name) for name in ("months-h", "levels-h")}
    for name, area_rows in tables[None].items():
        for row, area_cells in area_rows.items():
            for column, shown in enumerate(area_cells):
                if not shown.isdigit():
                    continue  # hidden for the area too: nothing to subtract from
                hidden = [u.name for u in units if not tables[u.id][name][row][column].isdigit()]
                assert len(hidden) != 1, (name, row, column, shown, hidden)
    # a unit leader's own unit by ?enhet= is their own statistics, as before
    own = user("enhetsleder").unit_id
    assert auth.persona("unit_leader").get(f"/statistikk?enhet={own}").status_code == 200


@pytest.mark.parametrize("per_unit", [{1: (1, 3, 0), 2: (1, 2, 0)}, {1: (1, 1, 0), 2: (1, 1, 0)}])
def test_no_hidden_level_can_be_narrowed_down_across_units_and_levels(per_unit):
    # Two units' active logs per BTI level. Unit 1 has 1, 3 and 0, unit 2 has 1, 2 and 0:
    # the units' active counts 4 and 3 were "<5" and the area's 7 shown, so each was 3
    # or 4; level 2 (5) was hidden for the sum's sake, but with at least 5 of 7 there,
    # level 1 was at most 2 and at least 2 ("<5" twice), so each unit's one level-1 log
    # followed. No single line, and no sum of lines, tells it: their bounds together do.
    # With 1, 1 and 0 each, every count "<5": each unit at least 2, the area at most 4.
    import itertools

    units = [stats.UnitCounts(Unit(id=i, name=f"Enhet {i}"), active=sum(c)) for i, c in per_unit.items()]
    months = {(2026, 1): dict.fromkeys(stats.MONTH_KEYS, 0)}
    data = {
        "units": units,
        "totals": stats.UnitCounts(None, active=sum(u.active for u in units)),
        "levels": {level: sum(c[level - 1] for c in per_unit.values()) for level in (1, 2, 3)},
        "months": months,
        "unit_levels": {i: {level: c[level - 1] for level in (1, 2, 3)} for i, c in per_unit.items()},
        "unit_months": {i: {m: dict(k) for m, k in months.items()} for i in per_unit},
    }
    shown = stats.protect(data)

    def possible(count) -> range:
        return {"": range(count.value, count.value + 1), "small": range(1, 5), "few": range(5), "sum": range(5, 30)}[
            count.hidden
        ]

    # every table of levels per unit that gives what is published
    fits = []
    for values in itertools.product(
        *(possible(shown["unit_levels"][i][level]) for i in per_unit for level in (1, 2, 3))
    ):
        table = {i: values[3 * n : 3 * n + 3] for n, i in enumerate(per_unit)}
        actives = {i: sum(table[i]) for i in per_unit}
        levels = {level: sum(table[i][level - 1] for i in per_unit) for level in (1, 2, 3)}
        if (
            all(sum(table[i]) in possible(row.active) for i, row in zip(per_unit, shown["units"], strict=True))
            and all(levels[level] in possible(shown["levels"][level]) for level in levels)
            and sum(actives.values()) in possible(shown["totals"].active)
        ):
            fits.append(table)
    for n, i in enumerate(per_unit):
        for level in (1, 2, 3):
            if shown["unit_levels"][i][level].hidden:
                assert len({table[i][level - 1] for table in fits}) > 1, (i, level)


def test_counts_that_do_not_add_up_are_still_protected_and_end():
    # The counting queries read a moment apart: a log activated between them leaves a
    # unit's levels adding up to more than its active count. The bounds a reader could
    # narrow must not climb without end then (the page would never come).
    import signal

    def too_long(*_args):
        raise TimeoutError

    cells = {"l1": 6, "l2": 3, "active": 15, "all_l1": 13, "all_l2": 10, "all": 16}
    lines = [["l1", "l2", "active"], ["l1", "all_l1"], ["l2", "all_l2"], ["active", "all"], ["all_l1", "all_l2", "all"]]
    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(5)
    try:
        shown = stats.suppress(cells, lines)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert not any(0 < c.value < 5 and not c.hidden for c in shown.values())


def _possible_values(cells: dict, lines: list[list], shown: dict, key) -> set:
    """Every value ``key`` can have in a table of whole numbers that gives what is
    published (visible cells as they are, "<5" 1–4, "0–4" 0–4, "skjult" 5 or more, every
    line its sum): an exact search, interval narrowing and branching on the narrowest
    hidden cell. The reader's whole knowledge; small tables only."""
    ceiling = sum(cells.values())
    ranges = {"": None, "small": (1, 4), "few": (0, 4), "sum": (5, ceiling)}
    start = {k: ranges[shown[k].hidden] or (cells[k], cells[k]) for line in lines for k in line}

    def narrow(known: dict) -> dict | None:
        changed = True
        while changed:
            changed = False
            for line in lines:
                parts, total = line[:-1], line[-1]
                for k in line:
                    if k == total:
                        least, most = sum(known[p][0] for p in parts), sum(known[p][1] for p in parts)
                    else:
                        least = known[total][0] - sum(known[p][1] for p in parts if p != k)
                        most = known[total][1] - sum(known[p][0] for p in parts if p != k)
                    low, high = max(known[k][0], least), min(known[k][1], most)
                    if low > high:
                        return None
                    if (low, high) != known[k]:
                        known[k], changed = (low, high), True
        return known

    def feasible(known: dict) -> bool:
        known = narrow(dict(known))
        if known is None:
            return False
        open_ = [k for k, (low, high) in known.items() if low < high]
        if not open_:
            return True
        k = min(open_, key=lambda c: known[c][1] - known[c][0])
        return any(feasible({**known, k: (v, v)}) for v in range(known[k][0], known[k][1] + 1))

    low, high = start[key]
    return {v for v in range(low, min(high, ceiling) + 1) if feasible({**start, key: (v, v)})}


def _protected(data: dict) -> tuple[dict, list, dict]:
    seen = {}
    real_suppress = stats.suppress

    def spy(cells, lines):
        seen.update(cells=cells, lines=lines, shown=real_suppress(cells, lines))
        return seen["shown"]

    stats.suppress = spy
    try:
        stats.protect(data)
    finally:
        stats.suppress = real_suppress
    return seen["cells"], seen["lines"], seen["shown"]


def _an_area(per_unit: dict, columns: dict) -> dict:
    """An area's statistics: each unit's active logs per BTI level and its other columns."""
    units = [
        stats.UnitCounts(Unit(id=i, name=f"Enhet {i}"), active=sum(levels), **columns[i])
        for i, levels in per_unit.items()
    ]
    return {
        "units": units,
        "totals": stats.UnitCounts(None, **{c: sum(getattr(u, c) for u in units) for c in stats.COLUMNS}),
        "levels": {level: sum(c[level - 1] for c in per_unit.values()) for level in (1, 2, 3)},
        "months": {},
        "unit_levels": {i: {level: c[level - 1] for level in (1, 2, 3)} for i, c in per_unit.items()},
        "unit_months": {i: {} for i in per_unit},
    }


def test_a_hidden_count_cannot_be_pinned_down_by_combining_lines_and_bounds():
    # Four units (found by a review with an exact solver): unit 1's level-2 count, 4, was
    # shown as "<5", and though no line alone and no sum of lines gave it away, the
    # published numbers together allowed only 4: each line's sum, with the other hidden
    # cells' bounds ("<5" 1 to 4, "skjult" at least 5), left no other table.
    per_unit = {1: (3, 4, 12), 2: (12, 0, 1), 3: (5, 7, 0), 4: (5, 3, 1)}
    columns = {
        1: {"closed": 8, "passive": 0, "handovers": 6, "overdue": 2},
        2: {"closed": 0, "passive": 4, "handovers": 6, "overdue": 2},
        3: {"closed": 11, "passive": 2, "handovers": 0, "overdue": 2},
        4: {"closed": 5, "passive": 1, "handovers": 0, "overdue": 1},
    }
    cells, lines, shown = _protected(_an_area(per_unit, columns))
    for key, count in shown.items():
        if count.hidden:
            assert len(_possible_values(cells, lines, shown, key)) > 1, (key, count.value)
    assert not any(0 < c.value < 5 and not c.hidden for c in shown.values())


def test_no_hidden_count_of_a_small_area_is_pinned_down():
    """Random small areas (2 to 4 units, counts as small as a real area's): every hidden
    count can be at least two values given everything published (an exact search)."""
    draw = random.Random(17)
    for _ in range(40):
        ids = range(1, draw.randint(2, 4) + 1)
        per_unit = {i: tuple(draw.choice((0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12)) for _ in range(3)) for i in ids}
        columns = {i: {c: draw.choice((0, 0, 1, 2, 3, 4, 5, 6, 8, 11)) for c in stats.COLUMNS[1:]} for i in ids}
        cells, lines, shown = _protected(_an_area(per_unit, columns))
        for key, count in shown.items():
            if count.hidden:
                assert len(_possible_values(cells, lines, shown, key)) > 1, (per_unit, columns, key)


def test_the_june_review_saved_from_an_older_page_erases_nothing(auth, db_conn):
    """Finding: KE's save of a unit's June review wrote every field from the form (blank
    where the form sent none) with no version: the unit's contact person, named by its
    leader after KE read the page, was erased; a post with the status alone wiped KE's
    contact and the note; a note of any length was stored. Now: a save from a page read
    before another's is refused (409) and says what is saved now, keeping what KE typed;
    a field not sent stays; the note has a limit (422, kept, nothing stored)."""
    nord = unit("Nordbyen skole")
    year = 2026
    ke = auth.persona("coordinating_unit")
    page = ke.get(f"/ke/avstemming/{year}/enhet/{nord.id}").get_data(as_text=True)
    read_at = re.search(rf'name="unit" value="{nord.id}">\s*<input type="hidden" name="version" value="(\d+)"', page)
    assert read_at and read_at.group(1) == "0"
    leader = auth.login_as("enhetsleder")
    saved = leader.post(
        f"/enheter/{nord.id}/oversikt/{year}/gjennomgang", data={"unit_contact_name": "Rektor Rita", "version": 0}
    )
    assert saved.status_code == 303

    ke = auth.persona("coordinating_unit")
    mine = {"unit": nord.id, "status": "reviewed", "ke_contact_name": "KE Kari", "unit_contact_name": "", "note": "Ok"}
    response = ke.post(f"/ke/avstemming/{year}", data={**mine, "version": read_at.group(1)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "Rektor Rita" in text and 'value="KE Kari"' in text
    rec = Reconciliation.get(Reconciliation.unit == nord, Reconciliation.school_year == year)
    assert (rec.unit_contact_name, rec.ke_contact_name, rec.status) == ("Rektor Rita", "", "not_started")

    current = {"unit": nord.id, "version": rec.version}
    assert (
        ke.post(
            f"/ke/avstemming/{year}", data={**current, "status": "reviewed", "ke_contact_name": "KE Kari", "note": "Ok"}
        ).status_code
        == 303
    )
    rec = Reconciliation.get_by_id(rec.id)
    assert (rec.unit_contact_name, rec.ke_contact_name, rec.note) == ("Rektor Rita", "KE Kari", "Ok")
    only_status = {"unit": nord.id, "version": rec.version, "status": "not_started"}
    assert ke.post(f"/ke/avstemming/{year}", data=only_status).status_code == 303
    rec = Reconciliation.get_by_id(rec.id)
    assert (rec.ke_contact_name, rec.note, rec.status) == ("KE Kari", "Ok", "not_started")

    long = "x" * 2001
    response = ke.post(f"/ke/avstemming/{year}", data={**only_status, "version": rec.version, "note": long})
    assert response.status_code == 422 and "høyst 2000 tegn" in response.get_data(as_text=True)
    assert long in response.get_data(as_text=True)  # what was typed, shown again
    assert Reconciliation.get_by_id(rec.id).note == "Ok"
    # a version no page gave, for a unit with no row yet: refused as stale, not a crash
    sor = unit("Sørbyen skole")
    made_up = ke.post(f"/ke/avstemming/{year}", data={"unit": sor.id, "version": "7", "status": "reviewed"})
    assert made_up.status_code == 409
    assert not Reconciliation.select().where(Reconciliation.unit == sor, Reconciliation.school_year == year).exists()


def test_a_june_review_save_without_a_version_or_from_an_older_unit_page_erases_nothing(auth, db_conn):
    """Finding: a save that named no version (a replayed request) skipped the check and
    overwrote a newer one; the unit's contact-person form carried no version, so the
    leader's page read before KE's save silently replaced KE's value. Now both are
    refused (409), say what is saved now, and keep what was typed."""
    nord = unit("Nordbyen skole")
    year = 2026
    ke = auth.persona("coordinating_unit")
    saved = {"unit": nord.id, "version": 0, "status": "reviewed", "note": "Gjennomgått med rektor"}
    assert ke.post(f"/ke/avstemming/{year}", data=saved).status_code == 303
    replayed = ke.post(f"/ke/avstemming/{year}", data={"unit": nord.id, "status": "not_started", "note": ""})
    assert replayed.status_code == 409 and "Gjennomgått med rektor" in replayed.get_data(as_text=True)
    rec = Reconciliation.get(Reconciliation.unit == nord, Reconciliation.school_year == year)
    assert (rec.status, rec.note, rec.version) == ("reviewed", "Gjennomgått med rektor", 1)

    leader = auth.login_as("enhetsleder")
    page = leader.get(f"/enheter/{nord.id}/oversikt/{year}").get_data(as_text=True)
    read_at = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert read_at == "1"
    ke = auth.persona("coordinating_unit")
    newer = {"unit": nord.id, "version": 1, "status": "reviewed", "unit_contact_name": "Rektor Rita (avtalt med KE)"}
    assert ke.post(f"/ke/avstemming/{year}", data=newer).status_code == 303
    leader = auth.login_as("enhetsleder")
    older = {"unit_contact_name": "Gammel Navn", "version": read_at}
    response = leader.post(f"/enheter/{nord.id}/oversikt/{year}/gjennomgang", data=older)
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "Rektor Rita (avtalt med KE)" in text and 'value="Gammel Navn"' in text
    assert Reconciliation.get_by_id(rec.id).unit_contact_name == "Rektor Rita (avtalt med KE)"
    no_version = leader.post(f"/enheter/{nord.id}/oversikt/{year}/gjennomgang", data={"unit_contact_name": "X"})
    assert no_version.status_code == 409
    assert Reconciliation.get_by_id(rec.id).unit_contact_name == "Rektor Rita (avtalt med KE)"


def test_ke_reviews_only_the_units_it_lists(auth, db_conn):
    """The units KE reviews with are said once (active schools and kindergartens): the
    save refuses a unit the page does not list, a deactivated school too."""
    nord = unit("Nordbyen skole")
    Unit.update(active=False).where(Unit.id == nord.id).execute()
    ke = auth.persona("coordinating_unit")
    assert f"/enhet/{nord.id}" not in ke.get("/ke/avstemming/2026").get_data(as_text=True)
    response = ke.post("/ke/avstemming/2026", data={"unit": nord.id, "version": 0, "status": "reviewed"})
    assert response.status_code == 422
    assert not Reconciliation.select().where(Reconciliation.unit == nord).exists()
    for unit_id in (str(10**30), "", "x", "-1"):
        assert ke.post("/ke/avstemming/2026", data={"unit": unit_id, "status": "reviewed"}).status_code == 422
