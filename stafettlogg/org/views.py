"""Areas, units and staff administration (routes only; rules in organisation.py)."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from stafettlogg import audit, auth, mailer
from stafettlogg.handover.domain import led_by, reassignment_context
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.i18n import ngettext
from stafettlogg.models import Area, Role, Unit, UnitKind, User
from stafettlogg.org import domain
from stafettlogg.web import is_htmx, page_or_fragment
from stafettlogg.windows import row_id

bp = Blueprint("org", __name__)


def _account(form, prefix: str = "", **given) -> dict:
    """A new account as the form has it (a leader's fields are prefixed leader_), with
    what the route `given` (the job title)."""
    return {
        "username": form.get(f"{prefix}username", ""),
        "name": form.get(f"{prefix}name", ""),
        "email": form.get(f"{prefix}email", "").strip(),
        "phone": form.get(f"{prefix}phone", "").strip(),
        "login_identity": form.get(f"{prefix}login_identity", ""),
        **given,
    }


def _created(user: User, password: str, back: str, reset: bool = False):
    """Show the new account's temporary password, or the new one of `reset`, once (in
    this answer only, never in a cookie, a URL or a notice; no page is cached)."""
    return render_template("org/created.html", user=user, password=password, back=back, reset=reset)


def _reset_password(person: User, back: str):
    """«Gi nytt midlertidig passord» (domain.reset_password): the routes below differ only
    in whose account it is, as each route of deactivating it does."""
    try:
        password = domain.reset_password(current_user, person)
    except domain.NotOffered:
        abort(404)
    except domain.Deactivated as e:
        return render_template("error.html", code=409, message=str(e)), 409
    except domain.OrganisationError as e:  # one's own account (domain.ensure_may_edit), as staff_edit
        return render_template("error.html", code=403, message=str(e)), 403
    return _created(User.get_by_id(person.id), password, back, reset=True)


def _areas_page(values=None, errors=None, status=200):
    items = list(Area.select().order_by(Area.name))
    leaders = list(User.select().where(User.role == Role.AREA_LEADER).order_by(User.name))
    return render_template(
        "org/areas.html",
        areas=items,
        leaders=leaders,
        area_options=[(a.id, a.name) for a in items],
        values=values or {},
        errors=errors or {},
    ), status


@bp.route("/omrader")
def areas():
    return _areas_page()


@bp.route("/omrader", methods=["POST"])
def area_create():
    try:
        area = domain.create_area(request.form.get("name", ""), by=current_user)
    except domain.OrganisationError as e:
        return _areas_page(request.form, {"name": str(e)}, 422)
    flash(_("Området %(name)s er opprettet.", name=area.name), "success")
    return redirect(url_for("org.areas"), 303)


@bp.route("/omrader/leder", methods=["POST"])
def area_leader_create():
    f = request.form
    area = Area.get_or_none(id=f.get("leader_area_id", type=int) or 0)
    if area is None:
        return _areas_page(f, {"leader_area_id": _("Velg et område.")}, 422)
    try:
        user, password = domain.appoint_area_leader(
            area, by=current_user, **_account(f, "leader_", job_title=_("Områdeleder"))
        )
    except domain.OrganisationError as e:
        return _areas_page(f, {f"leader_{e.field}": str(e)}, 422)
    return _created(user, password, url_for("org.areas"))


def _area_leader(leader_id: int) -> User:
    """The area leader the URL names; any other account is none of the areas page's."""
    leader = User.get_or_none(User.id == leader_id, User.role == Role.AREA_LEADER)
    if leader is None:
        abort(404)
    return leader


@bp.route("/omrader/ledere/<int:leader_id>/deaktiver", methods=["POST"])
def area_leader_deactivate(leader_id):
    leader = _area_leader(leader_id)
    try:
        domain.deactivate_staff(current_user, leader)
    except domain.OrganisationError as e:
        return _areas_page(errors={"leaders": str(e)}, status=409)
    flash(_("%(name)s er deaktivert og har ikke lenger tilgang.", name=leader.name), "success")
    return redirect(url_for("org.areas"), 303)


@bp.route("/omrader/ledere/<int:leader_id>/aktiver", methods=["POST"])
def area_leader_reactivate(leader_id):
    leader = _area_leader(leader_id)
    if leader.active:
        abort(409)
    domain.reactivate_staff(current_user, leader)
    flash(_("%(name)s er aktivert igjen.", name=leader.name), "success")
    return redirect(url_for("org.areas"), 303)


@bp.route("/omrader/ledere/<int:leader_id>/nytt-passord", methods=["POST"])
def area_leader_password_reset(leader_id):
    return _reset_password(_area_leader(leader_id), url_for("org.areas"))


def _visible_units():
    query = Unit.select(Unit, Area).join(Area).order_by(Area.name, Unit.name)
    if current_user.role == Role.AREA_LEADER:
        query = query.where(Unit.area == current_user.area_id)
    return list(query)


@bp.route("/enheter")
def units():
    return render_template("org/units.html", units=_visible_units(), kinds=UnitKind.CHOICES, values={}, errors={})


@bp.route("/enheter", methods=["POST"])
def unit_create():
    try:
        unit = domain.create_unit(current_user, request.form.get("name", ""), request.form.get("kind", ""))
    except domain.OrganisationError as e:
        return render_template(
            "org/units.html",
            units=_visible_units(),
            kinds=UnitKind.CHOICES,
            values=request.form,
            errors={e.field: str(e)},
        ), 422
    flash(_("Enheten %(name)s er opprettet. Legg inn en enhetsleder.", name=unit.name), "success")
    return redirect(url_for("org.unit", unit_id=unit.id), 303)


def _reassign_choices(form) -> dict:
    """holder_<log_id> = new holder, mode_<log_id> = propose | direct (an emergency,
    with reason_<log_id>)."""
    choices = {}
    for key, value in form.items():
        if not key.startswith("holder_"):
            continue
        log_id, holder_id = row_id(key[7:]), row_id(value)
        if log_id is not None and holder_id is not None:
            choices[log_id] = (form.get(f"mode_{key[7:]}", "propose"), holder_id, form.get(f"reason_{key[7:]}", ""))
    return choices


def _unit_page(unit, values=None, errors=None, status=200, blocked_logs=None, leaving=None):
    held = blocked_logs or []
    # only the logs this leader chooses for are named (the others: a number)
    blocked_logs = led_by(current_user, held, leaving) if leaving is not None else held
    for log in blocked_logs:  # the leaving person's logs are listed with the child's name: a read of each
        audit.record(f"view:{request.endpoint}", log=log, obj=leaving)
    staff = list(User.select().where(User.unit == unit).order_by(User.active.desc(), User.role.desc(), User.name))
    return render_template(
        "org/unit.html",
        **reassignment_context(blocked_logs or [], leaving, unit, current_user),
        unit=unit,
        staff=staff,
        values=values or {},
        errors=errors or {},
        blocked_logs=blocked_logs,
        held_elsewhere=len(held) - len(blocked_logs),
        is_leader=current_user.role == Role.UNIT_LEADER,
        ito=(ito := domain.ito_delegations(unit)),
        ito_ids={d.user_id for d in ito},
        must_have_second_factor={person.id for person in staff if auth.must_have_second_factor(person)},
        is_area_leader=current_user.role == Role.AREA_LEADER,
    ), status


@bp.route("/enheter/<int:unit_id>")
def unit(unit_id):
    return _unit_page(g.unit)


@bp.route("/enheter/<int:unit_id>/enhetsleder", methods=["POST"])
def unit_leader_create(unit_id):
    f = request.form
    try:
        job_title = f.get("leader_job_title", "").strip() or _("Enhetsleder")
        user, password = domain.appoint_unit_leader(current_user, g.unit, **_account(f, "leader_", job_title=job_title))
    except domain.OrganisationError as e:
        return _unit_page(g.unit, f, {f"leader_{e.field}": str(e)}, 422)
    return _created(user, password, url_for("org.unit", unit_id=g.unit.id))


@bp.route("/enheter/<int:unit_id>/enhetsledere/<int:leader_id>/nytt-passord", methods=["POST"])
def unit_leader_password_reset(unit_id, leader_id):
    """The area leader, who appoints the unit's leaders, gives one of them a new password."""
    leader = User.get_or_none(User.id == leader_id, User.role == Role.UNIT_LEADER, User.unit == g.unit.id)
    if leader is None:
        abort(404)
    return _reset_password(leader, url_for("org.unit", unit_id=g.unit.id))


@bp.route("/enheter/<int:unit_id>/ansatte", methods=["POST"])
def staff_create(unit_id):
    f = request.form
    try:
        user, password = domain.add_staff(current_user, g.unit, **_account(f, job_title=f.get("job_title", "")))
    except domain.OrganisationError as e:
        return _unit_page(g.unit, f, {e.field or "name": str(e)}, 422)
    return _created(user, password, url_for("org.unit", unit_id=g.unit.id))


@bp.route("/ansatte/<int:staff_id>", methods=["GET", "POST"])
def staff_edit(staff_id):
    staff = g.staff_member
    try:
        domain.ensure_may_edit(current_user, staff)
    except domain.OrganisationError as e:
        return render_template("error.html", code=403, message=str(e)), 403
    if request.method == "POST":
        f = request.form
        try:
            domain.update_staff(
                current_user,
                staff,
                name=f.get("name", ""),
                job_title=f.get("job_title", ""),
                email=f.get("email", ""),
                phone=f.get("phone", ""),
                login_identity=f.get("login_identity") if "login_identity" in f else None,
                login_identity_was=f.get("login_identity_was"),
            )
        except domain.IdentityChangedMeanwhile as e:  # saved again, the form keeps what is there now
            return _edit_page(staff, {**f, "login_identity_was": e.now}, {e.field: str(e)}, 409)
        except domain.OrganisationError as e:
            return _edit_page(staff, f, {e.field: str(e)}, 422)
        flash(_("Endringene er lagret."), "success")
        return redirect(url_for("org.unit", unit_id=staff.unit_id), 303)
    values = {
        "name": staff.name,
        "job_title": staff.job_title,
        "email": staff.email,
        "phone": staff.phone,
        "login_identity": staff.login_identity or "",
        "login_identity_was": staff.login_identity or "",
    }
    return _edit_page(staff, values)


def _edit_page(staff, values, errors=None, status=200):
    return render_template(
        "org/staff_edit.html", staff=staff, values=values, errors=errors or {}, movable=domain.movable(staff)
    ), status


@bp.route("/ansatte/<int:staff_id>/deaktiver", methods=["POST"])
def staff_deactivate(staff_id):
    staff = g.staff_member
    try:
        domain.deactivate_staff(current_user, staff, _reassign_choices(request.form))
    except domain.OrganisationError as e:
        return _unit_page(staff.unit, request.form, {"deactivate": str(e)}, 409, blocked_logs=e.logs, leaving=staff)
    flash(_("%(name)s er deaktivert og har ikke lenger tilgang.", name=staff.name), "success")
    return redirect(url_for("org.unit", unit_id=staff.unit_id), 303)


@bp.route("/ansatte/<int:staff_id>/nytt-passord", methods=["POST"])
def staff_password_reset(staff_id):
    staff = g.staff_member
    return _reset_password(staff, url_for("org.unit", unit_id=staff.unit_id))


def _move_page(staff, values=None, errors=None, status=200):
    """The move form: the units to choose from and the logs in use the person holds, each
    with the deactivation's choices of a new holder (handover/_reassign_logs.html)."""
    every = domain.active_logs_held_by(staff)
    held = led_by(current_user, every, staff)  # the others are another unit's children: a number
    for log in held:  # listed with the child's name: a read of each
        audit.record(f"view:{request.endpoint}", log=log, obj=staff)
    values = values or {}
    units = domain.units_to_move_to(staff)
    # the unit chosen (form, or ?unit_id= from the select): only one it may be moved to
    chosen_id = row_id(values.get("unit_id") or request.args.get("unit_id"))
    new_unit = next((u for u in units if u.id == chosen_id), None)
    return page_or_fragment(
        "org/_move_logs.html",
        "org/staff_move.html",
        status,
        **reassignment_context(held, staff, staff.unit, current_user),
        staff=staff,
        unit_options=[(u.id, f"{u.name} ({u.area.name})") for u in units],
        blocked_logs=held,
        held_elsewhere=len(every) - len(held),
        new_unit=new_unit,
        covered=domain.consent_coverage(held, new_unit),
        values={**({"unit_id": str(new_unit.id)} if new_unit else {}), **values},
        errors=errors or {},
    )


@bp.route("/ansatte/<int:staff_id>/flytt", methods=["GET", "POST"])
def staff_move(staff_id):
    staff = g.staff_member
    if request.method == "GET":
        return _move_page(staff)
    f = request.form
    if "show" in f:  # without JavaScript: the "Vis" button shows the coverage, moves nobody
        return _move_page(staff, f)
    try:
        unit = domain.move_staff(current_user, staff, row_id(f.get("unit_id")), _reassign_choices(f))
    except domain.OrganisationError as e:
        return _move_page(staff, f, {e.field or "unit_id": str(e)}, 422)
    kept = len(domain.active_logs_held_by(staff))  # left with them, or until a proposal is accepted
    if kept:
        done = ngettext(
            "%(name)s er flyttet til %(unit)s. Hen er fortsatt stafettholder for %(num)s stafettlogg, til en ny stafettholder har tatt imot den.",
            "%(name)s er flyttet til %(unit)s. Hen er fortsatt stafettholder for %(num)s stafettlogger, til en ny stafettholder har tatt imot dem.",
            kept,
            name=staff.name,
            unit=unit.name,
        )
    else:
        done = _("%(name)s er flyttet til %(unit)s.", name=staff.name, unit=unit.name)
    flash(done, "success")
    return redirect(url_for("org.unit", unit_id=current_user.unit_id), 303)


@bp.route("/ansatte/<int:staff_id>/aktiver", methods=["POST"])
def staff_reactivate(staff_id):
    staff = g.staff_member
    if staff.active:
        abort(409)
    domain.reactivate_staff(current_user, staff)
    flash(_("%(name)s er aktivert igjen.", name=staff.name), "success")
    return redirect(url_for("org.unit", unit_id=staff.unit_id), 303)


@bp.route("/admin/utboks/<int:mail_id>/prov-igjen", methods=["POST"])
def outbox_retry(mail_id):
    if not mailer.retry(mail_id, by=current_user):
        abort(404)
    flash(_("E-posten er lagt i køen igjen og sendes straks."), "success")
    return redirect(url_for("org.outbox"), 303)


@bp.route("/ansatte/<int:staff_id>/ito-koordinator", methods=["POST"])
def ito_grant(staff_id):
    return _change_ito(domain.grant_ito, _l("%(name)s er ITO-koordinator og holder oversikten for enheten."))


@bp.route("/ansatte/<int:staff_id>/ito-koordinator/avslutt", methods=["POST"])
def ito_revoke(staff_id):
    return _change_ito(domain.revoke_ito, _l("%(name)s er ikke lenger ITO-koordinator."))


def _change_ito(change, done):
    """Grant or end the ITO coordinator's task; back to the unit page's ITO part."""
    staff = g.staff_member
    try:
        change(current_user, staff)
    except domain.OrganisationError as e:
        return _unit_page(staff.unit, {}, {"ito": str(e)}, 409)
    flash(done % {"name": staff.name}, "success")
    return redirect(url_for("org.unit", unit_id=staff.unit_id) + "#ito-h", 303)


@bp.route("/admin/utboks")
def outbox():
    """Every e-mail the service has written, one window at a time: «Vis flere» is a link to
    the next window as a whole page, and htmx appends just its e-mails in place of the link."""
    window = domain.outbox_window(request.args.get("etter"))
    # an address and a subject can tell that a family's child has a log: the family's
    # access history says who saw it (audit.record_named)
    audit.record_named("view:org.outbox", list(dict.fromkeys(mail.log_id for mail in window.items)))
    return page_or_fragment(
        "org/_outbox_mails.html",
        "org/outbox.html",
        window=window,
        only_items=bool(window.cursor) and is_htmx(),
        smtp_configured=bool(current_app.config.get("SMTP_HOST")),
    )
