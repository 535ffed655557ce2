"""The jobs API: your own jobs only, admins everyone's; cancel while queued; maintenance on demand."""

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.accounts.models import ActionToken, AuthSession
from app.domains.jobs.models import Job
from app.infrastructure.database import utc_now
from app.infrastructure.idempotency import IdempotencyRecord
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.jobs import add_job


async def count(app: FastAPI, model: type[object]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_admin_runs_maintenance_and_follows_it_to_its_result(
    app: FastAPI, people: PeopleFactory
) -> None:
    admin = await people.admin()
    member = await people.member()
    async with app.state.runtime.session_factory() as session, session.begin():
        # An expired login, a spent reset token, an old idempotency key: what maintenance removes.
        session.add(
            AuthSession(user_id=member.id, expires_at=utc_now() - timedelta(days=1), last_used_at=utc_now())
        )
        session.add(
            ActionToken(
                user_id=member.id, purpose="password_reset", token_hash="0" * 64, expires_at=utc_now()
            )
        )
        session.add(
            IdempotencyRecord(
                principal_id=member.id,
                scope="todos.create",
                key="old",
                fingerprint="0" * 64,
                expires_at=utc_now() - timedelta(hours=1),
            )
        )
    sessions_before = await count(app, AuthSession)

    submitted = await admin.client.post("/api/v1/jobs", json={"kind": "maintenance"})
    await app.state.runtime.broker.drain()
    job = (await admin.client.get(submitted.headers["Location"])).json()

    assert submitted.status_code == 202
    assert submitted.json()["status"] in {"queued", "running", "succeeded"}
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert job["owner_id"] == admin.id
    assert job["attempts"] == 1
    assert job["result"]["expired_sessions"] == 1
    assert job["result"]["spent_tokens"] >= 1
    assert job["result"]["expired_idempotency_keys"] == 1
    assert await count(app, AuthSession) == sessions_before - 1
    assert await count(app, ActionToken) == 1  # the member's unused verification token stays


@pytest.mark.parametrize(
    ("body", "error_code"),
    [
        ({"kind": "no-such-kind"}, "unknown_job_kind"),
        ({"kind": ""}, "validation_error"),
        ({"kind": "maintenance", "owner_id": 1}, "validation_error"),
        ({"kind": "x" * 65}, "validation_error"),
    ],
)
async def test_submitting_bad_bodies_is_refused_and_creates_nothing(
    app: FastAPI, people: PeopleFactory, body: dict[str, object], error_code: str
) -> None:
    admin = await people.admin()

    response = await admin.client.post("/api/v1/jobs", json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == error_code
    assert await count(app, Job) == 0


async def test_members_cannot_run_maintenance_and_viewers_cannot_submit(
    app: FastAPI, people: PeopleFactory
) -> None:
    member = await people.member()
    viewer = await people.member("viewer@example.com", role="viewer")

    as_member = await member.client.post("/api/v1/jobs", json={"kind": "maintenance"})
    as_viewer = await viewer.client.post("/api/v1/jobs", json={"kind": "maintenance"})
    anonymous = await people.new_client().post("/api/v1/jobs", json={"kind": "maintenance"})

    assert as_member.status_code == 403  # it exists: it is the admins'
    assert as_member.json()["error_code"] == "job_kind_not_allowed"
    assert "administrators only" in as_member.json()["message"]
    assert as_viewer.status_code == 403
    assert anonymous.status_code == 401
    assert await count(app, Job) == 0


async def test_people_see_their_own_jobs_and_admins_see_everyone_s(
    app: FastAPI, people: PeopleFactory
) -> None:
    admin = await people.admin()
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    ann_job = await add_job(app, owner_id=ann.id)
    bob_job = await add_job(app, owner_id=bob.id, status="succeeded")
    await add_job(app, owner_id=None)

    ann_list = (await ann.client.get("/api/v1/jobs")).json()
    ann_asks_for_bob = (await ann.client.get("/api/v1/jobs", params={"owner_id": bob.id})).json()
    everyone = (await admin.client.get("/api/v1/jobs")).json()
    bobs = (await admin.client.get("/api/v1/jobs", params={"owner_id": bob.id})).json()
    finished = (await admin.client.get("/api/v1/jobs", params={"status": "succeeded"})).json()
    foreign = await ann.client.get(f"/api/v1/jobs/{bob_job}")
    unknown = await ann.client.get("/api/v1/jobs/999999")

    assert [job["id"] for job in ann_list["items"]] == [ann_job]
    assert [job["id"] for job in ann_asks_for_bob["items"]] == [ann_job]  # the filter is not a way in
    assert everyone["total"] == 3
    assert [job["id"] for job in bobs["items"]] == [bob_job]
    assert [job["id"] for job in finished["items"]] == [bob_job]
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error_code"] == "job_not_found"
    assert (await ann.client.get(f"/api/v1/jobs/{ann_job}")).json()["status"] == "queued"
    assert (await admin.client.get(f"/api/v1/jobs/{bob_job}")).status_code == 200


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"status": "sleeping"}, {"owner_id": "x"}])
async def test_listing_refuses_bad_parameters(people: PeopleFactory, params: dict[str, object]) -> None:
    member = await people.member()

    response = await member.client.get("/api/v1/jobs", params=params)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_a_queued_job_is_cancelled_once_and_others_cannot_touch_it(
    app: FastAPI, people: PeopleFactory
) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    viewer = await people.member("vic@example.com", role="viewer")
    job_id = await add_job(app, owner_id=ann.id)
    running = await add_job(app, owner_id=ann.id, status="running")

    by_bob = await bob.client.post(f"/api/v1/jobs/{job_id}/cancel")
    by_viewer = await viewer.client.post(f"/api/v1/jobs/{job_id}/cancel")
    cancelled = await ann.client.post(f"/api/v1/jobs/{job_id}/cancel")
    again = await ann.client.post(f"/api/v1/jobs/{job_id}/cancel")
    too_late = await ann.client.post(f"/api/v1/jobs/{running}/cancel")

    assert by_bob.status_code == 404
    assert by_viewer.status_code == 403
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finished_at"] is not None
    assert again.status_code == too_late.status_code == 409
    assert again.json()["error_code"] == "job_not_cancellable"
    assert too_late.json()["details"] is None
    assert "running" in too_late.json()["message"]
