"""Todos over HTTP. v1 lists a plain array with offsets (deprecated); v2 pages with a cursor.
Creating, reading, changing and deleting one todo is the same in both versions."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.core.cursors import InvalidCursor
from app.domains.todos.dependencies import (
    ActingOwner,
    CurrentActor,
    Reader,
    TodoServiceDep,
    VisibleTodo,
    Writer,
)
from app.domains.todos.errors import TodoChanged, UnknownTags
from app.domains.todos.schemas import TodoCreate, TodoFilter, TodoPage, TodoRead, TodoUpdate
from app.infrastructure.idempotency import IdempotencyDep, StoredResponse
from app.web.etag import IfMatch, PreconditionFailed, etag_of
from app.web.ids import OwnerQuery
from app.web.responses import errors

items = APIRouter(prefix="/todos", tags=["todos"])
v1_list = APIRouter(prefix="/todos", tags=["todos"])
v2_list = APIRouter(prefix="/todos", tags=["todos"])

V2_RELEASED = datetime(2026, 11, 22, tzinfo=UTC)
DEPRECATION_HEADERS = {
    "Deprecation": f"@{int(V2_RELEASED.timestamp())}",  # RFC 9745: deprecated since this moment
    "Link": '</api/v2/todos>; rel="successor-version"',
}


@v1_list.get("", dependencies=[Reader], deprecated=True)
async def list_todos(
    actor: CurrentActor,
    todos: TodoServiceDep,
    response: Response,
    owner_id: OwnerQuery = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[TodoRead]:
    """Your todos, oldest first. Superseded by `GET /api/v2/todos` (cursor pages, filters)."""
    response.headers.update(DEPRECATION_HEADERS)
    found = await todos.listing(actor=actor, owner_id=owner_id, limit=limit, offset=offset)
    return [TodoRead.model_validate(todo) for todo in found]


@v2_list.get("", dependencies=[Reader], responses=errors(InvalidCursor))
async def page_todos(
    actor: CurrentActor, todos: TodoServiceDep, filters: Annotated[TodoFilter, Query()]
) -> TodoPage:
    """Your todos a page at a time: pass `next_cursor` back as `cursor` until it is null."""
    page, next_cursor = await todos.page(actor=actor, filters=filters)
    return TodoPage(items=[TodoRead.model_validate(todo) for todo in page], next_cursor=next_cursor)


@items.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TodoRead,
    dependencies=[Writer],
    responses=errors(UnknownTags),
)
async def create_todo(
    body: TodoCreate,
    owner_id: ActingOwner,
    actor: CurrentActor,
    todos: TodoServiceDep,
    idempotency: IdempotencyDep,
    request: Request,
) -> JSONResponse:
    """Create a todo; with `Idempotency-Key`, a retry returns the first result."""

    async def create() -> StoredResponse:
        todo = await todos.create(owner_id=owner_id, data=body)
        return StoredResponse(
            status_code=status.HTTP_201_CREATED,
            body=TodoRead.model_validate(todo).model_dump(mode="json"),
            headers={"Location": f"{request.url.path}/{todo.id}", "ETag": etag_of(todo.id, todo.version)},
        )

    return await idempotency.respond(
        principal_id=actor.id,
        scope="todos.create",
        request={"body": body.model_dump(mode="json"), "owner_id": owner_id},
        create=create,
    )


@items.get("/{todo_id}", dependencies=[Reader])
async def get_todo(todo: VisibleTodo, response: Response) -> TodoRead:
    response.headers["ETag"] = etag_of(todo.id, todo.version)
    return TodoRead.model_validate(todo)


@items.put(
    "/{todo_id}",
    dependencies=[Writer],
    responses=errors(UnknownTags, PreconditionFailed, TodoChanged),
)
async def update_todo(
    todo: VisibleTodo, body: TodoUpdate, todos: TodoServiceDep, response: Response, if_match: IfMatch = None
) -> TodoRead:
    """Change the fields sent. With `If-Match`, only if the todo is still that version."""
    todo = await todos.update(todo=todo, changes=body, if_match=if_match)
    response.headers["ETag"] = etag_of(todo.id, todo.version)
    return TodoRead.model_validate(todo)


@items.delete(
    "/{todo_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Writer],
    responses=errors(PreconditionFailed, TodoChanged),
)
async def delete_todo(todo: VisibleTodo, todos: TodoServiceDep, if_match: IfMatch = None) -> None:
    await todos.delete(todo=todo, if_match=if_match)
