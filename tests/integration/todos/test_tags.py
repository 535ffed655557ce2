"""Tags: names unique per owner, private to their owner, removed from todos when deleted."""

from datetime import datetime
from typing import Any

import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.todos import new_tag, new_todo


async def test_tags_are_created_listed_renamed_and_deleted(people: PeopleFactory) -> None:
    ann = await people.member()
    created = await ann.client.post("/api/v1/tags", json={"name": "work"})
    tag = created.json()

    renamed = await ann.client.put(f"/api/v1/tags/{tag['id']}", json={"name": "job", "colour": "#00AA00"})
    listing = (await ann.client.get("/api/v1/tags")).json()
    deleted = await ann.client.delete(f"/api/v1/tags/{tag['id']}")

    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v1/tags/{tag['id']}"
    assert (tag["colour"], tag["owner_id"]) == ("#6b7280", ann.id)
    assert (renamed.json()["name"], renamed.json()["colour"]) == ("job", "#00AA00")
    assert [t["name"] for t in listing] == ["job"]
    assert deleted.status_code == 204
    assert (await ann.client.get(f"/api/v1/tags/{tag['id']}")).status_code == 404


async def test_names_are_unique_per_owner_only(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    await new_tag(ann.client, "work")
    home = await new_tag(ann.client, "home")

    duplicate = await ann.client.post("/api/v1/tags", json={"name": "work"})
    renamed_onto = await ann.client.put(f"/api/v1/tags/{home['id']}", json={"name": "work"})
    bobs = await bob.client.post("/api/v1/tags", json={"name": "work"})
    same_name_kept = await ann.client.put(f"/api/v1/tags/{home['id']}", json={"name": "home"})

    assert duplicate.status_code == renamed_onto.status_code == 409
    assert duplicate.json()["error_code"] == "tag_name_taken"
    assert bobs.status_code == 201
    assert same_name_kept.status_code == 200
    assert [t["name"] for t in (await ann.client.get("/api/v1/tags")).json()] == ["home", "work"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 51},
        {"name": "a", "colour": "red"},
        {"name": "a", "colour": "#12345"},
        {"name": "a", "x": 1},
    ],
)
async def test_invalid_tags_are_refused(people: PeopleFactory, body: dict[str, object]) -> None:
    ann = await people.member()

    response = await ann.client.post("/api/v1/tags", json=body)

    assert response.status_code == 422
    assert (await ann.client.get("/api/v1/tags")).json() == []


async def test_others_tags_do_not_exist_for_members(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    tag = await new_tag(ann.client, "private")

    answers = [
        await bob.client.get(f"/api/v1/tags/{tag['id']}"),
        await bob.client.put(f"/api/v1/tags/{tag['id']}", json={"name": "mine now"}),
        await bob.client.delete(f"/api/v1/tags/{tag['id']}"),
    ]

    assert [r.status_code for r in answers] == [404, 404, 404]
    assert {r.json()["error_code"] for r in answers} == {"tag_not_found"}
    assert (await bob.client.get("/api/v1/tags")).json() == []


async def test_deleting_a_tag_removes_it_from_its_todos(people: PeopleFactory) -> None:
    ann = await people.member()
    tag = await new_tag(ann.client, "temporary")
    todo = await new_todo(ann.client, "tagged", tag_ids=[tag["id"]])

    await ann.client.delete(f"/api/v1/tags/{tag['id']}")

    assert (await ann.client.get(f"/api/v1/todos/{todo['id']}")).json()["tags"] == []


async def test_viewers_and_strangers_cannot_write_tags(people: PeopleFactory) -> None:
    viewer = await people.member("vic@example.com", role="viewer")

    as_viewer = await viewer.client.post("/api/v1/tags", json={"name": "x"})
    anonymous = await people.new_client().post("/api/v1/tags", json={"name": "x"})

    assert (as_viewer.status_code, anonymous.status_code) == (403, 401)


@pytest.mark.parametrize(
    "change",
    [
        {"method": "PUT", "json": {"name": "job"}},
        {"method": "PUT", "json": {"colour": "#00aa00"}},
        {"method": "DELETE"},
    ],
    ids=["rename", "recolour", "delete"],
)
async def test_a_tag_change_is_a_new_version_of_the_todos_carrying_it(
    people: PeopleFactory, change: dict[str, Any]
) -> None:
    ann = await people.member()
    tag = await new_tag(ann.client, "work")
    tagged = await new_todo(ann.client, "report", tag_ids=[tag["id"]])
    untagged = await new_todo(ann.client, "holiday")
    before = await ann.client.get(f"/api/v1/todos/{tagged['id']}")
    untagged_before = await ann.client.get(f"/api/v1/todos/{untagged['id']}")

    changed = await ann.client.request(change["method"], f"/api/v1/tags/{tag['id']}", json=change.get("json"))
    after = await ann.client.get(f"/api/v1/todos/{tagged['id']}")
    stale_put = await ann.client.put(
        f"/api/v1/todos/{tagged['id']}", json={"title": "stale"}, headers={"If-Match": before.headers["ETag"]}
    )
    stale_delete = await ann.client.delete(
        f"/api/v1/todos/{tagged['id']}", headers={"If-Match": before.headers["ETag"]}
    )

    assert changed.status_code in (200, 204)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json()["version"] > before.json()["version"]
    assert datetime.fromisoformat(after.json()["updated_at"]) > datetime.fromisoformat(
        before.json()["updated_at"]
    )
    assert (stale_put.status_code, stale_delete.status_code) == (412, 412)
    assert stale_put.json()["error_code"] == "precondition_failed"
    assert after.json()["title"] == "report"
    untagged_after = await ann.client.get(f"/api/v1/todos/{untagged['id']}")
    assert untagged_after.headers["ETag"] == untagged_before.headers["ETag"]


async def test_a_tag_saved_unchanged_leaves_its_todos_as_they_were(people: PeopleFactory) -> None:
    ann = await people.member()
    tag = await new_tag(ann.client, "work")
    todo = await new_todo(ann.client, "report", tag_ids=[tag["id"]])
    before = await ann.client.get(f"/api/v1/todos/{todo['id']}")

    await ann.client.put(f"/api/v1/tags/{tag['id']}", json={"name": "work"})
    after = await ann.client.get(f"/api/v1/todos/{todo['id']}")

    assert after.headers["ETag"] == before.headers["ETag"]
