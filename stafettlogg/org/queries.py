"""Read-side queries about the organisation: who works where, in which role."""

from stafettlogg.models import Role, Unit, User


def active_unit_leaders(unit: Unit | int | None) -> list[User]:
    """The unit's leaders whose accounts are active, oldest account first (a stable order
    for notifications and pages). No unit: nobody. Any further condition (not the person
    acting, and the like) belongs to the caller."""
    if unit is None:
        return []
    unit_id = getattr(unit, "id", unit)
    return active_leaders_by_unit([unit_id])[unit_id]


def active_leaders_by_unit(unit_ids) -> dict[int, list[User]]:
    """active_unit_leaders of each of `unit_ids`, in one query (a batch of reminders)."""
    by_unit: dict[int, list[User]] = {unit_id: [] for unit_id in unit_ids}
    if by_unit:
        leaders = User.select().where(leads(User, User.unit), User.unit.in_(list(by_unit)), User.active)
        for leader in leaders.order_by(User.id):
            by_unit[leader.unit_id].append(leader)
    return by_unit


def leads(user, unit):
    """The condition that `user` (User or an alias) is a leader of `unit` (an id, a row or
    a column): the one place the unit leader's role is compared (a batch asks it of many
    units with a column, overview.ke.told_of_overview)."""
    return (user.role == Role.UNIT_LEADER) & (user.unit == unit)
