"""Importing documents over HTTP (v1): the body is the file; a job reads it."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from app.core.errors import BrokerUnavailable
from app.domains.annotations.dependencies import ImportServiceDep, VisibleProject, Writer
from app.domains.annotations.errors import ImportFormatUnknown, ProjectManagerRequired
from app.domains.annotations.schemas import ImportFormat
from app.domains.annotations.service.imports import IMPORT_MEDIA_TYPES, OCTET_STREAM
from app.domains.jobs.schemas import JobRead
from app.web.response_headers import sends
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/imports", tags=["annotations"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Writer],
    responses={
        **errors(ProjectManagerRequired, ImportFormatUnknown, BrokerUnavailable),
        202: sends("Location"),
    },
    # One body type, as generated clients want (tests/unit/test_openapi_names.py); the others
    # taken are in the description.
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": f"The file. Content-Type: one of {', '.join(IMPORT_MEDIA_TYPES)}.",
            "content": {OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_documents(
    project: VisibleProject,
    imports: ImportServiceDep,
    request: Request,
    response: Response,
    format: Annotated[ImportFormat | None, Query(description="Default: told by the Content-Type.")] = None,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> JobRead:
    """Import documents from the body, a file (managers): JSON Lines, CSV with a `text` column,
    or plain text, a document a line. Answers 202 with the import's job: it succeeds with the
    counts, or fails with the bad lines and imports nothing (docs/annotations.md)."""
    job = await imports.start(
        access=project, requested=format, content_type=content_type, body=request.stream()
    )
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job
