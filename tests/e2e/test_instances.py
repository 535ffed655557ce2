"""Two `keel serve` processes sharing PostgreSQL and Redis behave as one service."""

from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.databases import migrate, postgres_database
from tests.e2e.processes import keel_env, serving
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.platform import postgres_server_url
from tests.installed import requires_domain


@pytest.fixture
async def shared_database() -> AsyncIterator[str]:
    async with postgres_database(postgres_server_url()) as url:
        await migrate(url)
        yield url


@pytest.fixture
def instances(shared_database: str, redis_url: str) -> Iterator[tuple[str, str]]:
    env = keel_env(
        shared_database,
        redis_url=redis_url,
        login_rate_limit_per_account="3/minute",
    )
    with ExitStack() as stack:
        yield stack.enter_context(serving(env)), stack.enter_context(serving(env))


async def test_a_logout_on_one_instance_is_honoured_by_the_other_at_once(instances: tuple[str, str]) -> None:
    first, second = instances
    account = {"email": "ada@example.com", "password": PASSWORD}
    async with httpx.AsyncClient(base_url=first) as a, httpx.AsyncClient(base_url=second) as b:
        assert (await a.post("/api/v1/auth/register", json=account)).status_code == 201
        tokens = (await b.post("/api/v1/auth/login", json=account)).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        before = await a.get("/api/v1/users/me", headers=bearer)

        logout = await b.post("/api/v1/auth/logout", headers=bearer)
        after = await a.get("/api/v1/users/me", headers=bearer)
        refresh = await a.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    assert before.status_code == 200
    assert logout.status_code == 204
    assert after.status_code == 401
    assert after.json()["error_code"] == "session_revoked"
    assert refresh.status_code == 401


async def test_login_attempts_are_counted_across_instances(instances: tuple[str, str]) -> None:
    first, second = instances
    async with httpx.AsyncClient(base_url=first) as a, httpx.AsyncClient(base_url=second) as b:
        await a.post("/api/v1/auth/register", json={"email": "ada@example.com", "password": PASSWORD})
        wrong = {"email": "ada@example.com", "password": "not the password"}
        statuses = [
            (await (a, b)[n % 2].post("/api/v1/auth/login", json=wrong)).status_code for n in range(5)
        ]

    assert statuses == [401, 401, 401, 429, 429]


@requires_domain("todos")  # the routes that honour Idempotency-Key are the todos'
async def test_an_idempotent_retry_on_the_other_instance_returns_the_first_result(
    instances: tuple[str, str],
) -> None:
    first, second = instances
    account = {"email": "ada@example.com", "password": PASSWORD}
    async with httpx.AsyncClient(base_url=first) as a, httpx.AsyncClient(base_url=second) as b:
        await a.post("/api/v1/auth/register", json=account)
        tokens = (await a.post("/api/v1/auth/login", json=account)).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}", "Idempotency-Key": "retry-me"}

        original = await a.post("/api/v1/todos", json={"title": "once"}, headers=headers)
        retried = await b.post("/api/v1/todos", json={"title": "once"}, headers=headers)
        listing = await b.get("/api/v1/todos", headers=headers)

    assert original.status_code == retried.status_code == 201
    assert retried.json() == original.json()
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert [todo["id"] for todo in listing.json()] == [original.json()["id"]]
