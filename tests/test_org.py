"""Organisation (seed 001): area leaders create units and appoint unit leaders; unit
leaders add and deactivate the staff of their own unit."""

import pytest

from stafettlogg import audit
from stafettlogg.models import Area, AuditEvent, Log, LogStatus, MailStatus, OutboxEmail, Unit, User
from tests.conftest import Auth, fails, hourly_mails, user

pytestmark = pytest.mark.db


def unit_named(name):
    return Unit.get(Unit.name == name)


def test_area_leader_creates_unit_in_own_area(auth, db_conn):
    c = auth.persona("area_leader")
    r = c.post("/enheter", data={"name": "Vestbyen barnehage", "kind": "barnehage"})
    assert r.status_code == 303
    unit = unit_named("Vestbyen barnehage")
    assert unit.area.name == "Oppvekst" and unit.kind == "barnehage"
    assert "Vestbyen barnehage" in c.get(r.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "kind": "skole"}, "Skriv navnet på enheten."),
        ({"name": "Ny skole", "kind": "slott"}, "Velg hva slags enhet det er."),
        ({"name": "Nordbyen skole", "kind": "skole"}, "finnes allerede"),
        # the same name but for case or spacing: two lines no one tells apart in a list of units
        ({"name": "nordbyen skole", "kind": "skole"}, "finnes allerede"),
        ({"name": " NORDBYEN   Skole", "kind": "skole"}, "finnes allerede"),
        ({"name": "SØRBYEN SKOLE", "kind": "skole"}, "finnes allerede"),
    ],
)
def test_unit_bad_input_keeps_text_and_stores_nothing(auth, db_conn, form, message):
    before = Unit.select().count()
    r = auth.persona("area_leader").post("/enheter", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert f'value="{form["name"]}"' in html
    assert Unit.select().count() == before


@pytest.mark.parametrize("persona", ["holder", "unit_leader", "guardian", "coordinating_unit", "admin"])
def test_only_area_leaders_create_units(auth, db_conn, persona):
    before = Unit.select().count()
    r = auth.persona(persona).post("/enheter", data={"name": "Smugskolen", "kind": "skole"})
    assert r.status_code == 403
    assert Unit.select().count() == before


def test_area_leader_appoints_unit_leader_with_temporary_password(auth, app, db_conn):
    unit = unit_named("Sørbyen skole")
    c = auth.persona("area_leader")
    r = c.post(
        f"/enheter/{unit.id}/enhetsleder",
        data={"leader_name": "Nina Nyleder", "leader_username": "nina.nyleder", "leader_email": "nina@demo.no"},
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "nina.nyleder" in html and "Midlertidig passord" in html
    nina = user("nina.nyleder")
    assert nina.role == "unit_leader" and nina.unit_id == unit.id and nina.must_change_password
    import re

    password = re.search(r"Midlertidig passord</dt><dd><code>([^<]+)</code>", html).group(1)
    fresh = app.test_client()
    r = fresh.post("/login", data={"username": "nina.nyleder", "password": password})
    assert r.status_code == 302
    assert fresh.get("/").headers["Location"] == "/konto/passord"


def test_area_leader_cannot_manage_units_of_another_area(auth, db_conn):
    health = Unit.get(Unit.name == "Helsestasjonen sentrum")
    c = auth.persona("area_leader")
    assert c.get(f"/enheter/{health.id}").status_code == 403
    r = c.post(f"/enheter/{health.id}/enhetsleder", data={"leader_name": "X", "leader_username": "x.x"})
    assert r.status_code == 403
    assert not User.select().where(User.username == "x.x").exists()


def test_unit_leader_adds_staff(auth, db_conn):
    unit = unit_named("Nordbyen skole")
    c = auth.persona("unit_leader")
    r = c.post(
        f"/enheter/{unit.id}/ansatte",
        data=dict(name="Ola Ny", job_title="Kontaktlærer", username="ola.ny", email="ola@demo.no", phone="123"),
    )
    assert r.status_code == 200
    ola = user("ola.ny")
    assert (ola.unit_id, ola.role, ola.job_title, ola.email, ola.phone) == (
        unit.id,
        "staff",
        "Kontaktlærer",
        "ola@demo.no",
        "123",
    )
    assert AuditEvent.select().where(AuditEvent.action == "staff_added", AuditEvent.object_id == ola.id).exists()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"name": "", "job_title": "Lærer", "username": "a.b"}, "name", "Skriv navnet."),
        ({"name": "A B", "job_title": "", "username": "a.b"}, "job_title", "Skriv stillingen"),
        ({"name": "A B", "job_title": "Lærer", "username": "Store Bokstaver"}, "username", "Brukernavnet kan bare"),
        ({"name": "A B", "job_title": "Lærer", "username": "larer"}, "username", "allerede i bruk"),
        ({"name": "A B", "job_title": "Lærer", "username": "a.b", "email": "ikke-epost"}, "email", "E-postadressen"),
        # a line break would write its own lines into a calendar file or a mail's headers
        (
            {"name": "A B", "job_title": "Lærer", "username": "a.b", "email": "a@b.no\r\nX: y"},
            "email",
            "E-postadressen",
        ),
        ({"name": "A B", "job_title": "Lærer", "username": "a.b", "email": "a b@demo.no"}, "email", "E-postadressen"),
        ({"name": "A B", "job_title": "Lærer", "username": "a.b", "email": "a@demo"}, "email", "E-postadressen"),
    ],
)
def test_add_staff_bad_input(auth, db_conn, form, field, message):
    unit = unit_named("Nordbyen skole")
    before = User.select().count()
    r = auth.persona("unit_leader").post(f"/enheter/{unit.id}/ansatte", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html
    assert f'value="{form["name"]}"' in html
    assert User.select().count() == before


def test_unit_leader_cannot_manage_another_units_staff(auth, db_conn):
    sor = unit_named("Sørbyen skole")
    jonas = user("kontaktlaerer")
    c = auth.persona("unit_leader")
    assert (
        c.post(f"/enheter/{sor.id}/ansatte", data={"name": "X", "job_title": "Y", "username": "x.y"}).status_code == 403
    )
    assert c.post(f"/ansatte/{jonas.id}/deaktiver").status_code == 403
    assert c.post(f"/ansatte/{jonas.id}", data={"name": "Hacked", "job_title": "Y"}).status_code == 403
    assert user("kontaktlaerer").active and user("kontaktlaerer").name == "Jonas Berg"


def test_staff_cannot_add_staff(auth, db_conn):
    unit = unit_named("Nordbyen skole")
    r = auth.persona("holder").post(
        f"/enheter/{unit.id}/ansatte", data={"name": "X", "job_title": "Y", "username": "x.y"}
    )
    assert r.status_code == 403


def test_unit_leader_edits_staff_and_extra_fields_change_nothing(auth, db_conn):
    mari = user("larer")
    profile = dict(name="Mari Lund-Hansen", job_title="Spesialpedagog", email="mari@demo.no", phone="")
    # fields the form does not have: another role, another unit, deactivated
    sneaked_in = dict(role="admin", unit_id=str(unit_named("Sørbyen skole").id), active="0")
    r = auth.persona("unit_leader").post(f"/ansatte/{mari.id}", data=profile | sneaked_in)
    assert r.status_code == 303
    mari = user("larer")
    assert mari.name == "Mari Lund-Hansen" and mari.role == "staff" and mari.active
    assert mari.unit.name == "Nordbyen skole"


def test_deactivation_ends_access_at_once(app, auth, db_conn):
    mari_client = app.test_client()
    mari_client.post("/login", data={"username": "larer", "password": "demo-passord"})
    assert mari_client.get("/").status_code == 200
    mari = user("larer")
    r = auth.persona("unit_leader").post(f"/ansatte/{mari.id}/deaktiver")
    assert r.status_code == 303
    assert not user("larer").active
    assert mari_client.get("/").status_code in (302, 303)
    assert app.test_client().post("/login", data={"username": "larer", "password": "demo-passord"}).status_code == 422


def test_deactivating_a_holder_of_active_logs_is_refused_with_the_list(auth, db_conn):
    kari = user("stafettholder")
    r = auth.persona("unit_leader").post(f"/ansatte/{kari.id}/deaktiver")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Velg ny stafettholder først" in html
    held = Log.select().where(Log.holder == kari, Log.status.in_([LogStatus.ACTIVE, LogStatus.DRAFT])).count()
    assert html.count("Stafettlogg nr.") == held
    assert user("stafettholder").active


def test_reactivate(auth, db_conn):
    mari = user("larer")
    c = auth.persona("unit_leader")
    c.post(f"/ansatte/{mari.id}/deaktiver")
    assert c.post(f"/ansatte/{mari.id}/aktiver").status_code == 303
    assert user("larer").active


def test_admin_creates_area_and_area_leader(auth, db_conn):
    c = auth.persona("admin")
    assert c.post("/omrader", data={"name": "Kultur"}).status_code == 303
    area = Area.get(Area.name == "Kultur")
    r = c.post(
        "/omrader/leder", data={"leader_area_id": area.id, "leader_name": "Kim Kultur", "leader_username": "kim.kultur"}
    )
    assert r.status_code == 200
    kim = user("kim.kultur")
    assert kim.role == "area_leader" and kim.area_id == area.id
    # the root of who may do what is audited as every appointment below it (it was not)
    admin = user("admin")
    created = AuditEvent.get(AuditEvent.action == "area_created", AuditEvent.object_id == area.id)
    appointed = AuditEvent.get(AuditEvent.action == "area_leader_appointed", AuditEvent.object_id == kim.id)
    assert created.user_id == appointed.user_id == admin.id and created.object_type == "area"


def test_deactivating_twice_writes_once(auth, db_conn):
    """A second click (or a second tab) on «Deaktiver» for someone already deactivated
    is refused (409) and writes nothing: the audit keeps one deactivation, and its time."""
    mari = user("larer")
    c = auth.persona("unit_leader")
    assert c.post(f"/ansatte/{mari.id}/deaktiver").status_code == 303
    when = user("larer").deactivated_at
    r = c.post(f"/ansatte/{mari.id}/deaktiver")
    assert r.status_code == 409 and "er allerede deaktivert" in r.get_data(as_text=True)
    assert user("larer").deactivated_at == when
    assert (
        AuditEvent.select().where(AuditEvent.action == "staff_deactivated", AuditEvent.object_id == mari.id).count()
        == 1
    )


@pytest.mark.parametrize("name", ["oppvekst", "OPPVEKST", "Helse  og velferd", "HELSE OG VELFERD"])
def test_an_area_named_as_another_but_for_case_or_spacing_is_refused(auth, db_conn, name):
    before = Area.select().count()
    r = auth.persona("admin").post("/omrader", data={"name": name})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Det finnes allerede et område med dette navnet." in html and f'value="{name}"' in html
    assert Area.select().count() == before


def test_a_new_units_name_is_kept_with_single_spaces(auth, db_conn):
    assert (
        auth.persona("area_leader").post("/enheter", data={"name": " Østbyen   skole ", "kind": "skole"}).status_code
        == 303
    )
    assert Unit.get(Unit.name == "Østbyen skole").kind == "skole"


def test_area_bad_input(auth, db_conn):
    c = auth.persona("admin")
    r = c.post("/omrader", data={"name": "Oppvekst"})
    assert r.status_code == 422 and "finnes allerede" in r.get_data(as_text=True)
    r = c.post("/omrader/leder", data={"leader_area_id": "999", "leader_name": "Kim", "leader_username": "kim"})
    assert r.status_code == 422 and "Velg et område." in r.get_data(as_text=True)


LONG = "Å" * 201  # one more than the columns of names and job titles hold


@pytest.mark.parametrize(
    ("persona", "path", "form", "field", "label"),
    [
        (
            "unit_leader",
            "/enheter/{nord}/ansatte",
            {"name": LONG, "job_title": "Lærer", "username": "a.b"},
            "name",
            "Fullt navn",
        ),
        (
            "unit_leader",
            "/enheter/{nord}/ansatte",
            {"name": "A B", "job_title": LONG, "username": "a.b"},
            "job_title",
            "Stilling",
        ),
        (
            "unit_leader",
            "/enheter/{nord}/ansatte",
            {"name": "A B", "job_title": "Lærer", "username": "a.b", "phone": "9" * 41},
            "phone",
            "Telefon",
        ),
        ("unit_leader", "/ansatte/{larer}", {"name": LONG, "job_title": "Lærer"}, "name", "Fullt navn"),
        (
            "unit_leader",
            "/ansatte/{larer}",
            {"name": "A B", "job_title": "Lærer", "phone": "9" * 41},
            "phone",
            "Telefon",
        ),
        (
            "area_leader",
            "/enheter/{nord}/enhetsleder",
            {"leader_name": "A B", "leader_username": "a.b", "leader_job_title": LONG},
            "leader_job_title",
            "Stilling",
        ),
        (
            "admin",
            "/omrader/leder",
            {"leader_area_id": "1", "leader_name": LONG, "leader_username": "a.b"},
            "leader_name",
            "Fullt navn",
        ),
        ("area_leader", "/enheter", {"name": LONG, "kind": "skole"}, "name", "Navn"),
        ("admin", "/omrader", {"name": LONG}, "name", "Navn på området"),
    ],
)
def test_too_long_input_is_refused_with_the_limit_and_stores_nothing(auth, db_conn, persona, path, form, field, label):
    """A name, job title or phone number longer than its column holds is refused with a
    message naming the field and the limit, the text kept in the form, and nothing is
    stored (it was stored whole on SQLite, and failed the request with an error on
    PostgreSQL)."""
    larer = user("larer")
    path = path.format(nord=unit_named("Nordbyen skole").id, larer=larer.id)
    before = (User.select().count(), Unit.select().count(), Area.select().count(), larer.name, larer.phone)
    r = auth.persona(persona).post(path, data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    limit = 40 if field.endswith("phone") else 200
    assert f"«{label}» kan ha høyst {limit} tegn." in html
    assert f'value="{form[field]}"' in html
    larer = user("larer")
    assert (User.select().count(), Unit.select().count(), Area.select().count(), larer.name, larer.phone) == before


@pytest.mark.parametrize(
    ("persona", "path", "form"),
    [
        ("unit_leader", "/enheter/{nord}/ansatte", {"name": "Nina Ny", "job_title": "Lærer", "username": "nina.ny"}),
        ("area_leader", "/enheter/{nord}/enhetsleder", {"leader_name": "Nina Ny", "leader_username": "nina.ny"}),
        ("admin", "/omrader/leder", {"leader_area_id": "1", "leader_name": "Nina Ny", "leader_username": "nina.ny"}),
    ],
)
def test_an_account_whose_appointment_cannot_be_audited_is_not_created(
    app, auth, db_conn, monkeypatch, persona, path, form
):
    """The account and the audit event of who appointed it are one write: when the event
    cannot be written the request fails and there is no account (there was one, able to
    sign in, that no audit event named, and «Brukernavnet er allerede i bruk» on a retry)."""
    client = auth.persona(persona)
    fails(monkeypatch, app, audit, "record", RuntimeError("audit table unavailable"))
    r = client.post(path.format(nord=unit_named("Nordbyen skole").id), data=form)
    assert r.status_code == 500
    assert not User.select().where(User.username == "nina.ny").exists()


def test_the_admin_deactivates_an_area_leader_who_leaves(app, auth, db_conn):
    """An area leader who left kept every right (creating units, appointing unit leaders,
    the unit pages): no page could deactivate them. The admin does it from the areas page;
    their running session ends at the next request, and the admin can open it again."""
    leader_client = Auth(app, app.test_client()).login_as("omradeleder")
    assert leader_client.get("/enheter").status_code == 200
    leader = user("omradeleder")
    admin = auth.persona("admin")
    assert f"/omrader/ledere/{leader.id}/deaktiver" in admin.get("/omrader").get_data(as_text=True)
    r = admin.post(f"/omrader/ledere/{leader.id}/deaktiver")
    assert r.status_code == 303
    assert not user("omradeleder").active
    assert leader_client.get("/enheter").status_code in (302, 303)
    event = AuditEvent.get(AuditEvent.action == "staff_deactivated", AuditEvent.object_id == leader.id)
    assert event.user_id == user("admin").id
    again = admin.post(f"/omrader/ledere/{leader.id}/deaktiver")
    assert again.status_code == 409 and "er allerede deaktivert" in again.get_data(as_text=True)
    assert admin.post(f"/omrader/ledere/{leader.id}/aktiver").status_code == 303
    assert user("omradeleder").active


@pytest.mark.parametrize("persona", ["area_leader", "unit_leader", "same_unit_staff", "guardian", "anonymous"])
def test_only_the_admin_deactivates_an_area_leader(auth, db_conn, persona):
    other = user("omradeleder2")
    r = auth.persona(persona).post(f"/omrader/ledere/{other.id}/deaktiver")
    assert r.status_code in (302, 303, 403)
    assert user("omradeleder2").active


@pytest.mark.parametrize("username", ["larer", "enhetsleder", "admin", "foresatt"])
def test_the_area_leader_route_deactivates_no_other_account(auth, db_conn, username):
    someone = user(username)
    assert auth.persona("admin").post(f"/omrader/ledere/{someone.id}/deaktiver").status_code == 404
    assert user(username).active


def test_a_mail_put_back_in_the_queue_is_audited_in_the_same_write(app, auth, db_conn, monkeypatch):
    """«Prøv å sende igjen» queued the e-mail and then wrote its audit event on its own: an
    event that could not be written left the e-mail queued again with no event naming who
    did it. Now the two are one write."""
    hourly_mails(3, failed=1)
    mail = OutboxEmail.get(OutboxEmail.status == MailStatus.FAILED)
    admin = auth.persona("admin")
    with monkeypatch.context() as patched:
        fails(patched, app, audit, "record", RuntimeError("audit table unavailable"))
        assert admin.post(f"/admin/utboks/{mail.id}/prov-igjen").status_code == 500
    assert OutboxEmail.get_by_id(mail.id).status == MailStatus.FAILED
    assert admin.post(f"/admin/utboks/{mail.id}/prov-igjen").status_code == 303
    event = AuditEvent.get(AuditEvent.action == "mail_retried")
    assert (event.object_id, event.user_id) == (mail.id, user("admin").id)
