"""Following a container's logs over Server-Sent Events, through a real HTTP server: lines
arrive as they are written, the stream ends when the client leaves or the container stops,
and a follower holds no database connection while it waits."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from app.core.config import Settings
from app.domains.containers.runtimes import ContainerEngine
from tests.fixtures.accounts import PeopleFactory, bearer
from tests.fixtures.containers import container_settings, create, eventually
from tests.integration.test_outages import keel
from tests.smtp import free_port

TICKER = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """The app behind uvicorn on a loopback port (ASGITransport would buffer the stream)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), lifespan="off", log_config=None)
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}", server
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def keel_over_http(settings: Settings) -> AsyncIterator[tuple[str, uvicorn.Server, PeopleFactory]]:
    async with keel(settings) as (app, people), served(app) as (base_url, server):
        yield base_url, server, people


def engine_connections_in_use(app: FastAPI) -> int:
    """aiohttp's count of connections lent out by the Docker client's pool."""
    return len(app.state.runtime.part(ContainerEngine).runtime.docker.connector._acquired)


async def events(stream: AsyncIterator[str], count: int) -> list[str]:
    """The next `count` data lines of an event stream."""
    lines: list[str] = []
    async for line in stream:
        if line.startswith("data: "):
            lines.append(line.removeprefix("data: "))
            if len(lines) == count:
                break
    return lines


async def test_a_follower_gets_lines_as_written_until_it_leaves_holding_no_database_slot(
    database_url: str, docker_url: str, instance: str
) -> None:
    # One database connection in all: were the stream holding it, nothing else could run.
    settings = container_settings(
        database_url, docker_url, instance, database_pool_size=1, database_max_overflow=0
    )
    async with keel_over_http(settings) as (base_url, server, people):
        app = people.app
        ada = await people.member()
        container_id = (await create(ada.client, command=TICKER))["id"]
        await ada.client.post(f"/api/v1/containers/{container_id}/start")
        headers = bearer(ada.tokens)

        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=20) as http:
            url = f"/api/v1/containers/{container_id}/logs/stream"
            async with http.stream("GET", url, params={"tail": 0}) as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
                lines = stream.aiter_lines()
                first = await events(lines, 3)
                me = await http.get("/api/v1/users/me")  # while the stream is open
                later = await events(lines, 2)

            numbers = [int(line.split()[-1]) for line in [*first, *later]]
            assert [line.split()[0] for line in first] == ["tick"] * 3
            assert numbers == list(range(numbers[0], numbers[0] + 5))  # in order, none lost
            assert me.status_code == 200

            async def stream_let_go() -> bool:
                # The server's task for the response is done and its engine connection back.
                return not server.server_state.tasks and not engine_connections_in_use(app)

            assert await eventually(stream_let_go, seconds=10)


async def test_the_stream_ends_when_the_container_stops(
    database_url: str, docker_url: str, instance: str
) -> None:
    async with keel_over_http(container_settings(database_url, docker_url, instance)) as (
        base_url,
        _,
        people,
    ):
        ada = await people.member()
        container_id = (await create(ada.client, command=TICKER))["id"]
        await ada.client.post(f"/api/v1/containers/{container_id}/start")

        async with httpx.AsyncClient(base_url=base_url, headers=bearer(ada.tokens), timeout=20) as http:
            url = f"/api/v1/containers/{container_id}/logs/stream"
            async with http.stream("GET", url, params={"tail": 1}) as stream:
                lines = stream.aiter_lines()
                await events(lines, 1)
                await ada.client.post(
                    f"/api/v1/containers/{container_id}/stop", params={"timeout_seconds": 0}
                )
                rest = [line async for line in lines]  # returns once the server ends the stream

        assert all(line == "" or line.startswith("data: tick") for line in rest)


async def test_a_quiet_stream_is_kept_alive(database_url: str, docker_url: str, instance: str) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_log_keepalive_seconds=0.2)
    async with keel_over_http(settings) as (base_url, _, people):
        ada = await people.member()
        container_id = (await create(ada.client))["id"]  # sleeps, silent
        await ada.client.post(f"/api/v1/containers/{container_id}/start")

        comments: list[str] = []
        async with httpx.AsyncClient(base_url=base_url, headers=bearer(ada.tokens), timeout=20) as http:
            url = f"/api/v1/containers/{container_id}/logs/stream"
            async with http.stream("GET", url) as stream:
                async for line in stream.aiter_lines():
                    if line:
                        comments.append(line)
                    if len(comments) == 2:
                        break

    assert comments == [": keepalive", ": keepalive"]
