"""Routes for the log. Thin: load (the access hook already loaded g.log and checked
the caller's role on it), call a domain function, render."""

import datetime as dt
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from stafettlogg import content, labels, languages
from stafettlogg.access import consent_age, role_on_log
from stafettlogg.archive import domain as archive_domain
from stafettlogg.dates import form_local, local_today
from stafettlogg.guide.domain import load_guide
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import add_forms, domain, files, gate, ip_prompt, lifecycle, queries, states
from stafettlogg.logs import sections as sec
from stafettlogg.logs.forms import MAX_GUARDIANS, optional_date, parse_create_form
from stafettlogg.logs.sections import SECTIONS
from stafettlogg.main.pages import staff_start_page
from stafettlogg.models import Consent, Guardian, Measure, Participant, Unit, User
from stafettlogg.takeover import domain as requests
from stafettlogg.web import PLACEHOLDER, back_to, page_or_fragment, row_or_404, wants_fragment
from stafettlogg.windows import row_id

bp = Blueprint("logs", __name__, url_prefix="/logger")


@bp.app_context_processor
def log_states():
    """Templates ask the log's state machine (logs/states.py) instead of naming states.
    The derived state is read once per log and page."""
    seen = {}

    def state(log):
        if (log.id, log.version) not in seen:
            seen[(log.id, log.version)] = states.state_of(log)
        return seen[(log.id, log.version)]

    def readable(log):
        if ("readable", log.id, log.version) not in seen:
            seen[("readable", log.id, log.version)] = states.content_readable_by(current_user, log)
        return seen[("readable", log.id, log.version)]

    return {
        # the log's state (its status, or WAITING): state_badge(log_state(log)) shows it
        "log_state": state,
        "log_actions": lambda log: states.allowed_actions(current_user, log),
        "log_is_open": lambda log: log.status in states.OPEN,
        "log_has_ended": lambda log: log.status in states.ENDED,
        # content may be written now: active, and the consent on file allows it
        "log_is_writable": lambda log: state(log) == states.ACTIVE,
        # guardians and details may be changed now: in use and not waiting for consent
        "log_takes_writes": lambda log: state(log) in states.OPEN,
        # the consent lets this person use the route (gate.refusal): a page offers no form
        # or link the gate would refuse (a holder moved outside the consent: handover only)
        "log_may": lambda endpoint, log, method="GET": gate.refusal(endpoint, current_user, log, method) is None,
        "log_is_waiting": lambda log: state(log) == states.WAITING,
        # a guardian may be removed now (domain.guardian_removable: also while waiting)
        "log_guardian_removable": lambda log: _passes(domain.guardian_removable, log),
        "log_waiting_message": lambda log: states.waiting_message(log) if state(log) == states.WAITING else None,
        "log_content_readable": readable,
        # the family's phone, e-mail and number: for those the consent lets read the log (a
        # draft's holder too, who asks them for it), not a participant after a withdrawal
        "family_contact_shown": lambda log: states.readable_by(current_user, log),
        # why not (a draft waits for its consent; a consent that does not let this person read)
        "log_unreadable_reason": lambda log: states.unreadable_reason(current_user, log),
        "consent_files_readable": lambda log: states.consent_files_readable_by(current_user, log),
        "consent_covers": states.covers,  # does the consent on file cover this unit (handover)
        "may_print_archive": lambda log: archive_domain.archive_refusal(current_user, log) is None,
        "blank_section_fields": add_forms.blank_fields,
        "item_placeholder": PLACEHOLDER,  # an id a list's forms are rendered with once, then filled in
    }


def _passes(check, log) -> bool:
    """A domain check that raises LogError, asked as yes or no."""
    try:
        check(log)
    except domain.LogError:
        return False
    return True


def _units():
    return list(Unit.select().where(Unit.active).order_by(Unit.name))


def _int_ids(values) -> list[int]:
    return [number for v in values if (number := row_id(str(v or "").strip())) is not None]


# ------------------------------------------------------------------ create / reopen


def _with_unit_picker(template: str, status: int, chosen_ids, exclude_ids=(), **context):
    """A page with the unit picker: the user's own units first, the rest by area."""
    first, others = queries.unit_choices(current_user, chosen_ids=chosen_ids, exclude_ids=exclude_ids)
    return render_template(template, unit_first=first, unit_others=others, **context), status


def _new_page(values, errors, status=200, existing=None):
    chosen = _int_ids([values.get("unit_id")])
    return _with_unit_picker(
        "logs/new.html", status, chosen, values=values, errors=errors, existing=existing, max_guardians=MAX_GUARDIANS
    )


@bp.route("/ny")
def new():
    values = {"unit_id": current_user.unit_id, "level": "1", "kind": "barn"}
    return _new_page(values, {})


@bp.route("/ny", methods=["POST"])
def create():
    data, errors = parse_create_form(request.form, current_user)
    if errors:
        return _new_page(request.form, errors, 422)
    if data["national_id"]:
        try:
            requests.count_lookup(current_user)
        except domain.LogError as e:
            return _new_page(request.form, {e.field: str(e)}, 429)
    existing = domain.find_existing_log(data["national_id"])
    if existing is not None:
        return _new_page(request.form, {}, 409, existing=_earlier_log(existing))
    try:
        log = domain.create_log(current_user, **data)
    except domain.EarlierLog:  # made by someone else since the lookup above
        existing = domain.find_existing_log(data["national_id"])
        return _new_page(request.form, {}, 409, existing=_earlier_log(existing))
    flash(_("Stafettloggen er opprettet. Last opp det skriftlige samtykket for å ta den i bruk."), "success")
    return redirect(url_for("logs.show", log_id=log.id), 303)


def _earlier_log(existing):
    """What the person creating a log is told about an earlier log for the same
    fødselsnummer: its former holder may reopen it; anyone else learns only that it
    exists, and the log's unit leader (or its holder, while it is in use) is asked."""
    domain.record_lookup(current_user, existing)
    if "reopen" in states.allowed_actions(current_user, existing):
        return {"reopen": True, "closed_at": existing.closed_at}
    if role_on_log(current_user, existing) is None:
        return {"reopen": False, "requested": requests.ask_for_log(current_user, existing) is not None}
    return {"reopen": False, "requested": False, "on_log": True}


@bp.route("/gjenapne", methods=["POST"])
def reopen():
    """The former holder reopens the earlier log found by the fødselsnummer typed
    into the create form. Anyone else is told no more than that nothing was found."""
    data, errors = parse_create_form(request.form, current_user)
    if errors:
        return _new_page(request.form, errors, 422)
    try:
        requests.count_lookup(current_user)
    except domain.LogError as e:
        return _new_page(request.form, {e.field: str(e)}, 429)
    existing = domain.find_existing_log(data["national_id"])
    if existing is not None:  # a match is a use of the child's data, as on the new-log form
        domain.record_lookup(current_user, existing)
    if existing is None or "reopen" not in states.allowed_actions(current_user, existing):
        return _new_page(request.form, {"national_id": _("Fant ingen avsluttet stafettlogg du kan gjenåpne.")}, 422)
    try:
        log = lifecycle.reopen(current_user, existing)
    except domain.LogError as e:
        return _new_page(request.form, {"national_id": str(e)}, 409)
    flash(
        _("Stafettloggen er gjenåpnet og venter på nytt samtykke. Innholdet vises når samtykket er lastet opp."),
        "success",
    )
    return redirect(url_for("logs.show", log_id=log.id), 303)


@bp.route("/<int:log_id>/foresatte-informert", methods=["POST"])
def guardians_informed(log_id):
    """The start page's task after a handover: the new holder records the date they told
    the guardians (seed 000's overview shows it for the current holder)."""
    raw = request.form.get("informed_on", "").strip()
    try:
        informed = sec.parse_date(raw) if raw else None
    except ValueError:
        informed, raw = None, "bad"
    try:
        if raw == "bad":
            raise domain.LogError(_("Skriv datoen som dd.mm.åååå."), "informed_on")
        domain.record_guardians_informed(current_user, g.log, informed)
    except domain.LogError as e:
        # the start page again, the date as typed and why beside it (not a read of the log)
        g.log = None
        refused = {"errors": {log_id: str(e)}, "typed": {log_id: request.form.get("informed_on", "")}}
        return staff_start_page(422, informed=refused)
    flash(_("Datoen er lagret."), "success")
    return redirect(url_for("main.index"), 303)


# ------------------------------------------------------------------ the log page


def _log_page(status=200, **extra):
    # «Vis flere» without JavaScript: a later window of one section (seksjon), the rest the newest
    cursor, cursor_section = request.args.get("etter"), request.args.get("seksjon", "entries")
    log = queries.load_log(g.log.id)
    content = states.content_readable_by(current_user, log)
    context = queries.log_page(log, cursor, cursor_section, _expanded(), content=content)
    context.update(
        role=role_on_log(current_user, g.log),
        expanded=_expanded(),
        sections=SECTIONS,
        section_errors=extra.pop("section_errors", {}),
        section_values=extra.pop("section_values", {}),
        **extra,
    )
    return render_template("logs/show.html", **context), status


@bp.route("/<int:log_id>")
def show(log_id):
    return _log_page()


@bp.route("/<int:log_id>/sammendrag")
def summary(log_id):
    return render_template("logs/_summary.html", log=g.log, summary=queries.summary(g.log))


@bp.route("/<int:log_id>/opplysninger", methods=["GET", "POST"])
def edit_header(log_id):
    log = g.log
    if request.method == "POST":
        f = request.form
        errors = {}
        level = f.get("level", type=int)
        if level not in labels.LEVELS:
            errors["level"] = _("Velg BTI-nivå 1, 2 eller 3.")
        informed = optional_date(f, "guardians_informed_on", errors, _("Skriv datoen som dd.mm.åååå."))
        kept = f.get("records_kept_in", "stafettlogg")
        if kept not in labels.RECORD_LOCATIONS:
            errors["records_kept_in"] = _("Velg hvor innkallinger og referater ligger.")
        if not errors:
            try:
                domain.update_header(
                    current_user,
                    log,
                    class_group=f.get("class_group", ""),
                    level=level,
                    guardians_informed_on=informed,
                    records_kept_in=kept,
                    version=f.get("version", type=int) or 0,
                )
            except domain.LogError as e:
                errors[e.field or "class_group"] = str(e)
        if not errors:
            flash(_("Opplysningene er lagret."), "success")
            return redirect(url_for("logs.show", log_id=log.id), 303)
        return render_template(
            "logs/edit_header.html", log=log, values=f, errors=errors, locations=labels.RECORD_LOCATIONS
        ), 422
    values = {
        "class_group": log.class_group,
        "level": log.level,
        "records_kept_in": log.records_kept_in,
        "guardians_informed_on": log.guardians_informed_on.isoformat() if log.guardians_informed_on else "",
        "version": log.version,
    }
    return render_template(
        "logs/edit_header.html", log=log, values=values, errors={}, locations=labels.RECORD_LOCATIONS
    )


# ------------------------------------------------------------------ consent


def _consent_page(values, errors, status=200):
    log = g.log
    history = list(Consent.select().where(Consent.log == log).order_by(Consent.id.desc()))
    chosen = _int_ids(s.split(":", 1)[1] for s in values.get("services", []) if s.startswith("unit:"))
    return _with_unit_picker(
        "logs/consent.html",
        status,
        chosen,
        [log.unit_id],
        log=log,
        values=values,
        errors=errors,
        history=history,
        units=_units(),
        kinds=labels.UNIT_KINDS,
        current=domain.current_consent(log),
        consent_age=consent_age(),
    )


@bp.route("/<int:log_id>/samtykke")
def consent_form(log_id):
    # the scope the family agreed to last (also a withdrawn one, when a log is reopened)
    # is where the holder starts; the holder changes it to what the family signs now
    current = (
        domain.current_consent(g.log)
        or Consent.select().where(Consent.log == g.log).order_by(Consent.id.desc()).first()
    )
    has_guardians = Guardian.select().where(Guardian.log == g.log).exists()
    values = {
        "consent_date": local_today().isoformat(),
        "given_by": "guardian" if has_guardians else "youth",  # seed 001: a youth of 16 consents alone
        "services": sorted(domain.consent_services(current)),
    }
    return _consent_page(values, {})


@bp.route("/<int:log_id>/samtykke", methods=["POST"])
def consent_upload(log_id):
    f = request.form
    values = dict(f)
    values["services"] = f.getlist("services")
    errors = {}
    try:
        consent_date = sec.parse_date(f.get("consent_date", ""))
    except ValueError:
        errors["consent_date"] = _("Skriv datoen samtykket ble gitt, som dd.mm.åååå.")
    expires_on = optional_date(f, "expires_on", errors, _("Skriv utløpsdatoen som dd.mm.åååå."))
    if errors:
        return _consent_page(values, errors, 422)
    try:
        domain.upload_consent(
            current_user,
            g.log,
            request.files.get("file"),
            given_by=f.get("given_by", ""),
            given_by_name=f.get("given_by_name", ""),
            relation=f.get("relation", ""),
            consent_date=consent_date,
            expires_on=expires_on,
            services=f.getlist("services"),
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
            consent_age=consent_age(),
        )
    except domain.LogError as e:
        return _consent_page(values, {e.field or "file": str(e)}, 422)
    flash(_("Samtykket er lastet opp. Stafettloggen er aktiv."), "success")
    return redirect(url_for("logs.show", log_id=g.log.id), 303)


@bp.route("/<int:log_id>/samtykke/<int:consent_id>/fil")
def consent_file(log_id, consent_id):
    consent = row_or_404(Consent, Consent.id == consent_id, Consent.log == g.log)
    g.audit_object = consent
    stored = consent.file

    ext = files.EXTENSIONS[stored.content_type]
    response = send_file(
        BytesIO(stored.content),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=f"samtykke-{g.log.id}-{consent.id}.{ext}",
    )
    return response


# ------------------------------------------------------------------ guardians


@bp.route("/<int:log_id>/foresatte", methods=["POST"])
def guardian_add(log_id):
    f = request.form
    try:
        domain.add_guardian(
            current_user,
            g.log,
            name=f.get("name", ""),
            relation=f.get("relation", ""),
            phone=f.get("phone", ""),
            email=f.get("email", ""),
            language=f.get("language", ""),
            needs_interpreter=f.get("needs_interpreter") == "yes",
            national_id=f.get("national_id", ""),
        )
    except domain.LogError as e:
        return _log_page(422, guardian_errors={e.field or "name": str(e)}, guardian_values=f)
    flash(_("Den foresatte er lagt til."), "success")
    return redirect(url_for("logs.show", log_id=g.log.id) + "#foresatte", 303)


def _guardian(guardian_id: int) -> Guardian:
    """A guardian of this log, or 404 (never another log's guardian)."""
    return row_or_404(Guardian, Guardian.id == guardian_id, Guardian.log == g.log)


@bp.route("/<int:log_id>/foresatte/<int:guardian_id>/sprak", methods=["POST"])
def guardian_language(log_id, guardian_id):
    guardian = _guardian(guardian_id)
    try:
        domain.set_guardian_language(
            current_user,
            g.log,
            guardian,
            language=request.form.get("language", ""),
            needs_interpreter=request.form.get("needs_interpreter") == "yes",
        )
    except domain.LogError as e:
        flash(str(e), "error")
    else:
        flash(_("Språk og tolk er lagret for %(name)s.", name=guardian.name), "success")
    return redirect(url_for("logs.show", log_id=g.log.id) + "#foresatte", 303)


@bp.route("/<int:log_id>/foresatte/<int:guardian_id>/fjern", methods=["POST"])
def guardian_remove(log_id, guardian_id):
    guardian = _guardian(guardian_id)
    try:
        domain.remove_guardian(current_user, g.log, guardian)
    except domain.LogError as e:
        flash(str(e), "error")
    else:
        flash(
            _("%(name)s er fjernet som foresatt og har ikke lenger tilgang til loggen.", name=guardian.name), "success"
        )
    if lifecycle.standing_in(
        current_user, g.log
    ):  # the unit leader of an ended log whose holder has left: its page is theirs
        return redirect(url_for("lifecycle.close", log_id=g.log.id) + "#foresatte", 303)
    return redirect(url_for("logs.show", log_id=g.log.id) + "#foresatte", 303)


# ------------------------------------------------------------------ participants


@bp.route("/<int:log_id>/deltakere/sok")
def participant_search(log_id):
    results = domain.search_staff(request.args.get("q", ""), g.log)
    consent = domain.current_consent(g.log)
    covered = {u.id: domain.consent_covers(g.log, u.unit, consent) for u in results}
    return page_or_fragment(
        "logs/_participant_results.html",
        "logs/participant_search.html",
        log=g.log,
        results=results,
        covered=covered,
        q=request.args.get("q", ""),
    )


@bp.route("/<int:log_id>/deltakere", methods=["POST"])
def participant_add(log_id):
    user = row_or_404(User, id=request.form.get("user_id", type=int) or 0)
    try:
        domain.add_participant(current_user, g.log, user)
    except domain.LogError as e:
        return _participants(
            status=422, message=str(e), category="error", participant_error=str(e), needs_consent=e.code
        )
    return _participants(
        message=_("%(name)s er lagt til som deltaker.", name=user.name), headers={"HX-Trigger": "log-changed"}
    )


def _participants(status=200, message=None, category="success", headers=None, **context):
    """The participants' list for htmx; back to the log page (with the message) otherwise."""
    back = url_for("logs.show", log_id=g.log.id, _anchor="deltakere")
    return page_or_fragment(
        "logs/_participants.html",
        lambda: back_to(back, message, category),
        status,
        headers=headers,
        reads=lambda: {"participants": queries.participants(g.log)},
        log=g.log,
        role="holder",
        **context,
    )


@bp.route("/<int:log_id>/deltakere/<int:participant_id>/fjern", methods=["POST"])
def participant_remove(log_id, participant_id):
    participant = row_or_404(Participant, Participant.id == participant_id, Participant.log == g.log)
    try:
        domain.remove_participant(current_user, g.log, participant)
    except domain.LogError as e:
        flash(str(e), "error")
    return _participants()


# ------------------------------------------------------------------ sections


def _section(key: str) -> sec.Section:
    section = SECTIONS.get(key)
    if section is None:
        abort(404)
    return section


def _render_section(section, status=200, errors=None, values=None, editing=None, conflict=None):
    """The section partial for htmx; the whole page otherwise: around the refusal, or
    scrolled to the section after a write."""

    def whole_page():
        if status >= 400:
            return _log_page(
                status,
                section_errors={section.key: errors or {}},
                section_values={section.key: values or {}},
                conflict=conflict,
            )
        return back_to(url_for("logs.show", log_id=g.log.id, _anchor=section.key))

    return page_or_fragment(
        f"logs/_{section.key}.html",
        whole_page,
        status,
        headers={"HX-Trigger": "log-changed"} if status < 400 else None,
        reads=lambda: _window(section.key),
        log=g.log,
        section=section,
        role=role_on_log(current_user, g.log),
        errors=errors or {},
        values=values or {},
        editing=editing,
        conflict=conflict,
    )


@bp.route("/<int:log_id>/seksjon/<key>")
def section(log_id, key):
    section = _section(key)
    cursor = request.args.get("etter")
    return render_template(
        f"logs/_{section.key}.html",
        log=g.log,
        section=section,
        **_window(key, cursor),
        # htmx asks for the next window to append in place of the "Vis flere" link
        only_items=bool(cursor) and wants_fragment(),
        role=role_on_log(current_user, g.log),
        errors={},
        values={},
        editing=None,
        conflict=None,
    )


def _window(key: str, cursor: str | None = None) -> dict:
    window = queries.section_window(g.log, key, cursor, _expanded())
    return {"items": window.items, "window": window, "expanded": _expanded()}


def _expanded() -> int | None:
    """The measure whose evaluations the person asked to see all of («Vis alle evalueringene»)."""
    return row_id(request.args.get("evalueringer"))


@bp.route("/<int:log_id>/seksjon/<key>", methods=["POST"])
def item_create(log_id, key):
    section = _section(key)
    try:
        item, errors = sec.create_item(current_user, g.log, section, request.form, replay_seconds=sec.REPLAY_SECONDS)
    except sec.Forbidden:
        abort(403)
    except domain.LogError as e:
        return _render_section(section, 409, {"_form": str(e)}, sec.form_values(section, request.form))
    if errors:
        return _render_section(section, 422, errors, sec.form_values(section, request.form))
    return _render_section(section)


def _item(section, item_id):
    item = sec.get_item(section, g.log, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/<int:log_id>/seksjon/<key>/<int:item_id>/endre")
def item_edit(log_id, key, item_id):
    section = _section(key)
    item = _item(section, item_id)
    if not sec.can_change(current_user, g.log, section, item):
        abort(403)
    g.audit_object = item
    values = {
        f.name: _form_value(
            getattr(item, f.name + ("_id" if f.kind == "select" and f.choices in sec.FOREIGN_KEY_CHOICES else ""))
        )
        for f in section.fields
        if f.kind != "checkboxes"
    }
    values.update(sec.ticked_values(section, g.log, item))
    values["version"] = item.version
    return page_or_fragment(
        "logs/_item_form.html", "logs/item_edit.html", log=g.log, section=section, item=item, values=values, errors={}
    )


def _form_value(value):
    if isinstance(value, dt.datetime):
        return form_local(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


@bp.route("/<int:log_id>/seksjon/<key>/<int:item_id>", methods=["POST"])
def item_update(log_id, key, item_id):
    section = _section(key)
    item = sec.get_item(section, g.log, item_id)
    if item is None and sec.can_create(current_user, g.log, section):
        return _gone(section, section.model(id=item_id))  # deleted in another tab, or by someone else
    if item is None:
        abort(404)
    try:
        _updated, errors = sec.update_item(current_user, g.log, section, item, request.form)
    except sec.Forbidden:
        abort(403)
    except sec.Gone:
        return _gone(section, item)
    except sec.Conflict as e:
        return _edit_again(section, item, 409, {"_form": str(e)}, conflict=e)
    except domain.LogError as e:
        return _edit_again(section, item, 409, {"_form": str(e)})
    if errors:
        return _edit_again(section, item, 422, errors)
    return _render_section(section)


def _gone(section, item):
    """A save of an item deleted meanwhile is a stale save: the person's text is handed
    back in the form, which now saves it as a new item."""
    return _edit_again(section, item, 409, {"_form": str(sec.Gone())}, gone=True)


def _edit_again(section, item, status, errors, conflict=None, gone=False):
    values = sec.form_values(section, request.form)
    if conflict is not None:
        values["version"] = conflict.theirs.version  # saving again is a deliberate overwrite
    return page_or_fragment(
        "logs/_item_form.html",
        "logs/item_edit.html",
        status,
        # the form posts with its section as the target (a save answers with the section):
        # the form alone takes the place of its own item, not the whole section
        headers={"HX-Retarget": f"#{section.key}-{item.id}", "HX-Reswap": "outerHTML"},
        log=g.log,
        section=section,
        item=item,
        values=values,
        errors=errors,
        conflict=conflict,
        gone=gone,
    )


@bp.route("/<int:log_id>/seksjon/<key>/<int:item_id>/slett", methods=["POST"])
def item_delete(log_id, key, item_id):
    section = _section(key)
    item = _item(section, item_id)
    try:
        sec.delete_item(current_user, g.log, section, item)
    except sec.Forbidden:
        abort(403)
    except domain.LogError as e:
        return _render_section(section, 409, {"_form": str(e)})
    return _render_section(section)


@bp.route("/<int:log_id>/tiltak/<int:measure_id>/evaluering", methods=["POST"])
def evaluation_create(log_id, measure_id):
    measure = Measure.get_or_none(Measure.id == measure_id, Measure.log == g.log)
    section = SECTIONS["measures"]
    try:
        if measure is None:  # deleted in another tab, or by someone else
            sec.ensure_evaluable(measure)
        _evaluation, errors = sec.add_evaluation(
            current_user, g.log, measure, request.form, replay_seconds=sec.REPLAY_SECONDS
        )
    except sec.Forbidden:
        abort(403)
    except domain.LogError as e:
        return _render_section(section, 409, {"_form": str(e)})
    if errors:
        return _render_section(
            section,
            422,
            {f"eval-{measure.id}-{k}": v for k, v in errors.items()},
            {f"eval-{measure.id}-{k}": v for k, v in request.form.items()},
        )
    return _render_section(section)


# ------------------------------------------------------------------ individual plan (IP)


@bp.route("/<int:log_id>/veileder", methods=["POST"])
def guide_answer(log_id):
    """The decision guide answered from inside the log: its result is kept on the log,
    where the individual-plan prompt shows it."""
    answers = {k: v for k, v in request.form.items() if k in load_guide()["questions"]}
    try:
        ip_prompt.record_guide_answer(current_user, g.log, answers)
    except domain.LogError as e:
        if e.code != "incomplete":
            flash(str(e), "error")
            return redirect(url_for("logs.show", log_id=g.log.id), 303)
        flash(_("Svar på alle spørsmålene i veilederen før du lagrer anbefalingen."), "error")
        return redirect(url_for("guide.guide", logg=g.log.id, **answers), 303)
    flash(_("Anbefalingen fra veilederen er lagret i stafettloggen."), "success")
    return redirect(url_for("logs.show", log_id=g.log.id) + "#ip", 303)


# ------------------------------------------------------------------ consent form templates


@bp.route("/samtykkeskjema")
def consent_templates():
    return render_template("logs/consent_templates.html")


@bp.route("/samtykkeskjema/<form>")
def consent_template(form):
    """The consent form to print and sign, in any family language (texts from content/)."""
    if form not in languages.FAMILY_LANGUAGES:
        abort(404)
    languages.use_document_language([], form)
    return render_template(
        "logs/consent_template.html", units=_units(), kinds=labels.UNIT_KINDS, consent_text=content.consent_form()
    )
