"""The Flask app: settings, extensions, the request hooks and every area's blueprint."""

from pathlib import Path

from flask import Flask, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from peewee import DoesNotExist
from werkzeug.middleware.proxy_fix import ProxyFix

from stafettlogg import (
    access,
    audit,
    auth,
    cli,
    config,
    content,
    db,
    errorlog,
    languages,
    mailer,
    security,
    templating,
    typed,
    web,
)
from stafettlogg.archive import outbox as archive_outbox
from stafettlogg.archive import views as archive_views
from stafettlogg.guardians import views as guardian_views
from stafettlogg.guide import views as guide_views
from stafettlogg.handover import views as handover_views
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import gate, lifecycle_views
from stafettlogg.logs import views as log_views
from stafettlogg.main import views as main_views
from stafettlogg.meetings import views as meeting_views
from stafettlogg.models import Log
from stafettlogg.oidc import views as oidc_views
from stafettlogg.org import views as org_views
from stafettlogg.overview import views as overview_views
from stafettlogg.roles import Role
from stafettlogg.signin import views as signin_views
from stafettlogg.takeover import views as request_views

ROOT = config.ROOT
csrf = CSRFProtect()
babel = languages.Babel()


def select_locale():
    return languages.select_locale()


class StafettApp(Flask):
    def log_exception(self, exc_info) -> None:
        """A failed request's traceback without a database error's text (errorlog.py)."""
        super().log_exception(errorlog.without_data(exc_info))


def create_app(test_config: dict | None = None) -> Flask:
    app = StafettApp(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.request_class = typed.CleanRequest  # what people type, without invisible characters
    app.config.update(config.from_environment(Path(app.instance_path)))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="stafettlogg_session",
        # SECURITY.md: a long meeting outlives Flask-WTF's one hour: bind to the session.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=True,
        BABEL_DEFAULT_LOCALE="nb",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        TEMPLATES_AUTO_RELOAD=False,
    )
    if test_config:
        app.config.update(test_config)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("HTTPS"))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Client address and scheme from X-Forwarded-* set by exactly this many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    mailer.init_app(app)
    archive_outbox.OUTBOX.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    auth.login_manager.init_app(app)
    app.before_request(auth.enforce_idle_timeout)
    app.before_request(access.check_request)
    app.before_request(gate.check_request)
    app.before_request(auth.require_password_change)
    app.before_request(auth.require_second_factor_enrolment)
    content.init_app(app)
    app.before_request(languages.remember_choice)
    app.after_request(languages.set_cookie)
    app.after_request(security.set_security_headers)

    blueprints = (
        auth.bp,
        signin_views.bp,
        main_views.bp,
        org_views.bp,
        log_views.bp,
        lifecycle_views.bp,
        request_views.bp,
        meeting_views.bp,
        handover_views.bp,
        guardian_views.bp,
        archive_views.bp,
        overview_views.bp,
        guide_views.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    audit.register_audit(app)
    web.init_app(app)
    oidc_views.init_app(app)

    cli.register(app)
    templating.register(app)
    _register_error_pages(app)
    cli.require_schema_for_commands(app)  # last: after every area has added its commands
    return app


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: lambda: _("Forespørselen kunne ikke behandles."),
        403: lambda: _("Du har ikke tilgang til denne siden."),
        404: lambda: _("Vi fant ikke siden du lette etter."),
        405: lambda: _("Denne handlingen er ikke tillatt her."),
        409: lambda: _("Noen andre har endret dette samtidig. Last siden på nytt."),
        413: lambda: _(
            "Filen er for stor. Største tillatte størrelse er %(mb)s MB.",
            mb=app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024),
        ),
        500: lambda: _("Noe gikk galt hos oss. Prøv igjen om litt."),
    }

    # Whom to ask on a refusal, by the reader's role: the same sentence whatever was
    # asked for, so it tells no one whether that exists (a family never learns a log does).
    who_to_ask = {
        Role.GUARDIAN: lambda: _(
            "Spør stafettholderen, eller skolen eller barnehagen, hvis du mener du skal ha tilgang."
        ),
        **dict.fromkeys(
            (Role.STAFF, Role.COORDINATING_UNIT), lambda: _("Spør enhetslederen din hvis du mener du skal ha tilgang.")
        ),
        Role.UNIT_LEADER: lambda: _("Spør områdelederen din hvis du mener du skal ha tilgang."),
        Role.AREA_LEADER: lambda: _("Spør systemansvarlig hvis du mener du skal ha tilgang."),
    }

    def render_error(code):
        def handler(error):
            g.error_code = code
            languages.error_page()
            message = messages[code]()
            if g.get("log_hidden"):
                message = _("Vi fant ikke stafettloggen, eller du har ikke tilgang til den.")
            ask = who_to_ask.get(getattr(current_user, "role", None)) if code == 403 else None
            return render_template("error.html", code=code, message=message, ask=ask() if ask else None), code

        return handler

    for code in messages:
        app.register_error_handler(code, render_error(code))

    not_found = render_error(404)

    @app.errorhandler(DoesNotExist)
    def deleted_meanwhile(error):
        """A row deleted while the request ran (a log deleted by another request between
        the access check and the page): not found, as a made-up id is, never a 500."""
        g.log_hidden = g.get("log_hidden") or isinstance(error, Log.DoesNotExist)
        return not_found(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        languages.error_page()
        message = _("Skjemaet er utløpt eller mangler sikkerhetsnøkkel. Last siden på nytt og prøv igjen.")
        return render_template("error.html", code=400, message=message), 400
