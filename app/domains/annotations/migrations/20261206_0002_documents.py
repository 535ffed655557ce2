"""Annotations: a project's documents, and each annotator's annotation of them, made of marks.

Revision ID: annotations_0002
Revises: annotations_0001
Create Date: 2026-12-06 15:49:50.380850
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "annotations_0002"
down_revision: str | None = "annotations_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "annotation_documents",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["annotation_projects.id"],
            name=op.f("fk_annotation_documents_project_id_annotation_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["users.id"],
            name=op.f("fk_annotation_documents_reviewed_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_documents")),
    )
    with op.batch_alter_table("annotation_documents", schema=None) as batch_op:
        batch_op.create_index("ix_annotation_documents_project_id_id", ["project_id", "id"], unique=False)
        batch_op.create_index(
            "ix_annotation_documents_project_id_status_id", ["project_id", "status", "id"], unique=False
        )

    op.create_table(
        "annotations",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["users.id"], name=op.f("fk_annotations_annotator_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["annotation_documents.id"],
            name=op.f("fk_annotations_document_id_annotation_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["annotation_projects.id"],
            name=op.f("fk_annotations_project_id_annotation_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint(
            "document_id", "annotator_id", name=op.f("uq_annotations_document_id_annotator_id")
        ),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotations_project_id_annotator_id_document_id",
            ["project_id", "annotator_id", "document_id"],
            unique=False,
        )

    op.create_table(
        "annotation_marks",
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotations.id"],
            name=op.f("fk_annotation_marks_annotation_id_annotations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["annotation_labels.id"],
            name=op.f("fk_annotation_marks_label_id_annotation_labels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_marks")),
    )
    with op.batch_alter_table("annotation_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annotation_marks_annotation_id"), ["annotation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annotation_marks_label_id"), ["label_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("annotation_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_marks_label_id"))
        batch_op.drop_index(batch_op.f("ix_annotation_marks_annotation_id"))

    op.drop_table("annotation_marks")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_project_id_annotator_id_document_id")

    op.drop_table("annotations")
    with op.batch_alter_table("annotation_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_annotation_documents_project_id_status_id")
        batch_op.drop_index("ix_annotation_documents_project_id_id")

    op.drop_table("annotation_documents")
