"""The shared-state rule with real `keel serve` processes: state that every process must see
lives in Redis, or Keel runs as one process and refuses a second (docs/operations.md)."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import keel, keel_env, serving
from tests.fixtures.accounts import PASSWORD
from tests.smtp import free_port

ACCOUNT = {"email": "ada@example.com", "password": PASSWORD}
WRONG = {**ACCOUNT, "password": "not the password"}


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'keel.db'}"
    assert keel("migrate", env=keel_env(url)).returncode == 0
    return url


@pytest.fixture
def production(database: str) -> dict[str, str]:
    """Production, where `keel serve` would start one worker per core if it could."""
    return keel_env(database, env="production", login_rate_limit_per_account="10/minute")


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The reason `keel` gave for refusing to start: one line, no traceback."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr
    return result.stderr


def test_several_workers_without_redis_are_refused(production: dict[str, str]) -> None:
    stderr = refused(keel("serve", "--port", str(free_port()), "--workers", "2", env=production))

    assert "KEEL_REDIS_URL" in stderr
    assert "revocations" in stderr


def test_keel_workers_from_the_environment_without_redis_are_refused(production: dict[str, str]) -> None:
    stderr = refused(keel("serve", "--port", str(free_port()), env={**production, "KEEL_WORKERS": "2"}))

    assert "KEEL_WORKERS" in stderr


def test_a_broker_without_redis_is_refused_for_the_api_and_the_worker(production: dict[str, str]) -> None:
    with_broker = {**production, "KEEL_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/"}

    for command in (("serve", "--port", str(free_port())), ("worker",)):
        stderr = refused(keel(*command, env=with_broker))
        assert "KEEL_BROKER_URL" in stderr
        assert "KEEL_REDIS_URL" in stderr


def test_a_second_process_on_the_same_database_without_redis_is_refused(production: dict[str, str]) -> None:
    with serving(production) as base_url:
        stderr = refused(keel("serve", "--port", str(free_port()), env=production))
        still_serving = httpx.get(f"{base_url}/health/live")

    assert "another Keel process already serves this database" in stderr
    assert still_serving.status_code == 200


@pytest.fixture
def one_process_by_default(production: dict[str, str]) -> Iterator[str]:
    with serving(production) as base_url:
        yield base_url


@pytest.fixture
def two_workers_with_redis(production: dict[str, str], redis_url: str) -> Iterator[str]:
    with serving({**production, "KEEL_REDIS_URL": redis_url}, "--workers", "2") as base_url:
        yield base_url


@pytest.fixture(params=["one process by default", "two workers with Redis"])
def server(request: pytest.FixtureRequest) -> str:
    name = "one_process_by_default" if request.param == "one process by default" else "two_workers_with_redis"
    return str(request.getfixturevalue(name))


def fresh_connection(base_url: str) -> httpx.Client:
    """A connection per request, so that the kernel spreads them over the workers."""
    return httpx.Client(base_url=base_url, limits=httpx.Limits(max_keepalive_connections=0))


def test_a_logout_is_instant_on_every_worker(server: str) -> None:
    with fresh_connection(server) as http:
        assert http.post("/api/v1/auth/register", json=ACCOUNT).status_code == 201
        token = http.post("/api/v1/auth/login", json=ACCOUNT).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        before = [http.get("/api/v1/users/me", headers=bearer).status_code for _ in range(10)]

        assert http.post("/api/v1/auth/logout", headers=bearer).status_code == 204
        after = [http.get("/api/v1/users/me", headers=bearer).status_code for _ in range(20)]

    assert before == [200] * 10
    assert after == [401] * 20


def test_a_login_limit_counts_attempts_on_every_worker(server: str) -> None:
    with fresh_connection(server) as http:
        assert http.post("/api/v1/auth/register", json=ACCOUNT).status_code == 201
        statuses = [http.post("/api/v1/auth/login", json=WRONG).status_code for _ in range(25)]

    # Registering spends no login attempt: ten wrong passwords, then the limit.
    assert statuses == [401] * 10 + [429] * 15


def test_a_database_that_cannot_be_locked_is_one_line_not_a_traceback(production: dict[str, str]) -> None:
    missing = {
        **production,
        "KEEL_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/keel_no_such_db",
    }

    stderr = refused(keel("serve", "--port", str(free_port()), env=missing))

    assert "cannot reach the database to take its process lock" in stderr
    assert "keel_no_such_db" in stderr
