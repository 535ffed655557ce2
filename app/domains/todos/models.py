"""Todos and tags: users 1—N todos, todos N—M tags; tags belong to one user."""

from sqlalchemy import Column, ForeignKey, Index, PrimaryKeyConstraint, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domains.todos.errors import TagNameTaken
from app.infrastructure.constraints import conflict, exempt
from app.infrastructure.database import Base

todo_tags = Table(
    "todo_tags",
    Base.metadata,
    Column("todo_id", ForeignKey("todos.id", ondelete="CASCADE")),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), index=True),
    PrimaryKeyConstraint(
        "todo_id",
        "tag_id",
        # Links are written after the todo's own UPDATE, which checks its version: of two
        # writers linking the same tag, the second waits on that row and gets todo_changed.
        info=exempt("a todo's tags are replaced under its version check"),
    ),
)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("owner_id", "name", info=conflict(lambda row: TagNameTaken(row.get("name", "")))),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    colour: Mapped[str] = mapped_column(String(7))


class Todo(Base):
    __tablename__ = "todos"
    # The keyset pages of v2 walk these, per owner.
    __table_args__ = (
        Index("ix_todos_owner_created", "owner_id", "created_at", "id"),
        Index("ix_todos_owner_title", "owner_id", "title", "id"),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    completed: Mapped[bool] = mapped_column(default=False)
    # Optimistic concurrency: every UPDATE and DELETE says `WHERE version = <the one read>`.
    version: Mapped[int] = mapped_column(default=1)

    tags: Mapped[list[Tag]] = relationship(secondary=todo_tags, lazy="raise", order_by=Tag.name)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declaration
