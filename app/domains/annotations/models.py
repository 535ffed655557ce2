"""Annotation projects: each with its label set and its members (users N—M projects, with a
project role). Documents and annotations come in later phases (issue 17)."""

from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.domains.annotations.errors import AlreadyMember, LabelNameTaken, LabelShortcutTaken
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
