"""The todos domain's admin views: read only."""

from sqladmin import ModelView

from app.domains.todos.models import Tag, Todo
from app.web.admin import ReadOnlyView


class TodoAdmin(ReadOnlyView, model=Todo):
    name_plural = "Todos"
    icon = "fa-solid fa-list-check"
    column_list = [Todo.id, Todo.owner_id, Todo.title, Todo.completed, Todo.version, Todo.created_at]
    column_searchable_list = [Todo.title]
    column_sortable_list = [Todo.id, Todo.title, Todo.created_at]


class TagAdmin(ReadOnlyView, model=Tag):
    name_plural = "Tags"
    icon = "fa-solid fa-tag"
    column_list = [Tag.id, Tag.owner_id, Tag.name, Tag.colour]
    column_searchable_list = [Tag.name]


VIEWS: list[type[ModelView]] = [TodoAdmin, TagAdmin]
