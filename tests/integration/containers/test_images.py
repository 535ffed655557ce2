"""Images through Keel on the real engine: list, pull from the local registry as a job, remove."""

import aiodocker
from httpx import AsyncClient

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.containers import REGISTRY, TEST_IMAGE, error_code, eventually

API = "/api/v1/images"


async def finished_job(client: AsyncClient, job_id: int) -> dict[str, object]:
    async def finished() -> dict[str, object] | None:
        job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
        return job if job["status"] in ("succeeded", "failed") else None

    job = await eventually(finished, seconds=60)
    assert job, f"job {job_id} did not finish"
    return dict(job)


async def test_members_list_the_engines_images(people: PeopleFactory) -> None:
    ada = await people.member()

    response = await ada.client.get(API)

    assert response.status_code == 200, response.text
    assert any(TEST_IMAGE in image["tags"] for image in response.json())


async def test_a_pull_runs_as_a_job_and_reports_the_engines_progress(
    people: PeopleFactory, docker: aiodocker.Docker, scratch_tag: str
) -> None:
    ada = await people.member()

    response = await ada.client.post(f"{API}/pull", json={"image": scratch_tag})

    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert job["kind"] == "image_pull"
    assert job["owner_id"] == ada.id
    done = await finished_job(ada.client, job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"] == 100
    result = dict(done["result"])  # type: ignore[call-overload]
    assert result["image"] == scratch_tag
    assert result["layers"] >= 1  # the test's own layer, downloaded
    assert scratch_tag.rsplit(":", 1)[0] in result["status"]  # "Downloaded newer image for ..."
    assert done["message"] == result["status"]  # the engine's last word, as the job's message
    assert scratch_tag in (await docker.images.inspect(scratch_tag))["RepoTags"]


async def test_a_pull_the_registry_cannot_serve_fails_the_job(people: PeopleFactory) -> None:
    ada = await people.member()

    response = await ada.client.post(f"{API}/pull", json={"image": f"{REGISTRY}/keel/never-pushed:1"})

    done = await finished_job(ada.client, response.json()["id"])
    assert done["status"] == "failed"
    assert done["error"]


async def test_pulling_an_image_outside_the_allowlist_is_refused_without_a_job(people: PeopleFactory) -> None:
    ada = await people.member()

    response = await ada.client.post(f"{API}/pull", json={"image": "library/busybox:latest"})
    jobs = (await ada.client.get("/api/v1/jobs")).json()

    assert (response.status_code, error_code(response)) == (403, "image_not_allowed")
    assert jobs["total"] == 0


async def test_bad_pull_requests_are_422_or_401(people: PeopleFactory) -> None:
    ada = await people.member()
    anonymous = people.new_client()

    for body in ({}, {"image": ""}, {"image": "has space"}, {"image": TEST_IMAGE, "tag": "x"}):
        response = await ada.client.post(f"{API}/pull", json=body)
        assert (response.status_code, error_code(response)) == (422, "validation_error"), body
    assert (await anonymous.post(f"{API}/pull", json={"image": TEST_IMAGE})).status_code == 401


async def test_only_admins_remove_images(
    people: PeopleFactory, docker: aiodocker.Docker, scratch_tag: str
) -> None:
    ada, admin = await people.member(), await people.admin()
    await docker.images.tag(TEST_IMAGE, scratch_tag.rsplit(":", 1)[0], tag=scratch_tag.rsplit(":", 1)[1])

    by_member = await ada.client.delete(f"{API}/{scratch_tag}")
    by_admin = await admin.client.delete(f"{API}/{scratch_tag}")
    again = await admin.client.delete(f"{API}/{scratch_tag}")

    assert (by_member.status_code, error_code(by_member)) == (403, "permission_denied")
    assert by_admin.status_code == 204
    assert (again.status_code, error_code(again)) == (404, "image_not_found")
    assert (await docker.images.inspect(TEST_IMAGE))["Id"]  # only the tag went
