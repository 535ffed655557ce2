"""Annotation projects: each with its label set and its members (users N—M projects, with a
project role), its documents, and each annotator's annotation of a document: a set of marks,
each a label on a span of the text or on the whole document."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.domains.annotations.errors import AlreadyAnnotated, AlreadyMember, LabelNameTaken, LabelShortcutTaken
from app.infrastructure.constraints import conflict
from app.infrastructure.database import Base


class ProjectKind(StrEnum):
    """What annotators do to a document: mark spans of its text, or pick its categories."""

    SPANS = "spans"  # e.g. named entities: [start, end, label] within the text
    SINGLE_LABEL = "single_label"  # classification: exactly one label per document
    MULTI_LABEL = "multi_label"  # classification: any number of labels per document


class ProjectRole(StrEnum):
    MANAGER = "manager"  # edits the project, its labels and its members
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"


class DocumentStatus(StrEnum):
    UNANNOTATED = "unannotated"  # nobody has annotated it yet
    ANNOTATED = "annotated"  # at least one annotator has; waiting for review
    APPROVED = "approved"  # a reviewer approved its annotations: read only until reopened
    REJECTED = "rejected"  # a reviewer sent it back; annotators change it, then it is annotated again


class Project(Base):
    __tablename__ = "annotation_projects"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    allow_overlapping_spans: Mapped[bool] = mapped_column(default=False)
    collaborative: Mapped[bool] = mapped_column(default=False)
    # Who created it, for the record; what they may do is their membership's role.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Optimistic concurrency: every UPDATE and DELETE says `WHERE version = <the one read>`.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declaration


class Label(Base):
    __tablename__ = "annotation_labels"
    __table_args__ = (
        UniqueConstraint(
            "project_id", "name", info=conflict(lambda row: LabelNameTaken(row.get("name", "")))
        ),
        # NULLs are distinct on both databases: any number of labels may have no shortcut.
        UniqueConstraint(
            "project_id",
            "shortcut",
            info=conflict(lambda row: LabelShortcutTaken(row.get("shortcut") or "")),
        ),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("annotation_projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(7))
    shortcut: Mapped[str | None] = mapped_column(String(1))


class Member(Base):
    __tablename__ = "annotation_members"
    __table_args__ = (
        UniqueConstraint(
            "project_id", "user_id", info=conflict(lambda row: AlreadyMember(row.get("user_id", 0)))
        ),
        # The listing of one's projects starts from one's memberships.
        Index("ix_annotation_members_user_id_project_id", "user_id", "project_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("annotation_projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))


class Document(Base):
    __tablename__ = "annotation_documents"
    __table_args__ = (
        # Cursor pages of a project's documents, and of those in one status, at any depth.
        Index("ix_annotation_documents_project_id_id", "project_id", "id"),
        Index("ix_annotation_documents_project_id_status_id", "project_id", "status", "id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("annotation_projects.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # What the imported line carried besides the text (doccano keeps it as the document's meta).
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.UNANNOTATED.value)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)


class Annotation(Base):
    """One annotator's annotation of one document: the set of marks they put on it."""

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint(
            "document_id",
            "annotator_id",
            info=conflict(lambda row: AlreadyAnnotated(row.get("document_id", 0))),
        ),
        # An annotator's documents (the listing's filter), progress per member, agreement.
        Index(
            "ix_annotations_project_id_annotator_id_document_id", "project_id", "annotator_id", "document_id"
        ),
    )

    document_id: Mapped[int] = mapped_column(ForeignKey("annotation_documents.id", ondelete="CASCADE"))
    # The document's project, kept here so a project's annotations are read without a join.
    project_id: Mapped[int] = mapped_column(ForeignKey("annotation_projects.id", ondelete="CASCADE"))
    # Deleting an account deletes its annotations (deactivate an account to keep them).
    annotator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Optimistic concurrency (ETag/If-Match): every UPDATE says `WHERE version = <the one read>`.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declaration


class Mark(Base):
    """A label on a span of the text (`start`, `end` in code points, end exclusive), or on the
    whole document in a classification project (`start` and `end` null)."""

    __tablename__ = "annotation_marks"

    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id", ondelete="CASCADE"), index=True)
    # No cascade: a label in use is not deleted (checked at the end of the statement, so deleting
    # a whole project, whose marks go with it, still works).
    label_id: Mapped[int] = mapped_column(ForeignKey("annotation_labels.id"), index=True)
    start: Mapped[int | None]
    end: Mapped[int | None]
