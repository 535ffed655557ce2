"""A project's documents: read by its members a page at a time, added one by one or imported
(service/imports.py) and deleted by its managers."""

from app.core.cursors import CursorCodec
from app.domains.annotations.errors import DocumentNotFound
from app.domains.annotations.models import Document, DocumentStatus
from app.domains.annotations.repository import DocumentRepository, DocumentRow
from app.domains.annotations.schemas import DocumentCreate, DocumentFilter
from app.domains.annotations.service.access import ProjectAccess
from app.infrastructure.idempotency import fingerprint
from app.infrastructure.unit_of_work import UnitOfWork


class DocumentService:
    def __init__(self, *, uow: UnitOfWork, cursors: CursorCodec) -> None:
        self.uow = uow
        self.cursors = cursors
        self.documents = DocumentRepository(uow.session)

    async def page(
        self, *, access: ProjectAccess, filters: DocumentFilter
    ) -> tuple[list[DocumentRow], str | None]:
        """One page in import order, and the cursor of the next (None on the last). A cursor
        is bound to its project and filters: another filter would skip or repeat documents."""
        project_id = access.project_id
        status = filters.status.value if filters.status else None
        query = fingerprint(
            {"project": project_id, "status": status, "annotator": filters.annotator_id, "q": filters.q}
        )
        after_id = None
        if filters.cursor is not None:
            after_id = int(self.cursors.decode(filters.cursor, query=query)["id"])
        found = await self.documents.page(
            project_id=project_id,
            status=status,
            annotator_id=filters.annotator_id,
            text=filters.q,
            after_id=after_id,
            limit=filters.limit + 1,
        )
        page, more = found[: filters.limit], len(found) > filters.limit
        return page, self.cursors.encode({"query": query, "id": page[-1].id}) if more else None

    async def get(self, *, access: ProjectAccess, document_id: int) -> Document:
        document = await self.documents.in_project(access.project_id, document_id)
        if document is None:
            raise DocumentNotFound(document_id)
        return document

    async def create(self, *, access: ProjectAccess, data: DocumentCreate) -> Document:
        access.ensure_manager()
        async with self.uow:
            return await self.documents.add(
                Document(
                    project_id=access.project_id,
                    text=data.text,
                    meta=dict(data.meta),
                    status=DocumentStatus.UNANNOTATED.value,
                )
            )

    async def delete(self, *, access: ProjectAccess, document: Document) -> None:
        """Deletes the document with its annotations and their marks (the foreign keys cascade)."""
        access.ensure_manager()
        async with self.uow:
            await self.documents.delete(document)
