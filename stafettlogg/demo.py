"""The demo municipality that `make run` seeds on first start (demo mode only)."""

import datetime as dt
import io

from stafettlogg.dates import local_today, school_year_of
from stafettlogg.db import write_transaction
from stafettlogg.guardians.domain import add_youth
from stafettlogg.handover.domain import propose_handover
from stafettlogg.logs import domain, sections
from stafettlogg.logs.national_id import with_control_digits
from stafettlogg.models import (
    CoordinatorRecord,
    ExternalCoordination,
    Guardian,
    ItoDelegation,
    Log,
    LogStatus,
    Participant,
    Role,
    Unit,
    User,
    utcnow,
)
from stafettlogg.org.domain import create_area, create_user

# Synthetic, valid fødselsnummer for signing in with the demo OpenID provider (README).
DEMO_MOTHER_PID = "12078510062"  # Fatima Hansen, Emma's mother ("foresatt")
DEMO_YOUTH_PID = "22040950587"  # Sara Ahmadi, 17, with her own access to her log

PASSWORD = "demo-passord"  # noqa: S105 - the documented demo password (README)


def consent_pdf() -> bytes:
    """A small, valid one-page PDF standing in for a scanned consent."""
    body = b"BT /F1 18 Tf 72 720 Td (Samtykke til stafettlogg - signert) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


class _Upload:
    """The shape of an uploaded file (werkzeug FileStorage) for seeding."""

    def __init__(self, data: bytes, filename: str):
        self._data = io.BytesIO(data)
        self.filename = filename

    def read(self, size=-1):
        return self._data.read(size)


def _user(role, username, name, **details):
    """A demo account (unit, area, job_title, phone, email as create_user takes them)."""
    identity = demo_staff_identity(username, details.get("email", "")) if role != Role.GUARDIAN else ""
    user, _pw = create_user(role, username, name, password=PASSWORD, login_identity=identity, **details)
    return user


def demo_staff_identity(username: str, email: str = "") -> str:
    """The identity a demo staff member signs in with at the demo provider (README)."""
    return email or f"{username}@demo.kommune.no"


def form_values(**values):
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in values.items()}


def make_log(by, name, birth, nid9, kind, level, group, concern, guardians, consent=True, services=()):
    """A log made as a holder makes one: the form, then (with consent) the signed consent
    uploaded 40 days ago and valid for 300 more. The demo and the tests' factories use it."""
    today = local_today()
    nid = with_control_digits(nid9) if nid9 else None
    log = domain.create_log(
        by,
        kind=kind,
        name=name,
        birth_date=birth,
        national_id=nid,
        unit=by.unit,
        class_group=group,
        level=level,
        concern_title=concern,
        concern_body="",
        guardians=guardians,
    )
    if consent:
        domain.upload_consent(
            by,
            log,
            _Upload(consent_pdf(), "samtykke.pdf"),
            given_by="guardian",
            given_by_name=guardians[0]["name"],
            relation=guardians[0]["relation"],
            consent_date=today - dt.timedelta(days=40),
            expires_on=today + dt.timedelta(days=300),
            services=list(services),
            max_bytes=10 * 1024 * 1024,
            consent_age=16,
        )
    return Log.get_by_id(log.id)


def seed() -> None:
    today = local_today()
    with write_transaction():
        oppvekst = create_area("Oppvekst")
        helse = create_area("Helse og velferd")
        units = {
            key: Unit.create(area=area, name=name, kind=kind)
            for key, area, name, kind in (
                ("bhg", oppvekst, "Solsiden barnehage", "barnehage"),
                ("nord", oppvekst, "Nordbyen skole", "skole"),
                ("sor", oppvekst, "Sørbyen skole", "skole"),
                ("hs", helse, "Helsestasjonen sentrum", "helsestasjon"),
                ("ppt", oppvekst, "PPT Midt", "ppt"),
                ("ke", helse, "Koordinerende enhet", "annet"),
            )
        }
        _user(Role.ADMIN, "admin", "Siri Systemansvarlig", job_title="Systemansvarlig")
        _user(
            Role.AREA_LEADER,
            "omradeleder",
            "Ole Områdeleder",
            area=oppvekst,
            job_title="Kommunalsjef oppvekst",
            email="ole.omradeleder@demo.kommune.no",
        )
        _user(Role.AREA_LEADER, "omradeleder2", "Hanne Helseleder", area=helse, job_title="Kommunalsjef helse")
        _user(
            Role.UNIT_LEADER,
            "enhetsleder",
            "Eva Enhetsleder",
            unit=units["nord"],
            job_title="Rektor",
            phone="900 11 111",
            email="eva.enhetsleder@demo.kommune.no",
        )
        _user(Role.UNIT_LEADER, "enhetsleder2", "Sverre Sørby", unit=units["sor"], job_title="Rektor")
        _user(Role.UNIT_LEADER, "styrer", "Berit Barnehagestyrer", unit=units["bhg"], job_title="Styrer")
        holder = _user(
            Role.STAFF,
            "stafettholder",
            "Kari Ottesen",
            unit=units["nord"],
            job_title="Kontaktlærer",
            phone="900 22 222",
            email="kari.ottesen@demo.kommune.no",
        )
        nurse = _user(
            Role.STAFF,
            "aktor",
            "Karianne Petrusen",
            unit=units["hs"],
            job_title="Helsesykepleier",
            phone="900 33 333",
            email="karianne.petrusen@demo.kommune.no",
        )
        ppt = _user(Role.STAFF, "ppt", "Per Rådgiver", unit=units["ppt"], job_title="PP-rådgiver", phone="900 44 444")
        pedleder = _user(
            Role.STAFF, "pedleder", "Lise Pedersen", unit=units["bhg"], job_title="Pedagogisk leder", phone="900 55 555"
        )
        _user(Role.STAFF, "kontaktlaerer", "Jonas Berg", unit=units["sor"], job_title="Kontaktlærer")
        _user(Role.STAFF, "larer", "Mari Lund", unit=units["nord"], job_title="Spesialpedagog")
        # seed 000 point 1: the rector has delegated the unit overview to an ITO-koordinator
        ito = _user(Role.STAFF, "ito", "Ingrid Toft", unit=units["nord"], job_title="Lærer og ITO-koordinator")
        ItoDelegation.create(unit=units["nord"], user=ito, granted_by=User.get(User.username == "enhetsleder"))
        _user(
            Role.COORDINATING_UNIT,
            "ke",
            "Kristin Koordinator",
            unit=units["ke"],
            job_title="Rådgiver, koordinerende enhet",
            phone="900 66 666",
        )
        parent = _user(Role.GUARDIAN, "foresatt", "Fatima Hansen", phone="911 00 000", email="fatima@example.no")

    emma = make_log(
        holder,
        "Emma Hansen",
        dt.date(2016, 3, 14),
        "140316500",
        "barn",
        2,
        "4B",
        "Emma er mye alene i friminuttene",
        [
            {"name": "Fatima Hansen", "relation": "mor", "phone": "911 00 000", "email": "fatima@example.no"},
            {"name": "Tor Hansen", "relation": "far", "phone": "922 00 000", "email": ""},
        ],
        services=["kind:helsestasjon", "kind:ppt"],
    )
    with write_transaction():
        Guardian.update(user=parent).where(Guardian.log == emma, Guardian.name == "Fatima Hansen").execute()
        # Synthetic fødselsnummer: the demo mother signs in with ID-porten as this person.
        Guardian.update(national_id=DEMO_MOTHER_PID).where(
            Guardian.log == emma, Guardian.name == "Fatima Hansen"
        ).execute()
        User.update(national_id=DEMO_MOTHER_PID).where(User.id == parent.id).execute()
        Log.update(guardians_informed_on=today - dt.timedelta(days=40)).where(Log.id == emma.id).execute()
    domain.add_participant(holder, emma, nurse)
    domain.add_participant(holder, emma, ppt)
    concern_id = emma.concerns[0].id

    def add(author, key, **fields):
        sections.create_item(author, emma, sections.SECTIONS[key], form_values(**fields))

    add(holder, "goals", concern=concern_id, body="Emma har en venn å være sammen med i friminuttene innen jul.")
    # Emma's measures: what, who is responsible (and their account), evaluated in how many days
    for what, responsible, person, evaluated_in in (
        (
            "Kontaktlærer setter opp faste lekegrupper i storefri, tre dager i uka.",
            "Kontaktlærer Kari Ottesen",
            holder,
            5,
        ),
        ("Helsesykepleier har samtale med Emma annenhver uke.", "Helsesykepleier Karianne Petrusen", nurse, -2),
        ("Mor og far spør Emma hver fredag hva som var fint i uka.", "Mor og far", None, 40),
    ):
        fields = {"concern": concern_id, "what": what, "responsible": responsible, "status": "ongoing"}
        if person is not None:
            fields["responsible_user"] = person.id
        start, evaluation = today - dt.timedelta(days=30), today + dt.timedelta(days=evaluated_in)
        add(holder, "measures", start_date=start, evaluation_date=evaluation, **fields)
    add(nurse, "highlights", body="Emma fortalte med stolthet at hun hadde vært med og hoppet tau i storefri.")
    add(
        holder,
        "entries",
        entry_date=today - dt.timedelta(days=10),
        body="Samtale med mor. Emma sier hun gleder seg mer til skolen nå.",
    )
    meeting_at = (dt.datetime.combine(today + dt.timedelta(days=6), dt.time(14, 0))).strftime("%Y-%m-%dT%H:%M")
    add(
        holder,
        "meetings",
        kind="evalueringsmote",
        starts_at=meeting_at,
        place="Nordbyen skole, møterom 2",
        invited="Fatima Hansen (mor)\nTor Hansen (far)\nKarianne Petrusen, helsesykepleier\nPer Rådgiver, PPT",
        agenda="1. Hvordan går det i friminuttene?\n2. Evaluering av lekegruppene\n3. Veien videre",
    )

    # Logs at level 1 with one guardian each: the child (born, national id without control
    # digits, class), the first concern, and the guardian (name, relation, phone).
    children = {
        "Noah Berg": (dt.date(2015, 9, 2), "020915501", "5A", "Noah kommer ofte for sent til første time"),
        "Sofie Lie": (dt.date(2020, 1, 20), "200120502", "Reven", "Sofie trenger støtte i språkutviklingen"),
        "Oskar Nilsen": (dt.date(2014, 6, 30), "300614503", "6B", "Oskar var urolig etter flytting"),
        "Ida Moen": (dt.date(2013, 11, 5), "051113504", "7A", "Ida hadde mye fravær høsten i fjor"),
    }
    parents = {
        "Noah Berg": ("Ingrid Berg", "mor", "933 00 000"),
        "Sofie Lie": ("Anne Lie", "mor", "944 00 000"),
        "Oskar Nilsen": ("Lars Nilsen", "far", "955 00 000"),
        "Ida Moen": ("Kjersti Moen", "mor", "966 00 000"),
    }

    def child_log(by, name, **options):
        born, nid9, group, concern = children[name]
        parent, relation, phone = parents[name]
        guardian = {"name": parent, "relation": relation, "phone": phone, "email": ""}
        return make_log(by, name, born, nid9, "barn", 1, group, concern, [guardian], **options)

    child_log(holder, "Noah Berg", consent=False)
    sofie = child_log(pedleder, "Sofie Lie", services=["kind:ppt"])
    domain.add_participant(pedleder, sofie, ppt)
    closed = child_log(holder, "Oskar Nilsen")
    passive = child_log(holder, "Ida Moen")

    def ended(log, status, created, activated, closed_days_ago, **answer):
        """An ended log whose dates agree: created and activated (days ago) before closed."""
        ago = [utcnow() - dt.timedelta(days=days) for days in (created, activated, closed_days_ago)]
        Log.update(
            status=status, created_at=ago[0], activated_at=ago[1], closed_at=ago[2], close_reason="needs_met", **answer
        ).where(Log.id == log.id).execute()

    with write_transaction():
        # the father said no to keeping it: in the unit leader's "Kan slettes"
        ended(closed, LogStatus.CLOSED, 400, 395, 60, keep_answer="no")
        agreed = {"keep_agreed_by": "Kjersti Moen (mor)", "keep_agreed_on": today - dt.timedelta(days=200)}
        ended(passive, LogStatus.PASSIVE, 600, 590, 200, guardian_agreed_to_keep=True, keep_answer="yes", **agreed)
    if Participant.select().count() < 3 or not User.select().where(User.username == "foresatt").exists():
        raise RuntimeError("the demo municipality is incomplete: participants or the demo guardian are missing")

    # KE's register and one child coordinated outside Stafettlogg, so that the
    # unit overview and the June reconciliation show something living.

    ke_user = User.get(User.username == "ke")
    with write_transaction():
        ExternalCoordination.create(
            unit=units["nord"],
            school_year=school_year_of(today),
            child_name="Petter Ås Strøm",
            class_group="7B",
            koordinator="Lene Fjeld, fysioterapeut",
            records_kept_in="dips_samspill",
            records_note="IP",
            guardians_informed_on=today - dt.timedelta(days=75),
            created_by=User.get(User.username == "enhetsleder"),
        )
        # KE's register: the child, the decision (and how many days ago), and for a granted
        # one the coordinator and when the unit was told (days ago, None: not yet).
        decisions = (
            ("Ahmed Rahimi", dt.date(2021, 5, 3), "bhg", "Reven", "barnekoordinator", "granted", 90),
            ("Trine Olsen", dt.date(2016, 8, 21), "nord", "4B", "koordinator", "granted", 20),
            ("Jonas Eriksen", dt.date(2012, 2, 11), "sor", "9A", "koordinator", "refused", 10),
        )
        coordinators = {
            "Ahmed Rahimi": ("Kaspar Vestborg", "habiliteringstjenesten", "900 77 777", 85),
            "Trine Olsen": ("Karianne Petrusen", "helsesykepleier", "900 33 333", None),
        }
        for child, born, unit, class_group, kind, decision, days_ago in decisions:
            granted = {"consent_to_inform": False}
            if child in coordinators:
                name, service, contact, informed_days_ago = coordinators[child]
                granted = {"person_name": name, "person_service": service, "person_contact": contact}
                granted.update(has_ip=True, consent_to_inform=True)
                if informed_days_ago is not None:
                    granted["informed_at"] = utcnow() - dt.timedelta(days=informed_days_ago)
            CoordinatorRecord.create(
                child_name=child,
                birth_date=born,
                unit=units[unit],
                class_group=class_group,
                kind=kind,
                decision=decision,
                decided_on=today - dt.timedelta(days=days_ago),
                created_by=ke_user,
                **granted,
            )

    # Sofie starts school in August. Her holder in the kindergarten has proposed
    # the contact teacher at Nordbyen skole as new holder; the proposal waits on
    # «stafettholder»'s start page, so the handover can be seen with `make run`.

    propose_handover(
        pedleder,
        sofie,
        holder,
        note="Sofie begynner i 1. klasse på Nordbyen skole i august. Foreldrene ønsker at kontaktlæreren tar over.",
    )

    # Oskar's father reads Polish best and needs an interpreter in meetings:
    # his e-mails and paper version are in Polish, meetings show "Tolk: polsk".
    Guardian.update(language="pl", needs_interpreter=True).where(Guardian.name == "Lars Nilsen").execute()

    # a youth of 17 who gave consent herself and has her own access: she signs in
    # with ID-porten as DEMO_YOUTH_PID and reads her own log (README, demo identities).

    with write_transaction():
        health = Unit.get(Unit.name == "Helsestasjonen sentrum")
        _user(Role.UNIT_LEADER, "helseleder", "Hilde Holm", unit=health, job_title="Leder, helsestasjonen")
        teacher = _user(
            Role.STAFF,
            "ungdomshelse",
            "Nora Lie",
            unit=health,
            job_title="Helsesykepleier, helsestasjon for ungdom",
        )
    sara = domain.create_log(
        teacher,
        kind="barn",
        name="Sara Ahmadi",
        birth_date=dt.date(2009, 4, 22),
        national_id=DEMO_YOUTH_PID,
        unit=teacher.unit,
        class_group="",
        level=1,
        concern_title="Sara har mye fravær og sier hun sover dårlig",
        concern_body="",
        guardians=[{"name": "Leila Ahmadi", "relation": "mor", "phone": "977 00 000", "email": ""}],
    )
    domain.upload_consent(
        teacher,
        sara,
        _Upload(consent_pdf(), "samtykke.pdf"),
        given_by="youth",
        given_by_name="Sara Ahmadi",
        relation="",
        consent_date=today - dt.timedelta(days=14),
        expires_on=today + dt.timedelta(days=350),
        services=["kind:helsestasjon"],
        max_bytes=10 * 1024 * 1024,
        consent_age=16,
    )
    add_youth(teacher, Log.get_by_id(sara.id), phone="988 00 000", email="")
