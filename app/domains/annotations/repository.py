"""Annotations queries: projects by membership, a project's labels and members, and the
whole-project reads of export, progress and agreement."""

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, func, select, update

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


class DocumentRow(NamedTuple):
    id: int
    text: str
    meta: dict[str, Any]
    status: str


class MarkRow(NamedTuple):
    """One mark of one annotation; an annotation without marks is one row with `label_id` None."""

    document_id: int
    annotator_id: int
    label_id: int | None
    start: int | None
    end: int | None


# The tables, not the mapped classes: the reads a batch at a time are Core statements, which
# build no ORM objects (docs/decisions.md, "Core statements on hot reads").
DOCUMENTS, ANNOTATIONS, MARKS = Document.__table__, Annotation.__table__, Mark.__table__


class ReportRepository(Repository[Document]):
    """Reads over a whole project, in columns rather than entities, a batch of documents at a
    time, so that no read holds more than one batch in memory."""

    model = Document

    async def document_batch(
        self, *, project_id: int, after_id: int, limit: int, status: str | None
    ) -> list[DocumentRow]:
        query = (
            select(DOCUMENTS.c.id, DOCUMENTS.c.text, DOCUMENTS.c.meta, DOCUMENTS.c.status)
            .where(DOCUMENTS.c.project_id == project_id, DOCUMENTS.c.id > after_id)
            .order_by(DOCUMENTS.c.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(DOCUMENTS.c.status == status)
        return [DocumentRow._make(row) for row in await self.rows(query)]

    async def marks_between(
        self,
        *,
        project_id: int,
        first_id: int,
        last_id: int,
        annotator_id: int | None,
        only: Sequence[int] | None = None,
    ) -> list[MarkRow]:
        """The marks of the annotations of the documents `first_id`..`last_id` (a range scan),
        or of those of them in `only`, by document, annotator and position."""
        query = (
            select(
                ANNOTATIONS.c.document_id,
                ANNOTATIONS.c.annotator_id,
                MARKS.c.label_id,
                MARKS.c.start,
                MARKS.c.end,
            )
            .outerjoin(MARKS, MARKS.c.annotation_id == ANNOTATIONS.c.id)
            .where(
                ANNOTATIONS.c.project_id == project_id,
                ANNOTATIONS.c.document_id.between(first_id, last_id),
            )
            .order_by(
                ANNOTATIONS.c.document_id, ANNOTATIONS.c.annotator_id, MARKS.c.start, MARKS.c.end, MARKS.c.id
            )
        )
        if annotator_id is not None:
            query = query.where(ANNOTATIONS.c.annotator_id == annotator_id)
        if only is not None:
            query = query.where(ANNOTATIONS.c.document_id.in_(only))
        return [MarkRow._make(row) for row in await self.rows(query)]

    async def documents_annotated_twice(self, *, project_id: int, after_id: int, limit: int) -> list[int]:
        """The next `limit` documents, by id, that two annotators or more have annotated."""
        query = (
            select(ANNOTATIONS.c.document_id)
            .where(ANNOTATIONS.c.project_id == project_id, ANNOTATIONS.c.document_id > after_id)
            .group_by(ANNOTATIONS.c.document_id)
            .having(func.count() >= 2)
            .order_by(ANNOTATIONS.c.document_id)
            .limit(limit)
        )
        return [document_id for (document_id,) in await self.rows(query)]

    async def annotator_ids(self, project_id: int) -> list[int]:
        query = select(Annotation.annotator_id).where(Annotation.project_id == project_id).distinct()
        return list(await self.session.scalars(query))

    async def label_names(self, project_id: int) -> dict[int, str]:
        query = select(Label.id, Label.name).where(Label.project_id == project_id)
        return {label_id: name for label_id, name in await self.session.execute(query)}

    async def status_counts(self, project_id: int) -> dict[str, int]:
        query = (
            select(Document.status, func.count())
            .where(Document.project_id == project_id)
            .group_by(Document.status)
        )
        return {status: count for status, count in await self.session.execute(query)}

    async def member_progress(self, project_id: int) -> list[tuple[int, str, int]]:
        """Each member's user id, role and number of documents annotated (one annotation each)."""
        query = (
            select(Member.user_id, Member.role, func.count(Annotation.id))
            .outerjoin(
                Annotation,
                and_(Annotation.project_id == Member.project_id, Annotation.annotator_id == Member.user_id),
            )
            .where(Member.project_id == project_id)
            .group_by(Member.user_id, Member.role)
            .order_by(Member.user_id)
        )
        return [(user_id, role, count) for user_id, role, count in await self.session.execute(query)]

    async def label_use(self, project_id: int) -> list[tuple[int, str, int, int]]:
        """Each label's id, name, number of marks and of documents it marks, by name."""
        query = (
            select(Label.id, Label.name, func.count(Mark.id), func.count(Annotation.document_id.distinct()))
            .outerjoin(Mark, Mark.label_id == Label.id)
            .outerjoin(Annotation, Annotation.id == Mark.annotation_id)
            .where(Label.project_id == project_id)
            .group_by(Label.id, Label.name)
            .order_by(Label.name, Label.id)
        )
        return [
            (label_id, name, marks, documents)
            for label_id, name, marks, documents in await self.session.execute(query)
        ]
