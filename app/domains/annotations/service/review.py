"""Review: reviewers and managers approve a document's annotations (which makes it read
only), reject them (annotators change them, and it is annotated again), or reopen an
approved document. Each decision records who made it, when, and what they said.

A decision locks the document first, as an annotation write does, so the two take turns.
"""

from collections.abc import Callable

from app.domains.annotations.errors import (
    AlreadyApproved,
    DocumentApproved,
    DocumentNotApproved,
    DocumentNotFound,
    NothingToReview,
    ReviewerRequired,
)
from app.domains.annotations.models import Document, DocumentStatus, ProjectRole
from app.domains.annotations.repository import AnnotationRepository, DocumentRepository
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork

REVIEWING_ROLES = frozenset({ProjectRole.REVIEWER, ProjectRole.MANAGER})

# What a decision needs of the document as it is under the lock (status, has annotations);
# it raises what refuses the decision.
Precondition = Callable[[Document, bool], None]


def _approvable(document: Document, annotated: bool) -> None:
    if document.status == DocumentStatus.APPROVED:
        raise AlreadyApproved(document.id)
    if not annotated:
        raise NothingToReview(document.id)


def _rejectable(document: Document, annotated: bool) -> None:
    if document.status == DocumentStatus.APPROVED:
        raise DocumentApproved(document.id)  # reopen it first: an approval is undone explicitly
    if not annotated:
        raise NothingToReview(document.id)


def _reopenable(document: Document, annotated: bool) -> None:
    if document.status != DocumentStatus.APPROVED:
        raise DocumentNotApproved(document.id)


def ensure_reviewer(access: ProjectAccess) -> None:
    if not access.actor.is_admin and access.role not in REVIEWING_ROLES:
        raise ReviewerRequired(access.project_id)


class ReviewService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.uow = uow
        self.documents = DocumentRepository(uow.session)
        self.annotations = AnnotationRepository(uow.session)

    async def approve(self, *, access: ProjectAccess, document: Document, comment: str | None) -> Document:
        """Approved: read only until reopened. Needs an annotation; not twice."""
        return await self._decide(access, document, DocumentStatus.APPROVED, _approvable, comment)

    async def reject(self, *, access: ProjectAccess, document: Document, comment: str | None) -> Document:
        """Sent back to the annotators, with the reviewer's comment; a rejected document may be
        rejected again (a new comment). An approved one is reopened first."""
        return await self._decide(access, document, DocumentStatus.REJECTED, _rejectable, comment)

    async def reopen(self, *, access: ProjectAccess, document: Document, comment: str | None) -> Document:
        """An approved document becomes annotated again, and writable."""
        return await self._decide(access, document, DocumentStatus.ANNOTATED, _reopenable, comment)

    async def _decide(
        self,
        access: ProjectAccess,
        document: Document,
        status: DocumentStatus,
        precondition: Precondition,
        comment: str | None,
    ) -> Document:
        ensure_reviewer(access)
        document_id = document.id
        async with self.uow:
            current = await self.documents.locked(document_id)
            if current is None:  # deleted meanwhile
                raise DocumentNotFound(document_id)
            annotated = await self.annotations.exists(document_id=document_id)
            precondition(current, annotated)
            if status is DocumentStatus.ANNOTATED and not annotated:
                status = DocumentStatus.UNANNOTATED  # its annotators' accounts were deleted meanwhile
            return await self.documents.update(
                current,
                status=status.value,
                reviewed_by=access.actor.id,
                reviewed_at=utc_now(),
                review_comment=comment or None,
            )
