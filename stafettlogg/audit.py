"""The one place audit events (tilgangslogg) are written.

SECURITY.md: one event for every read of a log's content and every change; if writing
the event fails, the read fails (fail closed). Append-only, enforced by the database.
"""

from flask import g, has_request_context, request, template_rendered
from flask_login import current_user

from stafettlogg.access import role_on_log
from stafettlogg.db import PreparedInsert, write_transaction
from stafettlogg.models import AuditEvent, Role, utcnow


def record(action: str, log=None, obj=None, user=None, role: str | None = None) -> AuditEvent:
    """Write one audit event. Raises if it cannot be written: callers must not go on."""
    return AuditEvent.create(**_event(action, log, obj, user, role))


def record_once(action: str, log=None, obj=None, user=None, role: str | None = None) -> bool:
    """Write an event that happens once to its object (a consent running out), unless it
    is written already: a unique index on such events (models.AuditEvent) makes a second
    writer, even one racing this one, insert nothing (INSERT OR IGNORE / ON CONFLICT DO
    NOTHING). Returns whether this call wrote it. Raises if it cannot be written."""
    return bool(record_each_once(action, [(log, obj)], user, role))


def record_each_once(action: str, happened: list[tuple], user=None, role: str | None = None) -> int:
    """record_once of each (log, object) of ``happened``, ONCE_ROWS to a statement (a
    batch job's consents run out); how many were written now."""
    rows = [_event(action, log, obj, user, role) for log, obj in happened]
    written = 0
    for start in range(0, len(rows), ONCE_ROWS):
        written += AuditEvent.insert_many(rows[start : start + ONCE_ROWS]).on_conflict_ignore().as_rowcount().execute()
    return written


ONCE_ROWS = PreparedInsert.MAX_ROWS  # events per statement: within every engine's limit on parameters


def _event(action: str, log, obj, user, role: str | None) -> dict:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    log_id = getattr(log, "id", log)
    actor_title, actor_unit_id = _actor(user)
    return dict(
        user_id=getattr(user, "id", None),
        username=_username(user),
        role=role or _role_for(user, log_id),
        action=action,
        log_id=log_id,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        ip=(request.remote_addr or "") if has_request_context() else "",
        actor_title=actor_title,
        actor_unit_id=actor_unit_id,
    )


def record_reads(action: str, roles: dict[int, str], *, viewed: tuple[str, object] | None = None) -> None:
    """One read of each log that a page names with content of it (a list across logs, such
    as the measures due on the start page), written by one statement however many logs:
    `roles` maps each log's id to the role the reader has on it (the list was read for
    that role: no query per log). viewed: the page's own event (its action and object, the
    unit whose list it is), as record() writes it, first in the same statement: one INSERT
    and one durable commit, not two of each."""
    user = current_user._get_current_object()
    at, ip = utcnow(), request.remote_addr or ""
    actor = _actor(user)
    rows = []
    if viewed is not None:
        view_action, obj = viewed
        event = _event(view_action, None, obj, user, None)
        rows.append((at, *(event[field.name] for field in _READS.fields[1:])))
    rows += [
        (at, user.id, _username(user), role, action, log_id, "", None, ip, *actor) for log_id, role in roles.items()
    ]
    if not rows:
        return
    with write_transaction():
        _READS.execute(rows)


def record_named(action: str, log_ids, *, viewed: tuple[str, object] | None = None) -> None:
    """One read of each log a list names in the reader's own role (the unit overview, its
    exports, the deletion queues, KE's June reconciliation: the child's name, class and
    holder or koordinator, not the log's content): the family's access history says who
    saw their child on such a list. viewed: as record_reads."""
    role = current_user.role
    record_reads(action, {log_id: role for log_id in log_ids if log_id}, viewed=viewed)


# the columns of a read: who, in which role, which log (no object)
_READS = PreparedInsert(
    AuditEvent,
    AuditEvent.at,
    AuditEvent.user_id,
    AuditEvent.username,
    AuditEvent.role,
    AuditEvent.action,
    AuditEvent.log_id,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.ip,
    AuditEvent.actor_title,
    AuditEvent.actor_unit_id,
)


def _username(user) -> str:
    """Staff by login name; a family's account by its id only: families choose login names
    that hold their names, and the append-only audit outlives their log and accounts."""
    return "" if user is None or user.role == Role.GUARDIAN else user.username


def _actor(user) -> tuple[str | None, int | None]:
    """Who the person is as the event happens: job title and unit, as the access history
    and the archive show them later (not as they are by then). Families have neither."""
    if user is None:
        return None, None
    if user.role == Role.GUARDIAN:
        return "", None
    return user.job_title or "", user.unit_id


def _role_for(user, log_id) -> str:
    """The role the user acts in: their role on the log when there is one."""
    if user is None:
        return "system"
    if log_id is not None:
        on_log = role_on_log(user, log_id)
        if on_log:
            return on_log
    return user.role


# ------------------------------------------------------------------ reads of a log, audited in one place

# A page or fragment that refuses input re-renders what the person was looking at
# (the log page, a section, the meeting): these statuses show log content too.
CONTENT_ERROR_STATUSES = (409, 422)

# Templates rendered under a log's URL that show nothing of the log: a save status,
# advice on the text being typed, a search among staff, the error page, the consent
# gate's refusal (the log's number and why: a refused person read nothing). Every other
# template rendered for a log shows its content and is audited, whatever the method.
NO_LOG_CONTENT_TEMPLATES = frozenset(
    {
        "error.html",
        "meetings/_autosave_status.html",
        "meetings/_present_status.html",
        "meetings/_hints.html",
        "logs/_participant_results.html",
        "handover/_results.html",
        "logs/waiting.html",
    }
)


def _content_rendered() -> bool:
    return any(name not in NO_LOG_CONTENT_TEMPLATES for name in g.get("rendered_templates", ()))


def shows_log_content(response) -> bool:
    """Whether this response shows the content of g.log, whatever the method and status:
    every successful read, every page or fragment rendered for a log (a POST's too), and
    every one re-rendered with a refusal (409/422). Not a redirect after a write, the
    error page, or a fragment that shows nothing of the log."""
    if g.get("log") is None or request.endpoint is None:
        return False
    status = response.status_code
    if request.method in ("GET", "HEAD"):
        if status < 400:
            return not g.get("rendered_templates") or _content_rendered()
        return status in CONTENT_ERROR_STATUSES and _content_rendered()
    if not (200 <= status < 300 and status != 204) and status not in CONTENT_ERROR_STATUSES:
        return False
    return _content_rendered() or (status < 300 and response.is_streamed)


def register_audit(app):
    """Every response that shows a log's content is audited here, in one place (fail
    closed: if the event cannot be written, the response becomes an error)."""

    def note_template(sender, template, context, **extra):
        g.setdefault("rendered_templates", []).append(template.name)

    template_rendered.connect(note_template, app, weak=False)

    @app.after_request
    def audit_reads(response):
        if shows_log_content(response):
            record(f"view:{request.endpoint}", log=g.log, obj=g.get("audit_object"))
        return response

    return audit_reads
