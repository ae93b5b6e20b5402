"""Template filters and the context every page needs (navigation by role)."""

from urllib.parse import urlencode

from flask import g, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from werkzeug.local import LocalProxy

from stafettlogg import content, labels, languages, notify
from stafettlogg.access import is_ito_coordinator
from stafettlogg.dates import date_time, format_date, format_time, local_today, long_date
from stafettlogg.guide.domain import load_guide
from stafettlogg.i18n import apposition, described, listing
from stafettlogg.i18n import gettext as _
from stafettlogg.logs import queries, talks
from stafettlogg.logs.controls import item_controls
from stafettlogg.logs.sections import choices, field_choices, is_final, shown_value
from stafettlogg.meetings.domain import invited_to
from stafettlogg.models import NamedPerson, Role, User
from stafettlogg.web import urls_by_id


def nav_items():
    """(endpoint, url, label) for the signed-in user's role."""
    if not current_user.is_authenticated:
        return []
    items = [("main.index", url_for("main.index"), _("Forside"))]
    role = current_user.role
    if current_user.is_staff:
        items.append(("logs.new", url_for("logs.new"), _("Ny stafettlogg")))
    if role == Role.UNIT_LEADER:
        items.append(("org.unit", url_for("org.unit", unit_id=current_user.unit_id), _("Min enhet")))
    if role in (Role.AREA_LEADER, Role.ADMIN):
        items.append(("org.units", url_for("org.units"), _("Enheter")))
    if role == Role.UNIT_LEADER or (role == Role.STAFF and is_ito_coordinator(current_user, current_user.unit_id)):
        items.append(
            ("overview.unit_overview", url_for("overview.unit_overview", unit_id=current_user.unit_id), _("Oversikt"))
        )
    if role == Role.COORDINATING_UNIT:
        items.append(("overview.ke_records", url_for("overview.ke_records"), _("KE-register")))
    if current_user.is_staff:
        items.append(("guide.guide", url_for("guide.guide"), _("Veileder")))
    if role in (Role.AREA_LEADER, Role.UNIT_LEADER):
        items.append(("overview.statistics", url_for("overview.statistics"), _("Statistikk")))
    if role == Role.ADMIN:
        items.append(("org.areas", url_for("org.areas"), _("Områder")))
        items.append(("org.outbox", url_for("org.outbox"), _("Utboks")))
    return items


def _when_used(compute):
    """A template value computed the first time a template reads it, then kept."""
    kept = []

    def value():
        if not kept:
            kept.append(compute())
        return kept[0]

    return LocalProxy(value)


def _guide_results() -> dict:
    """The decision guide's results in the page's language (the IP prompt quotes them)."""
    return load_guide()["results"]


def _talk_schedule(log) -> dict:
    """Agreement id -> its next talk (logs/talks.py), once per request and log."""
    cache = g.setdefault("talk_schedule", {})
    if log.id not in cache:
        cache[log.id] = {due.agreement.id: due for due in talks.schedule(log)}
    return cache[log.id]


def _concern_titles(log) -> dict:
    """Concern titles of the log, fetched once per request (not once per item)."""
    return dict(choices("concerns", log))


def _service_names(services: str, units) -> str:
    """The services a consent covers, listed as the page's language lists (i18n.listing)."""
    names = {f"unit:{u.id}": u.name for u in units}
    parts = []
    for key in (s for s in services.split(",") if s):
        if key.startswith("kind:"):
            parts.append(labels.label(labels.UNIT_KINDS, key[5:]))
        elif key in names:
            parts.append(names[key])
    return listing(parts) or _("Bare egen enhet")


def meeting_holder(meeting) -> User | NamedPerson:
    """The holder the minutes name (seed 000 point 4): approved minutes the holder they
    named when approved (stored with them: a record), a draft the holder as of the meeting,
    the holder history read once per log and request."""
    if is_final(meeting):
        return meeting.holder_as_approved
    cache = g.setdefault("holder_histories", {})
    logs = g.setdefault("holder_logs", {})
    if meeting.log_id not in cache:
        cache[meeting.log_id] = queries.holder_history(meeting.log_id)
        logs[meeting.log_id] = queries.load_log(meeting.log_id)  # with its holder
    return queries.holder_on(logs[meeting.log_id], meeting.starts_at, cache[meeting.log_id])


def holder_unit(log):
    """The unit the holder works in now: the log's own (loaded with it), unless the holder
    has moved to another unit (org.domain.move_staff) and still holds the log; then
    theirs, so the family and the participants know where to reach them."""
    if log.holder_id is None or log.holder.unit_id == log.unit_id:
        return log.unit
    return log.holder.unit


def _language_name(code: str) -> str:
    """A language's name in the page's language ("arabisk")."""
    return languages.name_in(code or languages.DEFAULT, str(get_locale() or languages.DEFAULT))


def _interpreters(log) -> list[tuple[str, str]]:
    """(guardian's name, language name) for each guardian who needs an interpreter."""
    return [(gd.name, _language_name(gd.language)) for gd in queries.guardians(log) if gd.needs_interpreter]


def _language_options() -> list[tuple[str, str]]:
    return [(code, _language_name(code)) for code in languages.FAMILY_LANGUAGES]


def language_context() -> dict:
    """<html lang dir> and, on family pages, the language menu: a POST to the language
    switch (a GET never stores a choice), back to this page without its ``?lang=``."""
    code = str(get_locale() or languages.DEFAULT)
    menu = []
    back = ""
    if languages.family_context() and not languages.showing_document():
        menu = [(other, languages.native_name(other)) for other in languages.FAMILY_LANGUAGES]
        if request.endpoint and request.method == "GET":
            kept = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
            back = request.path + (f"?{urlencode(kept)}" if kept else "")
    return {
        "page_language": code,
        "page_direction": languages.direction(code),
        "family_languages": menu,
        "language_back": back,
    }


def register(app):
    languages.install_template_gettext(app)
    app.jinja_env.filters.update(
        date=format_date,
        longdate=long_date,
        datetime=date_time,
        time=format_time,
    )

    app.jinja_env.globals.update(
        item_controls=item_controls,
        urls_by_id=urls_by_id,
        unit_kind_label=lambda k: labels.label(labels.UNIT_KINDS, k),
        unit_kind_options=lambda: labels.options(labels.UNIT_KINDS),
        state_label=lambda k: labels.label(labels.LOG_STATES, k),
        state_badge=_state_badge,
        role_label=lambda k: labels.label(labels.ROLES, k),
        subject_kind_label=lambda k: labels.label(labels.SUBJECT_KINDS, k),
        measure_status_label=lambda k: labels.label(labels.MEASURE_STATUSES, k),
        decision_label=lambda k: labels.label(labels.EVALUATION_DECISIONS, k),
        outcome_label=lambda k: labels.label(labels.EVALUATION_OUTCOMES, k),
        meeting_kind_label=lambda k: labels.label(labels.MEETING_KINDS, k),
        talk_frequency_label=lambda k: labels.label(labels.TALK_FREQUENCIES, k),
        talk_status_label=lambda k: labels.label(labels.TALK_AGREEMENT_STATUSES, k),
        talk_schedule=_talk_schedule,
        guide_results=_guide_results,
        level_label=lambda k: labels.label(labels.LEVELS, k),
        relation_label=lambda k: labels.label(labels.RELATION_LABELS, k),
        labels=labels,
        language_name=_language_name,
        language_options=_language_options,
        interpreters=_interpreters,
        language_native=languages.native_name,
        municipality_contact=lambda: content.get("contact"),
        field_choices=field_choices,
        shown_value=shown_value,
        concern_titles=_concern_titles,
        service_names=_service_names,
        meeting_holder=meeting_holder,
        invited_to=invited_to,
        holder_unit=holder_unit,
        apposition=apposition,
        described=described,
        listing=listing,
    )

    @app.context_processor
    def page_context():
        def unread():
            if not current_user.is_authenticated:
                return 0
            return notify.unread_count(current_user.id)

        def items():
            return [] if languages.showing_document() else nav_items()

        return {
            **language_context(),
            # Asked only by pages that show the header, not by htmx fragments.
            "nav_items": _when_used(items),
            "unread_count": _when_used(unread),
            "municipality": app.config["MUNICIPALITY"],
            "current_endpoint": request.endpoint,
            "today": local_today(),
            "Markup": Markup,
        }


# the CSS class of a state's badge, where it is not the state's own name
BADGE_CLASSES = {"waiting_for_consent": "waiting"}


_BADGES: dict[tuple[str, str], Markup] = {}


def _state_badge(state: str) -> Markup:
    """A log's state (log_state(log), logs/views.py) as a badge: the one way pages show it.
    Made once per language and state (a list shows fifty), not once per log."""
    key = (str(get_locale()), state)
    badge = _BADGES.get(key)
    if badge is None:
        badge = _BADGES[key] = Markup('<span class="status status--{}">{}</span>').format(
            BADGE_CLASSES.get(state, state), labels.label(labels.LOG_STATES, state)
        )
    return badge
