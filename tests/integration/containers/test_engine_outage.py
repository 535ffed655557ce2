"""The engine going away, cut at the network (tests/proxy.py in front of its socket): container
calls answer 503 docker_unavailable, readiness names Docker, and Keel heals when it is back."""

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import container_settings, create, spec
from tests.integration.test_outages import assert_unavailable, keel
from tests.proxy import unix_socket_proxy

API = "/api/v1/containers"


async def test_an_unreachable_engine_is_503_and_keel_heals(
    database_url: str, docker_url: str, instance: str
) -> None:
    async with unix_socket_proxy(docker_url.removeprefix("unix://")) as proxy:
        settings = container_settings(database_url, f"tcp://127.0.0.1:{proxy.port}", instance)
        async with keel(settings) as (_, people):
            ada, admin = await people.member(), await people.admin()
            container_id = (await create(ada.client))["id"]

            await proxy.cut()
            responses = [
                await ada.client.get(API),
                await ada.client.get(f"{API}/{container_id}"),
                await ada.client.post(f"{API}/{container_id}/start"),
                await ada.client.post(API, json=spec("second")),
                await ada.client.get("/api/v1/images"),
            ]
            ready = await ada.client.get("/health/ready")
            trail = (await admin.client.get("/api/v1/audit", params={"outcome": "failed"})).json()

            for response in responses:
                assert_unavailable(response, "docker_unavailable")
            assert ready.status_code == 503
            assert ready.json()["details"]["docker"]["status"] == "failed"
            assert ready.json()["details"]["database"]["status"] == "ok"
            assert [(r["action"], r["error_code"]) for r in trail["items"]] == [
                ("container.create", "docker_unavailable"),
                ("container.start", "docker_unavailable"),
            ]

            await proxy.restore()
            listing = await ada.client.get(API)
            started_again = await ada.client.post(f"{API}/{container_id}/start")

            assert [item["id"] for item in listing.json()] == [container_id]
            assert started_again.json()["state"] == "running"
            assert (await ada.client.get("/health/ready")).status_code == 200


async def test_readiness_includes_the_engine_when_it_answers(people: PeopleFactory) -> None:
    response = await people.new_client().get("/health/ready")

    assert response.status_code == 200, response.text
    assert response.json()["checks"]["docker"]["status"] == "ok"
