"""A project's documents and annotations as JSON lines, streamed (v1)."""

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from app.domains.annotations.dependencies import ExportServiceDep, Reader, VisibleProject
from app.domains.annotations.errors import ExportOfOwnAnnotationsOnly
from app.domains.annotations.schemas import ExportFilter
from app.domains.annotations.service.export import MEDIA_TYPE
from app.web.compression import accepts_gzip, gzip_headers, gzipped
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}", tags=["annotations"])


class JsonLinesResponse(StreamingResponse):
    """`response_class=` of an export: its only declared content type."""

    media_type = MEDIA_TYPE


@router.get(
    "/export",
    dependencies=[Reader],
    response_class=JsonLinesResponse,
    responses={
        200: {"content": {MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **errors(ExportOfOwnAnnotationsOnly),
    },
)
async def export_project(
    project: VisibleProject,
    filters: Annotated[ExportFilter, Query()],
    exports: ExportServiceDep,
    accept_encoding: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> JsonLinesResponse:
    """One JSON line per document, `{...meta, id, text, labels, annotations, status}`, streamed
    as it is read. `annotator_id`: that annotator's labels only, no `annotations`;
    `approved=true`: approved documents only. Annotators of a project that is not
    collaborative export their own annotations only (`annotator_id=me`)."""
    plan = await exports.plan(access=project, filters=filters)
    headers = {"Content-Disposition": f'attachment; filename="{plan.filename}"'}
    if accepts_gzip(accept_encoding):
        return JsonLinesResponse(gzipped(exports.lines(plan)), headers={**headers, **gzip_headers()})
    return JsonLinesResponse(exports.lines(plan), headers=headers)
