"""Invariants the data must always satisfy, checked by `flask check-invariants`."""

from stafettlogg.models import Log, LogStatus, Role, User


def check_invariants() -> list[str]:
    """seed 002: a log always has one holder, and a draft or active log's holder is an
    active staff member ("held i stafettpinnen til han er motteken")."""
    problems = []
    rows = (
        Log.select(Log.id, Log.holder, User.active.alias("holder_active"), User.role.alias("holder_role"))
        .join(User, on=(Log.holder == User.id))
        .where(Log.status.in_([LogStatus.DRAFT, LogStatus.ACTIVE]))
        .dicts()
    )
    for row in rows:
        if not row["holder_active"]:
            problems.append(f"log {row['id']}: holder {row['holder']} is deactivated")
        elif row["holder_role"] not in Role.STAFF_LIKE:
            problems.append(f"log {row['id']}: holder {row['holder']} is not staff")
    return problems
