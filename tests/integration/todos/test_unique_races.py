"""The todos' unique constraints and foreign keys under racing requests: one tag name per
owner (one wins, the others get its 409), a tag or its owner deleted while todos are tagged
with it; never a 500. The races of the platform are in tests/integration/test_unique_races.py.
"""

from sqlalchemy import func, select

from app.domains.todos.models import Tag
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.todos import new_tag, new_todo
from tests.races import RACERS, ROUNDS, Outcome, count, race


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
