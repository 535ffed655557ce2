"""An image pull through the real RabbitMQ, run by a real `keel worker` process on the real
engine: the API queues it, the worker opens its own engine client and reports the outcome."""

import aiodocker
from fastapi import FastAPI

from app.main import create_app
from tests.e2e.processes import keel_env
from tests.e2e.test_worker import database, wait_for_status, worker_process
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import (
    ALLOWED_IMAGES,
)
from tests.fixtures.jobs import read_job
from tests.fixtures.platform import make_settings, started

__all__ = ["database"]


async def test_a_worker_pulls_the_image_a_member_asked_for(
    database: str,
    rabbitmq_url: str,
    broker_queue: str,
    redis_url: str,
    docker_url: str,
    docker: aiodocker.Docker,
    scratch_tag: str,
) -> None:
    containers = {"docker_url": docker_url, "containers_allowed_images": ALLOWED_IMAGES}
    shared = {"redis_url": redis_url, "broker_url": rabbitmq_url, "broker_queue": broker_queue}
    settings = make_settings(database, **shared, **containers)
    async with started(create_app(settings)) as app:
        job_id = await ask_for_pull(app, scratch_tag)
        environment = keel_env(database, **shared, docker_url=docker_url)
        with worker_process(environment):
            await wait_for_status(app, job_id, "succeeded")
        job = await read_job(app, job_id)

    assert job.result is not None
    assert job.result["image"] == scratch_tag
    assert job.progress == 100
    assert scratch_tag in (await docker.images.inspect(scratch_tag))["RepoTags"]


async def ask_for_pull(app: FastAPI, image: str) -> int:
    people = PeopleFactory(app)
    try:
        member = await people.member()
        response = await member.client.post("/api/v1/images/pull", json={"image": image})
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "queued"  # no worker yet: it waits in RabbitMQ
        return int(response.json()["id"])
    finally:
        await people.close()
