"""Idempotency-Key on creates: retries return the first result and never create twice."""

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.domains.todos.models import Tag, Todo
from app.infrastructure.database import utc_now
from app.infrastructure.idempotency import IdempotencyRecord
from tests.fixtures.accounts import PeopleFactory


async def count(app: FastAPI, model: type[object]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_retry_returns_the_first_response(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    first = await ann.client.post("/api/v1/todos", json={"title": "once"}, headers=key("k-1"))
    retry = await ann.client.post("/api/v1/todos", json={"title": "once"}, headers=key("k-1"))

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await count(app, Todo) == 1


async def test_the_same_key_with_another_body_is_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    await ann.client.post("/api/v1/todos", json={"title": "first"}, headers=key("k-1"))

    reused = await ann.client.post("/api/v1/todos", json={"title": "second"}, headers=key("k-1"))

    assert reused.status_code == 422
    assert reused.json()["error_code"] == "idempotency_key_reused"
    assert await count(app, Todo) == 1


async def test_ten_concurrent_retries_create_exactly_one_todo(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    answers = await asyncio.gather(
        *(
            ann.client.post("/api/v1/todos", json={"title": "storm"}, headers=key("k-storm"))
            for _ in range(10)
        )
    )

    assert [r.status_code for r in answers] == [201] * 10
    assert len({r.json()["id"] for r in answers}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == 9
    assert await count(app, Todo) == 1


async def test_keys_belong_to_their_user(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")

    anns = await ann.client.post("/api/v1/todos", json={"title": "same"}, headers=key("shared"))
    bobs = await bob.client.post("/api/v1/todos", json={"title": "same"}, headers=key("shared"))

    assert anns.json()["owner_id"] == ann.id
    assert bobs.json()["owner_id"] == bob.id
    assert await count(app, Todo) == 2


async def test_a_failed_first_attempt_leaves_the_key_free(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    failed = await ann.client.post("/api/v1/todos", json={"title": "x", "tag_ids": [999]}, headers=key("k-1"))
    fixed = await ann.client.post("/api/v1/todos", json={"title": "x"}, headers=key("k-1"))

    assert failed.status_code == 422
    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    assert await count(app, Todo) == 1


async def test_keys_expire_after_a_day(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    await ann.client.post("/api/v1/todos", json={"title": "daily"}, headers=key("k-day"))
    async with app.state.runtime.session_factory() as session, session.begin():
        await session.execute(update(IdempotencyRecord).values(expires_at=utc_now() - timedelta(seconds=1)))

    again = await ann.client.post("/api/v1/todos", json={"title": "daily"}, headers=key("k-day"))

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert await count(app, Todo) == 2
    assert await count(app, IdempotencyRecord) == 1


async def test_tag_creation_is_idempotent_too(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    answers = [
        await ann.client.post("/api/v1/tags", json={"name": "once"}, headers=key("t-1")) for _ in range(2)
    ]

    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert await count(app, Tag) == 1


async def test_malformed_keys_are_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    too_long = await ann.client.post("/api/v1/todos", json={"title": "x"}, headers=key("k" * 256))
    empty = await ann.client.post("/api/v1/todos", json={"title": "x"}, headers=key(""))

    assert (too_long.status_code, empty.status_code) == (422, 422)
    assert await count(app, Todo) == 0
