"""Routes for the unit overview, KE's register and reconciliation, and statistics.
Thin: load, (access is checked by the table in access.py), call the domain, render."""

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from stafettlogg import audit, labels
from stafettlogg.dates import local_today
from stafettlogg.db import snapshot
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import ngettext
from stafettlogg.logs import states
from stafettlogg.logs.sections import parse_date
from stafettlogg.models import CoordinatorRecord, ExternalCoordination, Role, Unit
from stafettlogg.org.queries import active_leaders_by_unit, active_unit_leaders
from stafettlogg.overview import domain, exports, ke, reconciliation, stats
from stafettlogg.web import is_htmx, page_or_fragment, row_or_404
from stafettlogg.windows import row_id

bp = Blueprint("overview", __name__)


def _valid_year(year: int | None) -> int:
    current = domain.current_school_year()
    if year is None:
        return current
    if not 2000 <= year <= current + 1:
        abort(404)
    return year


def _record_locations():
    return [(key, str(text)) for key, text in labels.RECORD_LOCATIONS.items()]


def _date_value(value) -> str:
    return value.isoformat() if value else ""


# ---------------------------------------------------------------- the unit overview


def _changes_holder(year):
    """Which rows offer «Bytt stafettholder»: to the unit's leader, a log of this school
    year that has not moved out, in a state where its holder may be changed (the state
    table's "hand_over"); the handover page asks the table again."""
    if "unit_leader" not in g.access_tokens or year != domain.current_school_year():
        return lambda row: False
    sources = states.TRANSITIONS["hand_over"].sources
    return lambda row: row.source == "log" and row.status in sources and row.moved_out_on is None


def _overview_page(unit, year, values=None, errors=None, status=200):
    """The overview's page: the children in a window of PAGE_SIZE rows, continued by «Vis
    flere» (?etter=, a whole page without JavaScript; only the next rows for htmx). It names
    the unit's children with a log: audited whenever it is shown, a 422 re-render too."""
    cursor = request.args.get("etter") if request.method == "GET" else None
    # the rows, their count and the June differences read at one moment, and rendered in
    # it; the audit event is a write: after the snapshot, before anything is shown
    named: list[int] = []  # the logs whose child the answer names

    def differences():
        """The June differences against KE's register name children of the whole year,
        beyond the window: each is a read of its log too."""
        found = reconciliation.differences_for_unit(unit, year)
        named.extend(difference.log_id for difference in found if difference.log_id)
        return found

    with snapshot():
        window = domain.overview_window(domain.overview_rows(unit, year), cursor)
        named.extend(row.log_id for row in window.items)

        def page():  # the rest of the page: not read for a fragment
            return render_template(
                "overview/unit.html",
                unit=unit,
                year=year,
                year_label=domain.year_label(year),
                rows=window.items,
                window=window,
                only_items=False,
                years=range(domain.current_school_year(), domain.current_school_year() - 5, -1),
                decisions=domain.informed_decisions(unit, year),
                reconciliation=reconciliation.reconciliation_for(unit, year),
                form_version=reconciliation.form_version,
                differences=differences(),
                reconciliation_label=reconciliation.status_label,
                kind_label=ke.labels_once(ke.kind_label, ke.KINDS),
                decision_label=ke.labels_once(ke.decision_label, ke.DECISIONS),
                locations=_record_locations(),
                changes_holder=_changes_holder(year),
                values=values or {},
                errors=errors or {},
            ), status

        response = page_or_fragment(
            "overview/_unit_rows.html",
            page,
            status,
            unit=unit,
            year=year,
            year_label=domain.year_label(year),
            rows=window.items,
            window=window,
            # htmx asks for the next window to append in place of the "Vis flere" row
            only_items=bool(window.cursor) and is_htmx(),
            changes_holder=_changes_holder(year),
        )
    audit.record_named("view:overview.unit_overview", list(dict.fromkeys(named)), viewed=("overview_view", unit))
    return response


@bp.route("/enheter/<int:unit_id>/oversikt", defaults={"year": None})
@bp.route("/enheter/<int:unit_id>/oversikt/<int:year>")
def unit_overview(unit_id, year):
    year = _valid_year(request.args.get("aar", type=int) or year)
    return _overview_page(g.unit, year)


@bp.route("/enheter/<int:unit_id>/oversikt/<int:year>/<any(csv, xlsx):fmt>")
def export(unit_id, year, fmt):
    year = _valid_year(year)
    with snapshot():  # the rows read at one moment; the audit event is a write, after it
        rows = domain.unit_overview(g.unit, year)
    audit.record_named("view:overview.export", [row.log_id for row in rows], viewed=(f"overview_export_{fmt}", g.unit))
    if fmt == "csv":
        body, mimetype = exports.overview_csv(g.unit.name, year, rows), "text/csv; charset=utf-8"
    else:
        body = exports.overview_xlsx(g.unit.name, year, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(g.unit.name, year, fmt)}"'
    return response


@bp.route("/enheter/<int:unit_id>/oversikt/<int:year>/eksterne", methods=["POST"])
def external_create(unit_id, year):
    year = _valid_year(year)
    values, errors = domain.clean_external(request.form, parse_date)
    if errors:
        return _overview_page(g.unit, year, request.form, errors, 422)
    domain.add_external(g.unit, year, current_user, values)
    flash(_("%(name)s er lagt til i oversikten.", name=values["child_name"]), "success")
    return redirect(url_for("overview.unit_overview", unit_id=g.unit.id, year=year) + "#rows", 303)


def _external(external_id) -> ExternalCoordination:
    return row_or_404(ExternalCoordination, ExternalCoordination.id == external_id, ExternalCoordination.unit == g.unit)


@bp.route("/enheter/<int:unit_id>/oversikt/<int:year>/gjennomgang", methods=["POST"])
def unit_review(unit_id, year):
    """The unit's side of the June review with KE: its contact person."""
    year = _valid_year(year)
    form = request.form
    try:
        reconciliation.save_unit_side(
            current_user, g.unit, year, form.get("unit_contact_name", ""), form.get("version")
        )
    except reconciliation.ReconciliationConflict as e:  # what they typed stays, on the new version
        return _overview_page(g.unit, year, form, {"unit_contact_name": str(e)}, 409)
    except ValueError as e:
        return _overview_page(g.unit, year, form, {"unit_contact_name": str(e)}, 422)
    flash(_("Enhetens kontaktperson for gjennomgangen er lagret."), "success")
    return redirect(url_for("overview.unit_overview", unit_id=g.unit.id, year=year) + "#rec-h", 303)


@bp.route("/enheter/<int:unit_id>/eksterne/<int:external_id>", methods=["GET", "POST"])
def external_edit(unit_id, external_id):
    ext = _external(external_id)
    if request.method == "POST":
        values, errors = domain.clean_external(request.form, parse_date)
        if errors:
            return render_template(
                "overview/external_edit.html", ext=ext, values=request.form, errors=errors,
                locations=_record_locations(),
            ), 422  # fmt: skip
        try:
            domain.update_external(ext, current_user, values, request.form.get("version", type=int) or 0)
        except domain.ExternalConflict as e:
            current = ExternalCoordination.get_or_none(ExternalCoordination.id == ext.id)
            if current is None:  # removed meanwhile by the other person
                flash(_("%(name)s er fjernet fra oversikten av noen andre.", name=ext.child_name), "error")
                return redirect(url_for("overview.unit_overview", unit_id=g.unit.id, year=ext.school_year), 303)
            return render_template(
                "overview/external_edit.html", ext=current, values={**request.form, "version": current.version},
                errors={"version": str(e)}, conflict=current, locations=_record_locations(),
            ), 409  # fmt: skip
        flash(_("Endringene er lagret."), "success")
        return redirect(url_for("overview.unit_overview", unit_id=g.unit.id, year=ext.school_year) + "#rows", 303)
    values = {name: getattr(ext, name) for name in domain.EXTERNAL_FIELDS}
    values["guardians_informed_on"] = _date_value(ext.guardians_informed_on)
    values["version"] = ext.version
    return render_template(
        "overview/external_edit.html", ext=ext, values=values, errors={}, locations=_record_locations()
    )


@bp.route("/enheter/<int:unit_id>/eksterne/<int:external_id>/slett", methods=["POST"])
def external_delete(unit_id, external_id):
    ext = _external(external_id)
    domain.remove_external(ext, current_user)
    flash(_("%(name)s er fjernet fra oversikten.", name=ext.child_name), "success")
    return redirect(url_for("overview.unit_overview", unit_id=g.unit.id, year=ext.school_year) + "#rows", 303)


# ---------------------------------------------------------------- KE's register


def _units():
    return list(Unit.select().where(Unit.active == True).order_by(Unit.name))  # noqa: E712


def _record_form(template, record=None, values=None, errors=None, status=200):
    """KE's form, empty or with a decision: a decision shown is a read, audited whatever
    the answer (a 422 or 409 shows the child's name as the page does)."""
    if record is not None:
        audit.record("coordinator_record_view", obj=record)
    return render_template(
        template,
        record=record,
        values=values or {},
        errors=errors or {},
        unit_options=[(u.id, u.name) for u in _units()],
        kind_options=[(k, ke.kind_label(k)) for k in ke.KINDS],
        decision_options=[(d, ke.decision_label(d)) for d in ke.DECISIONS],
    ), status


def _shown_filters(filters: dict) -> dict:
    """The filters as the form shows them: a unit given by its id (a link) by its name."""
    if (unit_id := row_id(filters.get("unit", "").strip())) is not None:
        found = Unit.get_or_none(Unit.id == unit_id)
        return {**filters, "unit": found.name if found else ""}
    return filters


@bp.route("/ke")
def ke_records():
    filters = {k: request.args.get(k, "") for k in ("q", "kind", "decision", "unit", "informed")}
    with snapshot():  # the count and the rows read at one moment
        window = ke.records(filters, request.args.get("etter"))
        shown_filters = _shown_filters(filters)
    audit.record("coordinator_records_view")  # children's names and decisions: a read (a write: after the snapshot)
    return page_or_fragment(
        "overview/_ke_records.html",
        "overview/ke_records.html",
        records=window.items,
        window=window,
        # htmx asks for the next window to append in place of the "Vis flere" row
        only_items=bool(window.cursor) and is_htmx(),
        filters=filters,
        shown_filters=shown_filters,
        kind_options=[(k, ke.kind_label(k)) for k in ke.KINDS],
        decision_options=[(d, ke.decision_label(d)) for d in ke.DECISIONS],
        kind_label=ke.labels_once(ke.kind_label, ke.KINDS),
        decision_label=ke.labels_once(ke.decision_label, ke.DECISIONS),
    )


@bp.route("/ke/vedtak/ny")
def ke_record_new():
    return _record_form("overview/ke_record_form.html", values={"decision": "granted", "kind": "koordinator"})


@bp.route("/ke/vedtak", methods=["POST"])
def ke_record_create():
    values, errors = ke.clean_record(request.form, parse_date)
    if errors:
        return _record_form("overview/ke_record_form.html", values=request.form, errors=errors, status=422)
    record = ke.create_record(current_user, values)
    flash(_("Vedtaket for %(name)s er registrert.", name=record.child_name), "success")
    return redirect(url_for("overview.ke_record_edit", record_id=record.id), 303)


def _record(record_id) -> CoordinatorRecord:
    return row_or_404(CoordinatorRecord, CoordinatorRecord.id == record_id)


def _record_values(record) -> dict:
    return {
        "child_name": record.child_name,
        "birth_date": _date_value(record.birth_date),
        "unit": record.unit_id or "",
        "class_group": record.class_group,
        "kind": record.kind,
        "decision": record.decision,
        "decided_on": _date_value(record.decided_on),
        "ended_on": _date_value(record.ended_on),
        "person_name": record.person_name,
        "person_service": record.person_service,
        "person_contact": record.person_contact,
        "has_ip": "yes" if record.has_ip else "no",
        "consent_to_inform": "yes" if record.consent_to_inform else "no",
        "version": record.version,
    }


@bp.route("/ke/vedtak/<int:record_id>", methods=["GET", "POST"])
def ke_record_edit(record_id):
    record = _record(record_id)
    if request.method == "POST":
        values, errors = ke.clean_record(request.form, parse_date)
        if errors:
            return _record_form("overview/ke_record_form.html", record, request.form, errors, 422)
        try:
            record = ke.update_record(current_user, record, values, request.form.get("version", type=int) or 0)
        except ke.KeError as e:
            return _record_form("overview/ke_record_form.html", record, request.form, {e.field: str(e)}, 409)
        flash(_("Vedtaket er lagret."), "success")
        return redirect(url_for("overview.ke_record_edit", record_id=record.id), 303)
    return _record_form("overview/ke_record_form.html", record, _record_values(record))


@bp.route("/ke/vedtak/<int:record_id>/informer", methods=["POST"])
def ke_record_inform(record_id):
    record = _record(record_id)
    try:
        count = ke.inform_unit(current_user, record)
    except ke.KeError as e:
        return _record_form("overview/ke_record_form.html", record, _record_values(record), {"inform": str(e)}, 409)
    flash(
        ngettext(
            "%(unit)s er informert (%(num)s person fikk varsel).",
            "%(unit)s er informert (%(num)s personer fikk varsel).",
            count,
            unit=record.unit.name,
        ),
        "success",
    )
    return redirect(url_for("overview.ke_record_edit", record_id=record.id), 303)


# ---------------------------------------------------------------- June reconciliation


def _default_reconciliation_year() -> int:
    """In June–July the year under review is the one ending; otherwise the current one."""
    return domain.current_school_year()


@bp.route("/ke/avstemming", defaults={"year": None})
@bp.route("/ke/avstemming/<int:year>")
def ke_reconciliation(year, errors=None, status=200):
    """Every school's and kindergarten's June review: its status, contacts and leaders,
    read for all units at once (three queries, whatever their number). It names no child:
    each unit's differences are on the unit's own page."""
    year = _valid_year(request.args.get("aar", type=int) or year or _default_reconciliation_year())
    with snapshot():
        units = reconciliation.units_for_reconciliation()
        recs = reconciliation.reconciliations_for(units, year)
        leaders = active_leaders_by_unit([unit.id for unit in units])
    return render_template(
        "overview/reconciliation.html",
        year=year,
        year_label=domain.year_label(year),
        years=range(domain.current_school_year(), domain.current_school_year() - 5, -1),
        units=[{"unit": unit, "rec": recs[unit.id], "leaders": leaders[unit.id]} for unit in units],
        reconciliation_label=reconciliation.status_label,
        errors=errors or {},
    ), status


@bp.route("/ke/avstemming/<int:year>/enhet/<int:school_id>")
def ke_reconciliation_unit(year, school_id, errors=None, status=200, typed=None):
    """One school's or kindergarten's June review with KE: the differences between its
    overview and KE's register, which name the children whose log records a koordinator
    (audited like the unit overview, a 409/422 re-render too), and KE's form. KE reviews
    with every unit: `school_id`, not `unit_id`, which access.py judges by the caller's
    role towards that unit."""
    year = _valid_year(year)
    unit = reconciliation.unit_for_reconciliation(school_id)
    if unit is None:
        abort(404)
    with snapshot():  # the unit's rows and KE's decisions read at one moment
        rec = reconciliation.reconciliation_for(unit, year)
        differences = reconciliation.differences(unit, year)
        leaders = active_unit_leaders(unit)
    named = [difference.log_id for difference in differences]
    # a write: after the snapshot, before anything is shown
    audit.record_named("view:overview.ke_reconciliation_unit", named, viewed=("reconciliation_view", unit))
    return render_template(
        "overview/reconciliation_unit.html",
        year=year,
        year_label=domain.year_label(year),
        unit=unit,
        rec=rec,
        differences=differences,
        leaders=leaders,
        reconciliation_label=reconciliation.status_label,
        kind_label=ke.labels_once(ke.kind_label, ke.KINDS),
        errors=errors or {},
        typed=typed or {},  # what was typed, shown again when the save is refused
        form_version=reconciliation.form_version(rec),
        contact_limit=reconciliation.CONTACT_LIMIT,
    ), status


@bp.route("/ke/avstemming/<int:year>", methods=["POST"])
def ke_reconciliation_update(year):
    year = _valid_year(year)
    unit = reconciliation.unit_for_reconciliation(row_id(request.form.get("unit")))
    if unit is None:  # the form names its unit: only a made-up post names another
        return ke_reconciliation(year, errors={"unit": _("Velg en skole eller barnehage.")}, status=422)
    fields = ("status", "ke_contact_name", "unit_contact_name", "note", "version")
    values = {k: request.form[k] for k in fields if k in request.form}  # one not sent stays as it is
    try:
        reconciliation.save_reconciliation(current_user, unit, year, values)
    except reconciliation.ReconciliationConflict as e:  # the form shows what they typed, on the new version
        return ke_reconciliation_unit(year, unit.id, errors={"form": str(e)}, status=409, typed=values)
    except ValueError as e:
        return ke_reconciliation_unit(year, unit.id, errors={"form": str(e)}, status=422, typed=values)
    flash(_("Gjennomgangen for %(unit)s er lagret.", unit=unit.name), "success")
    return redirect(url_for("overview.ke_reconciliation", year=year) + f"#unit-{unit.id}", 303)


# ---------------------------------------------------------------- statistics


def _stat_scope() -> stats.Scope:
    """The units the user's statistics cover: the area leader's area, else their own unit."""
    query = Unit.select(Unit.id).where(Unit.active == True)  # noqa: E712
    if current_user.role == Role.AREA_LEADER:
        return stats.Scope(f"area:{current_user.area_id}", query.where(Unit.area == current_user.area_id))
    return stats.Scope(f"unit:{current_user.unit_id}", query.where(Unit.id == current_user.unit_id))


@bp.route("/statistikk")
def statistics():
    """The counts of the user's units, kept a few minutes (stats.kept_statistics); one unit
    of an area is chosen by ?enhet=; the per-unit table in windows of PAGE_SIZE units,
    continued by «Vis flere» (?etter=, a whole page without JavaScript; only the next rows
    for htmx)."""
    today = local_today()
    data, counted_at = stats.kept_statistics(_stat_scope(), today)
    several = len(data["units"]) > 1  # an area leader's: one unit may be chosen or searched for
    chosen = request.args.get("enhet", type=int)
    search = (request.args.get("sok") or "").strip()[:100] if several else ""
    if several and chosen and any(u.id == chosen for u in data["units"]):
        # from the area's counts, protected with them: never counted apart
        data = stats.one_unit(data, chosen)
        search = ""
    else:
        chosen = None
    units = stats.named_like(data["units"], search) if search else data["units"]
    window = stats.unit_window(units, request.args.get("etter"))

    def page():
        labels = {
            "started": _("Nye (aktivert)"),
            "closed": _("Avsluttet"),
            "desc": _("Søylediagram over nye og avsluttede stafettlogger per måned de siste tolv månedene."),
        }
        chart = stats.month_chart(data["months"], labels, _("Nye og avsluttede stafettlogger per måned"))
        return render_template(
            "overview/statistics.html",
            data=data,
            window=window,
            only_items=False,
            chart=chart,
            several=several,
            chosen=chosen,
            search=search,
            month_abbr=stats.month_abbr(),
            counted_at=counted_at,
            snapshot_minutes=stats.SNAPSHOT_SECONDS // 60,
        )

    # htmx asks for the next window of units to append in place of the "Vis flere" row
    return page_or_fragment(
        "overview/_statistics_units.html",
        page,
        data=data,
        window=window,
        several=several,
        chosen=chosen,
        search=search,
        only_items=bool(window.cursor) and is_htmx(),
    )
