"""Template filters and the context every page needs (navigation by role)."""

import datetime as dt
from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from stafettlogg.models import Notification, Role, User
from stafettlogg.textformat import render_markdown

OSLO = ZoneInfo("Europe/Oslo")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)


def local(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC without tzinfo; show them in Norwegian time."""
    return value.replace(tzinfo=dt.UTC).astimezone(OSLO)


def format_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def format_long_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value) -> str:
    if not value:
        return ""
    value = local(value)
    return f"{value.day:02d}.{value.month:02d}.{value.year} kl. {value.hour:02d}:{value.minute:02d}"


def format_time(value) -> str:
    if not value:
        return ""
    value = local(value)
    return f"{value.hour:02d}:{value.minute:02d}"


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
    if role == Role.UNIT_LEADER:
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


def _section_choices(provider, log):
    from stafettlogg.logs.sections import choices

    return choices(provider, log)


def _concern_titles(log) -> dict:
    """Concern titles of the log, fetched once per request (not once per item)."""
    from flask import g

    from stafettlogg.models import Concern

    cache = g.setdefault("concern_titles", {})
    if log.id not in cache:
        cache[log.id] = dict(Concern.select(Concern.id, Concern.title).where(Concern.log == log).tuples())
    return cache[log.id]


def _service_names(services: str, units) -> str:
    from stafettlogg import labels

    names = {f"unit:{u.id}": u.name for u in units}
    parts = []
    for key in (s for s in services.split(",") if s):
        if key.startswith("kind:"):
            parts.append(labels.label(labels.UNIT_KINDS, key[5:]))
        elif key in names:
            parts.append(names[key])
    return ", ".join(parts) or _("Bare egen enhet")


def meeting_holder(meeting) -> User:
    """The holder as of the meeting, the holder history read once per log and request."""
    from stafettlogg.logs import queries

    cache = g.setdefault("holder_histories", {})
    if meeting.log_id not in cache:
        cache[meeting.log_id] = queries.holder_history(meeting.log_id)
    return queries.holder_on(meeting.log, meeting.starts_at, cache[meeting.log_id])


def register(app):
    app.jinja_env.filters.update(
        markdown=render_markdown,
        date=format_date,
        longdate=format_long_date,
        datetime=format_datetime,
        time=format_time,
    )

    from stafettlogg import labels

    app.jinja_env.globals.update(
        unit_kind_label=lambda k: labels.label(labels.UNIT_KINDS, k),
        unit_kind_options=lambda: labels.options(labels.UNIT_KINDS),
        status_label=lambda k: labels.label(labels.LOG_STATUSES, k),
        role_label=lambda k: labels.label(labels.ROLES, k),
        subject_kind_label=lambda k: labels.label(labels.SUBJECT_KINDS, k),
        measure_status_label=lambda k: labels.label(labels.MEASURE_STATUSES, k),
        decision_label=lambda k: labels.label(labels.EVALUATION_DECISIONS, k),
        meeting_kind_label=lambda k: labels.label(labels.MEETING_KINDS, k),
        level_label=lambda k: labels.label(labels.LEVELS, k),
        relation_label=lambda k: labels.label(labels.RELATIONS, k),
        labels=labels,
        section_choices=_section_choices,
        concern_titles=_concern_titles,
        service_names=_service_names,
        meeting_holder=meeting_holder,
    )

    @app.context_processor
    def page_context():
        unread = 0
        if current_user.is_authenticated:
            unread = (
                Notification.select()
                .where(Notification.user == current_user.id, Notification.read_at.is_null())
                .count()
            )
        return {
            "nav_items": nav_items(),
            "unread_count": unread,
            "municipality": app.config["MUNICIPALITY"],
            "current_endpoint": request.endpoint,
            "today": dt.date.today(),
            "Markup": Markup,
        }
