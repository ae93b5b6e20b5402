"""The one place audit events (tilgangslogg) are written.

SECURITY.md: one event for every read of a log's content and every change; if writing
the event fails, the read fails (fail closed). Append-only, enforced by the database.
"""

from flask import has_request_context, request
from flask_login import current_user

from stafettlogg.models import AuditEvent


def record(action: str, log=None, obj=None, user=None, role: str | None = None) -> AuditEvent:
    """Write one audit event. Raises if it cannot be written: callers must not go on."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    log_id = getattr(log, "id", log)
    return AuditEvent.create(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", ""),
        role=role or _role_for(user, log_id),
        action=action,
        log_id=log_id,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        ip=(request.remote_addr or "") if has_request_context() else "",
    )


def _role_for(user, log_id) -> str:
    """The role the user acts in: their role on the log when there is one."""
    if user is None:
        return "system"
    if log_id is not None:
        from stafettlogg.access import role_on_log

        on_log = role_on_log(user, log_id)
        if on_log:
            return on_log
    return user.role
