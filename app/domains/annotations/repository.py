"""Annotations queries: projects by membership, a project's labels and members, its documents,
each annotator's annotation of a document with its marks; the bulk inserts of an import; the
whole-project reads of export, progress and agreement."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domains.annotations.models import Annotation, Document, Label, Mark, Member, Project, ProjectRole
from app.infrastructure.repository import Repository, contains_pattern


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

    async def with_role_of(self, project_id: int, user_id: int) -> tuple[Project, str | None] | None:
        """The project and the user's role in it (None: not a member), in one query: every
        request to a project starts here."""
        membership = and_(Member.project_id == Project.id, Member.user_id == user_id)
        query = select(Project, Member.role).outerjoin(Member, membership).where(Project.id == project_id)
        found = (await self.session.execute(query)).first()
        return None if found is None else (found[0], found[1])

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

    async def user_ids(self, project_id: int) -> list[int]:
        return list(await self.session.scalars(select(Member.user_id).where(Member.project_id == project_id)))

    async def managers(self, project_id: int) -> list[int]:
        query = select(Member.user_id).where(
            Member.project_id == project_id, Member.role == ProjectRole.MANAGER.value
        )
        return list(await self.session.scalars(query))


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A document as the listing shows it."""

    id: int
    project_id: int
    text: str
    meta: dict[str, Any]
    status: str
    reviewed_by: int | None
    reviewed_at: datetime | None
    review_comment: str | None
    created_at: datetime
    updated_at: datetime


# Selected in the order of DocumentRow's fields, which are built from the rows by position.
DOCUMENT_COLUMNS = tuple(column.name for column in fields(DocumentRow))


class DocumentRepository(Repository[Document]):
    model = Document

    async def in_project(self, project_id: int, document_id: int) -> Document | None:
        return await self.session.scalar(
            select(Document).where(Document.project_id == project_id, Document.id == document_id)
        )

    async def page(
        self,
        *,
        project_id: int,
        status: str | None,
        annotator_id: int | None,
        text: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[DocumentRow]:
        """Up to `limit` documents in import order after `after_id`: a keyset page, as fast at
        the millionth document as at the first (the `(project_id[, status], id)` indexes). A
        hot read: a Core statement on the tables' columns, its rows read by position."""
        documents, annotations = _table(Document), _table(Annotation)
        query = (
            select(*(documents.c[name] for name in DOCUMENT_COLUMNS))
            .where(documents.c.project_id == project_id)
            .order_by(documents.c.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(documents.c.status == status)
        if annotator_id is not None:
            annotated = exists().where(
                annotations.c.project_id == project_id,
                annotations.c.annotator_id == annotator_id,
                annotations.c.document_id == documents.c.id,
            )
            if after_id is not None:  # bounds the annotations read too: PostgreSQL does not infer it
                annotated = annotated.where(annotations.c.document_id > after_id)
            query = query.where(annotated)
        if text is not None:
            query = query.where(documents.c.text.ilike(contains_pattern(text), escape="\\"))
        if after_id is not None:
            query = query.where(documents.c.id > after_id)
        return [DocumentRow(*tuple(row)) for row in await self.rows(query)]

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


class ImportRepository:
    """An import's rows, written with Core executemany (one statement per table and batch,
    SQLAlchemy's insertmanyvalues): no ORM objects, so memory stays flat whatever the file."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def held_labels(self, project_id: int) -> dict[str, int]:
        """The project's labels by name, share-locked until the import ends (PostgreSQL; SQLite's
        write lock covers it): a label renamed or deleted meanwhile would leave marks on the
        wrong label, or on none."""
        query = select(Label.name, Label.id).where(Label.project_id == project_id).with_for_update(read=True)
        return {name: label_id for name, label_id in await self.session.execute(query)}

    async def add_documents(self, rows: list[dict[str, Any]]) -> list[int]:
        """The new documents' ids, in the order of `rows`."""
        return await self._returning_ids(Document, rows)

    async def add_annotations(self, rows: list[dict[str, Any]]) -> list[int]:
        return await self._returning_ids(Annotation, rows)

    async def add_marks(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(_table(Mark)), rows)

    async def add_label(self, row: dict[str, Any]) -> int:
        table = _table(Label)
        return int(await self.session.scalar(insert(table).returning(table.c.id), row) or 0)

    async def _returning_ids(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        table = _table(model)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list((await self.session.scalars(statement, rows)).all())


def _table(model: type[Any]) -> Table:
    """A model's table, for Core statements (no ORM objects, no per-row bookkeeping)."""
    return cast(Table, model.__table__)


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

    async def of_document(self, document_id: int, *, annotator_id: int | None = None) -> list[AnnotationRow]:
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


class ExportDocument(NamedTuple):
    """A document as an export writes it."""

    id: int
    text: str
    meta: dict[str, Any]
    status: str


class ReportMark(NamedTuple):
    """One mark of one annotation; an annotation without marks is one row with `label_id` None."""

    document_id: int
    annotator_id: int
    label_id: int | None
    start: int | None
    end: int | None


class ReportRepository(Repository[Document]):
    """Reads over a whole project, in columns rather than entities, a batch of documents at a
    time, so that no read holds more than one batch in memory."""

    model = Document

    # The reads a batch at a time are Core statements on the tables: no ORM objects.
    async def document_batch(
        self, *, project_id: int, after_id: int, limit: int, status: str | None
    ) -> list[ExportDocument]:
        documents = _table(Document)
        query = (
            select(documents.c.id, documents.c.text, documents.c.meta, documents.c.status)
            .where(documents.c.project_id == project_id, documents.c.id > after_id)
            .order_by(documents.c.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(documents.c.status == status)
        return [ExportDocument._make(row) for row in await self.rows(query)]

    async def marks_between(
        self,
        *,
        project_id: int,
        first_id: int,
        last_id: int,
        annotator_id: int | None,
        only: Sequence[int] | None = None,
    ) -> list[ReportMark]:
        """The marks of the annotations of the documents `first_id`..`last_id` (a range scan),
        or of those of them in `only`, by document, annotator and position."""
        annotations, marks = _table(Annotation), _table(Mark)
        query = (
            select(
                annotations.c.document_id,
                annotations.c.annotator_id,
                marks.c.label_id,
                marks.c.start,
                marks.c.end,
            )
            .outerjoin(marks, marks.c.annotation_id == annotations.c.id)
            .where(
                annotations.c.project_id == project_id,
                annotations.c.document_id.between(first_id, last_id),
            )
            .order_by(
                annotations.c.document_id, annotations.c.annotator_id, marks.c.start, marks.c.end, marks.c.id
            )
        )
        if annotator_id is not None:
            query = query.where(annotations.c.annotator_id == annotator_id)
        if only is not None:
            query = query.where(annotations.c.document_id.in_(only))
        return [ReportMark._make(row) for row in await self.rows(query)]

    async def documents_annotated_twice(self, *, project_id: int, after_id: int, limit: int) -> list[int]:
        """The next `limit` documents, by id, that two annotators or more have annotated."""
        annotations = _table(Annotation)
        query = (
            select(annotations.c.document_id)
            .where(annotations.c.project_id == project_id, annotations.c.document_id > after_id)
            .group_by(annotations.c.document_id)
            .having(func.count() >= 2)
            .order_by(annotations.c.document_id)
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
