"""The libraries alone (bench/libraries.py), which `make bench` and the cost ledger set between
Keel and the floor, answer Keel's hottest reads with the same JSON as Keel: the comparison is
of the same work."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.main import create_app
from bench import ledger, libraries
from tests.databases import empty_app_tables
from tests.fixtures.platform import started

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
async def keel(database_url: str) -> AsyncIterator[FastAPI]:
    """Keel as the ledger serves it, holding the benchmark's member, tags and todos."""
    async with started(create_app(ledger.keel_settings(database_url))) as app:
        yield app
        await empty_app_tables(app)


def client_of(app: FastAPI) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://bench")


async def test_the_libraries_alone_answer_what_keel_answers(database_url: str, keel: FastAPI) -> None:
    headers = {"Authorization": f"Bearer {await ledger.seed(keel)}"}
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    alone_app = libraries.create_app(dsn, ledger.SECRET)
    async with started(alone_app), client_of(alone_app) as alone, client_of(keel) as keel_client:
        for keel_path, path in (("/api/v1/users/me", "/me"), ("/api/v1/todos", "/todos")):
            ours = await keel_client.get(keel_path, headers=headers)
            theirs = await alone.get(path, headers=headers)
            assert ours.status_code == theirs.status_code == 200
            assert theirs.json() == ours.json()
        assert (await alone.get("/me")).status_code == 401
        assert len((await alone.get("/todos", headers=headers)).json()) == 20
