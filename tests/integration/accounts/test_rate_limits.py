"""Login and registration are rate limited per account and per client address."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from app.main import create_app
from tests.conftest import http_client, make_settings, started
from tests.databases import empty_all_tables
from tests.integration.accounts.conftest import PASSWORD


@pytest.fixture
async def strict_client(database_url: str) -> AsyncIterator[AsyncClient]:
    settings = make_settings(
        database_url,
        login_rate_limit_per_account="3/minute",
        login_rate_limit_per_address="5/minute",
        register_rate_limit_per_address="2/minute",
    )
    async with started(create_app(settings)) as app, http_client(app) as client:
        yield client
        await empty_all_tables(app.state.engine)


async def test_login_attempts_per_account_are_limited(strict_client: AsyncClient) -> None:
    await strict_client.post("/api/v1/auth/register", json={"email": "ada@example.com", "password": PASSWORD})
    attempts = [
        await strict_client.post(
            "/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong pass"}
        )
        for _ in range(4)
    ]

    assert [r.status_code for r in attempts] == [401, 401, 401, 429]
    limited = attempts[-1]
    assert limited.json()["error_code"] == "too_many_requests"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # Even the right password waits: the limit counts attempts, not failures.
    right = await strict_client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert right.status_code == 429


async def test_login_attempts_per_address_are_limited_across_accounts(strict_client: AsyncClient) -> None:
    statuses = [
        (
            await strict_client.post(
                "/api/v1/auth/login", json={"email": f"user{i}@example.com", "password": PASSWORD}
            )
        ).status_code
        for i in range(6)
    ]

    assert statuses == [401] * 5 + [429]


async def test_registrations_per_address_are_limited(strict_client: AsyncClient) -> None:
    statuses = [
        (
            await strict_client.post(
                "/api/v1/auth/register", json={"email": f"user{i}@example.com", "password": PASSWORD}
            )
        ).status_code
        for i in range(3)
    ]

    assert statuses == [201, 201, 429]
