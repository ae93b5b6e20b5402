"""Read-side queries about the organisation: who works where, in which role."""

from stafettlogg.models import Role, Unit, User


def active_unit_leaders(unit: Unit | int | None) -> list[User]:
    """The unit's leaders whose accounts are active, oldest account first (a stable order
    for notifications and pages). No unit: nobody. Any further condition (not the person
    acting, and the like) belongs to the caller."""
    if unit is None:
        return []
    return list(User.select().where(User.role == Role.UNIT_LEADER, User.unit == unit, User.active).order_by(User.id))
