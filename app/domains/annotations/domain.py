"""The annotations domain: projects shared by a team, with their label sets and members (phase
1 of issue 17; documents, annotations, import and export come next), over v1 of the API."""

from app.domains.annotations.router import v1
from app.infrastructure.domain import Domain

DOMAIN = Domain(
    name="annotations",
    api={"v1": v1},
    # Whether one may use annotation projects at all; what one may do in a given project is
    # one's project role there (service/access.py).
    permissions={"annotations:read": "viewer", "annotations:write": "member", "annotations:admin": "admin"},
)
