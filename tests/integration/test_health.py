import gc
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from app.core.config import Settings
from app.main import YOUNG_COLLECTION_THRESHOLD, create_app
from tests.fixtures.platform import http_client, make_settings, started


async def test_live_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_database(client: AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0


# <part:redis>
@pytest.fixture
async def client_without_database(redis_url: str) -> AsyncIterator[AsyncClient]:
    # Port 1 on loopback: nothing listens, so every connection is refused at once. With Redis,
    # Keel starts without its database; without, it must take the database's process lock, so a
    # service without Redis has only the outage after start (tests/integration/test_outages.py).
    app = create_app(make_settings("postgresql+asyncpg://keel@127.0.0.1:1/keel", redis_url=redis_url))
    async with started(app), http_client(app) as http:
        yield http


async def test_ready_is_503_naming_the_database_when_it_is_unreachable(
    client_without_database: AsyncClient,
) -> None:
    response = await client_without_database.get("/health/ready", headers={"Accept-Language": "ru"})

    assert response.status_code == 503
    body = response.json()
    assert body["error_code"] == "not_ready"
    assert body["details"]["database"]["status"] == "failed"
    assert body["details"]["database"]["error"] == "unreachable"
    assert "database" in body["message"]
    assert body["message"].startswith("Не готов")
    assert "127.0.0.1" not in response.text  # connection details stay in the log


async def test_live_stays_up_when_the_database_is_unreachable(client_without_database: AsyncClient) -> None:
    response = await client_without_database.get("/health/live")

    assert response.status_code == 200


# </part:redis>
async def test_a_running_app_keeps_its_startup_objects_out_of_gc_scans(settings: Settings) -> None:
    """Frozen while the app runs (cheaper collections), given back when it stops."""
    async with started(create_app(settings)):
        frozen_while_running = gc.get_freeze_count()

    assert frozen_while_running > 10_000
    assert gc.get_freeze_count() == 0


async def test_a_running_app_leaves_young_objects_to_reference_counting(settings: Settings) -> None:
    """Young collections far apart while the app runs; the process's own setting after."""
    before = gc.get_threshold()
    async with started(create_app(settings)):
        while_running = gc.get_threshold()

    assert while_running == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
    assert before[0] < YOUNG_COLLECTION_THRESHOLD
    assert gc.get_threshold() == before
