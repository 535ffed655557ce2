"""Without Redis, one process serves a database; with Redis, any number may."""

import pytest

from app.infrastructure.process_lock import AnotherProcessServes
from app.main import create_app
from tests.conftest import make_settings, started


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
        assert second.state.cache is not None


async def test_apps_sharing_redis_may_serve_one_database_together(database_url: str, redis_url: str) -> None:
    settings = make_settings(database_url, redis_url=redis_url)

    async with started(create_app(settings)), started(create_app(settings)) as second:
        assert second.state.cache is not None


async def test_an_in_memory_database_is_private_and_takes_no_lock() -> None:
    settings = make_settings("sqlite+aiosqlite:///file:keel?mode=memory&uri=true")

    async with started(create_app(settings)), started(create_app(settings)) as second:
        assert second.state.cache is not None
