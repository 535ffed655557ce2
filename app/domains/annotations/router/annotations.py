"""Annotations of a document over HTTP (v1): each annotator's marks, read by whom the project
lets see them, written (PUT replaces the whole set) and deleted by whom it lets change them;
`me` in the path stands for the caller."""

from fastapi import APIRouter, Response, status

from app.domains.annotations.dependencies import (
    AnnotationServiceDep,
    AnnotatorId,
    ProjectDocument,
    Reader,
    VisibleProject,
    Writer,
)
from app.domains.annotations.errors import (
    AlreadyAnnotated,
    AnnotationNotFound,
    AnnotatorNotFound,
    AnnotatorRequired,
    DocumentApproved,
    DuplicateMark,
    InvalidSpan,
    OneLabelExpected,
    OverlappingSpans,
    OwnAnnotationsOnly,
    SpanNotAllowed,
    SpanRequired,
    UnknownLabel,
)
from app.domains.annotations.schemas import AnnotationRead, AnnotationWrite
from app.web.etag import IfMatch, IfNoneMatch, PreconditionFailed, etag_of
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/documents/{document_id}/annotations", tags=["annotations"])


def _shown(row: object, response: Response) -> AnnotationRead:
    """The annotation, its version in the `ETag` header."""
    shown = AnnotationRead.model_validate(row)
    response.headers["ETag"] = etag_of(shown.id, shown.version)
    return shown


@router.get("", dependencies=[Reader])
async def list_annotations(
    project: VisibleProject, document: ProjectDocument, annotations: AnnotationServiceDep
) -> list[AnnotationRead]:
    """The document's annotations you may see, by annotator: your own; everyone's if the
    project is collaborative or you review or manage it."""
    rows = await annotations.listing(access=project, document=document)
    return [AnnotationRead.model_validate(row) for row in rows]


@router.get("/{annotator_id}", dependencies=[Reader], responses=errors(AnnotationNotFound))
async def get_annotation(
    project: VisibleProject,
    document: ProjectDocument,
    annotator_id: AnnotatorId,
    annotations: AnnotationServiceDep,
    response: Response,
) -> AnnotationRead:
    row = await annotations.get(access=project, document=document, annotator_id=annotator_id)
    return _shown(row, response)


@router.put(
    "/{annotator_id}",
    dependencies=[Writer],
    responses={
        status.HTTP_201_CREATED: {"model": AnnotationRead, "description": "Created."},
        **errors(
            AnnotatorRequired,
            OwnAnnotationsOnly,
            AnnotatorNotFound,
            UnknownLabel,
            InvalidSpan,
            SpanRequired,
            SpanNotAllowed,
            DuplicateMark,
            OverlappingSpans,
            OneLabelExpected,
            DocumentApproved,
            AlreadyAnnotated,
            PreconditionFailed,
        ),
    },
)
async def put_annotation(
    project: VisibleProject,
    document: ProjectDocument,
    annotator_id: AnnotatorId,
    body: AnnotationWrite,
    annotations: AnnotationServiceDep,
    response: Response,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> AnnotationRead:
    """Create (201) or replace (200) the annotator's whole set of marks. With `If-Match`, only
    over that version; with `If-None-Match: *`, only if they have none yet."""
    row, created = await annotations.put(
        access=project,
        document=document,
        annotator_id=annotator_id,
        marks=body.marks,
        if_match=if_match,
        if_none_match=if_none_match,
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return _shown(row, response)


@router.delete(
    "/{annotator_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(
        AnnotatorRequired, OwnAnnotationsOnly, AnnotationNotFound, DocumentApproved, PreconditionFailed
    ),
)
async def delete_annotation(
    project: VisibleProject,
    document: ProjectDocument,
    annotator_id: AnnotatorId,
    annotations: AnnotationServiceDep,
    if_match: IfMatch = None,
) -> None:
    await annotations.delete(access=project, document=document, annotator_id=annotator_id, if_match=if_match)
