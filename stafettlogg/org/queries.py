"""Read-side queries about the organisation: who works where, in which role."""

from stafettlogg.models import Role, Unit, User


def active_unit_leaders(unit: Unit | int | None) -> list[User]:
    """The unit's leaders whose accounts are active, oldest account first (a stable order
    for notifications and pages). No unit: nobody. Any further condition (not the person
    acting, and the like) belongs to the caller."""
    if unit is None:
        return []
    return list(User.select().where(leads(User, unit), User.active).order_by(User.id))


def leads(user, unit):
    """The condition that `user` (User or an alias) is a leader of `unit` (an id, a row or
    a column): the one place the unit leader's role is compared (a batch asks it of many
    units with a column, overview.ke.told_of_overview)."""
    return (user.role == Role.UNIT_LEADER) & (user.unit == unit)
