"""Who may call which route: the route × role table, and the one check that reads it.

Deny by default (SECURITY.md "Access"). Each endpoint lists the role tokens that may call
it. Routes with a ``log_id`` in the URL are judged only by the caller's role *on that log*
(holder, participant, guardian, the unit leader of the log's unit); routes with a
``unit_id`` or ``staff_id`` only by the caller's role towards that unit. Global roles
never open a log.
"""

from flask import abort, current_app, g, has_app_context, request
from flask_login import current_user
from peewee import SQL, fn

from stafettlogg.dates import age_on, local_today
from stafettlogg.db import known, prepared, remember, remembered
from stafettlogg.models import (
    YOUTH_RELATION,
    Guardian,
    ItoDelegation,
    Log,
    LogStatus,
    Participant,
    Role,
    Subject,
    Unit,
    User,
)
from stafettlogg.windows import is_row_id

# Tokens: anonymous, authenticated, staff (anyone working in a unit), and each Role;
# log scope: holder (of a log in use until it is handed over; of an ended log until they
# have left, holder_left), participant, guardian, unit_leader, stand_in (the unit leader
# of an ended log whose holder has left); unit scope: unit_leader, ito_coordinator (staff
# the unit leader delegated the overview to), area_leader, admin.
PUBLIC = "anonymous authenticated"
ACCESS: dict[str, str] = {
    # foundation
    "static": PUBLIC,
    "main.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": "authenticated",
    "auth.password": "authenticated",
    # sign-in with OpenID Connect (ID-porten)
    "oidc.idporten_start": PUBLIC,
    "oidc.idporten_callback": PUBLIC,
    # staff sign-in with the municipality's provider, and front-channel logout from a provider
    "oidc.staff_start": PUBLIC,
    "oidc.staff_callback": PUBLIC,
    "oidc.frontchannel_logout": PUBLIC,
    "main.index": "authenticated",
    "main.language": PUBLIC,
    "main.notifications": "authenticated",
    "main.notification_read": "authenticated",
    "org.areas": "admin",
    "org.area_create": "admin",
    "org.area_leader_create": "admin",
    # an area leader who leaves is deactivated by the admin who appointed them (the routes
    # name no unit: the admin's global role)
    "org.area_leader_deactivate": "admin",
    "org.area_leader_reactivate": "admin",
    # a new temporary password for someone who forgot theirs: whoever deactivates the
    # account (an area leader's: the admin; a unit's staff and leaders: its unit leader)
    # or, for a unit leader, the area leader who appoints them (org.unit_leader_create)
    "org.area_leader_password_reset": "admin",
    "org.units": "area_leader admin",
    "org.unit_create": "area_leader",
    "org.unit": "unit_leader area_leader admin",
    "org.unit_leader_create": "area_leader",
    "org.unit_leader_password_reset": "area_leader",
    "org.staff_create": "unit_leader",
    "org.staff_edit": "unit_leader",
    "org.staff_deactivate": "unit_leader",
    "org.staff_password_reset": "unit_leader",
    # moving someone to another unit is their own unit leader's, as adding and removing them
    # (seed 001); the area leader appoints unit leaders, but does not administer staff
    "org.staff_move": "unit_leader",
    "org.staff_reactivate": "unit_leader",
    "org.outbox": "admin",
    # e-mail queue (operations)
    "org.outbox_retry": "admin",
    # the log
    "logs.new": "staff",
    "logs.create": "staff",
    "logs.reopen": "staff",
    "logs.consent_templates": "staff",
    "logs.consent_template": "staff",
    "logs.show": "holder participant",
    "logs.edit_header": "holder",
    "logs.consent_form": "holder",
    "logs.consent_upload": "holder",
    "logs.consent_file": "holder unit_leader",
    "logs.guardian_add": "holder",
    "logs.guardian_remove": "holder stand_in",
    # languages: a guardian's preferred language and interpreter
    "logs.guardian_language": "holder",
    "logs.participant_search": "holder",
    "logs.participant_add": "holder",
    "logs.participant_remove": "holder",
    "logs.section": "holder participant",
    "logs.item_create": "holder participant",
    "logs.item_edit": "holder participant",
    "logs.item_update": "holder participant",
    "logs.item_delete": "holder participant",
    "logs.evaluation_create": "holder participant",
    "logs.summary": "holder participant",
    # meeting mode and plain-language hints
    "meetings.show": "holder participant",
    "meetings.save": "holder",
    "meetings.present": "holder",
    "meetings.finalise": "holder",
    "meetings.correction_create": "holder",
    "meetings.measure_create": "holder",
    "meetings.measure_edit": "holder",
    "meetings.measure_update": "holder",
    "meetings.readaloud": "holder participant",
    "meetings.invitation_ics": "holder participant",
    "meetings.invitation_letter": "holder participant",
    "meetings.hints": "holder participant",
    # handover, staff leaving, notifications
    "handover.holder": "holder unit_leader",
    "handover.search": "holder unit_leader",
    "handover.propose": "holder unit_leader",
    "handover.cancel": "holder unit_leader",
    "handover.respond": "staff",  # the view answers 404 unless the proposal is addressed to the caller
    "handover.accept": "staff",
    "handover.decline": "staff",
    # taking over an earlier log found by fødselsnummer; guardians told of a new holder
    "requests.show": "staff",  # the view answers 404 unless the caller may answer the request
    "requests.accept": "staff",
    "requests.decline": "staff",
    "requests.withdraw": "staff",
    "logs.guardians_informed": "holder",
    # lifecycle and the guardians' view
    "lifecycle.close": "holder stand_in",
    # the family's answer to "Skal loggen tas vare på?" after closing; the ended log's page
    # (lifecycle.close) and removing a guardian also for the unit leader once the holder has left
    "lifecycle.keep_answer": "holder stand_in",
    "lifecycle.reopen": "holder",
    "archive.archive_print": "holder unit_leader",
    "guardian.family_print": "holder",
    "guardian.invitations": "holder",
    "guardian.invitation_create": "holder",
    "guardian.youth_add": "holder",
    "guardian.invitation_accept": PUBLIC,
    "lifecycle.delete_form": "unit_leader",
    "lifecycle.delete": "unit_leader",
    "lifecycle.deletion_refuse": "unit_leader",
    "lifecycle.queue": "unit_leader",
    # archive (Fiks Arkiv package, PDF/A documents)
    "archive.show": "holder unit_leader",
    "archive.send": "holder unit_leader",
    "archive.fetch_again": "holder unit_leader",
    "archive.reference": "holder unit_leader",
    "archive.unit_language": "unit_leader",
    "guardian.show": "guardian",
    "guardian.access_log": "guardian",
    "guardian.withdraw": "guardian",
    "guardian.deletion_request": "guardian",
    # overviews, KE, decision guide, statistics
    "overview.unit_overview": "unit_leader ito_coordinator",
    "overview.export": "unit_leader ito_coordinator",
    "overview.external_create": "unit_leader ito_coordinator",
    "overview.external_edit": "unit_leader ito_coordinator",
    "overview.external_delete": "unit_leader ito_coordinator",
    "overview.ke_records": "coordinating_unit",
    "overview.ke_record_new": "coordinating_unit",
    "overview.ke_record_create": "coordinating_unit",
    "overview.ke_record_edit": "coordinating_unit",
    "overview.ke_record_inform": "coordinating_unit",
    "overview.ke_reconciliation": "coordinating_unit",
    "overview.ke_reconciliation_unit": "coordinating_unit",
    "overview.ke_reconciliation_update": "coordinating_unit",
    "overview.statistics": "area_leader unit_leader",
    "guide.guide": "staff",
    # seed duties: ITO-koordinator, the unit's side of the June review
    "org.ito_grant": "unit_leader",
    "org.ito_revoke": "unit_leader",
    "overview.unit_review": "unit_leader ito_coordinator",
    # second factor for password sign-in (signin/); the code step is for whoever gave the
    # right password (the view sends anyone else back to login)
    "signin.code": PUBLIC,
    "signin.account": "authenticated",
    "signin.confirm": "authenticated",
    "signin.turn_off": "authenticated",
    "signin.reset": "unit_leader",
    # seed duties: the decision guide answered from inside a log (individual-plan prompt)
    "logs.guide_answer": "holder",
}


def consent_age() -> int:
    """CONSENT_AGE: the age from which a youth consents and reads their own log (seed 001:
    16; a setting, some municipalities use 15)."""
    return current_app.config["CONSENT_AGE"] if has_app_context() else 16


def of_consent_age(birth_date, day=None) -> bool:
    """The youth has their own say: of the consent age on `day` (today in Oslo). Asked
    of the setting as it is now on every request to a youth's own access, so that access
    follows it: a municipality that raises the age from 15 to 16 ends the access a youth
    of 15 was given, and it opens again on their 16th birthday."""
    return birth_date is not None and age_on(birth_date, day or local_today()) >= consent_age()


def role_on_log(user, log_or_id) -> str | None:
    """The strongest role the user has on the log, or None."""
    tokens = log_tokens(user, log_or_id)
    for role in ("holder", "participant", "guardian", "unit_leader"):
        if role in tokens:
            return role
    return None


def log_tokens(user, log_or_id) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    log_id = log_or_id.id if isinstance(log_or_id, Log) else log_or_id

    def ask() -> frozenset:
        # else the log the access check of this request loaded (_log_of_request), or a read
        log = log_or_id if isinstance(log_or_id, Log) else known(("log", log_id)) or Log.get_or_none(id=log_id)
        return frozenset(_log_tokens(user, log)) if log is not None else frozenset()

    return set(remembered(("log", user.id, log_id), ask))


def _log_tokens(user, log: Log) -> set[str]:
    tokens = set()
    if user.is_staff:
        if log.holder_id == user.id and (log.status in LogStatus.OPEN or not holder_left(log, user)):
            tokens.add("holder")  # the rule is holder_left's docstring; in SQL held_by
        if _listed(log, "_caller_listed", lambda: _participating(user.id, log.id)):
            tokens.add("participant")
        if user.role == Role.UNIT_LEADER and user.unit_id == log.unit_id:
            tokens.add("unit_leader")
            if log.status in LogStatus.ENDED and log.holder_id != user.id and holder_left(log, log.holder):
                tokens.add("stand_in")
    elif user.role == Role.GUARDIAN and _reads_as_guardian(user, log):
        tokens.add("guardian")
    return tokens


def _reads_as_guardian(user, log: Log) -> bool:
    """Listed as a guardian of the log; the youth's own access (not a parent's) holds
    only while they are of the consent age now."""
    if not _listed(log, "_caller_listed", lambda: _guardian_of(user.id, log.id)):
        return False
    return not _listed(log, "_caller_youth", lambda: _youth_of(user.id, log.id)) or of_consent_age(
        log.subject.birth_date
    )


def holder_left(log: Log, holder: User, leaving: User | None = None) -> bool:
    """The holder can no longer act on the log: deactivated, moved to another unit than
    the one they were in when they became holder, or the person the unit leader is
    deactivating now. A holder who made the log for another unit than their own (a
    public-health nurse for a kindergarten) has not left, nor has one who has since moved
    into the log's own unit.

    Who holds the log then (the token holder; in SQL held_by): a log in use (draft,
    active) stays with its holder, moved or not, until it is handed over (seed 002:
    «Stafetthaldar held i stafettpinnen til han er motteken og akseptert av ein ny
    stafetthaldar»): they keep reading, writing and answering requests for it, and the
    unit leader may make someone else holder directly (handover.assign_holder_directly).
    An ended log (closed, passive) is no longer held by a holder who has left: they read
    nothing of it and answer no request for it, and the leader of its unit stands in for
    them (token stand_in): records the family's answer, removes guardians, answers
    requests (takeover.responsible_for). A deactivated holder cannot sign in at all."""
    moved_away = holder.unit_id not in (log.held_from_unit_id, log.unit_id)
    return not holder.active or moved_away or (leaving is not None and leaving.id == holder.id)


def holder_stays():
    """holder_left's rule in SQL, negated, for the Log rows of a query: the log's holder
    is active and in the unit they held it from or in the log's own unit."""
    holder = User.alias("staying_holder")
    unit_then = fn.COALESCE(Log.holder_unit_id, Log.unit)
    return fn.EXISTS(
        holder.select(SQL("1")).where(
            holder.id == Log.holder,
            holder.active,
            (holder.unit == unit_then) | (holder.unit == Log.unit),
        )
    )


def held_by(user_or_id):
    """SQL: the token holder (holder_left's docstring): the log is this person's, and in
    use or they have not left it. A list of logs in use only may ask Log.holder alone."""
    return (Log.holder == user_or_id) & (Log.status.in_(LogStatus.OPEN) | holder_stays())


def _participating(user_id, log_id):
    return Participant.select(SQL("1")).where(Participant.log == log_id, Participant.user == user_id)


def _guardian_of(user_id, log_id):
    return Guardian.select(SQL("1")).where(Guardian.log == log_id, Guardian.user == user_id)


def _youth_of(user_id, log_id):
    return _guardian_of(user_id, log_id).where(Guardian.relation == YOUTH_RELATION)


def _listed(log: Log, column: str, rows) -> bool:
    """Is the caller listed on the log (as participant or guardian): the column the
    request's log was read with (``_log_of_request``), or else the database."""
    known = vars(log).get(column)
    if known is not None:
        return bool(known)
    return rows().exists()


def _log_of_request(user, log_id: int) -> Log | None:
    """The URL's log with its child, unit and holder, and whether the caller is listed on
    it as participant or guardian, in one query: the access check and the consent gate ask
    for the log and the listing on every request to a log, and the pages that show the log
    (logs.queries.load_log) take it from the request's memo instead of reading it again."""
    if user.is_authenticated and user.is_staff:
        log = _log_for_staff.first(log_id, user.id)
    elif user.is_authenticated and user.role == Role.GUARDIAN:
        log = _log_for_guardian.first(log_id, user.id)
    else:
        log = _log_by_id(log_id).first()
    if log is not None:
        remember(("log", log.id), log)  # forgotten by the next write transaction
    return log


def log_with_people():
    """Logs with the child, the unit and the holder (one query, a list or one log)."""
    holder = User.alias("holder")
    return (
        Log.select(Log, Subject, Unit, holder)
        .join(Subject)
        .switch(Log)
        .join(Unit)
        .switch(Log)
        .join(holder, on=(Log.holder == holder.id))
    )


def _log_by_id(log_id):
    return log_with_people().where(Log.id == log_id).limit(1)


@prepared
def _log_for_staff(log_id: int, user_id: int):
    return _log_by_id(log_id).select_extend(fn.EXISTS(_participating(user_id, Log.id)).alias("_caller_listed"))


@prepared
def _log_for_guardian(log_id: int, user_id: int):
    return _log_by_id(log_id).select_extend(
        fn.EXISTS(_guardian_of(user_id, Log.id)).alias("_caller_listed"),
        fn.EXISTS(_youth_of(user_id, Log.id)).alias("_caller_youth"),
    )


def is_ito_coordinator(user, unit_id: int) -> bool:
    """Staff of the unit with a delegation not revoked (seed 000 point 1). Read once per
    request, so a revoked delegation ends with the next request."""
    if not (user.role == Role.STAFF and user.active and unit_id is not None and user.unit_id == unit_id):
        return False
    return remembered(("ito", user.id, unit_id), lambda: _delegation.first(unit_id, user.id) is not None)


def delegation(unit, user):
    """The delegation in force of `unit`'s ITO-koordinator task to `user` (a value or a
    column each): the rule is_ito_coordinator asks, and the user's load reads with them."""
    return (
        ItoDelegation.select(ItoDelegation.id)
        .where(ItoDelegation.unit == unit, ItoDelegation.user == user, ItoDelegation.revoked_at.is_null())
        .limit(1)
    )


def remember_delegation(user, delegated: bool) -> None:
    """What the user's load read of is_ito_coordinator for their own unit, kept for the
    request (forgotten, as every role, by a write transaction)."""
    if user.unit_id is not None:
        remember(("ito", user.id, user.unit_id), bool(delegated))


@prepared
def _delegation(unit_id: int, user_id: int):
    return delegation(unit_id, user_id)


def unit_tokens(user, unit: Unit) -> set[str]:
    if not user.is_authenticated:
        return set()
    tokens = set()
    if user.role == Role.UNIT_LEADER and user.unit_id == unit.id:
        tokens.add("unit_leader")
    if is_ito_coordinator(user, unit.id):
        tokens.add("ito_coordinator")
    if user.role == Role.AREA_LEADER and user.area_id == unit.area_id:
        tokens.add("area_leader")
    if user.role == Role.ADMIN:
        tokens.add("admin")
    return tokens


def global_tokens(user) -> set[str]:
    if not user.is_authenticated:
        return {"anonymous"}
    tokens = {"authenticated", user.role}
    if user.is_staff:
        tokens.add("staff")
    return tokens


def allowed(endpoint: str | None, tokens: set[str]) -> bool:
    rule = ACCESS.get(endpoint or "")
    return rule is not None and bool(tokens & set(rule.split()))


def check_request():
    """before_request: resolve the scope from the URL, then read the table.

    Sets g.log or g.unit / g.staff_member for the view. Anonymous callers of a
    protected route are sent to login; someone with no role on the URL's log gets 404,
    as for a log that does not exist; everyone else who is not allowed gets 403.
    """
    endpoint = request.endpoint
    if endpoint is None:  # 404/405 handled by Flask
        return None
    if not current_user.is_authenticated and not allowed(endpoint, {"anonymous"}):
        return current_app.login_manager.unauthorized()
    args = request.view_args or {}
    if any(isinstance(v, int) and not is_row_id(v) for v in args.values()):
        abort(404)  # an id no database row can have (and no integer column can hold)
    if "log_id" in args:
        g.log = _log_of_request(current_user, args["log_id"])
        tokens = log_tokens(current_user, g.log) if g.log is not None else set()
        if not tokens:
            # No role on this log: the same answer as for a log that does not exist, so
            # that no one learns which numbers are logs (someone on the log who calls a
            # route their role does not open gets 403 below).
            g.log, g.log_hidden = None, True
            abort(404)
    elif "staff_id" in args:
        g.staff_member = User.get_or_none(id=args["staff_id"])
        if g.staff_member is None or g.staff_member.unit_id is None:
            abort(404)
        tokens = unit_tokens(current_user, g.staff_member.unit)
    elif "unit_id" in args:
        g.unit = Unit.get_or_none(id=args["unit_id"])
        if g.unit is None:
            abort(404)
        tokens = unit_tokens(current_user, g.unit)
    else:
        tokens = global_tokens(current_user)
    g.access_tokens = tokens
    if not allowed(endpoint, tokens):
        abort(403)
    return None
