"""Containers fixtures: the real Docker engine (tools/docker-engine.sh starts one), a Keel
instance label of the test's own, and every container and volume it made removed afterwards,
whatever the test's outcome."""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiodocker
import pytest
from aiodocker.exceptions import DockerError
from httpx import AsyncClient, Response

from app.core.config import Settings
from app.domains.containers.labels import INSTANCE
from tests.conftest import make_settings
from tests.integration.accounts.conftest import people
from tests.services import unavailable

__all__ = ["people"]

REGISTRY = "127.0.0.1:5000"
TEST_IMAGE = f"{REGISTRY}/keel/busybox:latest"
ALLOWED_IMAGES = [f"{REGISTRY}/keel/*"]
LOCAL_SOCKET = "unix:///var/run/docker.sock"


@pytest.fixture(scope="session")
async def docker_url() -> str:
    """The engine (`KEEL_TEST_DOCKER_URL`, default the local socket), answering, with the test image."""
    url = os.environ.get("KEEL_TEST_DOCKER_URL", LOCAL_SOCKET)
    try:
        async with aiodocker.Docker(url=url) as docker:
            await docker.version()
            try:
                await docker.images.inspect(TEST_IMAGE)
            except DockerError:
                await docker.images.pull(TEST_IMAGE)
    except (DockerError, OSError, ValueError) as exc:
        unavailable("docker", f"no engine with {TEST_IMAGE} at {url} (run tools/docker-engine.sh): {exc}")
    return url


@pytest.fixture
async def docker(docker_url: str) -> AsyncIterator[aiodocker.Docker]:
    """A client of the tests' own, to look at the engine behind Keel's back."""
    async with aiodocker.Docker(url=docker_url) as client:
        yield client


@pytest.fixture
async def instance(docker: aiodocker.Docker) -> AsyncIterator[str]:
    """A Keel instance name for one test; its containers and volumes go when the test ends."""
    name = f"t{uuid.uuid4().hex[:12]}"
    yield name
    await remove_everything_of(docker, name)


async def remove_everything_of(docker: aiodocker.Docker, instance: str) -> None:
    containers = await docker.containers.list(all=True, filters={"label": [f"{INSTANCE}={instance}"]})
    named = await docker.containers.list(all=True, filters={"name": [instance]})
    for container in {c.id: c for c in [*containers, *named]}.values():
        await container.delete(force=True, v=True)
    volumes = await docker.volumes.list(filters={"name": [instance]})
    for volume in volumes.get("Volumes") or ():
        await (await docker.volumes.get(volume["Name"])).delete()


async def stamped_image(docker: aiodocker.Docker, instance: str, *, repository: str, tag: str) -> str:
    """The test image plus a layer of this test's own (an image id of its own), tagged."""
    stamp = await docker.containers.create(
        {
            "Image": TEST_IMAGE,
            "Cmd": ["sh", "-c", f"echo {instance} > /stamp"],
            "HostConfig": {"NetworkMode": "none"},
        },
        name=f"{instance}-stamp",
    )
    await stamp.start()
    await stamp.wait()
    await stamp.commit(repository=repository, tag=tag)
    await stamp.delete()
    return f"{repository}:{tag}"


@pytest.fixture
async def scratch_tag(docker: aiodocker.Docker, instance: str) -> AsyncIterator[str]:
    """An image only the local registry has: the test image plus a layer of this test's own,
    pushed, then deleted from the engine, so that a pull downloads for real."""
    repository = f"{REGISTRY}/keel/busybox"
    reference = await stamped_image(docker, instance, repository=repository, tag=instance)
    await docker.images.push(repository, tag=instance)
    await docker.images.delete(reference)
    yield reference
    with contextlib.suppress(DockerError):  # the test may have removed it already
        await docker.images.delete(reference)


def container_settings(database_url: str, docker_url: str, instance: str, **overrides: Any) -> Settings:
    defaults: dict[str, Any] = {
        "containers_allowed_images": ALLOWED_IMAGES,
        # The tests' engine has no bridge: containers get no network at all.
        "containers_network": "none",
    }
    return make_settings(
        database_url, docker_url=docker_url, containers_instance=instance, **{**defaults, **overrides}
    )


@pytest.fixture
def settings(database_url: str, docker_url: str, instance: str) -> Settings:
    return container_settings(database_url, docker_url, instance)


def spec(name: str = "web", **fields: Any) -> dict[str, Any]:
    """A create body that the policy allows; `fields` change or add to it."""
    return {"image": TEST_IMAGE, "name": name, "command": ["sleep", "600"], **fields}


async def create(client: AsyncClient, name: str = "web", **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/containers", json=spec(name, **fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def engine_containers(docker: aiodocker.Docker, instance: str) -> list[str]:
    found = await docker.containers.list(all=True, filters={"label": [f"{INSTANCE}={instance}"]})
    return [container.id for container in found]


def error_code(response: Response) -> str:
    return str(response.json()["error_code"])


async def eventually(check: Any, *, seconds: float = 20.0) -> Any:
    """Polls `check()` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)
