"""Shared fixtures: one integration suite, run on SQLite and on PostgreSQL.

Each database is created and migrated once per session; each test gets a fresh app and
empty tables.
"""

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app
from tests.databases import empty_all_tables, migrate, postgres_database, sqlite_url
from tests.services import unavailable

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


def make_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        secret_key=TEST_SECRET,
        database_url=database_url,
        **overrides,  # type: ignore[arg-type]
    )


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
    transport = ASGITransport(app=application, raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with started(create_app(settings)) as application:
        yield application
        await empty_all_tables(application.state.engine)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with http_client(app) as http:
        yield http


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).parent / "artifacts"
    path.mkdir(exist_ok=True)
    return path
