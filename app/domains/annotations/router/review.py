"""Review over HTTP (v1): reviewers and managers approve, reject or reopen a document, and
get it back with its new status."""

from typing import Annotated

from fastapi import APIRouter, Body

from app.domains.annotations.dependencies import ProjectDocument, ReviewServiceDep, VisibleProject, Writer
from app.domains.annotations.errors import (
    AlreadyApproved,
    DocumentApproved,
    DocumentNotApproved,
    NothingToReview,
    ReviewerRequired,
)
from app.domains.annotations.schemas import DocumentRead, ReviewNote
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/documents/{document_id}", tags=["annotations"])
# The body is optional: a decision needs no comment.
Note = Annotated[ReviewNote | None, Body()]


@router.post(
    "/approve", dependencies=[Writer], responses=errors(ReviewerRequired, AlreadyApproved, NothingToReview)
)
async def approve_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, body: Note = None
) -> DocumentRead:
    """Approve its annotations: the document is read only until reopened."""
    comment = body.comment if body else None
    return DocumentRead.model_validate(
        await review.approve(access=project, document=document, comment=comment)
    )


@router.post(
    "/reject", dependencies=[Writer], responses=errors(ReviewerRequired, DocumentApproved, NothingToReview)
)
async def reject_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, body: Note = None
) -> DocumentRead:
    """Send it back to its annotators, with a comment; their next change makes it annotated."""
    comment = body.comment if body else None
    return DocumentRead.model_validate(
        await review.reject(access=project, document=document, comment=comment)
    )


@router.post("/reopen", dependencies=[Writer], responses=errors(ReviewerRequired, DocumentNotApproved))
async def reopen_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, body: Note = None
) -> DocumentRead:
    """Undo an approval: the document is annotated again, and its annotations writable."""
    comment = body.comment if body else None
    return DocumentRead.model_validate(
        await review.reopen(access=project, document=document, comment=comment)
    )
