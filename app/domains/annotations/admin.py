"""The annotations domain's admin views: read only (admins manage projects through the API)."""

from sqladmin import ModelView

from app.domains.annotations.models import Label, Member, Project
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


VIEWS: list[type[ModelView]] = [ProjectAdmin, LabelAdmin, MemberAdmin]
