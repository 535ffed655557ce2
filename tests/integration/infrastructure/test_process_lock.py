"""Without Redis, one process serves a database; with Redis, any number may."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.infrastructure import process_lock
from app.infrastructure.process_lock import AnotherProcessServes, sole_process
from app.main import create_app
from tests.databases import postgres_database
from tests.fixtures.platform import make_settings, postgres_server_url, started


async def test_a_second_app_on_the_same_database_without_redis_refuses_to_start(database_url: str) -> None:
    settings = make_settings(database_url)

    async with started(create_app(settings)):
        with pytest.raises(AnotherProcessServes, match="KEEL_REDIS_URL"):
            async with started(create_app(settings)):
                pass


async def test_the_lock_is_released_when_the_first_app_stops(database_url: str) -> None:
    settings = make_settings(database_url)
    async with started(create_app(settings)):
        pass

    async with started(create_app(settings)) as second:
        assert second.state.runtime.cache is not None


# <part:redis>
async def test_apps_sharing_redis_may_serve_one_database_together(database_url: str, redis_url: str) -> None:
    settings = make_settings(database_url, redis_url=redis_url)

    async with started(create_app(settings)), started(create_app(settings)) as second:
        assert second.state.runtime.cache is not None


# </part:redis>
async def test_an_in_memory_database_is_private_and_takes_no_lock() -> None:
    settings = make_settings("sqlite+aiosqlite:///file:keel?mode=memory&uri=true")

    async with started(create_app(settings)), started(create_app(settings)) as second:
        assert second.state.runtime.cache is not None


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with postgres_database(postgres_server_url()) as url:
        yield url


async def lock_holders(url: str) -> list[int]:
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        rows = await connection.fetch(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
        )
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


async def cut_lock_connection(url: str) -> asyncpg.Connection:
    """Drop the holder's connection, as a server restart would; a connection of the test's own."""
    (holder,) = await lock_holders(url)
    connection = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    await connection.execute("SELECT pg_terminate_backend($1)", holder)
    return connection


async def test_a_lock_whose_connection_was_dropped_is_taken_again(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process_lock, "WATCH_SECONDS", 0.1)

    async with started(create_app(make_settings(postgres_url))):
        (first,) = await lock_holders(postgres_url)
        await (await cut_lock_connection(postgres_url)).close()
        for _ in range(100):
            holders = await lock_holders(postgres_url)
            if holders and holders != [first]:
                break
            await asyncio.sleep(0.1)

    assert len(holders) == 1
    assert holders != [first]


async def test_a_process_that_lost_its_lock_to_another_is_told_to_stop(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process_lock, "WATCH_SECONDS", 0.1)
    lost = asyncio.Event()

    async with sole_process(make_settings(postgres_url), on_lost=lost.set):
        other = await cut_lock_connection(postgres_url)
        assert await other.fetchval("SELECT pg_try_advisory_lock($1)", process_lock.ADVISORY_LOCK_KEY)
        await asyncio.wait_for(lost.wait(), timeout=10)
        await other.close()
