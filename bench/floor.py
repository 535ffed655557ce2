"""The floor: the least a server can do for Keel's hottest reads, to measure Keel against.

Starlette + asyncpg, no ORM, no validation layers: verify the same JWT, run one query,
write JSON. `GET /todos` is what `GET /api/v1/todos` does (the caller's todos with their
tags); `GET /me` is what `GET /api/v1/users/me` does.

    uvicorn --factory bench.floor:create_app --port 8100
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TODOS = """
SELECT coalesce(json_agg(t ORDER BY t.id), '[]'::json) FROM (
  SELECT todos.id, todos.title, todos.description, todos.completed, todos.owner_id, todos.version,
         todos.created_at, todos.updated_at,
         coalesce((SELECT json_agg(json_build_object('id', tags.id, 'name', tags.name,
                                                     'colour', tags.colour, 'owner_id', tags.owner_id)
                                   ORDER BY tags.name)
                   FROM todo_tags JOIN tags ON tags.id = todo_tags.tag_id
                   WHERE todo_tags.todo_id = todos.id), '[]'::json) AS tags
  FROM todos WHERE todos.owner_id = $1 ORDER BY todos.id LIMIT 100
) t
"""
ME = """
SELECT json_build_object('id', id, 'email', email, 'role', role, 'is_active', is_active)
FROM users WHERE id = $1
"""

LIVE = '{"status":"ok"}'


def caller_id(authorization: str, secret: str) -> int | None:
    """The user id of a Bearer token signed as Keel signs its access tokens."""
    try:
        claims = jwt.decode(
            authorization.removeprefix("Bearer "),
            secret,
            algorithms=["HS256"],
            audience="keel-api",
            issuer="keel",
        )
    except jwt.InvalidTokenError:
        return None
    return int(claims["sub"])


def create_app() -> Starlette:
    secret = os.environ["KEEL_SECRET_KEY"]
    dsn = os.environ["FLOOR_DSN"]

    def user_id(request: Request) -> int | None:
        return caller_id(request.headers.get("authorization", ""), secret)

    async def json_of(request: Request, query: str) -> Response:
        caller = user_id(request)
        if caller is None:
            return JSONResponse({"error_code": "invalid_token"}, status_code=401)
        async with request.app.state.pool.acquire() as connection:
            body = await connection.fetchval(query, caller)
        return Response(body, media_type="application/json")

    async def todos(request: Request) -> Response:
        return await json_of(request, TODOS)

    async def me(request: Request) -> Response:
        return await json_of(request, ME)

    async def live(request: Request) -> Response:
        return Response(LIVE, media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        yield
        await app.state.pool.close()

    routes = [Route("/todos", todos), Route("/me", me), Route("/live", live)]
    return Starlette(routes=routes, lifespan=lifespan)
