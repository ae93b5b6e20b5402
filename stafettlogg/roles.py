"""The roles an account has: plain names, importable where the models are not (config.py
checks a setting against them before the app exists)."""


class Role:
    ADMIN = "admin"
    AREA_LEADER = "area_leader"
    UNIT_LEADER = "unit_leader"
    STAFF = "staff"
    COORDINATING_UNIT = "coordinating_unit"
    GUARDIAN = "guardian"
    ALL = (ADMIN, AREA_LEADER, UNIT_LEADER, STAFF, COORDINATING_UNIT, GUARDIAN)
    # Roles whose holders work in a unit and can hold or take part in logs.
    STAFF_LIKE = (UNIT_LEADER, STAFF, COORDINATING_UNIT)
    # Every account of the municipality's own people: all but the families.
    STAFF_ACCOUNTS = (ADMIN, AREA_LEADER, UNIT_LEADER, STAFF, COORDINATING_UNIT)
