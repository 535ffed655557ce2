"""Jobs through the real RabbitMQ and a real `keel worker` process.

The API side runs in the test (ASGI); the worker is a separate process sharing the SQLite
database file and the queue, as it would be beside `keel serve`.
"""

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from httpx import AsyncClient

from app.infrastructure.database import utc_now
from app.main import create_app
from tests.databases import migrate, sqlite_url
from tests.e2e.processes import KEEL, keel, keel_env
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.jobs import add_job, read_job
from tests.fixtures.platform import make_settings, started

LEASE_SECONDS = 3  # housekeeping runs every second


@pytest.fixture
async def database(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)
    await migrate(url)
    return url


@pytest.fixture
async def api(database: str, rabbitmq_url: str, broker_queue: str, redis_url: str) -> AsyncIterator[FastAPI]:
    shared = {"redis_url": redis_url, "broker_url": rabbitmq_url, "broker_queue": broker_queue}
    settings = make_settings(database, **shared)
    async with started(create_app(settings)) as app:
        yield app


@pytest.fixture
def worker_env(database: str, rabbitmq_url: str, broker_queue: str, redis_url: str) -> dict[str, str]:
    return keel_env(
        database,
        redis_url=redis_url,
        broker_url=rabbitmq_url,
        broker_queue=broker_queue,
        job_lease_seconds=str(LEASE_SECONDS),
    )


@contextmanager
def worker_process(environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [str(KEEL), "worker"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


async def wait_for_status(app: FastAPI, job_id: int, status: str) -> None:
    async with asyncio.timeout(30):
        while (await read_job(app, job_id)).status != status:  # noqa: ASYNC110 - another process writes it
            await asyncio.sleep(0.2)


async def admin_client(app: FastAPI) -> tuple[PeopleFactory, AsyncClient]:
    people = PeopleFactory(app)
    admin = await people.admin()
    return people, admin.client


async def test_a_job_submitted_through_the_api_is_run_by_the_worker(
    api: FastAPI, worker_env: dict[str, str]
) -> None:
    people, admin = await admin_client(api)
    first = (await admin.post("/api/v1/jobs", json={"kind": "maintenance"})).json()
    second = (await admin.post("/api/v1/jobs", json={"kind": "maintenance"})).json()
    # No worker yet: both wait in RabbitMQ, and a queued job can still be cancelled.
    cancelled = await admin.post(f"/api/v1/jobs/{second['id']}/cancel")

    with worker_process(worker_env) as worker:
        await wait_for_status(api, first["id"], "succeeded")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
        output = worker.stdout.read() if worker.stdout else ""

    await people.close()
    assert first["status"] == "queued"
    assert cancelled.json()["status"] == "cancelled"
    done = await read_job(api, first["id"])
    assert done.result is not None
    assert set(done.result) >= {"expired_sessions", "spent_tokens", "old_mail", "old_jobs"}
    skipped = await read_job(api, second["id"])
    assert (skipped.status, skipped.attempts) == ("cancelled", 0)
    assert "worker_stopped" in output
    # taskiq's result backend: the task's result is kept in Redis beside Keel's own keys.
    with redis.Redis.from_url(worker_env["KEEL_REDIS_URL"]) as results:
        assert [key for key in results.scan_iter() if not key.startswith(b"keel:")]


async def test_a_job_left_running_by_a_dead_worker_is_run_again(
    api: FastAPI, worker_env: dict[str, str]
) -> None:
    people, _ = await admin_client(api)
    await people.close()
    orphan = await add_job(
        api, owner_id=None, status="running", attempts=1, lease_expires_at=utc_now() - timedelta(seconds=1)
    )

    with worker_process(worker_env):
        await wait_for_status(api, orphan, "succeeded")

    job = await read_job(api, orphan)
    assert job.attempts == 2


def test_the_worker_refuses_to_start_without_a_broker(database: str) -> None:
    result = keel("worker", env=keel_env(database))

    assert result.returncode == 2
    assert "KEEL_BROKER_URL" in result.stderr
