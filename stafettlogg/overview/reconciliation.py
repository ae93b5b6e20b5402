"""The annual June reconciliation between each unit's overview and KE's register
(seed 000, points 1 and 3): differences, status per unit, contact persons, reminders."""

import dataclasses
import datetime as dt

from stafettlogg import audit
from stafettlogg.db import locked, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.models import CoordinatorRecord, Reconciliation, Role, Unit, UnitKind, User, utcnow
from stafettlogg.notify import msg, msg_plural, notify, reached_among
from stafettlogg.overview.domain import (
    Children,
    OverviewRow,
    child_key,
    ke_records_for,
    overview_rows,
    year_label,
)
from stafettlogg.overview.ke import told_of_overview
from stafettlogg.web import path_for

STATUSES = ("not_started", "reviewed")
# The seed's form is kept by schools and kindergartens.
UNIT_KINDS = UnitKind.WHERE_CHILDREN_ARE


@dataclasses.dataclass
class Difference:
    kind: str  # missing_in_unit, missing_in_ke, different_person
    role: str  # koordinator, barnekoordinator
    child_name: str
    unit_value: str = ""
    ke_value: str = ""
    record: CoordinatorRecord | None = None
    log_id: int | None = None  # the unit's log the difference names (the family's access history)

    @property
    def label(self) -> str:
        return {
            "missing_in_unit": _("Mangler i enhetens oversikt"),
            "missing_in_ke": _("Mangler i KE-registeret"),
            "different_person": _("Ulik person"),
        }[self.kind]


def status_label(status: str) -> str:
    return {"not_started": _("Ikke startet"), "reviewed": _("Gjennomgått")}.get(status, status)


def _same_person(unit_value: str, record: CoordinatorRecord) -> bool:
    """The unit writes "name, belonging"; KE keeps the name apart."""
    name = child_key(unit_value.split(",")[0])
    return bool(name) and name == child_key(record.person_name)


def _unit_side(row: OverviewRow, role: str) -> str:
    """What the unit itself knows (its logs and its own registrations), not KE's notice."""
    return row.barnekoordinator if role == "barnekoordinator" else row.koordinator


def differences(unit: Unit, year: int, informed_only: bool = False) -> list[Difference]:
    rows = overview_rows(unit, year)
    records = ke_records_for(unit, year, informed_only=informed_only)
    found = []
    matched = set()
    children = Children(rows)
    for record in records:
        row = children.find(record.child_name, record.birth_date)
        ke_value = ", ".join(x for x in (record.person_name, record.person_service) if x)
        own = _unit_side(row, record.kind) if row else ""
        if own:
            matched.add((id(row), record.kind))
            if not _same_person(own, record):
                found.append(
                    Difference("different_person", record.kind, record.child_name, own, ke_value, record, row.log_id)
                )
        elif record.informed_at is None:
            found.append(Difference("missing_in_unit", record.kind, record.child_name, "", ke_value, record))
    for row in rows:
        for role in ("koordinator", "barnekoordinator"):
            own = _unit_side(row, role)
            if own and (id(row), role) not in matched:
                found.append(Difference("missing_in_ke", role, row.child_name, own, "", log_id=row.log_id))
    return found


def _reconciled_units():
    """The units KE reviews with in June: active schools and kindergartens (the one rule)."""
    return Unit.select().where(Unit.active == True, Unit.kind.in_(UNIT_KINDS))  # noqa: E712


def units_for_reconciliation() -> list[Unit]:
    return list(_reconciled_units().order_by(Unit.name))


def unit_for_reconciliation(unit_id: int | None) -> Unit | None:
    """The unit a save names, if KE reviews with it; None for any other id."""
    return _reconciled_units().where(Unit.id == (unit_id or 0)).get_or_none()


def reconciliations_for(units: list[Unit], year: int) -> dict[int, Reconciliation]:
    """reconciliation_for of each unit, in one query (KE's list of every unit)."""
    saved = {
        rec.unit_id: rec
        for rec in Reconciliation.select().where(
            Reconciliation.unit.in_([unit.id for unit in units]), Reconciliation.school_year == year
        )
    }
    return {unit.id: saved.get(unit.id) or Reconciliation(unit=unit, school_year=year) for unit in units}


def reconciliation_for(unit: Unit, year: int) -> Reconciliation:
    """The unit's row for the year, unsaved (not started) when none exists yet."""
    found = Reconciliation.get_or_none(Reconciliation.unit == unit, Reconciliation.school_year == year)
    return found or Reconciliation(unit=unit, school_year=year)


NOTE_LIMIT = 2000
CONTACT_LIMIT = 200


class ReconciliationConflict(ValueError):
    """Saved meanwhile by someone else (KE in another tab, the unit its contact person):
    the message says what is saved now; nothing of this save is stored."""


def form_version(rec: Reconciliation) -> int:
    """The version a form about the row is based on: 0 while the unit's row is not saved."""
    return rec.version if rec.id is not None else 0


def _contact_problem(value: str) -> str | None:
    if len(value) > CONTACT_LIMIT:
        return _("Teksten er for lang (høyst %(n)s tegn).", n=CONTACT_LIMIT)
    return None


def _locked_for_save(unit: Unit, year: int, version) -> Reconciliation:
    """The unit's row for the year, locked, created if there is none (two first saves at
    once make one row: the second waits for the first and is then stale), after checking
    that the form was read at the version stored now. A form that names no version, or
    not a number, was read at none: it is refused like a stale one (a replayed request
    must not overwrite what was saved after it)."""
    # made at version 0: what form_version says of a unit with no row (the save raises it)
    Reconciliation.insert(unit=unit, school_year=year, version=0).on_conflict_ignore().execute()
    rec = locked(Reconciliation.select().where(Reconciliation.unit == unit, Reconciliation.school_year == year))
    if str(version).strip() != str(rec.version):
        raise ReconciliationConflict(_saved_meanwhile(rec))
    return rec


def save_reconciliation(by: User, unit: Unit, year: int, values: dict) -> Reconciliation:
    """KE records the contact persons, a note and whether the unit is reviewed: the fields
    the form sent (one it did not send stays as it is), based on the version the page was
    read at (`version`; a save from a page read before another's, or with none, is refused)."""
    if values.get("status") not in STATUSES:
        raise ValueError(_("Velg status."))
    for name in ("ke_contact_name", "unit_contact_name"):
        if (problem := _contact_problem(values.get(name, ""))) is not None:
            raise ValueError(problem)
    if len(values.get("note", "")) > NOTE_LIMIT:
        raise ValueError(_("Notatet kan ha høyst 2000 tegn."))  # NOTE_LIMIT
    with write_transaction():
        rec = _locked_for_save(unit, year, values.get("version"))
        rec.status = values["status"]
        for name in ("ke_contact_name", "unit_contact_name", "note"):
            if name in values:
                setattr(rec, name, values[name].strip())
        if rec.status == "reviewed":
            rec.reviewed_at, rec.reviewed_by = utcnow(), by
        else:
            rec.reviewed_at, rec.reviewed_by = None, None
        rec.version += 1
        rec.save()
        audit.record("reconciliation_update", obj=rec, user=by)
    return rec


def _saved_meanwhile(rec: Reconciliation) -> str:
    shown = [
        (_("Status"), status_label(rec.status)),
        (_("KEs kontaktperson"), rec.ke_contact_name),
        (_("Enhetens kontaktperson"), rec.unit_contact_name),
        (_("Notat"), rec.note),
    ]
    now = " · ".join(f"{label}: {value}" for label, value in shown if value)
    return _(
        "Noen andre har lagret gjennomgangen for enheten i mellomtiden, og det du skrev er ikke lagret. Nå står det: %(now)s. Se over og lagre på nytt.",
        now=now,
    )


def differences_for_unit(unit: Unit, year: int) -> list[Difference]:
    """What the unit itself may see before the June review: KE's decisions only once KE
    has informed the unit with the family's consent (seed 000 point 3). Compared with the
    informed decisions only: a decision the unit was not told of must not take away the
    unit's own "missing in KE's register" either."""
    return differences(unit, year, informed_only=True)


def save_unit_side(by: User, unit: Unit, year: int, unit_contact_name: str, version) -> Reconciliation:
    """The unit (its leader or ITO-koordinator) names its contact person for the June
    review, on the version its page was read at; KE records the review itself. Either
    side's save from a page read before the other's is refused, never erasing it."""
    name = (unit_contact_name or "").strip()
    if not name:
        raise ValueError(_("Skriv hvem som er enhetens kontaktperson."))
    if (problem := _contact_problem(name)) is not None:
        raise ValueError(problem)
    with write_transaction():
        rec = _locked_for_save(unit, year, version)
        Reconciliation.update(unit_contact_name=name, version=Reconciliation.version + 1).where(
            Reconciliation.id == rec.id
        ).execute()
        audit.record("reconciliation_unit_update", obj=rec, user=by)
    return Reconciliation.get_by_id(rec.id)


def june_reminders(today: dt.date) -> int:
    """In June, remind each school's and kindergarten's leader whose overview has not been
    reviewed with KE, and KE itself (seed 000: "Årlig dialog ... i juni"). Idempotent:
    the dedupe keys name the year, so running it every day sends each reminder once."""
    if today.month != 6:
        return 0
    year = today.year - 1  # June ends the school year that began last August
    sent = 0
    reviewed = {
        unit_id
        for (unit_id,) in Reconciliation.select(Reconciliation.unit)
        .where(Reconciliation.school_year == year, Reconciliation.status == "reviewed")
        .tuples()
    }
    pending = {unit.id: unit for unit in units_for_reconciliation() if unit.id not in reviewed}
    if not pending:
        return 0
    # every unit's leaders and ITO coordinators in one read, in the transaction of their notices
    with reached_among(told_of_overview(list(pending))) as leaders:
        for leader in leaders:
            unit = pending[leader.unit_id]
            note = notify(
                leader,
                "june_reconciliation",
                msg(
                    "Juni: gå gjennom oversikten over stafettholdere og koordinatorer for %(year)s "
                    "sammen med koordinerende enhet.",
                    year=year_label(year),
                ),
                url=path_for("overview.unit_overview", unit_id=unit.id, year=year),
                dedupe_key=f"june-reconciliation:{year}:unit:{unit.id}:user:{leader.id}",
                reached_checked=True,
            )
            sent += bool(note)
    with reached_among(User.select().where(User.role == Role.COORDINATING_UNIT)) as coordinating:
        for ke in coordinating:
            note = notify(
                ke,
                "june_reconciliation",
                msg_plural(
                    "Juni: %(num)s skole eller barnehage er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang.",
                    "Juni: %(num)s skoler og barnehager er ikke gjennomgått for %(year)s. Avtal årlig gjennomgang.",
                    num=len(pending),
                    year=year_label(year),
                ),
                url=path_for("overview.ke_reconciliation", year=year),
                dedupe_key=f"june-reconciliation:{year}:ke:{ke.id}",
                reached_checked=True,
            )
            sent += bool(note)
    return sent
