"""The cost ledger: what each layer of a request costs, in CPU microseconds, Keel beside the
libraries alone (bench/libraries.py: FastAPI and SQLAlchemy, nothing of Keel) and the floor.

In process, without sockets: the server is uvicorn's own HTTP protocol (the one `keel serve`
runs, and plain httptools for the floor) fed a request's bytes on a transport that drops what
is written; the database is PostgreSQL (the `make bench` server) or, with `--sqlite`, a file.
Figures are CPU time (`time.process_time`, all the process's threads), so a busy machine slows
them less than the clock; the database server's own CPU is not counted, for Keel and the floor
alike. A round times each request's measurements back to back and takes the layers there;
each figure is a layer's median over the rounds (so the layers need not add up to the total
exactly).

Layers are measured by difference, or alone where a layer is one call:

- server: the request through uvicorn's protocol minus the ASGI app called directly;
- middleware: the app minus its router called directly (everything Keel wraps around routing:
  the platform middleware, CORS, GZip, Starlette's error and exception layers);
- authentication: the caller from the access token alone (claims and the revocation list);
- database: the read alone, in a unit of work as a request takes it (slot, session,
  statement, close), and for the floor asyncpg's pool and query;
- serialization: the response model built from what was read, FastAPI's pass over it and
  the JSON bytes (the floor writes the bytes PostgreSQL built);
- routing and dependencies: the rest of the router's time (matching, the dependency graph,
  the query string, the endpoint itself, the response's trip out).

    uv run python -m bench.ledger            # PostgreSQL, Keel and the floor; prints the table
    uv run python -m bench.ledger --write    # and rewrites it in bench/README.md
    uv run python -m bench.ledger --sqlite   # Keel alone, on SQLite
    uv run python -m bench.ledger --totals   # whole requests only (to compare two versions)

`make bench` (bench/run.py) runs it after the wrk scenarios, rewrites the table in
bench/README.md and keeps it in the results JSON.
"""

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import uvloop
from fastapi import FastAPI
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel
from starlette.responses import Response
from starlette.types import ASGIApp
from uvicorn import Config
from uvicorn.server import ServerState

from app.cli import edge_options
from app.core.config import Settings
from app.domains import migration_locations
from app.domains.accounts.schemas import UserRead
from app.domains.accounts.service.assembly import authenticator
from app.domains.todos.schemas import TodoFilter, TodoPage, TodoRead
from app.domains.todos.service import Actor, TodoService
from app.infrastructure import migrations
from app.infrastructure.runtime import Runtime
from app.infrastructure.unit_of_work import UnitOfWork
from app.main import create_app
from app.web.responses import operations
from bench import floor, libraries, middleware
from bench.harness import PASSWORD, drop_database, fresh_database

REQUESTS = int(os.environ.get("KEEL_LEDGER_REQUESTS", "200"))  # per measurement and round
ROUNDS = int(os.environ.get("KEEL_LEDGER_ROUNDS", "11"))
SECRET = "ledger-" + "x" * 40
EMAIL = "ledger@example.com"
LAYERS = (
    "server",
    "middleware",
    "routing and dependencies",
    "authentication",
    "database",
    "serialization",
)
PARTS = ("authentication", "database", "serialization")  # the layers timed alone
README = Path(__file__).parent / "README.md"
BEGIN, END = "<!-- ledger:begin -->", "<!-- ledger:end -->"

Call = Callable[[], Awaitable[Any]]


@dataclass
class Endpoint:
    """One request and its parts timed alone (None: the layer has no part in it)."""

    name: str
    path: str
    headers: list[tuple[bytes, bytes]]
    authentication: Call | None = None
    database: Call | None = None
    serialization: Call | None = None


@dataclass
class System:
    """Keel, the libraries alone or the floor: its app, its router, and its server around the app."""

    name: str
    app: ASGIApp
    router: ASGIApp
    server: "InProcessServer"
    endpoints: list[Endpoint] = field(default_factory=list)


# --- the server, in process ---------------------------------------------------------------


class DroppingTransport:
    """A connection whose written bytes are dropped, but for the last response's status."""

    def __init__(self) -> None:
        self.status = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes) -> None:
        if data.startswith(b"HTTP/1.1 "):
            self.status = data[9:12]

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class InProcessServer:
    """uvicorn's HTTP protocol on one kept-alive connection, as wrk holds it."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        config = Config(app, lifespan="off", access_log=False, log_config=None, **options)
        config.load()
        self.state = ServerState()
        self.state.default_headers = [(b"date", b"Sun, 06 Dec 2026 12:00:00 GMT"), *config.encoded_headers]
        self.transport = DroppingTransport()
        self.protocol = config.http_protocol_class(config=config, server_state=self.state, app_state={})
        self.protocol.connection_made(self.transport)  # type: ignore[arg-type]

    async def request(self, raw: bytes) -> bytes:
        self.protocol.data_received(raw)  # type: ignore[attr-defined]
        while self.state.tasks:
            await asyncio.gather(*self.state.tasks)
        return self.transport.status


def raw_request(endpoint: Endpoint) -> bytes:
    head = [f"GET {endpoint.path} HTTP/1.1".encode(), b"Host: bench", b"User-Agent: wrk"]
    head += [name + b": " + value for name, value in endpoint.headers]
    return b"\r\n".join(head) + b"\r\n\r\n"


def scope_for(endpoint: Endpoint, app: ASGIApp) -> dict[str, Any]:
    path, _, query = endpoint.path.partition("?")
    scope = middleware.scope_for(path)
    scope["query_string"] = query.encode()
    scope["headers"] = [*scope["headers"], *endpoint.headers]
    scope["state"] = {}
    scope["app"] = app  # what the app sets before its middleware; the router alone needs it too
    return scope


def calling(app: ASGIApp, endpoint: Endpoint, outer: ASGIApp) -> Call:
    """One request to `app` (the whole app, or its router alone), checked for a 200."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def call() -> None:
        await app(scope_for(endpoint, outer), middleware.receive, send)  # type: ignore[arg-type]
        if statuses.pop() != 200:
            raise RuntimeError(f"{endpoint.path} did not answer 200")

    return call


def serving(server: InProcessServer, endpoint: Endpoint) -> Call:
    raw = raw_request(endpoint)

    async def call() -> None:
        if await server.request(raw) != b"200":
            raise RuntimeError(f"{endpoint.path} did not answer 200 through the server")

    return call


# --- measuring ----------------------------------------------------------------------------


async def cpu_microseconds(call: Call, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await call()
    return (time.process_time() - started) / count * 1e6


def measurements(system: System, endpoint: Endpoint, *, totals_only: bool) -> dict[str, Call]:
    """What is timed of one request: whole, the app alone, the router alone, each part alone."""
    calls = {
        "whole": serving(system.server, endpoint),
        "app": calling(system.app, endpoint, system.app),
    }
    if not totals_only:
        calls["router"] = calling(system.router, endpoint, system.app)
        calls.update({part: call for part in PARTS if (call := getattr(endpoint, part)) is not None})
    return calls


def layers(timings: dict[str, float]) -> dict[str, float]:
    """One round's layers of a request, by difference between its measurements."""
    whole, app = timings["whole"], timings["app"]
    if "router" not in timings:
        return {"server": whole - app, "app": app, "total": whole}
    parts = {part: timings.get(part, 0.0) for part in PARTS}
    return {
        "server": whole - app,
        "middleware": app - timings["router"],
        "routing and dependencies": timings["router"] - sum(parts.values()),
        **parts,
        "total": whole,
    }


async def ledger_of(systems: list[System], *, totals_only: bool) -> dict[str, dict[str, dict[str, float]]]:
    """Each request's layers: the median of each over the rounds (rounded to 0.1 µs).

    A round times one request's measurements back to back and takes their differences there,
    so that a change in the machine's load between rounds moves a layer's figure less than it
    moves the measurements it is the difference of.
    """
    chains = {
        (system.name, endpoint.name): measurements(system, endpoint, totals_only=totals_only)
        for system in systems
        for endpoint in system.endpoints
    }
    for chain in chains.values():  # warm-up: caches, prepared statements, the pool
        for call in chain.values():
            for _ in range(20):
                await call()
    rounds: dict[tuple[str, str], list[dict[str, float]]] = {key: [] for key in chains}
    for _ in range(ROUNDS):
        for key, chain in chains.items():
            timings = {name: await cpu_microseconds(call, REQUESTS) for name, call in chain.items()}
            rounds[key].append(layers(timings))
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for (system, endpoint), figures in rounds.items():
        rows.setdefault(endpoint, {})[system] = {
            name: round(statistics.median(round_[name] for round_ in figures), 1) for name in figures[0]
        }
    if totals_only:  # and Python calls per request, which do not depend on the machine's load
        for (system, endpoint), chain in chains.items():
            rows[endpoint][system]["calls"] = await python_calls(chain["app"])
    return rows


async def python_calls(call: Call, count: int = 100) -> float:
    """Python function calls per call, counted with cProfile."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        await call()
    profile.disable()
    return round(pstats.Stats(profile).total_calls / count, 1)  # type: ignore[attr-defined]


# --- Keel ---------------------------------------------------------------------------------


def keel_settings(url: str) -> Settings:
    """As `make bench` serves: production, no access log; the abuse limits out of the way."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="production",
        secret_key=SECRET,
        database_url=url,
        access_log=False,
        log_level="WARNING",
        login_rate_limit_per_account="1000000/minute",
        login_rate_limit_per_address="1000000/minute",
        register_rate_limit_per_address="1000000/minute",
    )


async def seed(app: FastAPI) -> str:
    """One member with 2 tags and 20 todos carrying both (as `make bench`); their access token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        credentials = {"email": EMAIL, "password": PASSWORD}
        (await client.post("/api/v1/auth/register", json=credentials)).raise_for_status()
        login = (await client.post("/api/v1/auth/login", json=credentials)).raise_for_status()
        token = str(login.json()["access_token"])
        headers = {"Authorization": f"Bearer {token}"}
        tags = [
            (await client.post("/api/v1/tags", json={"name": name}, headers=headers)).json()["id"]
            for name in ("work", "home")
        ]
        for n in range(20):
            body = {"title": f"todo {n}", "description": "seeded for the benchmark", "tag_ids": tags}
            (await client.post("/api/v1/todos", json=body, headers=headers)).raise_for_status()
    return token


def route_of(app: FastAPI, path: str) -> APIRoute:
    return next(
        cast(APIRoute, operation.original_route)
        for operation in operations(app.routes)
        if operation.path_format == path and "GET" in operation.methods
    )


def serializer(route: APIRoute) -> Callable[[Any], Awaitable[Response]]:
    """What FastAPI does with an endpoint's return value: its pass over the response model and
    the JSON bytes, in pydantic-core."""

    async def serialize(content: Any) -> Response:
        body = await serialize_response(field=route.response_field, response_content=content, dump_json=True)
        return Response(content=body, media_type="application/json")

    return serialize


async def in_unit_of_work(runtime: Runtime, read: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
    """A read as a request makes it: a database slot, the unit of work, closed after."""
    uow = UnitOfWork(runtime.session_factory, slots=runtime.database_slots)
    await uow.take_slot()
    try:
        return await read(uow)
    finally:
        await uow.close()


async def keel_endpoints(app: FastAPI, token: str) -> list[Endpoint]:
    runtime: Runtime = app.state.runtime
    auth = [(b"authorization", f"Bearer {token}".encode())]
    caller = await authenticator(runtime).authenticate(access_token=token)
    actor = Actor(id=caller.id, is_admin=False)

    async def authentication() -> None:
        await authenticator(runtime).authenticate(access_token=token)

    async def read_me() -> Any:
        return await in_unit_of_work(
            runtime, lambda uow: authenticator(runtime).shown_user_of(caller, uow=uow)
        )

    async def read_todos() -> Any:
        return await in_unit_of_work(
            runtime,
            lambda uow: TodoService(uow=uow, cursors=runtime.cursors).listing(
                actor=actor, owner_id=None, limit=100, offset=0
            ),
        )

    async def read_page() -> Any:
        return await in_unit_of_work(
            runtime,
            lambda uow: TodoService(uow=uow, cursors=runtime.cursors).page(actor=actor, filters=TodoFilter()),
        )

    me, todos, (page, next_cursor) = await read_me(), await read_todos(), await read_page()
    serialize_health = serializer(route_of(app, "/health/live"))
    serialize_me = serializer(route_of(app, "/api/v1/users/me"))
    serialize_todos = serializer(route_of(app, "/api/v1/todos"))
    serialize_page = serializer(route_of(app, "/api/v2/todos"))
    live = route_of(app, "/health/live").endpoint

    async def serialize_live() -> Response:
        return await serialize_health(await live())

    def todo_reads(rows: Any) -> list[BaseModel]:
        return [TodoRead.model_validate(row) for row in rows]

    return [
        Endpoint("GET /health/live", "/health/live", [], serialization=serialize_live),
        Endpoint(
            "GET /api/v1/users/me",
            "/api/v1/users/me",
            auth,
            authentication=authentication,
            database=read_me,
            serialization=lambda: serialize_me(UserRead.model_validate(me)),
        ),
        Endpoint(
            "GET /api/v1/todos",
            "/api/v1/todos",
            auth,
            authentication=authentication,
            database=read_todos,
            serialization=lambda: serialize_todos(todo_reads(todos)),
        ),
        Endpoint(
            "GET /api/v2/todos?limit=20",
            "/api/v2/todos?limit=20",
            auth,
            authentication=authentication,
            database=read_page,
            serialization=lambda: serialize_page(TodoPage(items=todo_reads(page), next_cursor=next_cursor)),
        ),
    ]


@contextmanager
def database_url(*, sqlite: bool) -> Iterator[tuple[str, str | None]]:
    """Keel's SQLAlchemy URL and asyncpg's DSN (None on SQLite), for a database of this run."""
    if sqlite:
        yield f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'ledger.db'}", None
        return
    name = f"keel_ledger_{os.getpid()}"  # its own: a `make bench` elsewhere keeps `keel_bench`
    dsn = asyncio.run(fresh_database(name))
    try:
        yield dsn.replace("postgresql://", "postgresql+asyncpg://", 1), dsn
    finally:
        asyncio.run(drop_database(name))


# --- the floor ----------------------------------------------------------------------------


async def floor_system(dsn: str, token: str, stack: AsyncExitStack) -> System:
    os.environ.update({"KEEL_SECRET_KEY": SECRET, "FLOOR_DSN": dsn})
    app = floor.create_app()
    await stack.enter_async_context(app.router.lifespan_context(app))
    pool = app.state.pool
    header = f"Bearer {token}"
    caller = floor.caller_id(header, SECRET)
    auth = [(b"authorization", header.encode())]

    async def authentication() -> None:
        floor.caller_id(header, SECRET)

    def reading(query: str) -> Call:
        async def read() -> Any:
            async with pool.acquire() as connection:
                return await connection.fetchval(query, caller)

        return read

    me, todos = await reading(floor.ME)(), await reading(floor.TODOS)()

    def writing(body: str) -> Call:
        async def write() -> Response:
            return Response(body, media_type="application/json")

        return write

    endpoints = [
        Endpoint("GET /health/live", "/live", [], serialization=writing(floor.LIVE)),
        Endpoint(
            "GET /api/v1/users/me",
            "/me",
            auth,
            authentication=authentication,
            database=reading(floor.ME),
            serialization=writing(me),
        ),
        Endpoint(
            "GET /api/v1/todos",
            "/todos",
            auth,
            authentication=authentication,
            database=reading(floor.TODOS),
            serialization=writing(todos),
        ),
    ]
    server = InProcessServer(app, http="httptools")  # as `make bench` serves it
    return System("floor", app, app.router, server, endpoints)


async def libraries_system(dsn: str, token: str, stack: AsyncExitStack) -> System:
    """FastAPI and SQLAlchemy alone (bench/libraries.py), its parts timed as Keel's are."""
    app = libraries.create_app(dsn, SECRET)
    await stack.enter_async_context(app.router.lifespan_context(app))
    engine = app.state.engine
    header = f"Bearer {token}"
    caller = floor.caller_id(header, SECRET)
    auth = [(b"authorization", header.encode())]
    routes = {route.path: route for route in app.routes if isinstance(route, APIRoute)}

    async def authentication() -> None:
        floor.caller_id(header, SECRET)

    def reading(statement: Any, values: dict[str, Any]) -> Call:
        async def read() -> Any:
            async with engine.connect() as connection:
                return (await connection.execute(statement, values)).all()

        return read

    read_me = reading(libraries.ME, {"id": caller})
    read_todos = reading(libraries.TODOS, {"owner_id": caller})
    me, todos = (await read_me())[0], await read_todos()
    serialize_live, serialize_me, serialize_todos = (
        serializer(routes[path]) for path in ("/live", "/me", "/todos")
    )
    endpoints = [
        Endpoint(
            "GET /health/live", "/live", [], serialization=lambda: serialize_live(libraries.Live(status="ok"))
        ),
        Endpoint(
            "GET /api/v1/users/me",
            "/me",
            auth,
            authentication=authentication,
            database=read_me,
            serialization=lambda: serialize_me(libraries.UserRead(**me._mapping)),
        ),
        Endpoint(
            "GET /api/v1/todos",
            "/todos",
            auth,
            authentication=authentication,
            database=read_todos,
            serialization=lambda: serialize_todos(libraries.todos_of(todos)),
        ),
    ]
    router = AsyncExitStackMiddleware(app.router)
    return System("libraries", app, router, InProcessServer(app, http="httptools"), endpoints)


# --- the run ------------------------------------------------------------------------------


async def measure_systems(url: str, dsn: str | None, *, totals_only: bool) -> dict[str, Any]:
    await asyncio.to_thread(migrations.upgrade, url, migration_locations())
    settings = keel_settings(url)
    app = create_app(settings)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        token = await seed(app)
        # FastAPI's innermost layer is part of its routing: its routes need the stack it opens.
        router = AsyncExitStackMiddleware(app.router)
        server = InProcessServer(app, **edge_options(settings))
        keel = System("keel", app, router, server, await keel_endpoints(app, token))
        systems = [keel]
        if dsn is not None and not totals_only:
            systems.append(await libraries_system(dsn, token, stack))
            systems.append(await floor_system(dsn, token, stack))
        rows = await ledger_of(systems, totals_only=totals_only)
    return {
        "database": "sqlite" if dsn is None else "postgresql",
        "requests_per_measurement": REQUESTS,
        "rounds": ROUNDS,
        "commit": _commit(),
        "measured_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "microseconds": rows,
    }


def measure(*, sqlite: bool = False, totals_only: bool = False) -> dict[str, Any]:
    """The ledger: CPU µs per request by layer, per endpoint, for Keel and the floor."""
    # uvloop, as both servers run.
    with (
        database_url(sqlite=sqlite) as (url, dsn),
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        return runner.run(measure_systems(url, dsn, totals_only=totals_only))


def table(ledger: dict[str, Any]) -> str:
    """The ledger as a Markdown table: for each request Keel's row, the libraries', the floor's."""
    rows = ledger["microseconds"]
    some = next(iter(next(iter(rows.values())).values()))
    columns = [name for name in (*LAYERS, "app") if name in some] + ["total"]
    columns += ["calls"] if "calls" in some else []
    lines = [
        "| µs CPU per request | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for endpoint, systems in rows.items():
        for system, figures in systems.items():
            label = {"keel": f"`{endpoint}`", "libraries": "FastAPI + SQLAlchemy alone"}.get(
                system, "the floor"
            )
            values = [f"{figures[name]:,.{0 if name in ('total', 'calls') else 1}f}" for name in columns]
            lines.append(f"| {label} | " + " | ".join(values) + " |")
    lines.append("")
    lines.append(
        f"Measured by `python -m bench.ledger` at {ledger['commit']} on {ledger['measured_at']}, "
        f"{ledger['database']}: each layer's median over {ledger['rounds']} rounds of "
        f"{ledger['requests_per_measurement']} requests (or calls) per measurement."
    )
    return "\n".join(lines)


def write_readme(ledger: dict[str, Any], readme: Path = README) -> None:
    """Rewrite the table between the ledger's markers in bench/README.md."""
    text = readme.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise RuntimeError(f"{readme} has no {BEGIN} ... {END} markers")
    readme.write_text(pattern.sub(lambda _: f"{BEGIN}\n{table(ledger)}\n{END}", text))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", action="store_true", help="Keel alone, on a SQLite file")
    parser.add_argument("--totals", action="store_true", help="whole requests only")
    parser.add_argument("--write", action="store_true", help="rewrite the table in bench/README.md")
    options = parser.parse_args()
    ledger = measure(sqlite=options.sqlite, totals_only=options.totals)
    print(table(ledger))
    if options.write:
        write_readme(ledger)


if __name__ == "__main__":
    main()
