"""The libraries alone: Keel's hottest reads on the stack the design fixes, with nothing of Keel.

FastAPI (routing, a dependency for the caller and one for the connection, a response model),
SQLAlchemy's async engine running a Core statement in autocommit, asyncpg under it, pydantic
models, uvicorn: what a plain service on those libraries does for `GET /api/v1/users/me` and
`GET /api/v1/todos`, with Keel's two decisions on the hot path (the caller from the token's
claims, no user row read for it; Core statements, rows read by position). No middleware,
no error contract, no unit of work, no load shedding, no metrics.

It stands between the floor (bench/floor.py: Starlette and asyncpg, PostgreSQL building the
JSON) and Keel, so that a figure says which part of Keel's distance from the floor the
libraries hold and which part Keel's own layers add (bench/README.md, "The cost ledger").

    FLOOR_DSN=postgresql://... KEEL_SECRET_KEY=... \\
        uvicorn --factory bench.libraries:create_app --port 8093 --http httptools
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bench import floor

# The statements Keel's repositories run (app/domains/accounts/repository.py, USER_ROW, and
# app/domains/todos/repository.py, the v1 listing): a todo's columns, then its tag's.
ME = text("SELECT id, email, role, is_active, is_verified, created_at FROM users WHERE users.id = :id")
TODOS = text(
    """
SELECT page.id, page.title, page.description, page.completed, page.owner_id, page.version,
       page.created_at, page.updated_at,
       tags.id AS tag_id, tags.name AS tag_name, tags.colour AS tag_colour, tags.owner_id AS tag_owner_id
FROM (SELECT todos.id, todos.title, todos.description, todos.completed, todos.owner_id,
             todos.version, todos.created_at, todos.updated_at
      FROM todos WHERE todos.owner_id = :owner_id ORDER BY todos.id LIMIT 100) AS page
LEFT OUTER JOIN todo_tags ON todo_tags.todo_id = page.id
LEFT OUTER JOIN tags ON tags.id = todo_tags.tag_id
ORDER BY page.id, tags.name
"""
)
TODO_WIDTH = 8


class Live(BaseModel):
    status: str


class UserRead(BaseModel):
    id: int
    email: str
    role: str
    is_active: bool
    is_verified: bool
    created_at: datetime


class TagRead(BaseModel):
    id: int
    name: str
    colour: str
    owner_id: int


class TodoRead(BaseModel):
    id: int
    title: str
    description: str
    completed: bool
    owner_id: int
    tags: list[TagRead]
    version: int
    created_at: datetime
    updated_at: datetime


def todos_of(rows: Any) -> list[TodoRead]:
    """The todos of the listing's rows (one row per tag), read by position as Keel reads them."""
    todos: list[TodoRead] = []
    for row in rows:
        if not todos or todos[-1].id != row[0]:
            id_, title, description, completed, owner_id, version, created_at, updated_at = row[:TODO_WIDTH]
            todos.append(
                TodoRead(
                    id=id_,
                    title=title,
                    description=description,
                    completed=completed,
                    owner_id=owner_id,
                    tags=[],
                    version=version,
                    created_at=created_at,
                    updated_at=updated_at,
                )
            )
        if row[TODO_WIDTH] is not None:
            tag_id, name, colour, owner_id = row[TODO_WIDTH:]
            todos[-1].tags.append(TagRead(id=tag_id, name=name, colour=colour, owner_id=owner_id))
    return todos


def create_app(dsn: str | None = None, secret: str | None = None) -> FastAPI:
    dsn = dsn or os.environ["FLOOR_DSN"]
    secret = secret or os.environ["KEEL_SECRET_KEY"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        app.state.engine = create_async_engine(url, pool_size=10, isolation_level="AUTOCOMMIT")
        yield
        await app.state.engine.dispose()

    def caller_id(authorization: Annotated[str, Header()] = "") -> int:
        user_id = floor.caller_id(authorization, secret)
        if user_id is None:
            raise HTTPException(status_code=401, detail="invalid_token")
        return user_id

    async def connection(request: Request) -> AsyncIterator[AsyncConnection]:
        engine: AsyncEngine = request.app.state.engine
        async with engine.connect() as connection:
            yield connection

    Caller = Annotated[int, Depends(caller_id)]
    Connection = Annotated[AsyncConnection, Depends(connection)]
    app = FastAPI(lifespan=lifespan, openapi_url=None)

    @app.get("/live", response_model=Live)
    async def live() -> Live:
        return Live(status="ok")

    @app.get("/me", response_model=UserRead)
    async def me(caller: Caller, connection: Connection) -> UserRead:
        row = (await connection.execute(ME, {"id": caller})).one()
        return UserRead(
            id=row[0], email=row[1], role=row[2], is_active=row[3], is_verified=row[4], created_at=row[5]
        )

    @app.get("/todos", response_model=list[TodoRead])
    async def todos(caller: Caller, connection: Connection) -> list[TodoRead]:
        return todos_of((await connection.execute(TODOS, {"owner_id": caller})).all())

    return app
