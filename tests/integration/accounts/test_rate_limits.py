"""Login, registration and checks of the current password are rate limited per account and
per client address."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PASSWORD, PeopleFactory, Person
from tests.fixtures.platform import http_client, make_settings, started


@asynccontextmanager
async def app_with(database_url: str, **limits: str) -> AsyncIterator[FastAPI]:
    async with started(create_app(make_settings(database_url, **limits))) as app:
        yield app
        await empty_app_tables(app)


@pytest.fixture
async def strict_client(database_url: str) -> AsyncIterator[AsyncClient]:
    limits = {"login_rate_limit_per_account": "3/minute", "login_rate_limit_per_address": "5/minute"}
    async with (
        app_with(database_url, **limits, register_rate_limit_per_address="2/minute") as app,
        http_client(app) as client,
    ):
        yield client


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


@pytest.fixture
async def reauthenticating(database_url: str) -> AsyncIterator[PeopleFactory]:
    limits = {
        "reauthentication_rate_limit_per_account": "3/minute",
        "reauthentication_rate_limit_per_address": "5/minute",
    }
    async with app_with(database_url, **limits) as app:
        people = PeopleFactory(app)
        yield people
        await people.close()


def change_email(person: Person, password: str) -> Awaitable[Response]:
    return person.client.patch(
        "/api/v1/users/me", json={"email": "new@example.com", "current_password": password}
    )


def change_password(person: Person, password: str) -> Awaitable[Response]:
    return person.client.post(
        "/api/v1/users/me/password",
        json={"current_password": password, "new_password": "a brand new passphrase"},
    )


@pytest.mark.parametrize("check", [change_email, change_password])
async def test_current_password_checks_are_limited_per_account_across_both_endpoints(
    reauthenticating: PeopleFactory, check: Callable[[Person, str], Awaitable[Response]]
) -> None:
    member = await reauthenticating.member()
    # A guesser switching endpoints counts on one counter.
    wrong = [
        await change_email(member, "wrong guess 1"),
        await change_password(member, "wrong guess 2"),
        await check(member, "wrong guess 3"),
    ]
    limited = await check(member, "wrong guess 4")
    right = await check(member, PASSWORD)

    assert [r.json()["error_code"] for r in wrong] == ["wrong_password"] * 3
    assert limited.status_code == 429
    assert limited.json()["error_code"] == "too_many_requests"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert right.status_code == 429  # attempts are counted, not failures
    assert (await member.client.get("/api/v1/users/me")).json()["email"] == member.email  # unchanged


async def test_current_password_checks_are_limited_per_address(reauthenticating: PeopleFactory) -> None:
    ada = await reauthenticating.member("ada@example.com")
    bob = await reauthenticating.member("bob@example.com")

    statuses = [(await change_password(ada, "wrong guess")).status_code for _ in range(3)]
    statuses += [(await change_password(bob, "wrong guess")).status_code for _ in range(3)]

    assert statuses == [403, 403, 403, 403, 403, 429]  # bob's own limit (3) is not reached
