"""The audit trail: every container and image action, allowed or refused, readable by admins only."""

import aiodocker

from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.containers import REGISTRY, TEST_IMAGE, create, spec

API = "/api/v1/audit"


async def test_allowed_and_refused_actions_are_recorded_with_their_request(
    people: PeopleFactory, docker: aiodocker.Docker
) -> None:
    ada, bob = await people.member("ada@example.com"), await people.member("bob@example.com")
    admin = await people.admin()
    created = await ada.client.post(
        "/api/v1/containers", json=spec("web"), headers={"X-Request-ID": "create-web-0001"}
    )
    container_id = created.json()["id"]
    await ada.client.post(f"/api/v1/containers/{container_id}/start")
    await ada.client.post("/api/v1/containers", json=spec("root", privileged=True))
    await bob.client.post(f"/api/v1/containers/{container_id}/stop")
    await ada.client.post(f"/api/v1/containers/{container_id}/stop", params={"timeout_seconds": 0})
    await ada.client.post(f"/api/v1/containers/{container_id}/restart", params={"timeout_seconds": 0})
    await ada.client.delete(f"/api/v1/containers/{container_id}", params={"force": True})
    await ada.client.post("/api/v1/images/pull", json={"image": "library/busybox"})

    response = await admin.client.get(API, params={"limit": 100})

    assert response.status_code == 200, response.text
    records = list(reversed(response.json()["items"]))  # oldest first
    assert [(r["action"], r["outcome"], r["error_code"], r["actor_id"]) for r in records] == [
        ("container.create", "succeeded", None, ada.id),
        ("container.start", "succeeded", None, ada.id),
        ("container.create", "refused", "privileged_not_allowed", ada.id),
        ("container.stop", "refused", "container_not_found", bob.id),
        ("container.stop", "succeeded", None, ada.id),
        ("container.restart", "succeeded", None, ada.id),
        ("container.remove", "succeeded", None, ada.id),
        ("image.pull", "refused", "image_not_allowed", ada.id),
    ]
    assert records[0]["target"] == container_id
    assert records[0]["request_id"] == "create-web-0001"
    assert records[0]["actor_email"] == "ada@example.com"
    image_id = (await docker.images.inspect(TEST_IMAGE))["Id"]
    assert records[0]["details"] == {"name": "web", "image": spec()["image"], "image_id": image_id}
    assert records[2]["target"] == "root"
    assert records[3]["target"] == container_id
    assert records[6]["details"] == {"force": True}


async def test_admins_filter_the_trail(people: PeopleFactory) -> None:
    ada, admin = await people.member(), await people.admin()
    await create(ada.client, "one")
    await ada.client.post("/api/v1/containers", json=spec("two", cap_add=["SYS_ADMIN"]))
    pulled = await ada.client.post("/api/v1/images/pull", json={"image": f"{REGISTRY}/keel/never-pushed:1"})

    async def actions(**params: object) -> list[str]:
        response = await admin.client.get(API, params=params)
        assert response.status_code == 200, response.text
        return [record["action"] for record in response.json()["items"]]

    assert await actions(outcome="refused") == ["container.create"]
    assert await actions(action="image.pull") == ["image.pull"]
    assert await actions(actor_id=admin.id) == []
    assert len(await actions(actor_id=ada.id)) == 3
    assert await actions(since="2000-01-01T00:00:00Z", until="2001-01-01T00:00:00Z") == []
    pull = (await admin.client.get(API, params={"action": "image.pull"})).json()["items"][0]
    assert pull["details"] == {"job_id": pulled.json()["id"]}
    assert (await admin.client.get(API, params={"since": "2026-01-01T00:00:00"})).status_code == 422
    assert (await admin.client.get(API, params={"outcome": "maybe"})).status_code == 422


async def test_only_admins_read_the_trail_and_nobody_changes_it(people: PeopleFactory) -> None:
    ada, admin = await people.member(), await people.admin()
    await create(ada.client)

    as_member = await ada.client.get(API)
    anonymous = await people.new_client().get(API)
    change = await admin.client.put(f"{API}/1", json={"outcome": "succeeded"})
    delete = await admin.client.delete(f"{API}/1")
    delete_all = await admin.client.delete(API)

    assert (as_member.status_code, as_member.json()["error_code"]) == (403, "permission_denied")
    assert anonymous.status_code == 401
    assert {change.status_code, delete.status_code} == {404}  # no such routes
    assert delete_all.status_code == 405
    assert (await admin.client.get(API)).json()["total"] == 1


async def test_the_admin_panel_shows_the_trail_read_only(people: PeopleFactory) -> None:
    ada, admin = await people.member(), await people.admin()
    await ada.client.post("/api/v1/containers", json=spec("root", privileged=True))
    panel = people.new_client()
    await panel.post("/admin/login", data={"username": admin.email, "password": PASSWORD})

    listing = await panel.get("/admin/audit-record/list")
    edit = await panel.get("/admin/audit-record/edit/1")
    delete = await panel.delete("/admin/audit-record/delete", params={"pks": "1"})

    assert listing.status_code == 200
    assert "privileged_not_allowed" in listing.text
    assert (edit.status_code, delete.status_code) == (403, 403)
    assert (await admin.client.get(API)).json()["total"] == 1


async def test_actions_by_a_short_id_are_recorded_under_the_full_id(people: PeopleFactory) -> None:
    ada, admin = await people.member(), await people.admin()
    container_id = (await create(ada.client))["id"]
    await ada.client.post(f"/api/v1/containers/{container_id[:12]}/start")
    await ada.client.delete(f"/api/v1/containers/{container_id[:12]}", params={"force": True})

    trail = (await admin.client.get(API, params={"target": container_id})).json()

    assert [record["action"] for record in trail["items"]] == [
        "container.remove",
        "container.start",
        "container.create",
    ]
