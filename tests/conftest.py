"""Shared fixtures: one integration suite, run on SQLite and on PostgreSQL.

Each database is created and migrated once per session; each test gets a fresh app and
empty tables.
"""

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import pytest
import redis
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.databases import empty_app_tables, migrate, postgres_database, sqlite_url
from tests.services import skip_summary, unavailable

TEST_SECRET = "keel-test-secret-0123456789abcdef0123456789abcdef"


def postgres_server_url() -> str:
    url = os.environ.get("KEEL_TEST_POSTGRES_URL")
    if not url:
        unavailable("postgres", "KEEL_TEST_POSTGRES_URL is not set")
    return str(url)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database of each kind, shared by the session."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
        await migrate(url)
        yield url
        return
    server_url = postgres_server_url()
    async with AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(postgres_database(server_url))
        except (OSError, asyncpg.PostgresError) as exc:
            unavailable("postgres", f"cannot create a database at {server_url}: {exc}")
        await migrate(url)
        yield url


@pytest.fixture
def redis_url() -> str:
    """The test Redis database (`KEEL_TEST_REDIS_URL`), emptied before each test that uses it.

    Synchronous, so that parametrized fixtures can ask for it only on their Redis branch.
    """
    url = os.environ.get("KEEL_TEST_REDIS_URL")
    if not url:
        unavailable("redis", "KEEL_TEST_REDIS_URL is not set")
    with redis.Redis.from_url(str(url), socket_connect_timeout=2) as client:
        try:
            client.flushdb()
        except (OSError, redis.RedisError) as exc:
            unavailable("redis", f"cannot reach {url}: {exc}")
    return str(url)


@pytest.fixture
def rabbitmq_url() -> str:
    """RabbitMQ (`KEEL_TEST_RABBITMQ_URL`); each test that uses it gets a queue of its own."""
    url = os.environ.get("KEEL_TEST_RABBITMQ_URL")
    if not url:
        unavailable("rabbitmq", "KEEL_TEST_RABBITMQ_URL is not set")
    address = urlsplit(str(url))
    try:
        socket.create_connection((address.hostname or "127.0.0.1", address.port or 5672), timeout=2).close()
    except OSError as exc:
        unavailable("rabbitmq", f"cannot reach {url}: {exc}")
    return str(url)


@pytest.fixture
async def broker_queue(rabbitmq_url: str) -> AsyncIterator[str]:
    """A queue name for one test; the queue and its exchange are deleted afterwards."""
    name = f"keel.test.{uuid.uuid4().hex[:12]}"
    yield name
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        for queue in (name, f"{name}.dead_letter"):
            await channel.queue_delete(queue)
        await channel.exchange_delete(name)


# Nothing listens here: adapters pointed at it must fail cleanly.
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


# Cheap hashing and generous limits keep the suite fast; tests of those features set their own.
TEST_DEFAULTS: dict[str, object] = {
    "env": "test",
    "secret_key": TEST_SECRET,
    "password_hash_time_cost": 1,
    "password_hash_memory_kib": 1024,
    "login_rate_limit_per_account": "1000/minute",
    "login_rate_limit_per_address": "1000/minute",
    "register_rate_limit_per_address": "1000/minute",
    "reauthentication_rate_limit_per_account": "1000/minute",
    "reauthentication_rate_limit_per_address": "1000/minute",
    "maintenance_interval_seconds": 0,
    # A loaded CI machine may take seconds to open a connection; outage tests set their own.
    "database_connect_timeout": 30,
}


def make_settings(database_url: str, **overrides: object) -> Settings:
    values = {**TEST_DEFAULTS, "database_url": database_url, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@asynccontextmanager
async def started(application: FastAPI) -> AsyncIterator[FastAPI]:
    """The app with its lifespan run, as a server would start and stop it."""
    async with application.router.lifespan_context(application):
        yield application


def http_client(application: FastAPI) -> AsyncClient:
    # Unhandled errors become 500 responses, as over a socket, rather than test exceptions.
    # HTTPS, because outside development Keel's cookies are Secure.
    transport = ASGITransport(app=application, raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="https://test")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with started(create_app(settings)) as application:
        yield application
        await empty_app_tables(application)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with http_client(app) as http:
        yield http


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Skipped tests, summarized by reason (pytest's `-rs` lists each one)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = [str(report.longrepr[2]).removeprefix("Skipped: ") for report in skipped]
    if reasons:
        terminalreporter.section("skipped, by reason")
        for line in skip_summary(reasons):
            terminalreporter.line(line)
