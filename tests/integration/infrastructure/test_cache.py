"""One contract for both caches: the in-process one and Redis, the real server."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from app.infrastructure.cache import Cache, MemoryCache, create_cache

# <part:redis>
from app.infrastructure.redis_cache import RedisCache

# </part:redis>
from tests.fixtures.platform import CLOSED_PORT_URL

BACKENDS = [
    "memory",
    # <part:redis>
    "redis",
    # </part:redis>
]


@pytest.fixture(params=BACKENDS)
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    backend: Cache = MemoryCache()
    # <part:redis>
    if request.param == "redis":
        backend = RedisCache.from_url(request.getfixturevalue("redis_url"))
    # </part:redis>
    yield backend
    await backend.close()


async def test_missing_keys_read_as_none(cache: Cache) -> None:
    assert await cache.get("absent") is None
    assert await cache.get_many(["absent", "also-absent"]) == [None, None]


async def test_values_are_stored_replaced_and_deleted(cache: Cache) -> None:
    await cache.set("k", "one")
    await cache.set("k", "two")
    await cache.set("other", "three")
    assert await cache.get("k") == "two"
    assert await cache.get_many(["k", "absent", "other"]) == ["two", None, "three"]

    await cache.delete("k")
    await cache.delete("never-there")
    assert await cache.get("k") is None


async def test_values_expire_after_their_ttl(cache: Cache) -> None:
    await cache.set("short", "v", ttl=1)
    await cache.set("long", "v", ttl=60)
    await cache.set("forever", "v")
    assert await cache.get("short") == "v"

    await asyncio.sleep(1.2)

    assert await cache.get("short") is None
    assert await cache.get("long") == await cache.get("forever") == "v"


async def test_set_if_absent_lets_exactly_one_concurrent_writer_in(cache: Cache) -> None:
    outcomes = await asyncio.gather(*(cache.set_if_absent("lock", str(n), ttl=30) for n in range(20)))

    assert outcomes.count(True) == 1
    winner = outcomes.index(True)
    assert await cache.get("lock") == str(winner)


async def test_set_if_absent_succeeds_again_once_the_key_expired(cache: Cache) -> None:
    assert await cache.set_if_absent("lock", "first", ttl=1)
    await asyncio.sleep(1.2)
    assert await cache.set_if_absent("lock", "second", ttl=1)
    assert await cache.get("lock") == "second"


async def test_delete_if_deletes_only_while_the_key_holds_the_value(cache: Cache) -> None:
    await cache.set("lock", "mine")

    others = await cache.delete_if("lock", "theirs")
    still_there = await cache.get("lock")
    mine = await cache.delete_if("lock", "mine")
    absent = await cache.delete_if("lock", "mine")

    assert (others, still_there, mine, absent) == (False, "mine", True, False)
    assert await cache.get("lock") is None


async def test_concurrent_increments_are_all_counted(cache: Cache) -> None:
    totals = await asyncio.gather(*(cache.increment("hits", ttl=60) for _ in range(50)))

    assert sorted(totals) == list(range(1, 51))
    assert await cache.increment("hits", 10) == 60
    assert await cache.get("hits") == "60"


async def test_increment_keeps_the_expiry_set_when_the_counter_was_created(cache: Cache) -> None:
    await cache.increment("window", ttl=1)
    await asyncio.sleep(0.6)
    await cache.increment("window", ttl=60)  # must not extend the first window
    await asyncio.sleep(0.6)

    assert await cache.get("window") is None


async def test_ping_answers(cache: Cache) -> None:
    await cache.ping()


# <part:redis>
async def test_redis_caches_with_different_prefixes_do_not_see_each_other(redis_url: str) -> None:
    first = RedisCache.from_url(redis_url, prefix=f"{uuid.uuid4()}:")
    second = RedisCache.from_url(redis_url, prefix=f"{uuid.uuid4()}:")
    try:
        await first.set("k", "first")
        assert await second.get("k") is None
    finally:
        await first.close()
        await second.close()


async def test_an_unreachable_redis_raises_connection_error() -> None:
    cache = RedisCache.from_url(CLOSED_PORT_URL)
    try:
        for operation in (cache.ping(), cache.get("k"), cache.set("k", "v"), cache.increment("k")):
            with pytest.raises(ConnectionError):
                await operation
    finally:
        await cache.close()


# </part:redis>
async def test_the_memory_cache_is_bounded_and_evicts_expired_entries_first() -> None:
    cache = MemoryCache(max_entries=3)
    await cache.set("old", "1")
    await cache.set("expiring", "2", ttl=1)
    await cache.set("newer", "3")
    await asyncio.sleep(1.1)

    await cache.set("newest", "4")
    assert await cache.get_many(["old", "newer", "newest"]) == ["1", "3", "4"]

    await cache.set("one-more", "5")  # full of live entries: the oldest written goes
    assert await cache.get_many(["old", "newer", "newest", "one-more"]) == [None, "3", "4", "5"]


def test_create_cache_picks_redis_only_when_configured() -> None:
    assert isinstance(create_cache(None), MemoryCache)
    # <part:redis>
    assert isinstance(create_cache(CLOSED_PORT_URL), RedisCache)
    # </part:redis>
