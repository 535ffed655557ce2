"""Two Keel instances sharing one database and one Redis behave as one service."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from fastapi import FastAPI

from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PeopleFactory, bearer
from tests.fixtures.platform import make_settings, started


@pytest.fixture
async def two_instances(database_url: str, redis_url: str) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    settings = make_settings(database_url, redis_url=redis_url, login_rate_limit_per_account="3/minute")
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(started(create_app(settings)))
        second = await stack.enter_async_context(started(create_app(settings)))
        yield first, second
        await empty_app_tables(first)


async def test_a_logout_on_one_instance_is_honoured_by_the_other_at_once(
    two_instances: tuple[FastAPI, FastAPI],
) -> None:
    first, second = two_instances
    on_first, on_second = PeopleFactory(first), PeopleFactory(second)
    member = await on_first.member()
    elsewhere = on_second.new_client()
    assert (await elsewhere.get("/api/v1/users/me", headers=bearer(member.tokens))).status_code == 200

    assert (await member.client.post("/api/v1/auth/logout")).status_code == 204
    refused = await elsewhere.get("/api/v1/users/me", headers=bearer(member.tokens))

    await on_first.close()
    await on_second.close()
    assert refused.status_code == 401


async def test_login_attempts_are_counted_across_instances(two_instances: tuple[FastAPI, FastAPI]) -> None:
    first, second = two_instances
    on_first, on_second = PeopleFactory(first), PeopleFactory(second)
    member = await on_first.member()  # registering does not count as a login attempt
    wrong = {"email": member.email, "password": "not the password"}
    clients = [on_first.new_client(), on_second.new_client()]

    statuses = [(await clients[n % 2].post("/api/v1/auth/login", json=wrong)).status_code for n in range(4)]

    await on_first.close()
    await on_second.close()
    # One login was spent by `member()`; two instances with their own counts would allow 3 more each.
    assert statuses == [401, 401, 429, 429]
