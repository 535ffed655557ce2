"""Todos dependencies: who acts, the services, and todos and tags loaded and authorized."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.errors import raises
from app.domains.accounts.dependencies import CurrentCaller, UserServiceDep, require
from app.domains.accounts.errors import PermissionDenied, UserNotFound
from app.domains.todos.errors import TagNotFound, TodoNotFound
from app.domains.todos.models import Tag, Todo
from app.domains.todos.service import ADMIN_PERMISSION, Actor, TagService, TodoService
from app.infrastructure.runtime import UoW, runtime_of
from app.web.ids import OwnerQuery, PathId


async def current_actor(caller: CurrentCaller) -> Actor:
    return Actor(id=caller.id, is_admin=caller.may(ADMIN_PERMISSION))


CurrentActor = Annotated[Actor, Depends(current_actor)]
Reader = Depends(require("todos:read"))
Writer = Depends(require("todos:write"))


@raises(PermissionDenied, UserNotFound)
async def acting_owner(
    actor: CurrentActor,
    users: UserServiceDep,
    owner_id: OwnerQuery = None,
) -> int:
    """Whose new todo or tag this is: the caller's, or for admins an existing user's."""
    owner = actor.owner(owner_id)
    if owner != actor.id:
        await users.get(owner)  # 404 user_not_found rather than a foreign-key failure
    return owner


ActingOwner = Annotated[int, Depends(acting_owner)]


async def todo_service(request: Request, uow: UoW) -> TodoService:
    return TodoService(uow=uow, cursors=runtime_of(request).cursors)


async def tag_service(uow: UoW) -> TagService:
    return TagService(uow=uow)


TodoServiceDep = Annotated[TodoService, Depends(todo_service)]
TagServiceDep = Annotated[TagService, Depends(tag_service)]


@raises(TodoNotFound)
async def visible_todo(todo_id: PathId, actor: CurrentActor, todos: TodoServiceDep) -> Todo:
    """The todo, if the caller may see it; others' todos do not exist for them."""
    return await todos.get_visible(todo_id=todo_id, actor=actor)


@raises(TagNotFound)
async def visible_tag(tag_id: PathId, actor: CurrentActor, tags: TagServiceDep) -> Tag:
    return await tags.get_visible(tag_id=tag_id, actor=actor)


VisibleTodo = Annotated[Todo, Depends(visible_todo)]
VisibleTag = Annotated[Tag, Depends(visible_tag)]
