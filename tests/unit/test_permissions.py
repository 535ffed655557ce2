import pytest

from app.domains import installed_domains
from app.domains.accounts.dependencies import REQUIRED_PERMISSIONS, check_required_permissions
from app.domains.accounts.permissions import ROLES_IN_ORDER, Role, all_permissions, grants, permission_table


def test_roles_are_nested_viewer_member_admin() -> None:
    table = permission_table()
    assert table[Role.VIEWER] < table[Role.MEMBER] < table[Role.ADMIN]
    assert table[Role.ADMIN] == all_permissions()


def test_every_permission_is_declared_by_one_installed_domain_with_a_known_role() -> None:
    declared = [
        (permission, role)
        for domain in installed_domains()
        for permission, role in domain.permissions.items()
    ]
    assert len({permission for permission, _ in declared}) == len(declared)
    assert {role for _, role in declared} <= set(ROLES_IN_ORDER)


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [
        ("admin", "users:admin", True),
        ("member", "users:admin", False),
        ("member", "jobs:write", True),
        ("viewer", "jobs:write", False),
        ("viewer", "jobs:read", True),
        ("member", "jobs:admin", False),
    ],
)
def test_grants(role: str, permission: str, granted: bool) -> None:
    assert grants(role, permission) is granted


def test_an_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        grants("admin", "jobs:wirte")


def test_a_route_requiring_an_undeclared_permission_is_refused_at_start() -> None:
    check_required_permissions()  # every route of the installed domains: declared
    REQUIRED_PERMISSIONS.add("jobs:wirte")
    try:
        with pytest.raises(ValueError, match="jobs:wirte"):
            check_required_permissions()
    finally:
        REQUIRED_PERMISSIONS.discard("jobs:wirte")
