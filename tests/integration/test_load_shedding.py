"""Past KEEL_MAX_CONCURRENT_REQUESTS in flight, requests wait in a bounded queue or get 503
server_busy, at a pace.
Found by the benchmark: at 1,024 connections the server stopped answering altogether."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.platform import http_client, make_settings, started


@pytest.fixture
async def small_app(database_url: str) -> AsyncIterator[FastAPI]:
    # Refusals answered as soon as their wait runs out: these tests are about what is refused;
    # `queueing_app`'s about the pace.
    settings = make_settings(database_url, max_concurrent_requests=2, refusal_pace_seconds=0)
    async with started(create_app(settings)) as app:
        yield app
        await empty_app_tables(app)


@asynccontextmanager
async def every_request_slot_held(app: FastAPI, client: AsyncClient) -> AsyncIterator[list[Response]]:
    """Inside, `max_concurrent_requests` of `client`'s requests are in flight and wait; on
    leaving they finish, and their answers are in the list."""
    release = asyncio.Event()
    original = app.state.runtime.cache.get

    async def slow_get(key: str) -> str | None:
        await release.wait()  # holds every slot until the test lets go
        return await original(key)

    app.state.runtime.cache.get = slow_get
    slots = app.state.runtime.settings.max_concurrent_requests
    held = [asyncio.create_task(client.get("/api/v1/users/me")) for _ in range(slots)]
    await asyncio.sleep(0.05)
    finished: list[Response] = []
    try:
        yield finished
    finally:
        release.set()
        finished.extend(await asyncio.gather(*held))
        app.state.runtime.cache.get = original


async def test_requests_beyond_the_limit_are_shed_with_the_error_contract(small_app: FastAPI) -> None:
    people = PeopleFactory(small_app)
    member = await people.member()

    async with every_request_slot_held(small_app, member.client) as finished, http_client(small_app) as other:
        shed = await other.get("/api/v1/users/me", headers=member.client.headers)
        in_russian = await other.get(
            "/api/v1/users/me", headers={"Accept-Language": "ru", "X-Request-ID": "client-chosen-id"}
        )
        live = await other.get("/health/live")
    async with http_client(small_app) as other:
        metrics = (await other.get("/metrics")).text
    await people.close()

    assert shed.status_code == 503
    assert shed.json()["error_code"] == "server_busy"
    assert shed.headers["Retry-After"] == "1"
    assert shed.headers["X-Content-Type-Options"] == "nosniff"
    assert shed.headers["X-Request-ID"] == shed.json()["request_id"]
    assert float(shed.headers["X-ErrorHandleTime"]) >= 0
    assert shed.headers["Content-Language"] == "en"
    assert in_russian.json()["request_id"] == in_russian.headers["X-Request-ID"] == "client-chosen-id"
    assert in_russian.headers["Content-Language"] == "ru"
    assert in_russian.json()["message"] != shed.json()["message"]
    assert "http_requests_refused_total 2.0" in metrics
    assert 'http_requests_total{handler="none",method="GET",status="5xx"} 2.0' in metrics
    assert live.status_code == 200  # liveness is never shed
    assert [r.status_code for r in finished] == [200, 200]


async def test_the_default_limit_leaves_room(client: AsyncClient) -> None:
    answers = await asyncio.gather(*(client.get("/health/ready") for _ in range(20)))

    assert {r.status_code for r in answers} == {200}


PACE = 0.3  # seconds: a refusal's answer comes no sooner after its request


@pytest.fixture
async def queueing_app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = make_settings(
        database_url,
        max_concurrent_requests=2,
        max_queued_requests=1,
        max_queue_wait_seconds=60,
        refusal_pace_seconds=PACE,
    )
    async with started(create_app(settings)) as app:
        yield app
        await empty_app_tables(app)


async def test_a_request_past_the_limit_waits_for_a_slot_and_is_served(queueing_app: FastAPI) -> None:
    """Found by the benchmark: refused at once, closed-loop clients resent at once, and the
    process spent its CPU refusing rather than serving (docs/decisions.md)."""
    people = PeopleFactory(queueing_app)
    member = await people.member()

    async with every_request_slot_held(queueing_app, member.client) as finished:
        waiting = asyncio.create_task(member.client.get("/api/v1/users/me"))
        await asyncio.sleep(0.05)
        waited = not waiting.done()
        async with http_client(queueing_app) as other:
            sent_at = time.perf_counter()
            past_the_queue = await other.get("/api/v1/users/me", headers=member.client.headers)
            answered_after = time.perf_counter() - sent_at
    served = await waiting
    await people.close()

    assert waited
    assert served.status_code == 200
    assert past_the_queue.status_code == 503  # the queue holds one: refused without a wait...
    assert past_the_queue.json()["error_code"] == "server_busy"
    assert answered_after >= PACE  # ...but answered at its pace, so that a client cannot resend at once
    assert [r.status_code for r in finished] == [200, 200]
