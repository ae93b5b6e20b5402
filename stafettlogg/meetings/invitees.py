"""Who is invited to a meeting, as data (seed 002: the holder invites to the
samarbeidsmøte the people who take part in the log, and the family). When she plans the
meeting she ticks the log's people (the holder, the participants, the guardians or the
youth): one meeting_invitee row each. Anyone else (an interpreter, someone outside the
system) is named in the meeting's free text.

The rule, said once here (`invites`): a meeting with no rows invites everyone on the
log. So do the meetings planned before the list existed (migration 0051 fills nothing
in), and a meeting planned without the list; the planning form always sends it and
refuses it empty (logs/sections.py)."""

from stafettlogg.models import MeetingInvitee

USER, GUARDIAN = "user", "guardian"


def user_key(user_id: int) -> str:
    return f"{USER}:{user_id}"


def guardian_key(guardian_id: int) -> str:
    return f"{GUARDIAN}:{guardian_id}"


def invites(keys: set[str] | None, key: str) -> bool:
    """Is the person with this key invited to a meeting whose stored invitees are `keys`
    (None: the meeting has no rows, and invites everyone on the log)?"""
    return keys is None or key in keys


def stored(meeting_ids) -> dict[int, set[str]]:
    """{meeting id: the keys of its invitees} for many meetings in one read; a meeting
    with no rows is not in it (it invites everyone: `invites`)."""
    ids = sorted({int(i) for i in meeting_ids})
    if not ids:
        return {}
    rows = (
        MeetingInvitee.select(MeetingInvitee.meeting, MeetingInvitee.user, MeetingInvitee.guardian)
        .where(MeetingInvitee.meeting.in_(ids))
        .tuples()
    )
    keys: dict[int, set[str]] = {}
    for meeting_id, user_id, guardian_id in rows:
        keys.setdefault(meeting_id, set()).add(user_key(user_id) if user_id else guardian_key(guardian_id))
    return keys


def write(meeting_id: int, keys) -> None:
    """The meeting's invitees become `keys` (user:<id>, guardian:<id>), inside the
    caller's write transaction; the caller has checked they are the log's people."""
    MeetingInvitee.delete().where(MeetingInvitee.meeting == meeting_id).execute()
    rows = []
    for key in sorted(set(keys)):
        kind, _sep, number = key.partition(":")
        rows.append(
            {
                "meeting": meeting_id,
                "user": int(number) if kind == USER else None,
                "guardian": int(number) if kind == GUARDIAN else None,
            }
        )
    if rows:
        MeetingInvitee.insert_many(rows).execute()
