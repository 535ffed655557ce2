"""Requests share the pool's connections: however many arrive at once, they never open more,
and none keeps one while it does slow work that needs no database.

Found by the benchmark: with a database slot for each overflow connection too, a steady
load opened and closed a PostgreSQL connection every fiftieth request. Found by the soak:
logins held their slot through the password hash.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from app.infrastructure.database import create_engine
from app.infrastructure.unit_of_work import UnitOfWork
from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.platform import make_settings, started

POOL_SIZE = 2


@pytest.fixture
async def small_pool_app(database_url: str) -> AsyncIterator[FastAPI]:
    settings = make_settings(database_url, database_pool_size=POOL_SIZE, database_max_overflow=5)
    async with started(create_app(settings)) as app:
        yield app
        await empty_app_tables(app)


async def test_concurrent_requests_reuse_the_pooled_connections(small_pool_app: FastAPI) -> None:
    people = PeopleFactory(small_pool_app)
    member = await people.member()
    opened = 0

    def count(*_: Any) -> None:
        nonlocal opened
        opened += 1

    engine = small_pool_app.state.runtime.engine.sync_engine
    await small_pool_app.state.runtime.engine.dispose()  # start from an empty pool
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


async def test_a_login_hashing_its_password_leaves_the_database_to_others(database_url: str) -> None:
    settings = make_settings(database_url, database_pool_size=1, database_max_overflow=0)
    async with started(create_app(settings)) as app:
        people = PeopleFactory(app)
        member = await people.member()
        hashing, release = asyncio.Event(), asyncio.Event()
        verify = app.state.runtime.password_hasher.verify

        async def slow_verify(password: str, password_hash: str) -> tuple[bool, str | None]:
            hashing.set()
            await release.wait()  # a hash taking its time: the CPU is busy
            return await verify(password, password_hash)

        app.state.runtime.password_hasher.verify = slow_verify
        credentials = {"email": member.email, "password": PASSWORD}
        login = asyncio.create_task(people.new_client().post("/api/v1/auth/login", json=credentials))
        await asyncio.wait_for(hashing.wait(), timeout=5)
        # The only slot: this would wait for the login's hash to end.
        me = await asyncio.wait_for(member.client.get("/api/v1/users/me"), timeout=5)
        release.set()
        logged_in = await login
        await people.close()
        await empty_app_tables(app)

    assert me.status_code == 200
    assert logged_in.status_code == 200


async def test_a_transaction_cannot_be_paused(app: FastAPI) -> None:
    uow = UnitOfWork(app.state.runtime.session_factory)
    try:
        async with uow:
            with pytest.raises(RuntimeError, match="pause outside"):
                async with uow.paused():
                    pass
    finally:
        await uow.close()
