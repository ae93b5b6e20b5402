"""What the notifications page reads: a person's notices grow with every year they use
the service, so they come in windows (windows.py), newest first."""

from stafettlogg.models import Notification
from stafettlogg.windows import Window, dated_window


def notices(user_id: int, cursor: str | None = None) -> Window:
    """One window of the person's notices, newest first, after ``cursor`` (time and id:
    the index on user, time and id answers it however many notices there are)."""
    query = Notification.select().where(Notification.user == user_id)
    return dated_window(query, Notification.created_at, Notification.id, cursor, total=0)
