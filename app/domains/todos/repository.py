"""Todo and tag queries. Tags are never loaded per row: joined into the query of one todo,
and fetched in one more query for a listing.

Listings read columns, not ORM objects: a page of todos is shown, never changed, and
building 20 todos and their tags as tracked ORM instances cost a third of the request
(docs/decisions.md, "Listings read rows").
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, tuple_
from sqlalchemy.orm import joinedload

from app.domains.todos.models import Tag, Todo, todo_tags
from app.domains.todos.schemas import TodoFilter
from app.infrastructure.repository import Repository, contains_pattern


class TagRepository(Repository[Tag]):
    model = Tag

    async def of_owner(self, owner_id: int, tag_ids: Sequence[int]) -> list[Tag]:
        query = select(Tag).where(Tag.owner_id == owner_id, Tag.id.in_(set(tag_ids)))
        return list(await self.session.scalars(query))

    async def name_taken(self, owner_id: int, name: str, *, other_than: int | None = None) -> bool:
        query = select(Tag.id).where(Tag.owner_id == owner_id, Tag.name == name)
        if other_than is not None:
            query = query.where(Tag.id != other_than)
        return await self.session.scalar(query.limit(1)) is not None


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    name: str
    colour: str
    owner_id: int


@dataclass(frozen=True, slots=True)
class TodoRow:
    """A todo as a listing shows it, with its tags by name."""

    id: int
    title: str
    description: str
    completed: bool
    owner_id: int
    version: int
    created_at: datetime
    updated_at: datetime
    tags: list[TagRow]


class TodoRepository(Repository[Todo]):
    model = Todo

    async def with_tags(self, todo_id: int) -> Todo | None:
        query = select(Todo).where(Todo.id == todo_id).options(joinedload(Todo.tags))
        return (await self.session.scalars(query)).unique().one_or_none()

    async def listing(self, *, owner_id: int | None, limit: int, offset: int) -> list[TodoRow]:
        """v1: oldest first, offset pages."""
        return await self._rows(self._owned_by(owner_id).order_by(Todo.id).limit(limit).offset(offset))

    async def keyset_page(
        self, filters: TodoFilter, *, owner_id: int | None, after: tuple[Any, int] | None
    ) -> list[TodoRow]:
        """v2: up to `limit + 1` todos after the position `(sort value, id)`; the extra one
        tells whether there is a next page. Stable under inserts, unlike offsets."""
        sort_column: ColumnElement[Any] = Todo.__table__.c[filters.sort]
        descending = filters.order == "desc"
        query = self._owned_by(owner_id).where(*_conditions(filters))
        if after is not None:
            position = tuple_(sort_column, Todo.id)
            query = query.where(position < after if descending else position > after)
        order = (sort_column.desc(), Todo.id.desc()) if descending else (sort_column.asc(), Todo.id.asc())
        return await self._rows(query.order_by(*order).limit(filters.limit + 1))

    def _owned_by(self, owner_id: int | None) -> Select[Any]:
        query = select(*Todo.__table__.c)
        return query if owner_id is None else query.where(Todo.owner_id == owner_id)

    async def _rows(self, query: Select[Any]) -> list[TodoRow]:
        """The todos `query` selects, in its order, each with its tags."""
        todos = (await self.session.execute(query)).all()
        if not todos:
            return []
        tags_of: defaultdict[int, list[TagRow]] = defaultdict(list)
        tag_query = (
            select(todo_tags.c.todo_id, *Tag.__table__.c)
            .join(Tag.__table__, Tag.id == todo_tags.c.tag_id)
            # By id, not by running the page's query again: a todo added or removed between
            # the two statements would shift an offset page and leave one without its tags.
            .where(todo_tags.c.todo_id.in_([todo.id for todo in todos]))
            .order_by(Tag.name)
        )
        for tag in await self.session.execute(tag_query):
            tags_of[tag.todo_id].append(
                TagRow(id=tag.id, name=tag.name, colour=tag.colour, owner_id=tag.owner_id)
            )
        return [
            TodoRow(
                id=todo.id,
                title=todo.title,
                description=todo.description,
                completed=todo.completed,
                owner_id=todo.owner_id,
                version=todo.version,
                created_at=todo.created_at,
                updated_at=todo.updated_at,
                tags=tags_of[todo.id],
            )
            for todo in todos
        ]


def _conditions(filters: TodoFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.completed is not None:
        conditions.append(Todo.completed.is_(filters.completed))
    # Every named tag is required: each one narrows the list.
    conditions.extend(Todo.tags.any(Tag.name == name) for name in filters.tag)
    if filters.q:
        pattern = contains_pattern(filters.q)
        conditions.append(
            or_(Todo.title.ilike(pattern, escape="\\"), Todo.description.ilike(pattern, escape="\\"))
        )
    if filters.created_after is not None:
        conditions.append(Todo.created_at > filters.created_after)
    if filters.created_before is not None:
        conditions.append(Todo.created_at < filters.created_before)
    return [and_(*conditions)] if conditions else []
