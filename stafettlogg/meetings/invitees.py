"""Who is invited to a meeting, as data (seed 002: the holder invites to the
samarbeidsmøte the people who take part in the log, and the family). When she plans the
meeting she ticks the log's people (the holder, the participants, the guardians or the
youth): one meeting_invitee row each. Anyone else (an interpreter, someone outside the
system) is named in the meeting's free text.

The rule, said once here (`invites`): a meeting whose list was never chosen
(Meeting.invitees_chosen false) invites everyone on the log. So do the meetings planned
before the list existed (migration 0051 fills nothing in), and a meeting planned without
the list; the planning form always sends it and refuses it empty (logs/sections.py). A
chosen list stays chosen when an invited guardian is removed from the log and their row
goes with them: the meeting then invites those left, never everyone again."""

from peewee import JOIN

from stafettlogg.db import prepared
from stafettlogg.models import Meeting, MeetingInvitee

USER, GUARDIAN = "user", "guardian"


def user_key(user_id: int) -> str:
    return f"{USER}:{user_id}"


def guardian_key(guardian_id: int) -> str:
    return f"{GUARDIAN}:{guardian_id}"


def invites(keys: set[str] | None, key: str) -> bool:
    """Is the person with this key invited to a meeting whose stored invitees are `keys`
    (None: its list was never chosen, and it invites everyone on the log; `stored`)?"""
    return keys is None or key in keys


def stored(meeting_ids) -> dict[int, set[str]]:
    """{meeting id: the keys of its invitees} for many meetings in one read; a meeting
    whose list was chosen is in it (with no keys when every invited one has left the
    log), one never chosen is not (it invites everyone: `invites`)."""
    keys: dict[int, set[str]] = {}
    for row in _stored.rows_in_parts(sorted({int(i) for i in meeting_ids})):
        chosen = keys.setdefault(row.id, set())
        if row.user_id or row.guardian_id:
            chosen.add(user_key(row.user_id) if row.user_id else guardian_key(row.guardian_id))
    return keys


@prepared
def _stored(*meeting_ids: int):
    """The invitee rows of these meetings whose list was chosen (a chosen list with none
    left: one row without a person). Its SQL built once per number of meetings: the log
    page, its meetings fragment and the family's page ask on every view."""
    return (
        Meeting.select(Meeting.id, MeetingInvitee.user.alias("user_id"), MeetingInvitee.guardian.alias("guardian_id"))
        .join(MeetingInvitee, JOIN.LEFT_OUTER, on=(MeetingInvitee.meeting == Meeting.id))
        .where(Meeting.id.in_(list(meeting_ids)), Meeting.invitees_chosen)
        .namedtuples()
    )


def write(meeting_id: int, keys) -> None:
    """The meeting's invitees become `keys` (user:<id>, guardian:<id>), inside the
    caller's write transaction; the caller has checked they are the log's people."""
    Meeting.update(invitees_chosen=True).where(Meeting.id == meeting_id).execute()
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
