"""Rate limits counted in memory and in Redis, the real server."""

import asyncio

import pytest
from limits.aio.storage import MemoryStorage

from app.infrastructure.rate_limit import RateLimiter, create_rate_limiter
from tests.fixtures.platform import CLOSED_PORT_URL

BACKENDS = [
    "memory",
    # <part:redis>
    "redis",
    # </part:redis>
]


@pytest.fixture(params=BACKENDS)
def limiter_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "memory" else str(request.getfixturevalue("redis_url"))


async def test_attempts_beyond_the_limit_are_refused_with_a_retry_delay(limiter_url: str | None) -> None:
    limiter = create_rate_limiter(limiter_url)

    results = [await limiter.hit("2/minute", "login", "ada") for _ in range(3)]

    assert [r.allowed for r in results] == [True, True, False]
    assert results[0].retry_after == 0
    assert 1 <= results[2].retry_after <= 60


async def test_each_identifier_has_its_own_count(limiter_url: str | None) -> None:
    limiter = create_rate_limiter(limiter_url)
    await limiter.hit("1/minute", "login", "ada")

    assert not (await limiter.hit("1/minute", "login", "ada")).allowed
    assert (await limiter.hit("1/minute", "login", "grace")).allowed
    assert (await limiter.hit("1/minute", "register", "ada")).allowed


async def test_concurrent_attempts_never_exceed_the_limit(limiter_url: str | None) -> None:
    limiter = create_rate_limiter(limiter_url)

    results = await asyncio.gather(*(limiter.hit("5/minute", "storm", "x") for _ in range(30)))

    assert sum(r.allowed for r in results) == 5


async def test_reset_clears_every_count() -> None:
    limiter = RateLimiter(MemoryStorage())
    await limiter.hit("1/minute", "login", "ada")
    await limiter.reset()
    assert (await limiter.hit("1/minute", "login", "ada")).allowed


# <part:redis>
async def test_two_limiters_on_one_redis_count_together(redis_url: str) -> None:
    """Two Keel instances share one limit."""
    first, second = create_rate_limiter(redis_url), create_rate_limiter(redis_url)

    assert (await first.hit("2/minute", "login", "ada")).allowed
    assert (await second.hit("2/minute", "login", "ada")).allowed
    assert not (await first.hit("2/minute", "login", "ada")).allowed
    await second.ping()


async def test_an_unreachable_redis_raises_connection_error_instead_of_letting_everyone_in() -> None:
    limiter = create_rate_limiter(CLOSED_PORT_URL)
    with pytest.raises(ConnectionError):
        await limiter.hit("1/minute", "login", "ada")
    with pytest.raises(ConnectionError):
        await limiter.ping()


# </part:redis>
