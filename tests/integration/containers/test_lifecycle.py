"""A container's life through Keel, on the real engine: create, start, logs, stats, stop, remove."""

import aiodocker
from httpx import AsyncClient

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import (
    TEST_IMAGE,
    create,
    engine_containers,
    error_code,
    eventually,
    spec,
)

API = "/api/v1/containers"
GREETING = ["sh", "-c", "echo one; echo two; echo three; exec sleep 600"]


async def log_lines(client: AsyncClient, container_id: str, **params: object) -> list[str]:
    response = await client.get(f"{API}/{container_id}/logs", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["lines"])


async def test_the_owner_runs_a_container_from_create_to_remove(
    people: PeopleFactory, docker: aiodocker.Docker
) -> None:
    ada = await people.member()

    created = await ada.client.post(API, json=spec("greeter", command=GREETING))
    assert created.status_code == 201, created.text
    body = created.json()
    container_id = body["id"]
    assert created.headers["Location"] == f"{API}/{container_id}"
    assert body["name"] == "greeter"
    assert body["state"] == "created"
    assert body["owner_id"] == ada.id
    assert body["image"] == TEST_IMAGE
    assert (body["memory_mb"], body["cpus"], body["pids_limit"]) == (256, 1.0, 256)  # the defaults

    started = await ada.client.post(f"{API}/{container_id}/start")
    assert started.status_code == 200, started.text
    assert started.json()["state"] == "running"

    async def three_lines() -> list[str]:
        lines = await log_lines(ada.client, container_id)
        return lines if len(lines) == 3 else []

    assert await eventually(three_lines) == ["one", "two", "three"]
    assert await log_lines(ada.client, container_id, tail=1) == ["three"]
    stamped = await log_lines(ada.client, container_id, tail=1, timestamps=True)
    assert stamped[0].endswith(" three")
    assert stamped[0][:4].isdigit()

    stats = await ada.client.get(f"{API}/{container_id}/stats")
    assert stats.status_code == 200, stats.text
    snapshot = stats.json()
    assert snapshot["pids"] >= 1
    assert snapshot["memory_limit_bytes"] == 256 * 1024 * 1024
    assert 0 < snapshot["memory_bytes"] < snapshot["memory_limit_bytes"]
    assert snapshot["cpu_percent"] >= 0

    stopped = await ada.client.post(f"{API}/{container_id}/stop", params={"timeout_seconds": 1})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["state"] == "exited"
    assert stopped.json()["exit_code"] is not None

    removed = await ada.client.delete(f"{API}/{container_id}")
    assert removed.status_code == 204
    assert (await ada.client.get(f"{API}/{container_id}")).status_code == 404
    assert container_id not in [container.id for container in await docker.containers.list(all=True)]


async def test_another_member_gets_404_for_every_call(people: PeopleFactory, instance: str) -> None:
    ada, bob = await people.member("ada@example.com"), await people.member("bob@example.com")
    container_id = (await create(ada.client))["id"]

    calls = [
        bob.client.get(f"{API}/{container_id}"),
        bob.client.post(f"{API}/{container_id}/start"),
        bob.client.post(f"{API}/{container_id}/stop"),
        bob.client.post(f"{API}/{container_id}/restart"),
        bob.client.get(f"{API}/{container_id}/logs"),
        bob.client.get(f"{API}/{container_id}/logs/stream"),
        bob.client.get(f"{API}/{container_id}/stats"),
        bob.client.delete(f"{API}/{container_id}", params={"force": True}),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 404, response.text
        assert error_code(response) == "container_not_found"
    assert (await bob.client.get(API)).json() == []
    assert (await ada.client.get(f"{API}/{container_id}")).json()["state"] == "created"  # untouched


async def test_admins_see_every_users_containers_and_those_made_outside_keel(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str
) -> None:
    ada, bob = await people.member("ada@example.com"), await people.member("bob@example.com")
    admin = await people.admin()
    adas, bobs = (await create(ada.client, "a"))["id"], (await create(bob.client, "b"))["id"]
    outside = await docker.containers.create(
        {"Image": TEST_IMAGE, "Cmd": ["sleep", "600"], "HostConfig": {"NetworkMode": "none"}},
        name=f"{instance}-made-by-hand",
    )

    everything = {item["id"]: item for item in (await admin.client.get(API)).json()}
    only_ada = (await admin.client.get(API, params={"owner_id": ada.id})).json()
    seen_by_ada = (await ada.client.get(API, params={"owner_id": bob.id})).json()

    assert {adas, bobs, outside.id} <= set(everything)
    assert (everything[adas]["owner_id"], everything[bobs]["owner_id"]) == (ada.id, bob.id)
    assert everything[outside.id]["owner_id"] is None
    assert [item["id"] for item in only_ada] == [adas]
    assert [item["id"] for item in seen_by_ada] == [adas]  # a member's owner filter is ignored
    assert (await admin.client.get(f"{API}/{outside.id}")).status_code == 200
    assert (await ada.client.get(f"{API}/{outside.id}")).status_code == 404


async def test_listing_filters_by_status_name_and_label(people: PeopleFactory) -> None:
    ada = await people.member()
    web = await create(ada.client, "web-1", labels={"tier": "front"})
    db = await create(ada.client, "db-1", labels={"tier": "back"})
    await ada.client.post(f"{API}/{web['id']}/start")

    async def ids(**params: object) -> list[str]:
        response = await ada.client.get(API, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()]

    assert await ids(status="running") == [web["id"]]
    assert await ids(status="created") == [db["id"]]
    assert await ids(name="db") == [db["id"]]
    assert await ids(label="tier=back") == [db["id"]]
    assert set(await ids(label="tier")) == {web["id"], db["id"]}
    assert (await ada.client.get(API, params={"status": "sleeping"})).status_code == 422


async def test_state_conflicts_are_409_with_their_own_codes(people: PeopleFactory) -> None:
    ada = await people.member()
    container_id = (await create(ada.client))["id"]

    stop_created = await ada.client.post(f"{API}/{container_id}/stop")
    await ada.client.post(f"{API}/{container_id}/start")
    start_running = await ada.client.post(f"{API}/{container_id}/start")
    remove_running = await ada.client.delete(f"{API}/{container_id}")

    assert (stop_created.status_code, error_code(stop_created)) == (409, "container_not_running")
    assert (start_running.status_code, error_code(start_running)) == (409, "container_already_running")
    assert (remove_running.status_code, error_code(remove_running)) == (409, "container_running")
    assert (await ada.client.get(f"{API}/{container_id}")).json()["state"] == "running"

    restarted = await ada.client.post(f"{API}/{container_id}/restart", params={"timeout_seconds": 0})
    assert restarted.status_code == 200
    assert restarted.json()["state"] == "running"
    assert (await ada.client.delete(f"{API}/{container_id}", params={"force": True})).status_code == 204


async def test_names_are_per_user(people: PeopleFactory) -> None:
    ada, bob = await people.member("ada@example.com"), await people.member("bob@example.com")
    await create(ada.client, "web")

    again = await ada.client.post(API, json=spec("web"))
    bobs = await bob.client.post(API, json=spec("web"))  # no clash with, or hint of, Ada's

    assert (again.status_code, error_code(again)) == (409, "container_name_taken")
    assert bobs.status_code == 201


async def test_an_image_that_is_not_pulled_is_404(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(API, json=spec(image="127.0.0.1:5000/keel/never-pushed:1"))

    assert (response.status_code, error_code(response)) == (404, "image_not_found")
    assert await engine_containers(docker, instance) == []


async def test_named_volumes_are_private_to_their_owner(people: PeopleFactory, instance: str) -> None:
    ada = await people.member()

    body = await create(ada.client, volumes=[{"name": "data", "target": "/data"}])

    assert body["volumes"] == [{"name": f"{instance}-{ada.id}-data", "target": "/data", "read_only": False}]


async def test_bad_requests_change_nothing(
    people: PeopleFactory, docker: aiodocker.Docker, instance: str
) -> None:
    ada = await people.member()
    viewer = await people.member("viewer@example.com", role="viewer")
    anonymous = people.new_client()

    bodies = [
        {"name": "web"},  # no image
        spec(name="-bad"),
        spec(name="x" * 64),
        spec(image="UPPER CASE"),
        spec(env={"A" * 200: "x"}),
        spec(env={f"V{i}": "x" for i in range(65)}),
        spec(command=["x" * 5000]),
        spec(ports=[{"container_port": 0}]),
        spec(ports=[{"container_port": 80, "host_ip": "not-an-address"}]),
        spec(volumes=[{"name": "data", "target": "/a:b"}]),
        spec(memory_mb=1),
        spec(labels={"bad key": "x"}),
    ]
    for body in bodies:
        response = await ada.client.post("/api/v1/containers", json=body)
        assert response.status_code == 422, (body, response.text)
        assert error_code(response) == "validation_error"
    oversized = await ada.client.post(API, json=spec(env={"BIG": "x" * 2_000_000}))
    not_json = await ada.client.post(API, content=b"{", headers={"Content-Type": "application/json"})
    no_auth = await anonymous.post(API, json=spec())
    as_viewer = await viewer.client.post(API, json=spec())

    assert oversized.status_code == 413
    assert not_json.status_code == 422
    assert (no_auth.status_code, error_code(no_auth)) == (401, "not_authenticated")
    assert (as_viewer.status_code, error_code(as_viewer)) == (403, "permission_denied")
    assert (await anonymous.get(API)).status_code == 401
    assert (await ada.client.get(f"{API}/not-an-id")).status_code == 422
    assert await engine_containers(docker, instance) == []
