"""Requests racing into a unique constraint (one wins, the others get its 409) or past a
foreign key (its row deleted meanwhile): never a 500.

Each request passes the service's "is it taken?" check before any of them writes, so the
database's constraint is what refuses the losers (on PostgreSQL; SQLite serializes writers
but still lets every check run before the first insert commits).
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable

from httpx import Response
from sqlalchemy import delete, func, select

from app.domains.accounts.models import Profile, User
from app.domains.todos.models import Tag
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.todos import new_tag, new_todo

RACERS = 20


class Outcome(Counter[tuple[int, str | None]]):
    """How many answers had each (status, error code); and what the conflicts said."""

    def __init__(self, answers: list[Response]) -> None:
        super().__init__(
            (answer.status_code, None if answer.is_success else answer.json()["error_code"])
            for answer in answers
        )
        self.conflict_messages = {answer.json()["message"] for answer in answers if answer.status_code == 409}


async def race(requests: list[Awaitable[Response]]) -> Outcome:
    return Outcome(list(await asyncio.gather(*requests)))


async def count(people: PeopleFactory, query: object) -> int:
    async with people.app.state.runtime.session_factory() as session:
        return int(await session.scalar(query))  # type: ignore[call-overload]


async def test_registrations_racing_for_one_address(people: PeopleFactory) -> None:
    clients = [people.new_client() for _ in range(RACERS)]
    body = {"email": "race@example.com", "password": PASSWORD}

    outcome = await race([client.post("/api/v1/auth/register", json=body) for client in clients])

    assert outcome == {(201, None): 1, (409, "email_taken"): RACERS - 1}
    assert await count(people, select(func.count()).select_from(User)) == 1


async def test_admins_creating_one_address_at_once(people: PeopleFactory) -> None:
    admin = await people.admin()
    body = {"email": "made@example.com", "password": PASSWORD}

    outcome = await race([admin.client.post("/api/v1/users", json=body) for _ in range(RACERS)])

    assert outcome == {(201, None): 1, (409, "email_taken"): RACERS - 1}


async def test_members_moving_to_one_address_at_once(people: PeopleFactory) -> None:
    members = [await people.member(f"mover{n}@example.com") for n in range(RACERS)]

    outcome = await race(
        [
            member.client.patch(
                "/api/v1/users/me", json={"email": "wanted@example.com", "current_password": PASSWORD}
            )
            for member in members
        ]
    )

    assert outcome == {(200, None): 1, (409, "email_taken"): RACERS - 1}


async def test_profile_mended_by_requests_at_once(people: PeopleFactory) -> None:
    """An account without a profile (older data) gets one on first read; readers racing to
    mend it must not fail."""
    ann = await people.member()
    async with people.app.state.runtime.session_factory() as session, session.begin():
        await session.execute(delete(Profile).where(Profile.user_id == ann.id))

    outcome = await race([ann.client.get("/api/v1/users/me/profile") for _ in range(RACERS)])

    assert set(outcome) <= {(200, None), (409, "profile_exists")}
    assert outcome[(200, None)] >= 1
    profiles = select(func.count()).select_from(Profile).where(Profile.user_id == ann.id)
    assert await count(people, profiles) == 1


async def test_tags_created_with_one_name_at_once(people: PeopleFactory) -> None:
    ann = await people.member()

    outcome = await race([ann.client.post("/api/v1/tags", json={"name": "urgent"}) for _ in range(RACERS)])

    assert outcome == {(201, None): 1, (409, "tag_name_taken"): RACERS - 1}
    assert outcome.conflict_messages == {"You already have a tag named urgent"}  # as without a race
    assert await count(people, select(func.count()).select_from(Tag)) == 1


async def test_tags_renamed_to_one_name_at_once(people: PeopleFactory) -> None:
    ann = await people.member()
    tags = [await new_tag(ann.client, f"tag {n}") for n in range(RACERS)]

    outcome = await race([ann.client.put(f"/api/v1/tags/{tag['id']}", json={"name": "same"}) for tag in tags])

    assert outcome == {(200, None): 1, (409, "tag_name_taken"): RACERS - 1}
    assert outcome.conflict_messages == {"You already have a tag named same"}


async def test_one_idempotency_key_sent_at_once(people: PeopleFactory) -> None:
    """Not a conflict: every retry of one keyed create gets the first answer."""
    ann = await people.member()
    headers = {"Idempotency-Key": "once"}

    outcome = await race(
        [ann.client.post("/api/v1/tags", json={"name": "keyed"}, headers=headers) for _ in range(RACERS)]
    )

    assert outcome == {(201, None): RACERS}
    assert await count(people, select(func.count()).select_from(Tag)) == 1


# Foreign keys: a row the request refers to is deleted while it runs. The outcome of one
# round depends on who gets there first, so each test plays a few rounds and accepts every
# honest answer; only a 500 (the driver's IntegrityError) fails it.
ROUNDS = 5


async def test_todos_created_with_a_tag_being_deleted(people: PeopleFactory) -> None:
    ann = await people.member()
    outcome = Outcome([])
    for round_ in range(ROUNDS):
        tag = await new_tag(ann.client, f"doomed {round_}")
        creates = [
            ann.client.post("/api/v1/todos", json={"title": "t", "tag_ids": [tag["id"]]}) for _ in range(10)
        ]
        outcome.update(await race([*creates, ann.client.delete(f"/api/v1/tags/{tag['id']}")]))

    assert set(outcome) <= {(201, None), (204, None), (422, "unknown_tags"), (409, "reference_removed")}


async def test_todos_retagged_with_a_tag_being_deleted(people: PeopleFactory) -> None:
    ann = await people.member()
    outcome = Outcome([])
    for round_ in range(ROUNDS):
        tag = await new_tag(ann.client, f"doomed {round_}")
        todos = [await new_todo(ann.client, f"todo {n}") for n in range(10)]
        updates = [
            ann.client.put(f"/api/v1/todos/{todo['id']}", json={"tag_ids": [tag["id"]]}) for todo in todos
        ]
        outcome.update(await race([*updates, ann.client.delete(f"/api/v1/tags/{tag['id']}")]))

    assert set(outcome) <= {(200, None), (204, None), (422, "unknown_tags"), (409, "reference_removed")}


async def test_tags_made_for_a_member_who_leaves(people: PeopleFactory) -> None:
    admin = await people.admin()
    # All made first: SQLite hands a deleted last row's id to the next row, and a new login
    # session with a revoked one's id would be refused (a bug of its own, outside this test).
    leavers = [await people.member(f"leaver{round_}@example.com") for round_ in range(ROUNDS)]
    outcome = Outcome([])
    for leaver in leavers:
        creates = [
            admin.client.post(f"/api/v1/tags?owner_id={leaver.id}", json={"name": f"t{n}"}) for n in range(10)
        ]
        outcome.update(await race([*creates, leaver.client.delete("/api/v1/users/me")]))

    assert set(outcome) <= {(201, None), (204, None), (404, "user_not_found"), (409, "reference_removed")}


# Rows deleted between a request's read and its write: its UPDATE matches nothing.


async def test_tags_changed_while_being_deleted(people: PeopleFactory) -> None:
    ann = await people.member()
    outcome = Outcome([])
    for round_ in range(ROUNDS):
        tag = await new_tag(ann.client, f"doomed {round_}")
        url = f"/api/v1/tags/{tag['id']}"
        changes = [ann.client.put(url, json={"colour": f"#00000{n}"}) for n in range(10)]
        outcome.update(await race([*changes, ann.client.delete(url)]))

    assert set(outcome) <= {(200, None), (204, None), (404, "tag_not_found"), (409, "concurrent_change")}
    assert (409, "concurrent_change") in outcome  # the race did happen


async def test_members_changed_by_an_admin_while_being_deleted(people: PeopleFactory) -> None:
    admin = await people.admin()
    members = [await people.member(f"changed{round_}@example.com") for round_ in range(ROUNDS)]
    outcome = Outcome([])
    for member in members:
        url = f"/api/v1/users/{member.id}"
        changes = [admin.client.patch(url, json={"role": role}) for role in ["viewer", "member"] * 5]
        outcome.update(await race([*changes, admin.client.delete(url)]))

    assert set(outcome) <= {(200, None), (204, None), (404, "user_not_found"), (409, "concurrent_change")}
