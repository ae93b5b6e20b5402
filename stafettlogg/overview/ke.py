"""KE's register of koordinator and barnekoordinator decisions (seed 000, point 3), and
informing the child's school or kindergarten — only with the family's consent."""

from flask import url_for
from peewee import JOIN, fn

from stafettlogg import audit
from stafettlogg.access import delegation
from stafettlogg.dates import local_today
from stafettlogg.db import write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.models import CoordinatorRecord, Role, Unit, User, utcnow
from stafettlogg.notify import msg, notify
from stafettlogg.org.queries import leads
from stafettlogg.overview.domain import latest_year_showing
from stafettlogg.windows import Window, dated_window, row_id

KINDS = ("koordinator", "barnekoordinator")
DECISIONS = ("granted", "refused")


class KeError(ValueError):
    """A rule was broken; the message is for the user (Norwegian)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def kind_label(kind: str) -> str:
    return {"koordinator": _("Koordinator"), "barnekoordinator": _("Barnekoordinator")}.get(kind, kind)


def decision_label(decision: str) -> str:
    return {"granted": _("Innvilget"), "refused": _("Avslått")}.get(decision, decision)


def labels_once(label, keys):
    """``label`` looked up once per request for each of ``keys`` (a list of hundreds of
    rows asks for the same few texts)."""
    table = {key: label(key) for key in keys}
    return lambda key: table[key] if key in table else label(key)


def clean_record(form, parse_date) -> tuple[dict, dict]:
    """Values and Norwegian errors per field from a posted form. Only these fields are
    ever written (informed_at, created_by and version are not the form's to set)."""
    get = lambda name: (form.get(name) or "").strip()  # noqa: E731
    values = {
        "child_name": get("child_name"),
        "class_group": get("class_group"),
        "kind": get("kind"),
        "decision": get("decision"),
        "person_name": get("person_name"),
        "person_service": get("person_service"),
        "person_contact": get("person_contact"),
        "has_ip": get("has_ip") == "yes",
        "consent_to_inform": get("consent_to_inform") == "yes",
    }
    errors = {}
    if not values["child_name"]:
        errors["child_name"] = _("Skriv navnet på barnet.")
    for name in ("birth_date", "decided_on", "ended_on"):
        raw = get(name)
        values[name] = None
        if raw:
            try:
                values[name] = parse_date(raw)
            except ValueError:
                errors[name] = _("Skriv datoen som dd.mm.åååå.")
    if values["decided_on"] is None and "decided_on" not in errors:
        errors["decided_on"] = _("Skriv datoen for vedtaket.")
    elif values["decided_on"] and values["decided_on"] > local_today():
        errors["decided_on"] = _("Vedtaksdatoen kan ikke være fram i tid.")
    if values["ended_on"] and values["decided_on"] and values["ended_on"] < values["decided_on"]:
        errors["ended_on"] = _("Datoen rollen ble avsluttet, kan ikke være før vedtaksdatoen.")
    if values["kind"] not in KINDS:
        errors["kind"] = _("Velg koordinator eller barnekoordinator.")
    if values["decision"] not in DECISIONS:
        errors["decision"] = _("Velg innvilget eller avslått.")
    if values["decision"] == "granted" and not values["person_name"]:
        errors["person_name"] = _("Skriv navnet på den som er oppnevnt.")
    unit_id = get("unit")
    values["unit"] = None
    if unit_id:
        values["unit"] = Unit.get_or_none(Unit.id == number) if (number := row_id(unit_id)) else None
        if values["unit"] is None:
            errors["unit"] = _("Velg en skole eller barnehage fra lista.")
    for name, limit in (("child_name", 200), ("class_group", 100), ("person_name", 200),
                        ("person_service", 200), ("person_contact", 200)):  # fmt: skip
        if len(values[name]) > limit:
            errors[name] = _("Teksten er for lang (høyst %(n)s tegn).", n=limit)
    return values, errors


# what the unit was told of when KE informed it: a change to any of them is a decision the
# unit has not been told of (update_record)
INFORMED_OF = ("child_name", "birth_date", "kind", "decision")


def create_record(by: User, values: dict) -> CoordinatorRecord:
    with write_transaction():
        record = CoordinatorRecord.create(created_by=by, **values)
        audit.record("coordinator_record_create", obj=record, user=by)
    return record


def update_record(by: User, record: CoordinatorRecord, values: dict, version: int) -> CoordinatorRecord:
    """Optimistic locking: a stale save changes nothing and raises (409 in the view).
    Seed 000 point 3: "informed" is about the unit on the record, with the family's
    consent. A decision moved to another unit (the child changed school), or whose
    consent is taken back, is informed no longer: no unit's overview shows it until KE
    informs (again) with consent. So is one changed into another child's, or another kind
    of decision or outcome: the unit was told of that one, with that family's consent."""
    new_unit = values.get("unit")
    moved = getattr(new_unit, "id", new_unit) != record.unit_id
    if (
        moved
        or not values.get("consent_to_inform")
        or any(key in values and values[key] != getattr(record, key) for key in INFORMED_OF)
    ):
        values = {**values, "informed_at": None}
    with write_transaction():
        changed = (
            CoordinatorRecord.update(version=CoordinatorRecord.version + 1, **values)
            .where(CoordinatorRecord.id == record.id, CoordinatorRecord.version == version)
            .execute()
        )
        if not changed:
            raise KeError(_("Noen andre har endret vedtaket samtidig. Dine endringer er ikke lagret."), "version")
        audit.record("coordinator_record_update", obj=record, user=by)
    return CoordinatorRecord.get_by_id(record.id)


def told_of_overview(unit_ids):
    """The people told what the unit overview of each of `unit_ids` (a list or a subquery)
    is told: the unit's leaders and the staff its leader delegated the overview to (seed
    000 point 1; access.is_ito_coordinator's rule, in SQL), by unit. One query for any
    number of units; whether each is told at all is notify's rule (reached)."""
    return (
        User.select()
        .where(
            User.unit.in_(unit_ids),
            leads(User, User.unit) | ((User.role == Role.STAFF) & fn.EXISTS(delegation(User.unit, User.id))),
        )
        .order_by(User.unit, User.id)
    )


def inform_unit(by: User, record: CoordinatorRecord) -> int:
    """Seed 000, point 3: KE informs the child's school/kindergarten of the name and
    contact of the appointed (barne-)koordinator — also when refused — but only when the
    consent of the person it concerns is recorded. The notification (and its e-mail)
    names no child: the unit leader sees who it is in the unit overview."""
    if not record.consent_to_inform:
        raise KeError(_("Enheten kan bare informeres når samtykke fra familien er registrert."), "consent_to_inform")
    if record.unit is None:
        raise KeError(_("Velg barnets skole eller barnehage før du informerer."), "unit")
    role = {"koordinator": msg("koordinator"), "barnekoordinator": msg("barnekoordinator")}.get(
        record.kind, record.kind
    )
    decided = f"{record.decided_on:%d.%m.%Y}"
    if record.decision == "granted":
        text = msg(
            "Koordinerende enhet informerer: et barn ved %(unit)s har fått innvilget %(role)s (vedtak %(date)s). "
            "Oppnevnt %(role)s: %(person)s. Kontakt: %(contact)s. Se hvilket barn i oversikten.",
            unit=record.unit.name,
            role=role,
            date=decided,
            person=", ".join(x for x in (record.person_name, record.person_service) if x),
            contact=record.person_contact or "-",
        )
    else:
        text = msg(
            "Koordinerende enhet informerer: søknaden om %(role)s for et barn ved %(unit)s er avslått "
            "(vedtak %(date)s). Kontakt koordinerende enhet: %(ke)s. Se hvilket barn i oversikten.",
            unit=record.unit.name,
            role=role,
            date=decided,
            ke=", ".join(x for x in (by.name, by.phone or by.email) if x),
        )
    # the overview of a year that shows the decision (a refusal: the year it was made)
    year = latest_year_showing(record)
    url = url_for("overview.unit_overview", unit_id=record.unit_id, year=year) + f"#ke-{record.id}"
    with write_transaction():
        # the decision as it was checked above: a colleague's save a moment ago (consent
        # taken back, another unit) tells no one and marks nothing informed
        informed = (
            CoordinatorRecord.update(informed_at=utcnow())
            .where(
                CoordinatorRecord.id == record.id,
                CoordinatorRecord.version == record.version,
                CoordinatorRecord.consent_to_inform == True,  # noqa: E712
                CoordinatorRecord.unit == record.unit_id,
            )
            .execute()
        )
        if not informed:
            raise KeError(_("Noen andre har endret vedtaket samtidig. Enheten er ikke informert."), "version")
        subject = msg("Melding fra koordinerende enhet")
        told = [
            person
            for person in told_of_overview([record.unit_id])
            if notify(person, "ke_informed", text, url=url, email_subject=subject)
        ]
        if not told:  # no one: nothing is marked informed
            raise KeError(_("%(unit)s har ingen aktiv enhetsleder i Stafettlogg.", unit=record.unit.name), "unit")
        audit.record("coordinator_record_inform_unit", obj=record, user=by)
    return len(told)


def records(filters: dict, cursor: str | None = None) -> Window:
    """The register, filtered by free text (child or person), kind, decision, unit (its id,
    or part of its name) and
    whether the unit has been informed: the newest decisions in a window, continued
    after `cursor` («Vis flere»)."""
    query = _filtered(filters)
    return dated_window(query, CoordinatorRecord.decided_on, CoordinatorRecord.id, cursor, query.count())


# what the register shows of a decision (the page reads fifty rows: no other column)
SHOWN = (
    CoordinatorRecord.id,
    CoordinatorRecord.child_name,
    CoordinatorRecord.birth_date,
    CoordinatorRecord.unit,
    CoordinatorRecord.class_group,
    CoordinatorRecord.kind,
    CoordinatorRecord.decision,
    CoordinatorRecord.decided_on,
    CoordinatorRecord.ended_on,
    CoordinatorRecord.person_name,
    CoordinatorRecord.person_service,
    CoordinatorRecord.has_ip,
    CoordinatorRecord.consent_to_inform,
    CoordinatorRecord.informed_at,
    Unit.id,
    Unit.name,
)


def _filtered(filters: dict):
    query = CoordinatorRecord.select(*SHOWN).join(Unit, JOIN.LEFT_OUTER)
    # contains(): the text as typed, "%" and "_" too, not as wildcards
    if q := (filters.get("q") or "").strip():
        query = query.where(CoordinatorRecord.child_name.contains(q) | CoordinatorRecord.person_name.contains(q))
    if filters.get("kind") in KINDS:
        query = query.where(CoordinatorRecord.kind == filters["kind"])
    if filters.get("decision") in DECISIONS:
        query = query.where(CoordinatorRecord.decision == filters["decision"])
    unit = (filters.get("unit") or "").strip()
    if (unit_id := row_id(unit)) is not None:
        query = query.where(CoordinatorRecord.unit == unit_id)
    elif unit:
        # the school or kindergarten by (part of) its name: the filter lists no units
        query = query.where(Unit.name.contains(unit))
    if filters.get("informed") == "no":
        query = query.where(CoordinatorRecord.informed_at.is_null())
    elif filters.get("informed") == "yes":
        query = query.where(CoordinatorRecord.informed_at.is_null(False))
    return query
