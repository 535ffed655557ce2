"""The image that runs is one an allowed name points to, on the real engine: names are judged
in the form the engine reads them, the engine's own choice of image is checked, and the
container is created from that image's id.

Found in review: with the default allowlist `library/*`, a member ran any image on the engine
by naming a few hex digits of its id (the engine read `1d8a` as `library/1d8a` for the
allowlist, and as an id prefix itself); `docker.io/registry.local/team/app` passed for
`registry.local/team/*` though the engine reads it as a Docker Hub repository.
"""

import contextlib
from collections.abc import AsyncIterator

import aiodocker
import pytest
from aiodocker.exceptions import DockerError

from app.core.config import Settings
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import (
    REGISTRY,
    TEST_IMAGE,
    container_settings,
    engine_containers,
    error_code,
    spec,
    stamped_image,
)
from tests.integration.containers.test_images import finished_job
from tests.integration.test_outages import keel

API = "/api/v1/containers"


@contextlib.asynccontextmanager
async def tagged(docker: aiodocker.Docker, image: str, reference: str) -> AsyncIterator[str]:
    """`image` tagged as `reference` on the engine, untagged afterwards."""
    repository, _, tag = reference.rpartition(":")
    await docker.images.tag(image, repository, tag=tag)
    try:
        yield reference
    finally:
        with contextlib.suppress(DockerError):
            await docker.images.delete(reference)


@pytest.fixture
async def other_image(docker: aiodocker.Docker, instance: str) -> AsyncIterator[str]:
    """An image of its own (its own id), under a name no allowlist here allows: its id."""
    reference = await stamped_image(docker, instance, repository=f"{REGISTRY}/other/{instance}", tag="latest")
    yield str((await docker.images.inspect(reference))["Id"])
    with contextlib.suppress(DockerError):
        await docker.images.delete(reference, force=True)


@pytest.fixture
def default_allowlist(database_url: str, docker_url: str, instance: str) -> Settings:
    return container_settings(database_url, docker_url, instance, containers_allowed_images=["library/*"])


@pytest.mark.parametrize("digits", [4, 7, 11])
async def test_an_id_prefix_never_runs_an_image_no_allowed_name_points_to(
    default_allowlist: Settings, docker: aiodocker.Docker, instance: str, other_image: str, digits: int
) -> None:
    prefix = other_image.removeprefix("sha256:")[:digits]  # what GET /api/v1/images shows
    async with keel(default_allowlist) as (_, people):
        ada = await people.member()

        response = await ada.client.post(API, json=spec(image=prefix))

    # `library/<prefix>` is allowed, and no image goes by that name: the id is never tried.
    assert response.status_code == 404, response.text
    assert error_code(response) == "image_not_found"
    assert await engine_containers(docker, instance) == []


async def test_an_allowed_name_runs_the_image_it_points_to_by_id(
    default_allowlist: Settings, docker: aiodocker.Docker, instance: str
) -> None:
    image_id = (await docker.images.inspect(TEST_IMAGE))["Id"]
    async with (
        tagged(docker, TEST_IMAGE, f"keelbox:{instance}") as name,
        keel(default_allowlist) as (_, people),
    ):
        ada = await people.member()

        response = await ada.client.post(API, json=spec(image=name))

    assert response.status_code == 201, response.text
    assert response.json()["image"] == name  # as its owner named it
    shown = await docker.containers.container(response.json()["id"]).show()
    assert shown["Image"] == image_id
    assert shown["Config"]["Image"] == image_id  # a tag moved later changes nothing


async def test_a_docker_hub_name_that_looks_like_a_registry_is_judged_as_docker_hubs(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(
        database_url, docker_url, instance, containers_allowed_images=["registry.local/team/*"]
    )
    async with (
        tagged(docker, TEST_IMAGE, f"docker.io/registry.local/team/app:{instance}") as hubs,
        tagged(docker, TEST_IMAGE, f"registry.local/team/app:{instance}") as registrys,
        keel(settings) as (_, people),
    ):
        ada = await people.member()

        from_hub = await ada.client.post(API, json=spec("hub", image=hubs))
        hub_pull = await ada.client.post("/api/v1/images/pull", json={"image": hubs})
        legacy_pull = await ada.client.post(
            "/api/v1/images/pull", json={"image": f"index.docker.io/registry.local/team/app:{instance}"}
        )
        jobs = (await ada.client.get("/api/v1/jobs")).json()
        from_registry = await ada.client.post(API, json=spec("registry", image=registrys))

    for refused in (from_hub, hub_pull, legacy_pull):
        assert (refused.status_code, error_code(refused)) == (403, "image_not_allowed"), refused.text
    assert jobs["total"] == 0
    assert from_registry.status_code == 201, from_registry.text
    assert len(await engine_containers(docker, instance)) == 1


async def test_a_pull_without_a_tag_pulls_latest_only(
    people: PeopleFactory, docker: aiodocker.Docker, scratch_tag: str
) -> None:
    """The engine's API pulls every tag of a repository named without one; Keel, like the
    docker CLI, means `latest`, the name the allowlist judged."""
    ada = await people.member()
    repository = scratch_tag.rsplit(":", 1)[0]

    response = await ada.client.post("/api/v1/images/pull", json={"image": repository})
    done = await finished_job(ada.client, response.json()["id"])

    assert done["status"] == "succeeded", done
    assert done["result"] == {**done["result"], "image": f"{repository}:latest"}  # type: ignore[dict-item]
    with pytest.raises(DockerError):
        await docker.images.inspect(scratch_tag)  # the registry's other tags stay there


NOT_REFERENCES = [
    f"{REGISTRY}/keel/../../keel/busybox",  # the engine's lookup URL would read it as keel/busybox
    f"{REGISTRY}/keel/x/../busybox",
    f"{REGISTRY}/keel//busybox",
    f"{REGISTRY}/KEEL/busybox",  # upper case is the registry's only
    "busybox:",
    "busybox@sha256:short",
]


@pytest.mark.parametrize("name", NOT_REFERENCES)
async def test_a_name_that_is_no_image_reference_is_refused_before_the_engine(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, name: str
) -> None:
    ada = await people.member()

    create = await ada.client.post(API, json=spec("odd", image=name))
    pull = await ada.client.post("/api/v1/images/pull", json={"image": name})

    for refused in (create, pull):
        assert (refused.status_code, error_code(refused)) == (422, "validation_error"), refused.text
        assert refused.json()["details"][0]["loc"] == ["body", "image"]
    assert await engine_containers(docker, instance) == []
