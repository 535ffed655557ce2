"""Todo and tag queries. Tags are joined into the same query, never loaded per row."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, tuple_
from sqlalchemy.orm import joinedload

from app.domains.todos.models import Tag, Todo
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


class TodoRepository(Repository[Todo]):
    model = Todo

    async def with_tags(self, todo_id: int) -> Todo | None:
        query = select(Todo).where(Todo.id == todo_id).options(joinedload(Todo.tags))
        return (await self.session.scalars(query)).unique().one_or_none()

    async def listing(self, *, owner_id: int | None, limit: int, offset: int) -> list[Todo]:
        """v1: oldest first, offset pages."""
        query = self._owned_by(owner_id).order_by(Todo.id).limit(limit).offset(offset)
        return list((await self.session.scalars(query)).unique())

    async def keyset_page(
        self, filters: TodoFilter, *, owner_id: int | None, after: tuple[Any, int] | None
    ) -> list[Todo]:
        """v2: up to `limit + 1` todos after the position `(sort value, id)`; the extra one
        tells whether there is a next page. Stable under inserts, unlike offsets."""
        sort_column: ColumnElement[Any] = Todo.__table__.c[filters.sort]
        descending = filters.order == "desc"
        query = self._owned_by(owner_id).where(*_conditions(filters))
        if after is not None:
            position = tuple_(sort_column, Todo.id)
            query = query.where(position < after if descending else position > after)
        order = (sort_column.desc(), Todo.id.desc()) if descending else (sort_column.asc(), Todo.id.asc())
        return list((await self.session.scalars(query.order_by(*order).limit(filters.limit + 1))).unique())

    def _owned_by(self, owner_id: int | None) -> Select[Any]:
        query = select(Todo).options(joinedload(Todo.tags))
        return query if owner_id is None else query.where(Todo.owner_id == owner_id)


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
