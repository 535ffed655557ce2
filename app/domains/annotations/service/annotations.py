"""Annotations use cases: each annotator's set of marks on a document, seen and changed by
whom the project allows (docs/decisions.md, "Who writes whose annotations"), and the
document's status kept in step: annotated once someone has annotated it, unannotated when
the last annotation goes, read only while approved.

Every write first locks the document (`DocumentRepository.locked`), as a review does: writes
to one document take turns, so a first PUT racing another becomes its update, and an edit
racing an approval either lands before it or is refused after it.
"""

from app.domains.annotations.errors import (
    AnnotationNotFound,
    AnnotatorNotFound,
    AnnotatorRequired,
    DocumentApproved,
    DocumentNotFound,
    OwnAnnotationsOnly,
)
from app.domains.annotations.models import Annotation, Document, DocumentStatus, ProjectKind, ProjectRole
from app.domains.annotations.repository import (
    AnnotationRepository,
    AnnotationRow,
    DocumentRepository,
    LabelRepository,
    MemberRepository,
)
from app.domains.annotations.schemas import MarkWrite
from app.domains.annotations.service.access import ProjectAccess
from app.domains.annotations.service.marks import checked_marks
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import PreconditionFailed, check_if_match, check_if_none_match, etag_of

# Whose annotation may be written: theirs, who annotate. Reviewers judge annotations, they do
# not make them (an approval of one's own marks would be no review).
ANNOTATING_ROLES = frozenset({ProjectRole.ANNOTATOR, ProjectRole.MANAGER})


def sees_everyones(access: ProjectAccess) -> bool:
    """Annotators see only their own annotations, unless the project is collaborative;
    reviewers, managers and admins see everyone's."""
    return access.actor.is_admin or access.role is not ProjectRole.ANNOTATOR or access.project.collaborative


def ensure_may_write(access: ProjectAccess, annotator_id: int) -> None:
    """Managers and admins write anyone's annotation; annotators their own, or anyone's in a
    collaborative project; reviewers none."""
    if access.may_manage:
        return
    if access.role not in ANNOTATING_ROLES:
        raise AnnotatorRequired(access.project_id)
    if annotator_id != access.actor.id and not access.project.collaborative:
        raise OwnAnnotationsOnly(access.project_id)


class AnnotationService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.uow = uow
        self.documents = DocumentRepository(uow.session)
        self.annotations = AnnotationRepository(uow.session)
        self.labels = LabelRepository(uow.session)
        self.members = MemberRepository(uow.session)

    async def listing(self, *, access: ProjectAccess, document: Document) -> list[AnnotationRow]:
        """The annotations of the document the caller may see, by annotator."""
        only = None if sees_everyones(access) else access.actor.id
        return await self.annotations.of_document(document.id, annotator_id=only)

    async def get(self, *, access: ProjectAccess, document: Document, annotator_id: int) -> AnnotationRow:
        found = []
        if annotator_id == access.actor.id or sees_everyones(access):
            found = await self.annotations.of_document(document.id, annotator_id=annotator_id)
        if not found:
            raise AnnotationNotFound(document.id, annotator_id)
        return found[0]

    async def put(
        self,
        *,
        access: ProjectAccess,
        document: Document,
        annotator_id: int,
        marks: list[MarkWrite],
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[AnnotationRow, bool]:
        """Creates or replaces the annotator's marks; says whether it created them. With
        `If-Match`, only over that version; with `If-None-Match: *`, only if there is none."""
        ensure_may_write(access, annotator_id)
        await self._ensure_annotator(access, annotator_id)
        project = access.project
        rows = checked_marks(
            marks,
            kind=ProjectKind(project.kind),
            allow_overlapping_spans=project.allow_overlapping_spans,
            text=document.text,
            label_ids=await self.labels.ids_of(access.project_id),
        )
        document_id = document.id
        async with self.uow:
            current = await self._writable(document_id)
            annotation = await self.annotations.find(document_id, annotator_id)
            _check_preconditions(annotation, if_match=if_match, if_none_match=if_none_match)
            created = annotation is None
            if annotation is None:
                annotation = await self.annotations.add(
                    Annotation(
                        document_id=document_id, project_id=access.project_id, annotator_id=annotator_id
                    )
                )
            await self.annotations.replace_marks(annotation.id, rows)
            if not created:
                # A new version even when only the marks changed: the ETag covers them.
                await self.annotations.update(annotation, updated_at=utc_now())
            if current.status in (DocumentStatus.UNANNOTATED, DocumentStatus.REJECTED):
                await self.documents.update(current, status=DocumentStatus.ANNOTATED.value)
            return AnnotationRow.of(annotation, rows), created

    async def delete(
        self, *, access: ProjectAccess, document: Document, annotator_id: int, if_match: str | None = None
    ) -> None:
        """Deletes the annotator's annotation; the document is unannotated once none is left."""
        ensure_may_write(access, annotator_id)
        document_id = document.id
        async with self.uow:
            current = await self._writable(document_id)
            annotation = await self.annotations.find(document_id, annotator_id)
            if annotation is None:
                raise AnnotationNotFound(document_id, annotator_id)
            check_if_match(if_match, entity_id=annotation.id, version=annotation.version)
            await self.annotations.delete(annotation)
            if not await self.annotations.exists(document_id=document_id):
                await self.documents.update(current, status=DocumentStatus.UNANNOTATED.value)

    async def _ensure_annotator(self, access: ProjectAccess, annotator_id: int) -> None:
        role = await self.members.role_of(access.project_id, annotator_id)
        if role is None or ProjectRole(role) not in ANNOTATING_ROLES:
            raise AnnotatorNotFound(annotator_id)

    async def _writable(self, document_id: int) -> Document:
        """The document, locked; refused while approved."""
        current = await self.documents.locked(document_id)
        if current is None:  # deleted meanwhile
            raise DocumentNotFound(document_id)
        if current.status == DocumentStatus.APPROVED:
            raise DocumentApproved(document_id)
        return current


def _check_preconditions(
    annotation: Annotation | None, *, if_match: str | None, if_none_match: str | None
) -> None:
    if annotation is None:
        if if_match is not None:  # RFC 9110: If-Match fails when there is no current representation
            raise PreconditionFailed(details={"current_etag": None})
        return
    check_if_match(if_match, entity_id=annotation.id, version=annotation.version)
    check_if_none_match(if_none_match, current=etag_of(annotation.id, annotation.version))
