"""The one error a log's rules raise (its message is for the user, nothing was stored),
and the one read of a log inside a write, which may find it gone."""

from stafettlogg.db import locked
from stafettlogg.i18n import gettext as _
from stafettlogg.models import Log


class LogError(ValueError):
    """A rule was broken. The message is for the user; nothing was stored."""

    def __init__(self, message: str, field: str | None = None, code: str = ""):
        super().__init__(message)
        self.field = field
        self.code = code


class LogGone(LogError, Log.DoesNotExist):
    """The log was deleted by another request a moment ago (a double click on «Slett»).
    A LogError with code "gone" where a view answers a log's rules (it says so), and a
    Log.DoesNotExist everywhere else: not found, as a made-up id is
    (application.deleted_meanwhile)."""

    def __init__(self):
        super().__init__(_("Stafettloggen finnes ikke lenger."), code="gone")


def locked_log(log: Log, *, share: bool = False) -> Log:
    """The log as it is now, read inside a write transaction under its row lock until the
    transaction ends (db.locked; ``share``: a lock for share, which a change of the log's
    life waits for). Two writes of a log follow each other, the second reading what the
    first wrote, on PostgreSQL as on SQLite (BEGIN IMMEDIATE). Every write of a log reads
    it here; LogGone when it was deleted meanwhile."""
    fresh = locked(Log.select().where(Log.id == log.id), share=share)
    if fresh is None:
        raise LogGone()
    return fresh
