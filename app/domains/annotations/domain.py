"""The annotations domain: projects shared by a team, with their label sets and members, their
documents (added one by one or imported in bulk as a job), over v1 of the API."""

from app.core.config import Settings
from app.domains.annotations.router import v1
from app.domains.annotations.tasks import IMPORT_DOCUMENTS, purge_stale_uploads
from app.infrastructure.domain import Domain, LargeBody


def max_import_bytes(settings: Settings) -> int:
    return settings.annotations_max_import_bytes


DOMAIN = Domain(
    name="annotations",
    api={"v1": v1},
    # Whether one may use annotation projects at all; what one may do in a given project is
    # one's project role there (service/access.py).
    permissions={"annotations:read": "viewer", "annotations:write": "member", "annotations:admin": "admin"},
    jobs=(IMPORT_DOCUMENTS,),
    maintenance=(purge_stale_uploads,),
    # The import's body is the file, streamed to disk: it alone may be larger than a request.
    large_bodies=(LargeBody(path=r"/api/v1/projects/[^/]+/imports", max_bytes=max_import_bytes),),
)
