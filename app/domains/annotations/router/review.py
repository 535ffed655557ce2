"""Review over HTTP (v1): reviewers and managers approve, reject or reopen a document, and
get it back with its new status."""

from fastapi import APIRouter

from app.domains.annotations.dependencies import (
    Comment,
    ProjectDocument,
    ReviewServiceDep,
    VisibleProject,
    Writer,
)
from app.domains.annotations.errors import (
    AlreadyApproved,
    DocumentApproved,
    DocumentNotApproved,
    NothingToReview,
    ReviewerRequired,
)
from app.domains.annotations.schemas import DocumentRead
from app.web.responses import errors

router = APIRouter(prefix="/projects/{project_id}/documents/{document_id}", tags=["annotations"])


@router.post(
    "/approve", dependencies=[Writer], responses=errors(ReviewerRequired, AlreadyApproved, NothingToReview)
)
async def approve_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, comment: Comment
) -> DocumentRead:
    """Approve its annotations: the document is read only until reopened."""
    return DocumentRead.model_validate(
        await review.approve(access=project, document=document, comment=comment)
    )


@router.post(
    "/reject", dependencies=[Writer], responses=errors(ReviewerRequired, DocumentApproved, NothingToReview)
)
async def reject_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, comment: Comment
) -> DocumentRead:
    """Send it back to its annotators, with a comment; their next change makes it annotated."""
    return DocumentRead.model_validate(
        await review.reject(access=project, document=document, comment=comment)
    )


@router.post("/reopen", dependencies=[Writer], responses=errors(ReviewerRequired, DocumentNotApproved))
async def reopen_document(
    project: VisibleProject, document: ProjectDocument, review: ReviewServiceDep, comment: Comment
) -> DocumentRead:
    """Undo an approval: the document is annotated again, and its annotations writable."""
    return DocumentRead.model_validate(
        await review.reopen(access=project, document=document, comment=comment)
    )
