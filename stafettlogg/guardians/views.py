"""The guardians' routes: their own read-only view of the child's log (DESIGN.md: plain
language), the access history, withdrawing consent and asking for deletion; the family
print; and the holder's invitations and the guardian accepting one. Thin: the access
hook has loaded g.log and checked the role; rules live in guardians/domain.py
(invitations) and logs/lifecycle.py (the log's life), reads in guardians/queries.py."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from stafettlogg import auth, languages
from stafettlogg.access import consent_age
from stafettlogg.dates import local_today
from stafettlogg.guardians import domain
from stafettlogg.guardians.queries import WINDOWED, access_history, plain_view
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import gate, queries, states
from stafettlogg.logs import lifecycle as log_lifecycle
from stafettlogg.logs.domain import LogError, age_on
from stafettlogg.models import Guardian, GuardianInvitation, User, utcnow
from stafettlogg.passwords import verify_password
from stafettlogg.signin import throttle
from stafettlogg.web import is_htmx, page_or_fragment
from stafettlogg.windows import row_id

bp = Blueprint("guardian", __name__)


# ------------------------------------------------------------------ the guardians' own pages


@bp.route("/mine/<int:log_id>")
def show(log_id):
    """The guardians' view. The minutes and the highlights come in windows: «Vis flere»
    is a link to the page with the list's next window (liste, etter), and htmx appends
    just that window in place of the link."""
    g.audit_object = g.log
    listed, cursor = request.args.get("liste"), request.args.get("etter")
    expanded = row_id(request.args.get("evalueringer"))
    if listed not in WINDOWED or not cursor or not states.shows_content(g.log):
        # a draft (reopened, or taken over) shows none of its lists, whatever a stale link asks
        return render_template("guardians/show.html", expanded=expanded, **plain_view(g.log, expanded=expanded))
    return page_or_fragment(
        f"guardians/_{listed}.html",
        "guardians/show.html",
        only_items=is_htmx(),
        **plain_view(g.log, cursor, listed),
    )


@bp.route("/mine/<int:log_id>/innsyn")
def access_log(log_id):
    """The access history, one window at a time: «Vis flere» is a link to the next window
    as a whole page, and htmx appends just its rows in place of the link."""
    window = access_history(g.log, request.args.get("etter"))
    only_rows = bool(window.cursor) and is_htmx()
    return page_or_fragment(
        "guardians/_access_rows.html", "guardians/access_log.html", log=g.log, window=window, only_rows=only_rows
    )


@bp.route("/mine/<int:log_id>/trekk-samtykke", methods=["GET", "POST"])
def withdraw(log_id):
    log = g.log
    error = None
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            error = _("Kryss av for at du vil trekke samtykket tilbake.")
        else:
            try:
                log_lifecycle.withdraw_consent(current_user, log)
            except LogError as e:
                error = str(e)
            else:
                flash(
                    _("Samtykket er trukket tilbake, og stafettloggen er avsluttet. Stafettholderen har fått beskjed."),
                    "success",
                )
                return redirect(url_for("guardian.show", log_id=log.id), 303)
        return render_template("guardians/withdraw.html", log=log, error=error), 422
    return render_template("guardians/withdraw.html", log=log, error=None)


@bp.route("/mine/<int:log_id>/be-om-sletting", methods=["GET", "POST"])
def deletion_request(log_id):
    log = g.log
    errors, values = {}, {}
    if request.method == "POST":
        values = request.form
        if request.form.get("confirm") != "yes":
            errors["confirm"] = _("Kryss av for at du vil be om at stafettloggen slettes.")
        else:
            try:
                log_lifecycle.request_deletion(current_user, log, request.form.get("reason", ""))
            except LogError as e:
                errors[e.field or "confirm"] = str(e)
            else:
                flash(_("Kravet om sletting er sendt til enhetslederen. Dere får svar her."), "success")
                return redirect(url_for("guardian.show", log_id=log.id), 303)
        status = 422
    else:
        status = 200
    return render_template(
        "guardians/deletion_request.html",
        log=log,
        errors=errors,
        values=values,
        pending=log_lifecycle.open_deletion_request(log),
        today=local_today(),
    ), status


# ------------------------------------------------------------------ the family print


@bp.route("/logger/<int:log_id>/familieversjon")
def family_print(log_id):
    """A plain-language print of the guardians' view (large type, no internal
    notes) for families who do not use digital services."""
    g.audit_object = g.log
    document_languages = languages.use_document_language(queries.guardians(g.log))
    return render_template(
        "guardians/family_print.html",
        printed_at=utcnow(),
        document_languages=document_languages,
        **plain_view(g.log, whole=True),
    )


# ------------------------------------------------------------------ invitations (holder)


def _invitations_page(status=200, created=None, values=None, errors=None, youth_added=None):
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
        if domain.invitation_holds(inv)  # one made before a handover is void: not shown as pending
    }
    age = None
    if log.subject.birth_date:
        age = age_on(log.subject.birth_date, local_today())
    if created:
        created["letter"] = languages.render_in(
            created["guardian"].language, "guardians/_invitation_letter.html", created=created, log=log
        )
    return render_template(
        "guardians/invitations.html",
        log=log,
        guardians=guardians,
        pending=pending,
        created=created,
        youth_added=youth_added,
        values=values or {},
        errors=errors or {},
        youth_age=age,
        consent_age=consent_age(),
        has_youth=any(gd.relation == domain.YOUTH_RELATION for gd in guardians),
        refusals={gd.id: domain.invitation_refusal(gd) for gd in guardians},
        invitations_off=not domain.invitations_enabled(),
        # why the consent lets this person give no one access now (gate.refusal)
        not_now=gate.refusal("guardian.invitation_create", current_user, log, "POST"),
    ), status


@bp.route("/logger/<int:log_id>/tilgang-foresatte")
def invitations(log_id):
    return _invitations_page()


@bp.route("/logger/<int:log_id>/tilgang-foresatte", methods=["POST"])
def invitation_create(log_id):
    guardian = Guardian.get_or_none(
        Guardian.id == (request.form.get("guardian_id", type=int) or 0), Guardian.log == g.log
    )
    if guardian is None:
        return _invitations_page(422, errors={"guardian": _("Velg hvem invitasjonen gjelder.")})
    try:
        created = domain.send_invitation(current_user, g.log, guardian)
    except LogError as e:
        return _invitations_page(409, errors={"guardian": str(e)})
    return _invitations_page(created=created)


@bp.route("/logger/<int:log_id>/tilgang-foresatte/ungdom", methods=["POST"])
def youth_add(log_id):
    f = request.form
    try:
        youth = domain.add_youth(current_user, g.log, phone=f.get("phone", ""), email=f.get("email", ""))
        if not domain.invitations_enabled():  # the youth signs in with ID-porten: no invitation
            return _invitations_page(youth_added=youth)
        created = domain.send_invitation(current_user, g.log, youth)
    except LogError as e:
        return _invitations_page(422, values=f, errors={e.field or "phone": str(e)})
    return _invitations_page(created=created)


# ------------------------------------------------------------------ accepting an invitation


def _accept_page(invitation, token, errors=None, values=None, status=200):
    return render_template(
        "guardians/invitation_accept.html",
        invitation=invitation,
        token=token,
        errors=errors or {},
        values=values or {},
    ), status


@bp.route("/invitasjon/<token>", methods=["GET", "POST"])
def invitation_accept(token):
    """A one-time link (anonymous allowed): the guardian chooses a username and a
    password, or links the log to the guardian account they already have."""
    invitation = domain.find_invitation(token)
    if invitation is None:
        return render_template("guardians/invitation_invalid.html"), 404
    if not domain.invitation_holds(invitation):
        return render_template("guardians/invitation_invalid.html", void=True), 410
    if current_user.is_authenticated and current_user.role != "guardian":
        return render_template("guardians/invitation_invalid.html", staff=True), 409
    if request.method == "GET":
        return _accept_page(invitation, token)
    f = request.form
    action = f.get("action", "create")
    code = f.get("code_link", "") if action == "link" and not current_user.is_authenticated else f.get("code", "")
    # wrong codes slow down this invitation like wrong passwords an account (signin/throttle.py)
    ip, code_key = request.remote_addr or "", f"invitation:{invitation.id}"
    try:
        code_attempt = throttle.begin(code_key, ip)
        if isinstance(code_attempt, throttle.Refusal):
            raise LogError(auth.refusal_message(code_attempt), "code")
        domain.check_code(invitation, code)  # a wrong code stays counted
        throttle.not_judged(code_attempt)  # the right code costs nothing; earlier wrong ones still count
        if current_user.is_authenticated:
            domain.link_invitation(token, current_user, code=code)
            user = current_user
        elif action == "link":
            # the same limits as the login form: a valid link must not open for password guessing
            username = f.get("existing_username", "").strip().lower()
            password_attempt = throttle.begin(throttle.account_key(username), ip)
            if isinstance(password_attempt, throttle.Refusal):
                raise LogError(auth.refusal_message(password_attempt), "existing_username")
            user = User.get_or_none(User.username == username)
            if not verify_password(user.password_hash if user else None, f.get("existing_password", "")) or not (
                user and user.active
            ):
                raise LogError(_("Feil brukernavn eller passord."), "existing_username")
            throttle.succeeded(password_attempt)
            domain.link_invitation(token, user, code=code)
        else:
            user = domain.accept_invitation(
                token,
                code=code,
                username=f.get("username", ""),
                password=f.get("password", ""),
                repeat=f.get("repeat", ""),
            )
    except LogError as e:
        if e.code == "used":
            return render_template("guardians/invitation_invalid.html"), 409
        if e.code == "void":  # the log changed between the page and the answer
            return render_template("guardians/invitation_invalid.html", void=True), 410
        values = {k: v for k, v in f.items() if "password" not in k and k != "repeat"}
        field = e.field or "username"
        if field == "code" and action == "link" and not current_user.is_authenticated:
            field = "code_link"  # the code box of the form that was sent
        return _accept_page(invitation, token, {field: str(e)}, values, 422)
    target = url_for("guardian.show", log_id=invitation.guardian.log_id)
    if not current_user.is_authenticated:
        # a password sign-in like the login form's: the second factor where one is required
        response = auth.complete_password_sign_in(user, target, 303)
        flash(_("Velkommen! Nå kan du lese stafettloggen."), "success")
        return response
    flash(_("Velkommen! Nå kan du lese stafettloggen."), "success")
    return redirect(target, 303)
