"""Second factor pages: the code after the password, the person's own set-up page, and
the unit leader's reset."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from stafettlogg import audit, auth
from stafettlogg.i18n import gettext as _
from stafettlogg.models import Role, User
from stafettlogg.signin import devices, second_factor, throttle

bp = Blueprint("signin", __name__)
# The secret being enrolled, encrypted, until a code confirms it (a GET stores nothing).
PENDING_SECRET = "second_factor_pending_secret"  # noqa: S105 (a session key, not a secret)


@bp.route("/login/kode", methods=["GET", "POST"])
def code():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    pending = auth.pending_second_factor()
    if pending is None:
        session.pop(auth.PENDING_SECOND_FACTOR, None)
        flash(_("Logg inn på nytt med brukernavn og passord."), "info")
        return redirect(url_for("auth.login"), 303)
    user, next_url = pending
    error = None
    typed = ""
    if request.method == "POST":
        typed = (request.form.get("code") or "").strip()[:40]
        exhausted = throttle.codes_exhausted(user.id)
        # a browser the account knows is not held to its address's limit here either (devices.py)
        known = devices.known(user) is not None
        attempt = (
            throttle.begin(throttle.code_key(user.id), request.remote_addr or "", address=not known) if typed else None
        )
        if isinstance(attempt, throttle.Refusal):
            error = auth.refusal_message(attempt)
        elif attempt is None:
            error = _("Skriv koden fra appen, eller en reservekode.")
        else:
            how = second_factor.verify(user, typed, app_codes=not exhausted)
            if how:
                throttle.succeeded(attempt)
                auth.start_session(user)
                audit.record("signed_in_with_second_factor", obj=user, user=user)
                if how == "recovery":
                    left = second_factor.recovery_codes_left(user)
                    flash(
                        _(
                            "Du brukte en reservekode. Den kan ikke brukes igjen. Du har %(n)s igjen.",
                            n=left,
                        ),
                        "info",
                    )
                return devices.remember(redirect(next_url, 303), user)
            if exhausted or throttle.codes_exhausted(user.id):
                if not exhausted:  # this wrong code reached the cap
                    second_factor.tell_codes_exhausted(user)
                error = _(
                    "Det er skrevet feil kode for mange ganger. Koder fra appen godtas ikke før det har gått et døgn uten feil. Bruk en av reservekodene dine."
                )
            else:
                error = _("Koden stemmer ikke. Skriv den nye koden som står i appen nå.")
    guardian = user.role == Role.GUARDIAN  # who can help when the phone and the codes are lost
    return render_template("signin/code.html", error=error, typed=typed, guardian=guardian), 422 if error else 200


@bp.route("/konto/sikkerhet", methods=["GET"])
def account():
    return _account_page()


def _account_page(error: str | None = None, status: int = 200, typed: str = ""):
    user = current_user._get_current_object()
    context = {
        "user": user,
        "error": error,
        "mandatory": second_factor.mandatory(user),
        "typed": typed,
        "with_password": auth.signs_in_with_password(user),
    }
    if second_factor.enrolled(user):
        context["codes_left"] = second_factor.recovery_codes_left(user)
    elif auth.signs_in_with_password(user):
        secret, session[PENDING_SECRET] = second_factor.pending_secret(session.get(PENDING_SECRET))
        uri = second_factor.provisioning_uri(user, secret)
        context["secret"] = second_factor.grouped(secret)
        context["qr"] = second_factor.qr_svg(uri, _("QR-kode for å sette opp innloggingskode i appen"))
    context["must_enrol"] = auth.second_factor_owed(user)
    return render_template("signin/account.html", **context), status


@bp.route("/konto/sikkerhet", methods=["POST"])
def confirm():
    user = current_user._get_current_object()
    if second_factor.enrolled(user) or not auth.signs_in_with_password(user):
        return redirect(url_for("signin.account"), 303)
    # Turning it on asks for the password too: someone at a session left open must not tie
    # the account to their own phone (and lock its owner out).
    password, typed = request.form.get("password") or "", (request.form.get("code") or "").strip()[:40]
    if not password:
        return _account_page(_("Skriv passordet ditt."), 422, typed)
    if not typed:
        return _account_page(_("Skriv koden som står i appen."), 422)
    refused = auth.current_password_refused(user, password)
    if refused is not None:
        return _account_page(refused or _("Passordet stemmer ikke."), 422, typed)
    codes = second_factor.confirm(user, session.get(PENDING_SECRET, ""), typed)
    if codes is None:
        return _account_page(
            _(
                "Koden stemmer ikke. Sjekk at du skannet koden på denne siden, og skriv den nye koden som står i appen nå."
            ),
            422,
        )
    session.pop(PENDING_SECRET, None)
    next_url = session.pop(auth.ENROL_SECOND_FACTOR, None) or url_for("main.index")
    return render_template("signin/recovery_codes.html", codes=codes, next_url=auth.safe_next(next_url))


@bp.route("/konto/sikkerhet/av", methods=["POST"])
def turn_off():
    """Turning the second factor off asks for both factors again: a session left open on
    a shared screen must not be enough to weaken the account. Wrong answers count
    against the account like wrong passwords on the login form."""
    user = current_user._get_current_object()
    if second_factor.mandatory(user):
        flash(_("Innloggingskode er påkrevd for din rolle og kan ikke slås av."), "error")
        return redirect(url_for("signin.account"), 303)
    if not second_factor.enrolled(user):
        return redirect(url_for("signin.account"), 303)
    password, typed = request.form.get("password") or "", (request.form.get("code") or "").strip()[:40]
    if not password or not typed:
        return _account_page(_("Skriv passordet ditt og koden fra appen for å slå av innloggingskoden."), 422)
    # One message for either (no hint which one was wrong); a right code is used up (only
    # after a right password).
    refused = auth.current_password_refused(user, password, also=lambda: bool(second_factor.verify(user, typed)))
    if refused is not None:
        return _account_page(refused or _("Passordet eller koden stemmer ikke. Innloggingskoden er fortsatt på."), 422)
    second_factor.turn_off(user)
    flash(_("Innloggingskoden er slått av. Du logger inn med bare passord."), "success")
    return redirect(url_for("signin.account"), 303)


@bp.route("/ansatte/<int:staff_id>/innloggingskode/nullstill", methods=["POST"])
def reset(staff_id):
    staff: User = g.staff_member
    if staff.id == current_user.id or not second_factor.enrolled(staff):
        abort(409)
    second_factor.reset(current_user, staff)
    if auth.must_have_second_factor(staff):
        done = _(
            "Innloggingskoden til %(name)s er nullstilt. Personen setter den opp på nytt ved neste innlogging.",
            name=staff.name,
        )
    else:
        done = _(
            "Innloggingskoden til %(name)s er nullstilt. Personen logger inn uten innloggingskode til hen setter den opp igjen.",
            name=staff.name,
        )
    flash(done, "success")
    return redirect(url_for("org.unit", unit_id=staff.unit_id), 303)
