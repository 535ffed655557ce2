"""Annotations queries: projects by membership, a project's labels and members, documents,
and each annotator's annotation of a document with its marks."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from app.domains.annotations.models import Annotation, Document, Label, Mark, Member, Project, ProjectRole
from app.infrastructure.repository import Repository


class ProjectRepository(Repository[Project]):
    model = Project

    async def page(self, *, member_id: int | None, before_id: int | None, limit: int) -> list[Project]:
        """Up to `limit` projects, newest first, below `before_id`; of one member's, or all."""
        query = select(Project).order_by(Project.id.desc()).limit(limit)
        if member_id is not None:
            query = query.where(Project.id.in_(select(Member.project_id).where(Member.user_id == member_id)))
        if before_id is not None:
            query = query.where(Project.id < before_id)
        return list(await self.session.scalars(query))

    async def lock(self, project_id: int) -> None:
        """Makes this transaction the project's only writer until it ends, on both databases:
        a row lock on PostgreSQL, the database's write lock on SQLite, where `FOR UPDATE` does
        nothing and the reads before a transaction's first write see no snapshot. It writes
        the row's own values back, so the version and `updated_at` stay as they are."""
        await self.session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(version=Project.version, updated_at=Project.updated_at)
            .execution_options(synchronize_session=False)
        )


class LabelRepository(Repository[Label]):
    model = Label

    async def of_project(self, project_id: int) -> list[Label]:
        query = select(Label).where(Label.project_id == project_id).order_by(Label.name, Label.id)
        return list(await self.session.scalars(query))

    async def ids_of(self, project_id: int) -> set[int]:
        return set(await self.session.scalars(select(Label.id).where(Label.project_id == project_id)))

    async def in_use(self, label_id: int) -> bool:
        return (
            await self.session.scalar(select(Mark.id).where(Mark.label_id == label_id).limit(1)) is not None
        )

    async def in_project(self, project_id: int, label_id: int) -> Label | None:
        return await self.session.scalar(
            select(Label).where(Label.project_id == project_id, Label.id == label_id)
        )

    async def taken(self, project_id: int, *, other_than: int | None = None, **value: str) -> bool:
        """Whether another label of the project has this name or shortcut (`name=...`, `shortcut=...`)."""
        query = select(Label.id).where(Label.project_id == project_id)
        for column, wanted in value.items():
            query = query.where(self._column(column) == wanted)
        if other_than is not None:
            query = query.where(Label.id != other_than)
        return await self.session.scalar(query.limit(1)) is not None


class MemberRepository(Repository[Member]):
    model = Member

    async def role_of(self, project_id: int, user_id: int) -> str | None:
        query = select(Member.role).where(Member.project_id == project_id, Member.user_id == user_id)
        return await self.session.scalar(query)

    async def find(self, project_id: int, user_id: int) -> Member | None:
        query = select(Member).where(Member.project_id == project_id, Member.user_id == user_id)
        return await self.session.scalar(query)

    async def page(self, *, project_id: int, after_user_id: int | None, limit: int) -> list[Member]:
        query = select(Member).where(Member.project_id == project_id).order_by(Member.user_id).limit(limit)
        if after_user_id is not None:
            query = query.where(Member.user_id > after_user_id)
        return list(await self.session.scalars(query))

    async def managers(self, project_id: int) -> list[int]:
        query = select(Member.user_id).where(
            Member.project_id == project_id, Member.role == ProjectRole.MANAGER.value
        )
        return list(await self.session.scalars(query))


class DocumentRepository(Repository[Document]):
    model = Document

    async def in_project(self, project_id: int, document_id: int) -> Document | None:
        return await self.session.scalar(
            select(Document).where(Document.project_id == project_id, Document.id == document_id)
        )

    async def locked(self, document_id: int) -> Document | None:
        """The document as it is now, this transaction its only writer until it ends (as
        `ProjectRepository.lock`, on both databases): annotation writes and reviews of one
        document take turns, so an edit never lands on a document being approved."""
        await self.session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(updated_at=Document.updated_at)
            .execution_options(synchronize_session=False)
        )
        # Read again: the session may hold the row as it was before the lock was granted.
        query = select(Document).where(Document.id == document_id).execution_options(populate_existing=True)
        return await self.session.scalar(query)


@dataclass(frozen=True, slots=True)
class MarkRow:
    label_id: int
    start: int | None
    end: int | None


@dataclass(frozen=True, slots=True)
class AnnotationRow:
    """An annotation as it is shown: with its marks, in their order."""

    id: int
    document_id: int
    annotator_id: int
    version: int
    created_at: datetime
    updated_at: datetime
    marks: list[MarkRow]

    @classmethod
    def of(cls, annotation: Annotation, marks: Sequence[MarkRow]) -> "AnnotationRow":
        return cls(
            id=annotation.id,
            document_id=annotation.document_id,
            annotator_id=annotation.annotator_id,
            version=annotation.version,
            created_at=annotation.created_at,
            updated_at=annotation.updated_at,
            marks=list(marks),
        )


class AnnotationRepository(Repository[Annotation]):
    model = Annotation

    async def find(self, document_id: int, annotator_id: int) -> Annotation | None:
        query = select(Annotation).where(
            Annotation.document_id == document_id, Annotation.annotator_id == annotator_id
        )
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def rows(self, document_id: int, *, annotator_id: int | None = None) -> list[AnnotationRow]:
        """The document's annotations by annotator (or one annotator's), marks in two queries in all."""
        query = (
            select(Annotation).where(Annotation.document_id == document_id).order_by(Annotation.annotator_id)
        )
        if annotator_id is not None:
            query = query.where(Annotation.annotator_id == annotator_id)
        annotations = list(await self.session.scalars(query))
        marks = await self._marks_of([annotation.id for annotation in annotations])
        return [AnnotationRow.of(annotation, marks.get(annotation.id, [])) for annotation in annotations]

    async def replace_marks(self, annotation_id: int, marks: Sequence[MarkRow]) -> None:
        await self.session.execute(delete(Mark).where(Mark.annotation_id == annotation_id))
        self.session.add_all(
            Mark(annotation_id=annotation_id, label_id=mark.label_id, start=mark.start, end=mark.end)
            for mark in marks
        )
        await self.session.flush()

    async def _marks_of(self, annotation_ids: list[int]) -> dict[int, list[MarkRow]]:
        if not annotation_ids:
            return {}
        query = (
            select(Mark.annotation_id, Mark.label_id, Mark.start, Mark.end)
            .where(Mark.annotation_id.in_(annotation_ids))
            .order_by(Mark.annotation_id, Mark.start, Mark.end, Mark.label_id)
        )
        found: dict[int, list[MarkRow]] = {}
        for annotation_id, label_id, start, end in await self.session.execute(query):
            found.setdefault(annotation_id, []).append(MarkRow(label_id=label_id, start=start, end=end))
        return found
