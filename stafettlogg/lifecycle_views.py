"""Routes for the guardians' invitations (holder), accepting an invitation, and the
archive and family prints. Thin: the access hook has loaded g.log and checked the role;
rules live in stafettlogg/lifecycle.py (invitations) and logs/lifecycle.py (the log's life).
They share the "lifecycle" blueprint of logs/lifecycle_views.py, so endpoint names stay."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from stafettlogg import languages, lifecycle
from stafettlogg.access import role_on_log
from stafettlogg.archive import content as archive_content
from stafettlogg.guardian_views import plain_view
from stafettlogg.logs import lifecycle as log_lifecycle
from stafettlogg.logs import queries
from stafettlogg.logs.domain import LogError
from stafettlogg.logs.lifecycle_views import bp
from stafettlogg.models import Guardian, GuardianInvitation, LogStatus, User, utcnow
from stafettlogg.notify import msg, send_email
from stafettlogg.passwords import verify_password

__all__ = ["bp"]


# ------------------------------------------------------------------ prints


def _print_allowed_for_leader(log) -> bool:
    return log.status in log_lifecycle.ENDED or log_lifecycle.open_deletion_request(log) is not None


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
        refusals={gd.id: lifecycle.invitation_refusal(gd) for gd in guardians},
        invitations_off=not lifecycle.invitations_enabled(),
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
    return {
        "guardian": guardian,
        "link": link,
        "invitation": invitation,
        "code": lifecycle.format_code(invitation.code),
        "emailed": emailed,
    }


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
    code = f.get("code_link", "") if action == "link" and not current_user.is_authenticated else f.get("code", "")
    # wrong codes slow down this invitation like wrong passwords an account (signin/throttle.py)
    from stafettlogg.auth import refusal_message
    from stafettlogg.signin import throttle

    ip, code_key = request.remote_addr or "", f"invitation:{invitation.id}"
    try:
        if refusal := throttle.check(code_key, ip):
            raise LogError(refusal_message(refusal), "code")
        try:
            lifecycle.check_code(invitation, code)
        except LogError:
            throttle.record_failure(code_key, ip)
            raise
        if current_user.is_authenticated:
            lifecycle.link_invitation(token, current_user, code=code)
            user = current_user
        elif action == "link":
            # the same limits as the login form: a valid link must not open for password guessing
            username = f.get("existing_username", "").strip().lower()
            account = throttle.account_key(username)
            if refusal := throttle.check(account, ip):
                raise LogError(refusal_message(refusal), "existing_username")
            user = User.get_or_none(User.username == username)
            if not verify_password(user.password_hash if user else None, f.get("existing_password", "")) or not (
                user and user.active
            ):
                throttle.record_failure(account, ip)
                raise LogError(_("Feil brukernavn eller passord."), "existing_username")
            throttle.clear(account)
            lifecycle.link_invitation(token, user, code=code)
        else:
            user = lifecycle.accept_invitation(
                token,
                code=code,
                username=f.get("username", ""),
                password=f.get("password", ""),
                repeat=f.get("repeat", ""),
            )
    except LogError as e:
        if e.code == "used":
            return render_template("lifecycle/invitation_invalid.html"), 409
        values = {k: v for k, v in f.items() if "password" not in k and k != "repeat"}
        field = e.field or "username"
        if field == "code" and action == "link" and not current_user.is_authenticated:
            field = "code_link"  # the code box of the form that was sent
        return _accept_page(invitation, token, {field: str(e)}, values, 422)
    target = url_for("guardian.show", log_id=invitation.guardian.log_id)
    if not current_user.is_authenticated:
        from stafettlogg import auth

        # a password sign-in like the login form's: the second factor where one is required
        response = auth.complete_password_sign_in(user, target, 303)
        flash(_("Velkommen! Nå kan du lese stafettloggen."), "success")
        return response
    flash(_("Velkommen! Nå kan du lese stafettloggen."), "success")
    return redirect(target, 303)
