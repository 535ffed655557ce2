"""Todos and tags (many-to-many).

Revision ID: todos_0001
Revises: (depends on accounts_0001: todos have owners)
Create Date: 2026-11-22 16:52:45.205374
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "todos_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("todos",)
depends_on: str | Sequence[str] | None = "accounts_0001"


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tags_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_tags_owner_id_name")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "todos",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_todos_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todos")),
    )
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.create_index("ix_todos_owner_created", ["owner_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_todos_owner_title", ["owner_id", "title", "id"], unique=False)

    op.create_table(
        "todo_tags",
        sa.Column("todo_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_todo_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["todo_id"], ["todos.id"], name=op.f("fk_todo_tags_todo_id_todos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("todo_id", "tag_id", name=op.f("pk_todo_tags")),
    )
    with op.batch_alter_table("todo_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_todo_tags_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("todo_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_todo_tags_tag_id"))

    op.drop_table("todo_tags")
    with op.batch_alter_table("todos", schema=None) as batch_op:
        batch_op.drop_index("ix_todos_owner_title")
        batch_op.drop_index("ix_todos_owner_created")

    op.drop_table("todos")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_owner_id"))

    op.drop_table("tags")
