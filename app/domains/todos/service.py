"""Todo and tag use cases: visibility, tag ownership, optimistic concurrency, v2 pages."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.cursors import CursorCodec
from app.core.errors import ConcurrentChange
from app.domains.accounts.errors import PermissionDenied
from app.domains.todos.errors import TagNameTaken, TagNotFound, TodoChanged, TodoNotFound, UnknownTags
from app.domains.todos.models import Tag, Todo
from app.domains.todos.repository import TagRepository, TodoRepository, TodoRow
from app.domains.todos.schemas import TagCreate, TagUpdate, TodoCreate, TodoFilter, TodoUpdate
from app.infrastructure.database import utc_now
from app.infrastructure.idempotency import fingerprint
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import check_if_match

ADMIN_PERMISSION = "todos:admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: members act on their own things; admins may act for anyone."""

    id: int
    is_admin: bool

    def owner(self, owner_id: int | None) -> int:
        """Whose new todo or tag this is: one's own, or (admins) the one named."""
        if owner_id is None or owner_id == self.id:
            return self.id
        if not self.is_admin:
            raise PermissionDenied(permission=ADMIN_PERMISSION)
        return owner_id

    def listing_scope(self, owner_id: int | None) -> int | None:
        """Whose things a listing shows: one's own; for admins, everyone's unless narrowed."""
        return owner_id if self.is_admin else self.owner(owner_id)

    def may_see(self, owner_id: int) -> bool:
        return self.is_admin or owner_id == self.id


class TodoService:
    def __init__(self, *, uow: UnitOfWork, cursors: CursorCodec) -> None:
        self.uow = uow
        self.cursors = cursors
        self.todos = TodoRepository(uow.session)
        self.tags = TagRepository(uow.session)

    async def get_visible(self, *, todo_id: int, actor: Actor) -> Todo:
        """The todo, if the actor may see it; others' todos do not exist for them."""
        todo = await self.todos.with_tags(todo_id)
        if todo is None or not actor.may_see(todo.owner_id):
            raise TodoNotFound(todo_id)
        return todo

    async def listing(self, *, actor: Actor, owner_id: int | None, limit: int, offset: int) -> list[TodoRow]:
        return await self.todos.listing(owner_id=actor.listing_scope(owner_id), limit=limit, offset=offset)

    async def page(self, *, actor: Actor, filters: TodoFilter) -> tuple[list[TodoRow], str | None]:
        """One v2 page and the cursor of the next (None on the last)."""
        owner_id = actor.listing_scope(filters.owner_id)
        # A cursor is bound to the filters, order and owner it was made for.
        query = fingerprint(
            {**filters.model_dump(mode="json", exclude={"cursor", "limit"}), "scope": owner_id}
        )
        after = None
        if filters.cursor is not None:
            position = self.cursors.decode(filters.cursor, query=query)
            after = (_sort_value(filters.sort, position["value"]), int(position["id"]))
        rows = await self.todos.keyset_page(filters, owner_id=owner_id, after=after)
        page, more = rows[: filters.limit], len(rows) > filters.limit
        if not more:
            return page, None
        last = page[-1]
        value = last.created_at.isoformat() if filters.sort == "created_at" else last.title
        return page, self.cursors.encode({"query": query, "value": value, "id": last.id})

    async def create(self, *, owner_id: int, data: TodoCreate) -> Todo:
        async with self.uow:
            tags = await self._tags_of(owner_id, data.tag_ids)
            todo = Todo(
                owner_id=owner_id,
                title=data.title,
                description=data.description,
                completed=data.completed,
                tags=tags,
            )
            return await self.todos.add(todo)

    async def update(self, *, todo: Todo, changes: TodoUpdate, if_match: str | None) -> Todo:
        """Partial update. The version read is the version written over: a concurrent change
        in between is a conflict, never a silent overwrite."""
        todo_id = todo.id  # a failed write rolls back and expires `todo`; keep what the error needs
        check_if_match(if_match, entity_id=todo_id, version=todo.version)
        values = changes.model_dump(exclude_unset=True, exclude={"tag_ids"})
        try:
            async with self.uow:
                if changes.tag_ids is not None:
                    todo.tags = await self._tags_of(todo.owner_id, changes.tag_ids)
                    values["updated_at"] = utc_now()  # a new version even if only the tags changed
                return await self.todos.update(todo, **values)
        except ConcurrentChange as exc:
            raise TodoChanged(todo_id) from exc

    async def delete(self, *, todo: Todo, if_match: str | None) -> None:
        todo_id = todo.id
        check_if_match(if_match, entity_id=todo_id, version=todo.version)
        try:
            async with self.uow:
                await self.todos.delete(todo)
        except ConcurrentChange as exc:
            raise TodoChanged(todo_id) from exc

    async def _tags_of(self, owner_id: int, tag_ids: list[int]) -> list[Tag]:
        tags = await self.tags.of_owner(owner_id, tag_ids)
        missing = sorted(set(tag_ids) - {tag.id for tag in tags})
        if missing:
            raise UnknownTags(missing)
        return sorted(tags, key=lambda tag: tag.name)


class TagService:
    def __init__(self, *, uow: UnitOfWork) -> None:
        self.uow = uow
        self.tags = TagRepository(uow.session)
        self.todos = TodoRepository(uow.session)

    async def get_visible(self, *, tag_id: int, actor: Actor) -> Tag:
        tag = await self.tags.get_or_none(tag_id)
        if tag is None or not actor.may_see(tag.owner_id):
            raise TagNotFound(tag_id)
        return tag

    async def listing(self, *, actor: Actor, owner_id: int | None, limit: int, offset: int) -> list[Tag]:
        scope = actor.listing_scope(owner_id)
        filters = {} if scope is None else {"owner_id": scope}
        return await self.tags.list(
            filters=filters, order_by=(Tag.name.asc(), Tag.id.asc()), limit=limit, offset=offset
        )

    async def create(self, *, owner_id: int, data: TagCreate) -> Tag:
        async with self.uow:
            if await self.tags.name_taken(owner_id, data.name):
                raise TagNameTaken(data.name)
            return await self.tags.add(Tag(owner_id=owner_id, name=data.name, colour=data.colour))

    async def update(self, *, tag: Tag, changes: TagUpdate) -> Tag:
        """Rename or recolour; the todos carrying the tag change with it (a new version each)."""
        values = {
            name: value
            for name, value in changes.model_dump(exclude_unset=True).items()
            if getattr(tag, name) != value
        }
        async with self.uow:
            name = values.get("name")
            if name is not None and await self.tags.name_taken(tag.owner_id, name, other_than=tag.id):
                raise TagNameTaken(name)
            if values:
                await self.todos.touch_tagged(tag.id)
            return await self.tags.update(tag, **values)

    async def delete(self, *, tag: Tag) -> None:
        """The todos carrying the tag lose it, and so get a new version."""
        async with self.uow:
            await self.todos.touch_tagged(tag.id)  # before the delete cascades the tag off them
            await self.tags.delete(tag)


def _sort_value(sort: str, value: Any) -> Any:
    """A cursor's sort value, back in its column's type."""
    return datetime.fromisoformat(value) if sort == "created_at" else value
