"""Login, logout, sessions and password change (SECURITY.md "Sessions and login")."""

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from peewee import JOIN, fn
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from stafettlogg import access, notify
from stafettlogg.db import prepared, write_transaction
from stafettlogg.i18n import gettext as _
from stafettlogg.i18n import lazy_gettext as _l
from stafettlogg.i18n import ngettext
from stafettlogg.models import Role, Unit, User, utcnow
from stafettlogg.passwords import hash_password, password_problem, verify_password
from stafettlogg.signin import clock, devices, second_factor, throttle
from stafettlogg.web import hx_redirect_or_redirect, is_htmx
from stafettlogg.windows import row_id

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Logg inn for å fortsette.")
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our per-user session token does this job


@prepared
def _user_with_unit(user_id: int):
    """The user with their unit (most pages and the consent gate ask for it), how many of
    their notices are unread (the menu) and whether they are their unit's ITO-koordinator
    (the menu, the overview's access): one query, not four."""
    return (
        User.select(
            User,
            Unit,
            notify.unread_notices(User.id).alias("unread_notices"),
            fn.EXISTS(access.delegation(User.unit, User.id)).alias("delegated"),
        )
        .join(Unit, JOIN.LEFT_OUTER, on=(User.unit == Unit.id))
        .where(User.id == user_id)
        .limit(1)
    )


@login_manager.user_loader
def load_user(session_id: str):
    """Sessions carry "<user id>:<session token>": a rotated token or a deactivated
    account ends every session of that user on the next request."""
    number, _sep, token = session_id.partition(":")
    user_id = row_id(number)
    if user_id is None or not token:
        return None
    user = _user_with_unit.first(user_id)
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        # The session is over for good: reactivating the account does not revive it.
        csrf_token = session.get("csrf_token")
        session.clear()
        if csrf_token:
            session["csrf_token"] = csrf_token
        return None
    notify.remember_unread(user.id, user.unread_notices)
    access.remember_delegation(user, user.delegated)
    return user


# Requests made in the background while someone types (the plain-language hints): once
# the session is over they get 204 and nothing else, never an HX-Redirect that would
# leave the page mid-sentence. Saving is what takes the person to login.
BACKGROUND_ENDPOINTS = {"meetings.hints"}


@login_manager.unauthorized_handler
def unauthorized():
    """htmx requests get HX-Redirect to login (never a login page swapped into a
    fragment); the user comes back to the page they were on."""
    if is_htmx() and request.endpoint in BACKGROUND_ENDPOINTS:
        return "", 204
    if is_htmx():
        back = request.headers.get("HX-Current-URL") or request.referrer or "/"
        parts = urlsplit(back)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
    else:
        back = request.full_path.rstrip("?")
    flash(_("Logg inn for å fortsette."), "info")
    return hx_redirect_or_redirect(url_for("auth.login", next=back))


def rotate_session_token(user: User) -> None:
    user.session_token = secrets.token_hex(32)
    User.update(session_token=user.session_token).where(User.id == user.id).execute()


def enforce_idle_timeout():
    """before_request: end the session after SESSION_IDLE_MINUTES without requests, and
    SESSION_MAX_HOURS after sign-in however busy it is (a session on a shared screen, or a
    stolen cookie kept alive by requests, does not last past the working day)."""
    if not current_user.is_authenticated:
        return None
    now = clock.epoch_seconds(utcnow())
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last = session.get("last_seen", now)
    started = session.setdefault("signed_in_at", now)  # a session from before the limit: from now
    if now - last > idle or now - started > current_app.config["SESSION_MAX_HOURS"] * 3600:
        # Keep the CSRF token: a concurrent htmx request (autosave beside a hint check)
        # must get the HX-Redirect to login, not a CSRF error.
        csrf_token = session.get("csrf_token")
        logout_user()
        session.clear()
        if csrf_token:
            session["csrf_token"] = csrf_token
        g.session_expired = True
        return None
    session["last_seen"] = now
    return None


ALLOWED_BEFORE_PASSWORD_CHANGE = {"auth.password", "auth.logout", "static", "main.healthz"}


def require_password_change():
    """before_request: a temporary password must be replaced before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        return hx_redirect_or_redirect(url_for("auth.password"))
    return None


def safe_next(target: str | None) -> str:
    """The one check for every ``next`` (login, language switch …): only a path on this
    host. Refused: a scheme or host, ``//``, a backslash, and any whitespace or control
    character (browsers drop tabs and newlines, so ``/<TAB>/evil`` would become ``//evil``)."""
    home = url_for("main.index")
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    if "\\" in target or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def local_login_enabled() -> bool:
    """Password sign-in for staff: LOCAL_LOGIN when set; otherwise on in the demo and
    wherever staff have no OpenID provider, off when STAFF_OIDC_ISSUER is configured."""
    cfg = current_app.config
    if cfg.get("LOCAL_LOGIN") is not None:
        return bool(cfg["LOCAL_LOGIN"])
    return bool(cfg.get("DEMO_MODE")) or not cfg.get("STAFF_OIDC_ISSUER")


def password_sign_in_allowed(user: User) -> bool:
    """The one rule for who may sign in with a password. With local login off: the system
    administrator (break-glass access; the second factor is asked of every admin sign-in)
    and, with LOCAL_GUARDIAN_LOGIN, guardians who got an account by invitation."""
    if local_login_enabled():
        return True
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.GUARDIAN and bool(current_app.config.get("LOCAL_GUARDIAN_LOGIN"))


def signs_in_with_password(user: User) -> bool:
    """Has a password and may sign in with it: only then is a second factor for the
    password offered, or changing it. Staff who sign in through the municipality's
    provider may still have the first password they were given, which opens nothing."""
    return bool(user.password_hash) and password_sign_in_allowed(user)


def must_have_second_factor(user: User) -> bool:
    """Is this person held to a second factor where they sign in: their role requires it
    (second_factor.mandatory) and they sign in with a password? A provider's sign-in
    answers for its own second factor. What the unit page says of each person."""
    return second_factor.mandatory(user) and signs_in_with_password(user)


def password_form_shown() -> bool:
    return local_login_enabled() or bool(current_app.config.get("LOCAL_GUARDIAN_LOGIN"))


class LoginForm(FlaskForm):
    username = StringField(_l("Brukernavn"), validators=[DataRequired(_l("Skriv brukernavnet ditt."))])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt."))])


def second_factor_required(user: User) -> bool:
    """Must this person give a second factor after the password? The one rule for every
    password sign-in (this form and the break-glass admin sign-in): see signin/second_factor.py."""
    return second_factor.second_factor_required(user)


# The session keys of a password sign-in: waiting for the code, and where to go after enrolment.
PENDING_SECOND_FACTOR = "second_factor_pending"
ENROL_SECOND_FACTOR = "second_factor_enrol"
PENDING_MINUTES = 5


def start_session(user: User, *, method: str = "password") -> None:
    """Sign the person in: a new session, bound to their session token."""
    if not user.session_token:
        with write_transaction():
            rotate_session_token(user)
    session.clear()  # a new session at login
    login_user(user)
    session["last_seen"] = session["signed_in_at"] = clock.epoch_seconds(utcnow())
    session["signed_in_with"] = method


def complete_password_sign_in(user: User, next_url: str | None, code: int = 302):
    """After the right password: the code step for anyone with a second factor, sign-in
    and then enrolment for whoever must have one and has none, else signed in. Every
    password sign-in goes through here; returns the response. Signed in, this browser is
    one the account knows (signin/devices.py); with the code still owed, not yet."""
    if second_factor.enrolled(user):
        session.clear()
        session[PENDING_SECOND_FACTOR] = {
            "user": user.id,
            "at": clock.epoch_seconds(clock.now()),
            "next": safe_next(next_url),
        }
        return redirect(url_for("signin.code"), 303)
    start_session(user)
    if second_factor_owed(user):
        session[ENROL_SECOND_FACTOR] = safe_next(next_url)  # where confirming the code leads
        return devices.remember(redirect(url_for("signin.account"), 303), user)
    return devices.remember(redirect(safe_next(next_url), code), user)


def pending_second_factor() -> tuple[User, str] | None:
    """The person who gave the right password and still owes the code (for a few minutes)."""
    pending = session.get(PENDING_SECOND_FACTOR)
    if not isinstance(pending, dict):
        return None
    if clock.epoch_seconds(clock.now()) - float(pending.get("at", 0)) > PENDING_MINUTES * 60:
        return None
    user = User.get_or_none(id=pending.get("user"))
    if user is None or not user.active:
        return None
    return user, safe_next(pending.get("next"))


ALLOWED_BEFORE_ENROLMENT = {"signin.account", "signin.confirm", "auth.logout", "static", "main.healthz"}


def second_factor_owed(user: User) -> bool:
    """Signed in with a password in this session, must have a second factor
    (second_factor.mandatory) and has none: set it up before anything else. Asked on every
    request, so it holds as well for a session begun before the operator required it
    (SECOND_FACTOR_ROLES) or before the person's code was reset."""
    return (
        session.get("signed_in_with") == "password"
        and second_factor.mandatory(user)
        and not second_factor.enrolled(user)
    )


def require_second_factor_enrolment():
    """before_request: whoever owes a second factor does nothing else until it is set up.
    A temporary password is replaced first (the gate before this one): asking for both at
    once sent a new area leader in a circle."""
    if (
        current_user.is_authenticated
        and not current_user.must_change_password
        and request.endpoint not in ALLOWED_BEFORE_ENROLMENT
        and second_factor_owed(current_user)
    ):
        return hx_redirect_or_redirect(url_for("signin.account"))
    return None


def refusal_message(refusal: throttle.Refusal) -> str:
    if refusal.reason == "account":
        return ngettext(
            "Det har vært flere mislykkede forsøk på denne kontoen. Vent %(num)s sekund og prøv igjen.",
            "Det har vært flere mislykkede forsøk på denne kontoen. Vent %(num)s sekunder og prøv igjen.",
            refusal.seconds,
        )
    return ngettext(
        "For mange mislykkede forsøk. Vent %(num)s minutt og prøv igjen, eller kontakt enhetslederen din.",
        "For mange mislykkede forsøk. Vent %(num)s minutter og prøv igjen, eller kontakt enhetslederen din.",
        current_app.config["LOGIN_LOCK_MINUTES"],
    )


def current_password_refused(user: User, password: str, *, also=None) -> str | None:
    """The one check of the password a signed-in person types to change their own sign-in
    (a new password, the second factor on or off): a session left open on a shared screen
    must not be enough. Counted like a sign-in on the login form (``throttle``: the
    account's delay, the address's limit). ``also``, when given, is a further check made
    in the same attempt (the code from the app). None when right; else the refusal to show
    (a wait), or "" for a wrong answer: the caller says what was wrong."""
    attempt = throttle.begin(throttle.account_key(user.username), request.remote_addr or "", devices.known(user))
    if isinstance(attempt, throttle.Refusal):
        return refusal_message(attempt)
    if not verify_password(user.password_hash, password) or (also is not None and not also()):
        return ""
    throttle.succeeded(attempt)
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        ip = request.remote_addr or ""
        user = User.get_or_none(User.username == username)
        attempt = throttle.begin(throttle.account_key(username), ip, devices.known(user))
        if isinstance(attempt, throttle.Refusal):
            error = refusal_message(attempt)
        else:
            ok = verify_password(user.password_hash if user else None, form.password.data)
            if ok and user.active and password_sign_in_allowed(user):
                throttle.succeeded(attempt)
                return complete_password_sign_in(user, safe_next(request.args.get("next")))
            error = _("Feil brukernavn eller passord.")
    status = 200 if error is None and not form.errors else 422
    show_form = password_form_shown() or request.args.get("nodtilgang") == "1" or request.method == "POST"
    return render_template("auth/login.html", form=form, error=error, show_form=show_form), status


@bp.route("/logout", methods=["POST"])
def logout():
    from stafettlogg.oidc import views as oidc_views  # cycle: the provider's routes sign in through auth

    provider, id_token = session.get(oidc_views.SESSION_PROVIDER), session.get(oidc_views.SESSION_ID_TOKEN)
    with write_transaction():
        rotate_session_token(current_user)
    logout_user()
    session.clear()
    flash(_("Du er logget ut."), "success")
    return oidc_views.logout_redirect(provider, id_token) or redirect(url_for("auth.login"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Nåværende passord"), validators=[DataRequired(_l("Skriv passordet du har nå."))])
    new = PasswordField(_l("Nytt passord"), validators=[DataRequired(_l("Skriv et nytt passord."))])
    repeat = PasswordField(
        _l("Gjenta nytt passord"), validators=[DataRequired(_l("Skriv det nye passordet en gang til."))]
    )


@bp.route("/konto/passord", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        refused = current_password_refused(current_user, form.current.data)
        if refused is not None:
            form.current.errors.append(refused or _("Passordet stemmer ikke."))
        elif form.new.data != form.repeat.data:
            form.repeat.errors.append(_("Passordene er ikke like."))
        elif problem := password_problem(form.new.data, current_user.username):
            form.new.errors.append(problem)
        else:
            password_hash = hash_password(form.new.data)  # slow (Argon2): outside the write lock
            with write_transaction():
                User.update(password_hash=password_hash, must_change_password=False).where(
                    User.id == current_user.id
                ).execute()
                rotate_session_token(current_user)  # ends every other session
            changed = User.get_by_id(current_user.id)
            login_user(changed)
            flash(_("Passordet er endret. Du er logget ut på andre enheter."), "success")
            # this browser stays one the account knows; those known by the old password do not
            return devices.remember(redirect(url_for("main.index")), changed)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status
