"""The annotations domain's admin views: read only (admins manage projects through the API)."""

from typing import Any

from sqladmin import ModelView

from app.domains.annotations.models import Annotation, Document, Label, Mark, Member, Project
from app.web.admin import ReadOnlyView


class ProjectAdmin(ReadOnlyView, model=Project):
    name_plural = "Annotation projects"
    icon = "fa-solid fa-highlighter"
    column_list = [
        Project.id,
        Project.name,
        Project.kind,
        Project.collaborative,
        Project.created_by,
        Project.version,
        Project.created_at,
    ]
    column_searchable_list = [Project.name]
    column_sortable_list = [Project.id, Project.name, Project.created_at]


class LabelAdmin(ReadOnlyView, model=Label):
    name_plural = "Annotation labels"
    icon = "fa-solid fa-tags"
    column_list = [Label.id, Label.project_id, Label.name, Label.colour, Label.shortcut]
    column_searchable_list = [Label.name]


class MemberAdmin(ReadOnlyView, model=Member):
    name_plural = "Annotation project members"
    icon = "fa-solid fa-users"
    column_list = [Member.id, Member.project_id, Member.user_id, Member.role, Member.created_at]


PREVIEW_LENGTH = 80  # a document may hold a book; the list shows its beginning


def _preview(document: Any, _attribute: Any) -> str:
    text: str = document.text
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "…"


class DocumentAdmin(ReadOnlyView, model=Document):
    name_plural = "Annotation documents"
    icon = "fa-solid fa-file-lines"
    column_list = [
        Document.id,
        Document.project_id,
        Document.text,
        Document.status,
        Document.reviewed_by,
        Document.reviewed_at,
        Document.created_at,
    ]
    column_formatters = {Document.text: _preview}
    column_searchable_list = [Document.text]
    column_sortable_list = [Document.id, Document.status, Document.created_at]


class AnnotationAdmin(ReadOnlyView, model=Annotation):
    name_plural = "Annotations"
    icon = "fa-solid fa-pen"
    column_list = [
        Annotation.id,
        Annotation.project_id,
        Annotation.document_id,
        Annotation.annotator_id,
        Annotation.version,
        Annotation.updated_at,
    ]
    column_sortable_list = [Annotation.id, Annotation.updated_at]


class MarkAdmin(ReadOnlyView, model=Mark):
    name_plural = "Annotation marks"
    icon = "fa-solid fa-highlighter"
    column_list = [Mark.id, Mark.annotation_id, Mark.label_id, Mark.start, Mark.end]


VIEWS: list[type[ModelView]] = [
    ProjectAdmin,
    LabelAdmin,
    MemberAdmin,
    DocumentAdmin,
    AnnotationAdmin,
    MarkAdmin,
]
