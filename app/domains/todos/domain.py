"""The todos domain: the reference CRUD slice, in versions 1 and 2 of the API."""

from app.domains.todos.router import v1, v2
from app.infrastructure.domain import Domain

DOMAIN = Domain(
    name="todos",
    api={"v1": v1, "v2": v2},
    permissions={"todos:read": "viewer", "todos:write": "member", "todos:admin": "admin"},
)
