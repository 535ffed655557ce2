"""Annotations: projects shared by a team, their labels and their members.

Revision ID: annotations_0001
Revises: (depends on accounts_0001: projects have members, who are users)
Create Date: 2026-12-06 13:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "annotations_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("annotations",)
depends_on: str | Sequence[str] | None = "accounts_0001"


def upgrade() -> None:
    op.create_table(
        "annotation_projects",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("allow_overlapping_spans", sa.Boolean(), nullable=False),
        sa.Column("collaborative", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_annotation_projects_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_projects")),
    )
    op.create_table(
        "annotation_labels",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("shortcut", sa.String(length=1), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["annotation_projects.id"],
            name=op.f("fk_annotation_labels_project_id_annotation_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_labels")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_annotation_labels_project_id_name")),
        sa.UniqueConstraint("project_id", "shortcut", name=op.f("uq_annotation_labels_project_id_shortcut")),
    )
    op.create_table(
        "annotation_members",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["annotation_projects.id"],
            name=op.f("fk_annotation_members_project_id_annotation_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_annotation_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_members")),
        sa.UniqueConstraint("project_id", "user_id", name=op.f("uq_annotation_members_project_id_user_id")),
    )
    op.create_index(
        "ix_annotation_members_user_id_project_id",
        "annotation_members",
        ["user_id", "project_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_annotation_members_user_id_project_id", table_name="annotation_members")
    op.drop_table("annotation_members")
    op.drop_table("annotation_labels")
    op.drop_table("annotation_projects")
