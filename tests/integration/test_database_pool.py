"""Requests share the pool's connections: however many arrive at once, they never open more.

Found by the benchmark: with a database slot for each overflow connection too, a steady
load opened and closed a PostgreSQL connection every fiftieth request.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from app.infrastructure.database import create_engine
from app.main import create_app
from tests.conftest import make_settings, started
from tests.databases import empty_all_tables
from tests.integration.accounts.conftest import PeopleFactory

POOL_SIZE = 2


@pytest.fixture
async def small_pool_app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, database_pool_size=POOL_SIZE, database_max_overflow=5)
    async with started(create_app(settings)) as app:
        yield app
        await empty_all_tables(app.state.engine)


async def test_concurrent_requests_reuse_the_pooled_connections(small_pool_app: FastAPI) -> None:
    people = PeopleFactory(small_pool_app)
    member = await people.member()
    opened = 0

    def count(*_: Any) -> None:
        nonlocal opened
        opened += 1

    engine = small_pool_app.state.engine.sync_engine
    await small_pool_app.state.engine.dispose()  # start from an empty pool
    event.listen(engine, "connect", count)
    try:
        responses = await asyncio.gather(*(member.client.get("/api/v1/users/me") for _ in range(30)))
    finally:
        event.remove(engine, "connect", count)
        await people.close()

    assert [r.status_code for r in responses] == [200] * 30
    assert 1 <= opened <= POOL_SIZE


@pytest.mark.parametrize(
    "url",
    ["sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///file:keel?mode=memory&cache=shared&uri=true"],
)
async def test_in_memory_sqlite_databases_take_no_pool_settings(url: str) -> None:
    engine = create_engine(make_settings(url))
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
