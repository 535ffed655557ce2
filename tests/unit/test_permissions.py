import pytest

from app.domains.accounts.dependencies import require
from app.domains.accounts.permissions import ALL_PERMISSIONS, PERMISSIONS, Role, grants


def test_roles_are_nested_viewer_member_admin() -> None:
    assert PERMISSIONS[Role.VIEWER] < PERMISSIONS[Role.MEMBER] < PERMISSIONS[Role.ADMIN]
    assert PERMISSIONS[Role.ADMIN] == ALL_PERMISSIONS


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [
        ("admin", "users:admin", True),
        ("member", "users:admin", False),
        ("member", "todos:write", True),
        ("viewer", "todos:write", False),
        ("viewer", "todos:read", True),
    ],
)
def test_grants(role: str, permission: str, granted: bool) -> None:
    assert grants(role, permission) is granted


def test_an_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        grants("admin", "todos:wirte")
    with pytest.raises(ValueError, match="unknown permission"):
        require("todos:wirte")
