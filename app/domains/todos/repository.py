"""Todo and tag queries. Tags are never loaded per row: they are joined into the query of
one todo, and into a listing's query.

Listings read columns, not ORM objects: a page of todos is shown, never changed, and
building 20 todos and their tags as tracked ORM instances cost a third of the request
(docs/decisions.md, "Listings read rows"). Their statements are Core, on the tables' columns:
a statement naming the mapped classes' attributes went through the ORM's compiling and
loading all the same (docs/decisions.md, "Core statements on hot reads").
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import joinedload

from app.domains.todos.models import Tag, Todo, todo_tags
from app.domains.todos.schemas import TodoFilter
from app.infrastructure.database import utc_now
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
    tags: list[TagRow] = field(default_factory=list)  # filled as the listing's rows come


class TodoRepository(Repository[Todo]):
    model = Todo

    async def with_tags(self, todo_id: int) -> Todo | None:
        query = select(Todo).where(Todo.id == todo_id).options(joinedload(Todo.tags))
        return (await self.session.scalars(query)).unique().one_or_none()

    async def touch_tagged(self, tag_id: int) -> None:
        """A new version of every todo carrying the tag, in one statement.

        A todo shows its tags, so renaming, recolouring or deleting one changes the todo: its
        ETag must change, or a client's `If-Match` from before would still pass.
        """
        tagged = select(todo_tags.c.todo_id).where(todo_tags.c.tag_id == tag_id)
        await self.session.execute(
            update(Todo)
            .where(Todo.id.in_(tagged))
            .values(version=Todo.version + 1, updated_at=utc_now())
            # No todo is loaded in a tag's unit of work: nothing in the session to bring up to date.
            .execution_options(synchronize_session=False)
        )

    async def listing(self, *, owner_id: int | None, limit: int, offset: int) -> list[TodoRow]:
        """v1: oldest first, offset pages."""
        statement = _listing_statement(scoped=owner_id is not None)
        return await self._rows(statement, {"owner_id": owner_id, "limit": limit, "offset": offset})

    async def keyset_page(
        self, filters: TodoFilter, *, owner_id: int | None, after: tuple[Any, int] | None
    ) -> list[TodoRow]:
        """v2: up to `limit + 1` todos after the position `(sort value, id)`; the extra one
        tells whether there is a next page. Stable under inserts, unlike offsets."""
        shape = PageShape.of(filters, scoped=owner_id is not None, after=after is not None)
        values: dict[str, Any] = {
            "owner_id": owner_id,
            "completed": filters.completed,
            "pattern": contains_pattern(filters.q) if filters.q else None,
            "created_after": filters.created_after,
            "created_before": filters.created_before,
            "after_value": after[0] if after else None,
            "after_id": after[1] if after else None,
            "limit": filters.limit + 1,
            "offset": 0,
        }
        values.update({f"tag_{n}": name for n, name in enumerate(filters.tag)})
        return await self._rows(_keyset_statement(shape), values)

    async def _rows(self, statement: Select[Any], values: dict[str, Any]) -> list[TodoRow]:
        """The todos of a listing statement, each with its tags (one row per tag).

        A row is the todo's fields then its tag's, in the order of `TodoRow`'s and `TagRow`'s
        (`_with_tags` selects them so), and is read by position: 20 todos with 2 tags each
        took 190 µs to build reading their rows' columns by name, 60 by position.
        """
        todos: list[TodoRow] = []
        for row in await self.rows(statement, values):
            if not todos or todos[-1].id != row[0]:  # the todo's id
                todos.append(TodoRow(*tuple(row[:TODO_WIDTH])))
            if row[TODO_WIDTH] is not None:  # the tag's id: none for a todo without tags
                todos[-1].tags.append(TagRow(*row[TODO_WIDTH:]))
        return todos


# Listing statements are built once for each shape and run with the request's values bound:
# building a select with its subquery and joins took SQLAlchemy longer (0.4 ms) than running
# it (docs/decisions.md, "Listing statements are built once").

# The tables, not the mapped classes: a statement on the classes' attributes is an ORM one.
TODOS, TAGS = Todo.__table__, Tag.__table__

# A listing row's columns: a todo's, then its tag's (named apart), as `TodoRow` and `TagRow`
# take them.
TODO_COLUMNS = tuple(column.name for column in fields(TodoRow) if column.name != "tags")
TODO_WIDTH = len(TODO_COLUMNS)
TAG_COLUMNS = tuple(TAGS.c[column.name].label(f"tag_{column.name}") for column in fields(TagRow))


@dataclass(frozen=True, slots=True)
class PageShape:
    """What a v2 page's statement depends on: which filters are set, not their values."""

    scoped: bool
    sort: str
    descending: bool
    completed: bool
    tags: int
    text: bool
    created_after: bool
    created_before: bool
    after: bool

    @classmethod
    def of(cls, filters: TodoFilter, *, scoped: bool, after: bool) -> "PageShape":
        return cls(
            scoped=scoped,
            sort=filters.sort,
            descending=filters.order == "desc",
            completed=filters.completed is not None,
            tags=len(filters.tag),
            text=bool(filters.q),
            created_after=filters.created_after is not None,
            created_before=filters.created_before is not None,
            after=after,
        )


@cache
def _listing_statement(*, scoped: bool) -> Select[Any]:
    return _with_tags(_todos(scoped=scoped), sort="id", descending=False)


# 2,816 shapes are possible (two sorts, two orders, up to 10 tags, five filters on or off);
# the LRU keeps the ones in use, and an evicted shape only costs building it again.
@lru_cache(maxsize=512)
def _keyset_statement(shape: PageShape) -> Select[Any]:
    query = _todos(scoped=shape.scoped)
    if shape.completed:
        query = query.where(TODOS.c.completed == bindparam("completed", type_=Boolean))
    # Every named tag is required: each one narrows the list.
    query = query.where(*(_tagged(bindparam(f"tag_{n}")) for n in range(shape.tags)))
    if shape.text:
        pattern = bindparam("pattern", type_=String)
        query = query.where(
            or_(TODOS.c.title.ilike(pattern, escape="\\"), TODOS.c.description.ilike(pattern, escape="\\"))
        )
    if shape.created_after:
        query = query.where(TODOS.c.created_at > bindparam("created_after"))
    if shape.created_before:
        query = query.where(TODOS.c.created_at < bindparam("created_before"))
    if shape.after:
        sort_column = TODOS.c[shape.sort]
        position = tuple_(sort_column, TODOS.c.id)
        after = tuple_(bindparam("after_value", type_=sort_column.type), bindparam("after_id", type_=Integer))
        query = query.where(position < after if shape.descending else position > after)
    return _with_tags(query, sort=shape.sort, descending=shape.descending)


def _todos(*, scoped: bool) -> Select[Any]:
    query = select(*TODOS.c)
    return query.where(TODOS.c.owner_id == bindparam("owner_id")) if scoped else query


def _tagged(name: ColumnElement[Any]) -> ColumnElement[bool]:
    """The todo carries a tag of this name."""
    return exists().where(
        todo_tags.c.todo_id == TODOS.c.id, todo_tags.c.tag_id == TAGS.c.id, TAGS.c.name == name
    )


def _with_tags(query: Select[Any], *, sort: str, descending: bool) -> Select[Any]:
    """A page of `query`'s todos, sorted by `sort` then id, each joined with its tags.

    One statement: a second query for the page's tags cost a round trip, and the page and
    its tags are one snapshot.
    """

    def ordered(*columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
        return [column.desc() if descending else column.asc() for column in columns]

    columns = TODOS.c
    page = (
        query.order_by(*ordered(columns[sort], columns.id))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    return (
        select(*(page.c[name] for name in TODO_COLUMNS), *TAG_COLUMNS)
        .outerjoin(todo_tags, todo_tags.c.todo_id == page.c.id)
        .outerjoin(TAGS, TAGS.c.id == todo_tags.c.tag_id)
        .order_by(*ordered(page.c[sort], page.c.id), TAGS.c.name)
    )
