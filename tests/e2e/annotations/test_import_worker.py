"""An import through the real RabbitMQ and a real `keel worker`: the API (ASGI, in the test)
writes the upload to the shared directory, the worker process reads it from there."""

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.main import create_app
from tests.databases import migrate, sqlite_url
from tests.e2e.processes import KEEL, keel_env
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, new_project
from tests.fixtures.jobs import read_job
from tests.fixtures.platform import make_settings, started


@pytest.fixture
async def database(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)
    await migrate(url)
    return url


@pytest.fixture
def shared(tmp_path: Path, rabbitmq_url: str, broker_queue: str, redis_url: str) -> dict[str, str]:
    """What the API and the worker must share: the broker, Redis and the upload directory."""
    return {
        "redis_url": redis_url,
        "broker_url": rabbitmq_url,
        "broker_queue": broker_queue,
        "annotations_upload_dir": str(tmp_path / "uploads"),
    }


@pytest.fixture
async def api(database: str, shared: dict[str, str]) -> AsyncIterator[FastAPI]:
    async with started(create_app(make_settings(database, **shared))) as app:
        yield app


@contextmanager
def worker_process(environment: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [str(KEEL), "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


async def finished(app: FastAPI, job_id: int) -> str:
    async with asyncio.timeout(60):
        while (status := (await read_job(app, job_id)).status) in ("queued", "running"):  # noqa: ASYNC110 - another process writes it
            await asyncio.sleep(0.2)
    return status


async def test_the_worker_imports_the_file_the_api_received(
    api: FastAPI, database: str, shared: dict[str, str]
) -> None:
    people = PeopleFactory(api)
    ann = await people.member()
    project = await new_project(ann.client)
    url = f"{PROJECTS}/{project['id']}/imports"
    headers = {"Content-Type": "application/x-ndjson"}
    good = b'{"text": "Ada", "labels": [[0, 3, "PER"]]}\n{"text": "Bob"}\n'

    accepted = await ann.client.post(url, content=good, headers=headers)
    refused = await ann.client.post(url, content=b'{"text": "x"}\nnot json\n', headers=headers)
    with worker_process(keel_env(database, **shared)):
        outcomes = [await finished(api, response.json()["id"]) for response in (accepted, refused)]
    listed = (await ann.client.get(f"{PROJECTS}/{project['id']}/documents")).json()["items"]
    await people.close()

    assert outcomes == ["succeeded", "failed"]
    assert (await read_job(api, accepted.json()["id"])).result == {
        "documents": 2,
        "annotations": 1,
        "labels_created": 1,
    }
    assert [(item["text"], item["status"]) for item in listed] == [
        ("Ada", "annotated"),
        ("Bob", "unannotated"),
    ]
    assert files_in(Path(shared["annotations_upload_dir"])) == []


def files_in(directory: Path) -> list[Path]:
    return list(directory.iterdir())
