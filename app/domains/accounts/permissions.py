"""Roles and the named permissions they grant: the one place authorization is decided.

Each installed domain declares its permissions with the least role that holds them
(`permissions=` in its `domain.py`); roles are nested, so a member holds what a viewer holds.
"""

from enum import StrEnum
from functools import cache

from app.domains import installed_domains


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


ROLES_IN_ORDER = (Role.VIEWER, Role.MEMBER, Role.ADMIN)  # each holds what those before it hold


@cache
def permission_table() -> dict[Role, frozenset[str]]:
    least = {
        permission: Role(role)
        for domain in installed_domains()
        for permission, role in domain.permissions.items()
    }
    rank = ROLES_IN_ORDER.index
    return {
        role: frozenset(permission for permission, needs in least.items() if rank(needs) <= rank(role))
        for role in ROLES_IN_ORDER
    }


def all_permissions() -> frozenset[str]:
    return permission_table()[Role.ADMIN]


def grants(role: str, permission: str) -> bool:
    if permission not in all_permissions():
        raise ValueError(f"unknown permission {permission!r}")  # a typo must not silently deny
    return permission in permission_table().get(Role(role), frozenset())
