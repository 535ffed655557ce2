"""A container request holds no database slot while it waits on the engine or on the
per-owner create lock: with one database connection in all and an engine call held back,
other requests are still answered.

Found in review: creates and listings held the request's slot (and its connection, once the
caller was read) through every engine call and up to 15 s of lock wait, so a slow engine
and ten creates of one owner left the whole API queueing for the database.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from httpx import AsyncClient, Response

from app.core.config import Settings
from app.domains.containers.runtimes import ContainerEngine
from app.domains.containers.runtimes.docker import DockerRuntime
from tests.fixtures.containers import (
    REGISTRY,
    container_settings,
    create,
    eventually,
    spec,
)
from tests.integration.test_outages import keel

API = "/api/v1/containers"
ANSWER_WITHIN_SECONDS = 5


@pytest.fixture
def settings(database_url: str, docker_url: str, instance: str) -> Settings:
    """One database connection in all: a request holding it would stop every other one."""
    return container_settings(
        database_url, docker_url, instance, database_pool_size=1, database_max_overflow=0
    )


class HeldBack:
    """One of the runtime's calls, made to wait until released (a slow engine)."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    def around(self, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.waiting.set()
            await self.release.wait()
            return await call(*args, **kwargs)

        return held


@asynccontextmanager
async def held_back(runtime: object, method: str) -> AsyncIterator[HeldBack]:
    gate = HeldBack()
    setattr(runtime, method, gate.around(getattr(runtime, method)))  # shadows the method
    try:
        yield gate
    finally:
        gate.release.set()
        delattr(runtime, method)


class LockTries:
    """Which requests have tried the per-owner create lock (a set-if-absent in the cache)."""

    def __init__(self, cache: Any) -> None:
        self.tried: set[asyncio.Task[Any] | None] = set()
        self.changed = asyncio.Event()
        take = cache.set_if_absent

        async def counted(key: str, *args: Any, **kwargs: Any) -> bool:
            if ":creating:" in key:
                self.tried.add(asyncio.current_task())
                self.changed.set()
            return bool(await take(key, *args, **kwargs))

        cache.set_if_absent = counted

    async def all_waiting(self, count: int) -> None:
        while len(self.tried) < count:
            self.changed.clear()
            await self.changed.wait()


async def answered_meanwhile(client: AsyncClient, gate: HeldBack) -> Response:
    """/users/me, asked while the held-back engine call waits."""
    await asyncio.wait_for(gate.waiting.wait(), timeout=ANSWER_WITHIN_SECONDS)
    return await asyncio.wait_for(client.get("/api/v1/users/me"), timeout=ANSWER_WITHIN_SECONDS)


@pytest.mark.parametrize(
    ("method", "request_of"),
    [
        pytest.param("create", lambda client, _: client.post(API, json=spec()), id="create"),
        pytest.param("inspect_image", lambda client, _: client.post(API, json=spec()), id="create-image"),
        pytest.param("list_containers", lambda client, _: client.get(API), id="list"),
        pytest.param("inspect", lambda client, cid: client.get(f"{API}/{cid}"), id="get"),
        pytest.param("start", lambda client, cid: client.post(f"{API}/{cid}/start"), id="start"),
        pytest.param("stats", lambda client, cid: client.get(f"{API}/{cid}/stats"), id="stats"),
        pytest.param("list_images", lambda client, _: client.get("/api/v1/images"), id="images"),
    ],
)
async def test_a_request_waiting_on_the_engine_leaves_the_database_to_others(
    settings: Settings, method: str, request_of: Callable[[AsyncClient, str], Awaitable[Response]]
) -> None:
    async with keel(settings) as (app, people):
        ada = await people.member()
        existing = (await create(ada.client, "existing"))["id"]
        async with held_back(app.state.runtime.part(ContainerEngine).runtime, method) as gate:
            waiting = asyncio.create_task(request_of(ada.client, existing))
            me = await answered_meanwhile(ada.client, gate)
            assert not waiting.done()
            gate.release.set()
            answered = await waiting

    assert me.status_code == 200
    assert answered.status_code < 300, answered.text


async def test_creates_waiting_for_their_owners_lock_leave_the_database_to_others(
    settings: Settings,
) -> None:
    async with keel(settings) as (app, people):
        ada = await people.member()
        tries = LockTries(app.state.runtime.cache)
        async with held_back(app.state.runtime.part(ContainerEngine).runtime, "create") as gate:
            first = asyncio.create_task(ada.client.post(API, json=spec("first")))
            await asyncio.wait_for(gate.waiting.wait(), timeout=ANSWER_WITHIN_SECONDS)
            # These wait for the lock the first holds while the engine keeps it waiting.
            queued = [asyncio.create_task(ada.client.post(API, json=spec(f"queued{i}"))) for i in range(9)]
            await asyncio.wait_for(tries.all_waiting(10), timeout=ANSWER_WITHIN_SECONDS)
            me = await answered_meanwhile(ada.client, gate)
            assert gate.calls == 1  # the queued creates are still waiting for the lock
            assert not any(task.done() for task in (first, *queued))
            gate.release.set()
            created = [await first, *[await task for task in queued]]

    assert me.status_code == 200
    assert [response.status_code for response in created] == [201] * 10


async def test_a_pull_waiting_on_the_engine_leaves_the_database_to_others(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The job opens its own engine client: hold back every runtime's pull.
    gate = HeldBack()
    real_pull = DockerRuntime.pull_image

    def held_pull(runtime: DockerRuntime, reference: str) -> AsyncIterator[Any]:
        async def steps() -> AsyncIterator[Any]:
            gate.waiting.set()
            await gate.release.wait()
            async for step in real_pull(runtime, reference):
                yield step

        return steps()

    monkeypatch.setattr(DockerRuntime, "pull_image", held_pull)
    async with keel(settings) as (_, people):
        ada = await people.member()
        pull = asyncio.create_task(
            ada.client.post("/api/v1/images/pull", json={"image": f"{REGISTRY}/keel/busybox"})
        )
        me = await answered_meanwhile(ada.client, gate)
        job = await asyncio.wait_for(pull, timeout=ANSWER_WITHIN_SECONDS)
        gate.release.set()

        async def finished() -> dict[str, Any] | None:
            found = (await ada.client.get(f"/api/v1/jobs/{job.json()['id']}")).json()
            return found if found["status"] in ("succeeded", "failed") else None

        done = await eventually(finished)

    assert me.status_code == 200
    assert job.status_code == 202, job.text
    assert done is not None
    assert done["status"] == "succeeded", done
