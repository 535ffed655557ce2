"""The containers policy through HTTP, on the real engine: whatever it refuses never reaches the
engine, and whatever it allows reaches it sandboxed, limited and labelled with its owner."""

import asyncio
import re
from typing import Any

import aiodocker
import pytest
import redis.asyncio
from httpx import Response

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import (
    TEST_IMAGE,
    container_settings,
    create,
    engine_containers,
    error_code,
    spec,
)
from tests.integration.test_outages import keel

API = "/api/v1/containers"
MIB = 1024 * 1024
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def assert_refused(response: Response, status_code: int, code: str) -> None:
    assert response.status_code == status_code, response.text
    assert error_code(response) == code


async def inspect(docker: aiodocker.Docker, container_id: str) -> dict[str, Any]:
    """The engine's own view of a container, behind Keel's back."""
    return dict(await docker.containers.container(container_id).show())


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"privileged": True}, "privileged_not_allowed", id="privileged"),
        pytest.param({"cap_add": ["NET_ADMIN"]}, "capabilities_not_allowed", id="cap_add"),
        pytest.param({"devices": ["/dev/null"]}, "devices_not_allowed", id="devices"),
        *(
            pytest.param({"host_namespaces": [name]}, "host_namespace_not_allowed", id=f"{name}_namespace")
            for name in ("network", "pid", "ipc", "uts")
        ),
        pytest.param({"binds": ["/etc:/host-etc"]}, "bind_mounts_not_allowed", id="binds"),
        pytest.param(
            {"security_opt": ["seccomp=unconfined"]}, "security_options_not_allowed", id="security_opt"
        ),
    ],
)
async def test_a_member_may_not_reach_the_host(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, fields: dict[str, Any], code: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(**fields))

    assert_refused(response, 403, code)
    assert await engine_containers(docker, instance) == []


@pytest.mark.parametrize(
    "smuggled",
    [
        {"HostConfig": {"Privileged": True}},
        {"Privileged": True},
        {"network_mode": "host"},
        {"pid_mode": "host"},
        {"cap_drop": []},
        {"Binds": ["/:/host"]},
        {"volumes": [{"name": "x", "target": "/x", "source": "/etc"}]},
    ],
    ids=lambda smuggled: next(iter(smuggled)),
)
async def test_host_options_the_schema_does_not_know_are_422(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, smuggled: dict[str, Any]
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(**smuggled))

    assert_refused(response, 422, "validation_error")
    assert await engine_containers(docker, instance) == []


async def test_an_admin_is_refused_host_access_by_default(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str
) -> None:
    admin = await people.admin()

    response = await admin.client.post(API, json=spec(privileged=True))

    assert_refused(response, 403, "privileged_not_allowed")
    assert await engine_containers(docker, instance) == []


async def test_an_admin_gets_host_access_where_the_setting_grants_it(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_admin_host_access=True)
    async with keel(settings) as (_, people):
        admin = await people.admin()

        response = await admin.client.post(API, json=spec(cap_add=["NET_ADMIN"]))

    assert response.status_code == 201, response.text
    engine = await inspect(docker, response.json()["id"])
    assert "NET_ADMIN" in engine["HostConfig"]["CapAdd"]


async def test_a_member_is_refused_host_access_where_admins_have_it(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_admin_host_access=True)
    async with keel(settings) as (_, people):
        ada = await people.member()

        response = await ada.client.post(API, json=spec(cap_add=["NET_ADMIN"]))

    assert_refused(response, 403, "capabilities_not_allowed")
    assert await engine_containers(docker, instance) == []


@pytest.mark.parametrize(
    "image", ["library/busybox:latest", "docker.io/library/alpine", "127.0.0.1:5001/keel/busybox"]
)
async def test_an_image_outside_the_allowlist_is_refused(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, image: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(image=image))

    assert_refused(response, 403, "image_not_allowed")
    assert await engine_containers(docker, instance) == []


@pytest.mark.parametrize(
    ("limit", "requested", "maximum"),
    [("memory_mb", 2048, 1024), ("cpus", 4, 2), ("pids_limit", 5000, 1024)],
)
async def test_a_limit_above_its_maximum_is_refused(
    people: PeopleFactory,
    docker: aiodocker.Docker,
    instance: str,
    limit: str,
    requested: int,
    maximum: int,
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(**{limit: requested}))

    assert_refused(response, 403, "limit_exceeded")
    assert response.json()["details"] == {"limit": limit, "requested": requested, "maximum": maximum}
    assert await engine_containers(docker, instance) == []


@pytest.mark.parametrize("key", ["io.keel.owner", "IO.KEEL.owner"])
async def test_a_reserved_label_is_refused(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, key: str
) -> None:
    ada = await people.member()
    bob = await people.member("bob@example.com")

    response = await ada.client.post(API, json=spec(labels={key: str(bob.id)}))

    assert_refused(response, 422, "reserved_label")
    assert response.json()["details"] == {"labels": [key]}
    assert await engine_containers(docker, instance) == []


@pytest.mark.parametrize("host_ip", ["0.0.0.0", "::"])  # noqa: S104 - the address under test
async def test_a_port_published_beyond_loopback_is_refused(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, host_ip: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(ports=[{"container_port": 80, "host_ip": host_ip}]))

    assert_refused(response, 403, "public_port_not_allowed")
    assert await engine_containers(docker, instance) == []


async def test_a_port_published_on_loopback_is_allowed(
    people: PeopleFactory, docker: aiodocker.Docker
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(ports=[{"container_port": 80, "host_ip": "127.0.0.1"}]))

    # The engine accepts the binding on network "none" (the tests' engine has no bridge) and
    # records it, but publishes nothing once started: only the binding it was given is checked.
    assert response.status_code == 201, response.text
    assert response.json()["ports"] == [
        {"container_port": 80, "protocol": "tcp", "host_ip": "127.0.0.1", "host_port": None}
    ]
    engine = await inspect(docker, response.json()["id"])
    assert engine["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}


async def test_the_container_quota_counts_stopped_containers(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_quota_count=2)
    async with keel(settings) as (_, people):
        ada = await people.member()
        first = await create(ada.client, "one")
        await create(ada.client, "two")  # created, never started
        await ada.client.post(f"{API}/{first['id']}/start")
        stopped = await ada.client.post(f"{API}/{first['id']}/stop", params={"timeout_seconds": 0})

        response = await ada.client.post(API, json=spec("three"))

    assert stopped.json()["state"] == "exited"
    assert_refused(response, 403, "container_quota_exceeded")
    assert response.json()["details"] == {"quota": 2}
    assert len(await engine_containers(docker, instance)) == 2


async def test_the_container_quota_is_per_owner(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_quota_count=2)
    async with keel(settings) as (_, people):
        ada, bob = await people.member("ada@example.com"), await people.member("bob@example.com")
        await create(ada.client, "one")
        await create(ada.client, "two")

        refused = await ada.client.post(API, json=spec("three"))
        bobs = await bob.client.post(API, json=spec("three"))

    assert_refused(refused, 403, "container_quota_exceeded")
    assert bobs.status_code == 201, bobs.text
    assert len(await engine_containers(docker, instance)) == 3


async def test_the_memory_quota_counts_what_the_owner_already_has(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_quota_memory_mb=300)
    async with keel(settings) as (_, people):
        ada = await people.member()
        await create(ada.client, "big", memory_mb=256)

        response = await ada.client.post(API, json=spec("small", memory_mb=64))

    assert_refused(response, 403, "memory_quota_exceeded")
    assert response.json()["details"] == {"quota_mb": 300, "in_use_mb": 256, "requested_mb": 64}
    assert len(await engine_containers(docker, instance)) == 1


async def test_the_engine_gets_a_sandboxed_limited_container_labelled_with_its_owner(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str
) -> None:
    ada = await people.member("ada@example.com")

    body = await create(ada.client, "web", memory_mb=128, cpus=0.5, pids_limit=64)

    engine = await inspect(docker, body["id"])
    host, labels = engine["HostConfig"], engine["Config"]["Labels"]
    assert host["Privileged"] is False
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert (host["Memory"], host["NanoCpus"], host["PidsLimit"]) == (128 * MIB, 500_000_000, 64)
    assert host["NetworkMode"] == "none"
    assert not host["CapAdd"]
    assert host["CapDrop"] == ["NET_RAW"]
    assert host["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}}
    assert not host["Binds"]
    assert labels["io.keel.owner"] == str(ada.id)
    assert labels["io.keel.instance"] == instance
    assert labels["io.keel.created-by"] == "ada@example.com"
    assert labels["io.keel.name"] == "web"
    assert engine["Name"] == f"/{instance}-{ada.id}-web"


async def test_a_refusal_speaks_the_callers_language(people: PeopleFactory) -> None:
    ada = await people.member()

    russian = await ada.client.post(API, json=spec(privileged=True), headers={"Accept-Language": "ru"})
    english = await ada.client.post(API, json=spec(privileged=True))

    assert_refused(russian, 403, "privileged_not_allowed")
    assert_refused(english, 403, "privileged_not_allowed")
    assert CYRILLIC.search(russian.json()["message"])
    assert not CYRILLIC.search(english.json()["message"])


async def test_concurrent_creates_cannot_slip_past_the_quota(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    settings = container_settings(database_url, docker_url, instance, containers_quota_count=2)
    async with keel(settings) as (_, people):
        ada = await people.member()

        responses = await asyncio.gather(*(ada.client.post(API, json=spec(f"c{i}")) for i in range(5)))

    assert sorted(response.status_code for response in responses) == [201, 201, 403, 403, 403]
    assert {error_code(r) for r in responses if r.status_code == 403} == {"container_quota_exceeded"}
    assert len(await engine_containers(docker, instance)) == 2


async def test_a_create_waits_for_the_owners_lock_held_by_another_instance(
    database_url: str, docker_url: str, instance: str, redis_url: str
) -> None:
    settings = container_settings(database_url, docker_url, instance, redis_url=redis_url)
    async with keel(settings) as (_, people):
        ada = await people.member()
        lock = f"keel:containers:{instance}:creating:{ada.id}"  # RedisCache prefixes its keys
        async with redis.asyncio.Redis.from_url(redis_url) as shared:
            await shared.set(lock, "1", ex=60)  # as another instance's create would

            create = asyncio.create_task(ada.client.post(API, json=spec()))
            await asyncio.sleep(0.5)
            waited = not create.done()
            await shared.delete(lock)
            response = await create

    assert waited
    assert response.status_code == 201, response.text


async def test_an_image_id_is_not_a_name_the_allowlist_could_allow(
    database_url: str, docker_url: str, instance: str, docker: aiodocker.Docker
) -> None:
    # Allow everything named under library/: the engine would read a bare id as `library/<id>`.
    settings = container_settings(database_url, docker_url, instance, containers_allowed_images=["library/*"])
    image_id = str((await docker.images.inspect(TEST_IMAGE))["Id"])
    async with keel(settings) as (_, people):
        ada = await people.member()

        responses = [
            await ada.client.post(API, json=spec(image=image_id)),
            await ada.client.post(API, json=spec(image=image_id.removeprefix("sha256:")[:12])),
            await ada.client.post("/api/v1/images/pull", json={"image": image_id}),
        ]

    for response in responses:
        assert_refused(response, 403, "image_not_allowed")
    assert await engine_containers(docker, instance) == []


async def test_a_cpu_limit_too_small_to_express_is_422(people: PeopleFactory) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(cpus=1e-10))

    assert_refused(response, 422, "validation_error")
