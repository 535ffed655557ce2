"""Roles and the named permissions they grant: the one place authorization is decided."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


_VIEWER = frozenset({"todos:read", "containers:read", "jobs:read"})
_MEMBER = _VIEWER | {"todos:write", "containers:manage", "jobs:write"}
_ADMIN = _MEMBER | {
    "users:admin",
    "containers:admin",
    "images:manage",
    "audit:read",
    "jobs:admin",
    "todos:admin",
}

PERMISSIONS: dict[Role, frozenset[str]] = {Role.VIEWER: _VIEWER, Role.MEMBER: _MEMBER, Role.ADMIN: _ADMIN}
ALL_PERMISSIONS = _ADMIN


def grants(role: str, permission: str) -> bool:
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")  # a typo must not silently deny
    return permission in PERMISSIONS.get(Role(role), frozenset())
