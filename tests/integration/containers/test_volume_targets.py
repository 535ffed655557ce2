"""Where a volume may go, on the real engine: targets the kernel or the engine keeps are
refused at create with their own code (and audited as refused), whatever spelling hides
them; other targets reach the engine cleaned, and the container starts.

Found in review: a volume at /proc, /proc/sys or /x/../proc was created (201), then failed
to start with 502 runtime_failed.
"""

import aiodocker
import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import create, engine_containers, error_code, spec

API = "/api/v1/containers"

# Each of these the engine accepted at create and then refused to start (or, over /sys and
# /dev, hid the kernel's view from the container); `/` it refused at create.
RESERVED = [
    "/proc",
    "/proc/sys",
    "/proc/",
    "/x/../proc",
    "//proc",
    "/./proc/self",
    "/sys",
    "/sys/fs/cgroup",
    "/dev",
    "/dev/console",
    "/etc/hosts",
    "/etc/hostname/",
    "/etc/resolv.conf",
    "/.dockerenv",
    "/",
    "/..",
]


@pytest.mark.parametrize(
    ("target", "code"),
    [
        *((target, "volume_target_reserved") for target in RESERVED),
        *((target, "volume_target_not_absolute") for target in ("data", "./data", "../proc", "proc/sys")),
    ],
)
async def test_a_volume_where_it_may_not_go_is_refused_and_audited(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, target: str, code: str
) -> None:
    ada, admin = await people.member(), await people.admin()

    response = await ada.client.post(API, json=spec(volumes=[{"name": "data", "target": target}]))
    audit = await admin.client.get("/api/v1/audit", params={"action": "container.create"})

    assert response.status_code == 422, response.text
    assert error_code(response) == code
    assert response.json()["details"] == {"target": target}
    assert await engine_containers(docker, instance) == []
    [record] = audit.json()["items"]
    assert (record["outcome"], record["error_code"]) == ("refused", code)


@pytest.mark.parametrize(
    ("target", "cleaned"),
    [("/data//x/./", "/data/x"), ("/proc/../data", "/data"), ("/etc/hosts.d", "/etc/hosts.d")],
)
async def test_an_allowed_volume_target_reaches_the_engine_cleaned_and_starts(
    people: PeopleFactory, docker: aiodocker.Docker, target: str, cleaned: str
) -> None:
    ada = await people.member()

    body = await create(ada.client, volumes=[{"name": "data", "target": target}])
    started = await ada.client.post(f"{API}/{body['id']}/start")

    assert [volume["target"] for volume in body["volumes"]] == [cleaned]
    assert started.status_code == 200, started.text
    shown = await docker.containers.container(body["id"]).show()
    assert [mount["Destination"] for mount in shown["Mounts"]] == [cleaned]


@pytest.mark.parametrize("target", ["/d\n", "/data\tx", "/data\x7f", "/data\x1b[31m"])
async def test_a_volume_target_with_control_characters_is_invalid(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str, target: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(volumes=[{"name": "data", "target": target}]))

    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_error"
    assert await engine_containers(docker, instance) == []
