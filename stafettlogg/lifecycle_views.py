"""Routes for close / passive / reopen / delete, the archive and family prints, the
unit leader's deletion queue and the guardians' invitations. Thin: the access hook has
loaded g.log (or g.unit) and checked the role; rules live in stafettlogg/lifecycle.py."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from stafettlogg import content, languages, lifecycle
from stafettlogg.access import role_on_log
from stafettlogg.archive import content as archive_content
from stafettlogg.archive import domain as archive_domain
from stafettlogg.guardian_views import plain_view
from stafettlogg.logs import queries
from stafettlogg.logs.domain import LogError
from stafettlogg.models import (
    DeletionRequest,
    Guardian,
    GuardianInvitation,
    Log,
    LogStatus,
    LogTombstone,
    Subject,
    User,
    utcnow,
)
from stafettlogg.notify import msg, send_email
from stafettlogg.passwords import verify_password

bp = Blueprint("lifecycle", __name__)

DELETE_REASONS = {
    "passive_by_agreement": _l("Passiv logg, slettes etter avtale"),
    "not_kept": _l("Avsluttet, foresatte ønsket ikke at loggen tas vare på"),
    "guardian_request": _l("Foresatte har bedt om sletting"),
}


@bp.app_context_processor
def lifecycle_labels():
    return {
        "close_reason_label": content.close_reason,  # the municipality may word them (content/)
        "delete_reason_label": lambda k: str(DELETE_REASONS.get(k, "")),
    }


# ------------------------------------------------------------------ close, passive, reopen


def _close_page(values=None, errors=None, status=200):
    log = queries.load_log(g.log.id)
    return render_template(
        "lifecycle/close.html",
        log=log,
        values=values or {},
        errors=errors or {},
        reasons=content.close_reasons(),
        guardians=queries.guardians(log),
        deletion_request=lifecycle.open_deletion_request(log),
        consent_age=current_app.config["CONSENT_AGE"],
    ), status


@bp.route("/logger/<int:log_id>/avslutt", methods=["GET", "POST"])
def close(log_id):
    if request.method == "GET":
        return _close_page()
    f = request.form
    keep = f.get("keep", "")
    try:
        if keep == "yes":  # checked before closing, so a wrong agreement changes nothing
            lifecycle.check_keep_agreement(g.log, f.get("agreed_by_name", ""), f.get("agreed_as", "guardian"))
        lifecycle.close_log(
            current_user,
            g.log,
            f.get("reason", ""),
            f.get("note", ""),
            f.get("coordinator_name", ""),
            f.get("coordinator_service", ""),
        )
    except LogError as e:
        return _close_page(f, {e.field or "reason": str(e)}, 409 if e.code else 422)
    if keep == "yes":
        try:
            lifecycle.make_passive(current_user, g.log, f.get("agreed_by_name", ""), f.get("agreed_as", "guardian"))
        except LogError as e:
            flash(_("Stafettloggen er avsluttet, men ble ikke satt passiv: %(e)s", e=str(e)), "error")
            return redirect(url_for("lifecycle.close", log_id=g.log.id), 303)
        flash(_("Stafettloggen er avsluttet og satt passiv. Den tas vare på etter avtale med familien."), "success")
    else:
        flash(_("Stafettloggen er avsluttet. Den kan bare leses."), "success")
    return redirect(url_for("logs.show", log_id=g.log.id), 303)


@bp.route("/logger/<int:log_id>/passiv", methods=["POST"])
def passive(log_id):
    f = request.form
    try:
        lifecycle.make_passive(current_user, g.log, f.get("agreed_by_name", ""), f.get("agreed_as", "guardian"))
    except LogError as e:
        return _close_page(f, {e.field or "agreed_by_name": str(e)}, 409 if e.code else 422)
    flash(_("Stafettloggen er satt passiv. Den tas vare på etter avtale med familien."), "success")
    return redirect(url_for("lifecycle.close", log_id=g.log.id), 303)


@bp.route("/logger/<int:log_id>/gjenapne", methods=["POST"])
def reopen(log_id):
    try:
        lifecycle.reopen(current_user, g.log)
    except LogError as e:
        return _close_page({}, {"reopen": str(e)}, 409)
    flash(_("Stafettloggen er gjenåpnet. Last opp det nye samtykket for å ta den i bruk igjen."), "success")
    return redirect(url_for("logs.consent_form", log_id=g.log.id), 303)


# ------------------------------------------------------------------ prints


def _print_allowed_for_leader(log) -> bool:
    return log.status in lifecycle.ENDED or lifecycle.open_deletion_request(log) is not None


@bp.route("/logger/<int:log_id>/arkivutskrift")
def archive_print(log_id):
    """seed 003: the log never replaces the service's own journal; before deletion
    the whole log is printed (saved as PDF from the browser) for the unit's archive.
    The unit leader sees content here only when the log is closed or passive."""
    log = queries.load_log(g.log.id)
    role = role_on_log(current_user, log)
    if log.status == LogStatus.DRAFT:
        return render_template(
            "error.html", code=409, message=_("Innholdet vises når det nye samtykket er lastet opp.")
        ), 409
    if role != "holder" and not _print_allowed_for_leader(log):
        return render_template(
            "error.html",
            code=409,
            message=_("Enhetslederen kan skrive ut arkivkopien når stafettloggen er avsluttet."),
        ), 409
    g.audit_object = log
    context = queries.log_page(log)
    context.update(archive_content.whole_log(log), printed_at=utcnow())
    return render_template("lifecycle/archive.html", **context)


@bp.route("/logger/<int:log_id>/familieversjon")
def family_print(log_id):
    """A plain-language print of the guardians' view (large type, no internal
    notes) for families who do not use digital services."""
    g.audit_object = g.log
    document_languages = languages.use_document_language(queries.guardians(g.log))
    return render_template(
        "lifecycle/family.html", printed_at=utcnow(), document_languages=document_languages, **plain_view(g.log)
    )


# ------------------------------------------------------------------ invitations (holder)


def _invitations_page(status=200, created=None, values=None, errors=None):
    log = queries.load_log(g.log.id)
    guardians = queries.guardians(log)
    now = utcnow()
    pending = {
        inv.guardian_id: inv
        for inv in GuardianInvitation.select()
        .where(
            GuardianInvitation.guardian.in_([gd.id for gd in guardians] or [0]),
            GuardianInvitation.used_at.is_null(),
            GuardianInvitation.expires_at > now,
        )
        .order_by(GuardianInvitation.id)
    }
    age = None
    if log.subject.birth_date:
        from stafettlogg.logs.domain import age_on

        age = age_on(log.subject.birth_date, utcnow().date())
    if created:
        created["letter"] = languages.render_in(
            created["guardian"].language, "lifecycle/_invitation_letter.html", created=created, log=log
        )
    return render_template(
        "lifecycle/invitations.html",
        log=log,
        guardians=guardians,
        pending=pending,
        created=created,
        values=values or {},
        errors=errors or {},
        youth_age=age,
        consent_age=current_app.config["CONSENT_AGE"],
        has_youth=any(gd.relation == lifecycle.YOUTH_RELATION for gd in guardians),
    ), status


@bp.route("/logger/<int:log_id>/tilgang-foresatte")
def invitations(log_id):
    return _invitations_page()


def _invite(guardian):
    invitation, token = lifecycle.invite_guardian(current_user, g.log, guardian)
    # The page opens in the guardian's preferred language (set by the holder).
    link = current_app.config["PUBLIC_URL"] + url_for(
        "lifecycle.invitation_accept", token=token, lang=guardian.language or None
    )
    emailed = False
    if guardian.email:
        send_email(
            guardian.email,
            msg("Invitasjon til Stafettlogg"),
            msg(
                "Hei!\n\n%(holder)s (%(unit)s) har gitt deg tilgang til å lese stafettloggen i Stafettlogg.\n\n"
                "Åpne lenken og velg brukernavn og passord:\n%(link)s\n\n"
                "Lenken kan brukes én gang og gjelder til %(until)s.\n\n"
                "Av hensyn til personvernet står det ingen opplysninger om barnet i denne e-posten.",
                holder=current_user.name,
                unit=g.log.unit.name,
                link=link,
                until=_format(invitation.expires_at),
            ),
            recipient=guardian,
        )
        emailed = True
    return {"guardian": guardian, "link": link, "invitation": invitation, "emailed": emailed}


def _format(value):
    """The invitation's expiry without words ("kl."): the e-mail is in the guardian's
    language, not the holder's."""
    from stafettlogg.templating import format_date, format_time

    return f"{format_date(value)} {format_time(value)}"


@bp.route("/logger/<int:log_id>/tilgang-foresatte", methods=["POST"])
def invitation_create(log_id):
    guardian = Guardian.get_or_none(
        Guardian.id == (request.form.get("guardian_id", type=int) or 0), Guardian.log == g.log
    )
    if guardian is None:
        return _invitations_page(422, errors={"guardian": _("Velg hvem invitasjonen gjelder.")})
    try:
        created = _invite(guardian)
    except LogError as e:
        return _invitations_page(409, errors={"guardian": str(e)})
    return _invitations_page(created=created)


@bp.route("/logger/<int:log_id>/tilgang-foresatte/ungdom", methods=["POST"])
def youth_add(log_id):
    f = request.form
    try:
        youth = lifecycle.add_youth(current_user, g.log, phone=f.get("phone", ""), email=f.get("email", ""))
        created = _invite(youth)
    except LogError as e:
        return _invitations_page(422, values=f, errors={e.field or "phone": str(e)})
    return _invitations_page(created=created)


# ------------------------------------------------------------------ accepting an invitation


def _accept_page(invitation, token, errors=None, values=None, status=200):
    return render_template(
        "lifecycle/invitation_accept.html",
        invitation=invitation,
        token=token,
        errors=errors or {},
        values=values or {},
    ), status


@bp.route("/invitasjon/<token>", methods=["GET", "POST"])
def invitation_accept(token):
    """A one-time link (anonymous allowed): the guardian chooses a username and a
    password, or links the log to the guardian account they already have."""
    invitation = lifecycle.find_invitation(token)
    if invitation is None:
        return render_template("lifecycle/invitation_invalid.html"), 404
    if current_user.is_authenticated and current_user.role != "guardian":
        return render_template("lifecycle/invitation_invalid.html", staff=True), 409
    if request.method == "GET":
        return _accept_page(invitation, token)
    f = request.form
    action = f.get("action", "create")
    try:
        if current_user.is_authenticated:
            lifecycle.link_invitation(token, current_user)
            user = current_user
        elif action == "link":
            # the same limits as the login form: a valid link must not open for password guessing
            from stafettlogg.auth import _record_failure, _too_many_failures

            username, ip = f.get("existing_username", "").strip().lower(), request.remote_addr or ""
            if _too_many_failures(username, ip):
                raise LogError(_("For mange mislykkede forsøk. Vent litt og prøv igjen."), "existing_username")
            user = User.get_or_none(User.username == username)
            if not verify_password(user.password_hash if user else None, f.get("existing_password", "")) or not (
                user and user.active
            ):
                _record_failure(username, ip)
                raise LogError(_("Feil brukernavn eller passord."), "existing_username")
            lifecycle.link_invitation(token, user)
        else:
            user = lifecycle.accept_invitation(
                token, username=f.get("username", ""), password=f.get("password", ""), repeat=f.get("repeat", "")
            )
    except LogError as e:
        if e.code == "used":
            return render_template("lifecycle/invitation_invalid.html"), 409
        values = {k: v for k, v in f.items() if "password" not in k and k != "repeat"}
        return _accept_page(invitation, token, {e.field or "username": str(e)}, values, 422)
    if not current_user.is_authenticated:
        session.clear()  # a new session at login
        login_user(user)
        session["last_seen"] = utcnow().timestamp()
    flash(_("Velkommen! Nå kan du lese stafettloggen."), "success")
    return redirect(url_for("guardian.show", log_id=invitation.guardian.log_id), 303)


# ------------------------------------------------------------------ deletion (unit leader)


def _delete_page(errors=None, status=200):
    log = queries.load_log(g.log.id)
    return render_template(
        "lifecycle/delete.html",
        log=log,
        reason=lifecycle.deletion_reason(log),
        archived=archive_domain.is_archived(log),
        request_=lifecycle.open_deletion_request(log),
        errors=errors or {},
    ), status


@bp.route("/logger/<int:log_id>/slett")
def delete_form(log_id):
    return _delete_page()


@bp.route("/logger/<int:log_id>/slett", methods=["POST"])
def delete(log_id):
    if request.form.get("confirm") != "yes":
        return _delete_page({"confirm": _("Kryss av for at loggen er arkivert, eller at det ikke trengs.")}, 422)
    unit_id = g.log.unit_id
    log_id = g.log.id
    try:
        lifecycle.delete_log(
            current_user, g.log, request.form.get("reason", ""), request.form.get("archive_waiver", "")
        )
    except LogError as e:
        return _delete_page({e.field or "reason": str(e)}, 422 if e.field == "archive_waiver" else 409)
    g.log = None  # nothing left to audit as a read
    flash(_("Stafettlogg nr. %(id)s er slettet. Alt innhold og alle filer er fjernet.", id=log_id), "success")
    return redirect(url_for("lifecycle.queue", unit_id=unit_id), 303)


@bp.route("/logger/<int:log_id>/sletting/<int:request_id>/avvis", methods=["POST"])
def deletion_refuse(log_id, request_id):
    req = DeletionRequest.get_or_none(DeletionRequest.id == request_id, DeletionRequest.log == g.log)
    if req is None:
        abort(404)
    try:
        lifecycle.refuse_deletion(current_user, g.log, req, request.form.get("response", ""))
    except LogError as e:
        return _delete_page({e.field or "response": str(e)}, 422 if e.field else 409)
    flash(_("Svaret er sendt til de foresatte."), "success")
    return redirect(url_for("lifecycle.queue", unit_id=g.log.unit_id), 303)


@bp.route("/enheter/<int:unit_id>/sletting")
def queue(unit_id):
    """The unit leader's queue: deletion requests, and logs that may be deleted."""
    unit = g.unit
    holder = User.alias("holder")
    ended = list(
        Log.select(Log, Subject, holder)
        .join(Subject)
        .switch(Log)
        .join(holder, on=(Log.holder == holder.id))
        .where(Log.unit == unit, Log.status.in_(LogStatus.ENDED))
        .order_by(Log.closed_at)
    )
    requests = {
        r.log_id: r
        for r in DeletionRequest.select().where(
            DeletionRequest.log.in_([log.id for log in ended] or [0]), DeletionRequest.handled_at.is_null()
        )
    }
    tombstones = list(
        LogTombstone.select(LogTombstone, User)
        .join(User)
        .where(LogTombstone.unit == unit)
        .order_by(LogTombstone.deleted_at.desc())
        .limit(50)
    )
    return render_template(
        "lifecycle/queue.html",
        unit=unit,
        requested=[log for log in ended if log.id in requests],
        requests=requests,
        # without a request: passive logs by agreement, closed logs nobody agreed to keep
        deletable=[log for log in ended if log.id not in requests],
        tombstones=tombstones,
    )
