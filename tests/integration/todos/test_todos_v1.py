"""The v1 todos contract, every error included."""

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.todos.models import Todo
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.todos import new_tag, new_todo


async def todo_count(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Todo)) or 0)


async def test_create_answers_201_with_location_etag_and_tags(people: PeopleFactory) -> None:
    ann = await people.member()
    work = await new_tag(ann.client, "work", colour="#ff0000")
    home = await new_tag(ann.client, "home")

    response = await ann.client.post(
        "/api/v1/todos",
        json={
            "title": "  Write the report ",
            "description": "by Friday",
            "tag_ids": [work["id"], home["id"]],
        },
    )

    assert response.status_code == 201
    todo = response.json()
    assert response.headers["Location"] == f"/api/v1/todos/{todo['id']}"
    assert response.headers["ETag"] == f'"{todo["id"]}-1"'
    assert todo["title"] == "Write the report"
    assert (todo["description"], todo["completed"], todo["owner_id"]) == ("by Friday", False, ann.id)
    assert [tag["name"] for tag in todo["tags"]] == ["home", "work"]
    fetched = await ann.client.get(response.headers["Location"])
    assert fetched.json() == todo
    assert fetched.headers["ETag"] == response.headers["ETag"]


async def test_list_is_a_plain_array_marked_deprecated(people: PeopleFactory) -> None:
    ann = await people.member()
    first = await new_todo(ann.client, "first")
    second = await new_todo(ann.client, "second")

    response = await ann.client.get("/api/v1/todos")

    assert response.status_code == 200
    assert [todo["id"] for todo in response.json()] == [first["id"], second["id"]]
    assert response.headers["Deprecation"].startswith("@")
    assert response.headers["Link"] == '</api/v2/todos>; rel="successor-version"'
    paged = await ann.client.get("/api/v1/todos", params={"limit": 1, "offset": 1})
    assert [todo["id"] for todo in paged.json()] == [second["id"]]


async def test_put_changes_only_the_fields_sent(people: PeopleFactory) -> None:
    ann = await people.member()
    tag = await new_tag(ann.client, "work")
    todo = await new_todo(ann.client, "draft", description="keep me", tag_ids=[tag["id"]])

    response = await ann.client.put(f"/api/v1/todos/{todo['id']}", json={"completed": True})

    changed = response.json()
    assert response.status_code == 200
    assert (changed["title"], changed["description"], changed["completed"]) == ("draft", "keep me", True)
    assert [t["name"] for t in changed["tags"]] == ["work"]
    assert changed["version"] == 2
    assert response.headers["ETag"] == f'"{todo["id"]}-2"'


async def test_replacing_tags_makes_a_new_version(people: PeopleFactory) -> None:
    ann = await people.member()
    tag = await new_tag(ann.client, "work")
    todo = await new_todo(ann.client, "draft")

    tagged = (await ann.client.put(f"/api/v1/todos/{todo['id']}", json={"tag_ids": [tag["id"]]})).json()
    untagged = (await ann.client.put(f"/api/v1/todos/{todo['id']}", json={"tag_ids": []})).json()

    assert ([t["id"] for t in tagged["tags"]], tagged["version"]) == ([tag["id"]], 2)
    assert (untagged["tags"], untagged["version"]) == ([], 3)


async def test_delete_answers_204_then_404(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    todo = await new_todo(ann.client, "gone soon")

    deleted = await ann.client.delete(f"/api/v1/todos/{todo['id']}")
    again = await ann.client.get(f"/api/v1/todos/{todo['id']}")

    assert deleted.status_code == 204
    assert again.status_code == 404
    assert await todo_count(app) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 10_001},
        {"title": "ok", "completed": "maybe"},
        {"title": "ok", "tag_ids": "1"},
        {"title": "ok", "tag_ids": list(range(51))},
        {"title": "ok", "owner_id": 1},
        {"title": "ok", "version": 7},
    ],
)
async def test_create_refuses_invalid_bodies_and_writes_nothing(
    app: FastAPI, people: PeopleFactory, body: dict[str, object]
) -> None:
    ann = await people.member()

    response = await ann.client.post("/api/v1/todos", json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"
    assert await todo_count(app) == 0


@pytest.mark.parametrize("body", [{"title": None}, {"completed": None}, {"title": ""}, {"extra": 1}])
async def test_update_refuses_invalid_bodies_and_changes_nothing(
    people: PeopleFactory, body: dict[str, object]
) -> None:
    ann = await people.member()
    todo = await new_todo(ann.client, "stable")

    response = await ann.client.put(f"/api/v1/todos/{todo['id']}", json=body)

    assert response.status_code == 422
    assert (await ann.client.get(f"/api/v1/todos/{todo['id']}")).json() == todo


async def test_unknown_or_foreign_tag_ids_are_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    bobs_tag = await new_tag(bob.client, "bob's")
    todo = await new_todo(ann.client, "mine")

    created = await ann.client.post("/api/v1/todos", json={"title": "x", "tag_ids": [bobs_tag["id"], 999]})
    updated = await ann.client.put(f"/api/v1/todos/{todo['id']}", json={"tag_ids": [bobs_tag["id"]]})

    for response in (created, updated):
        assert response.status_code == 422
        assert response.json()["error_code"] == "unknown_tags"
    assert created.json()["details"] == {"tag_ids": sorted([bobs_tag["id"], 999])}
    assert await todo_count(app) == 1


async def test_others_todos_do_not_exist_for_members(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    todo = await new_todo(ann.client, "ann's")

    answers = [
        await bob.client.get(f"/api/v1/todos/{todo['id']}"),
        await bob.client.put(f"/api/v1/todos/{todo['id']}", json={"completed": True}),
        await bob.client.delete(f"/api/v1/todos/{todo['id']}"),
        await bob.client.get("/api/v1/todos/999999"),
    ]

    assert [r.status_code for r in answers] == [404, 404, 404, 404]
    assert {r.json()["error_code"] for r in answers} == {"todo_not_found"}
    assert (await bob.client.get("/api/v1/todos")).json() == []
    assert (await ann.client.get(f"/api/v1/todos/{todo['id']}")).json()["completed"] is False


async def test_members_cannot_act_for_others(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")

    create = await ann.client.post("/api/v1/todos", params={"owner_id": bob.id}, json={"title": "for bob"})
    listing = await ann.client.get("/api/v1/todos", params={"owner_id": bob.id})

    assert create.status_code == listing.status_code == 403
    assert create.json()["error_code"] == "permission_denied"


async def test_the_list_shows_each_todo_with_its_own_tags_as_one_item_shows_it(people: PeopleFactory) -> None:
    ann, bob = await people.member("ann@example.com"), await people.member("bob@example.com")
    work, home = await new_tag(ann.client, "work"), await new_tag(ann.client, "home")
    await new_tag(bob.client, "bob's")
    both = await new_todo(ann.client, "both", tag_ids=[work["id"], home["id"]])
    none = await new_todo(ann.client, "none")
    one = await new_todo(ann.client, "one", tag_ids=[work["id"]])
    await new_todo(bob.client, "not ann's", tag_ids=[])

    listed = (await ann.client.get("/api/v1/todos")).json()

    assert [todo["title"] for todo in listed] == ["both", "none", "one"]
    assert [[tag["name"] for tag in todo["tags"]] for todo in listed] == [["home", "work"], [], ["work"]]
    one_by_one = [(await ann.client.get(f"/api/v1/todos/{todo['id']}")).json() for todo in (both, none, one)]
    assert listed == one_by_one


async def test_admins_list_everything_and_act_for_anyone(people: PeopleFactory) -> None:
    admin = await people.admin()
    ann = await people.member("ann@example.com")
    anns = await new_todo(ann.client, "ann's")

    everything = (await admin.client.get("/api/v1/todos")).json()
    for_ann = await admin.client.post(
        "/api/v1/todos", params={"owner_id": ann.id}, json={"title": "from admin"}
    )
    for_nobody = await admin.client.post("/api/v1/todos", params={"owner_id": 999999}, json={"title": "x"})
    edited = await admin.client.put(f"/api/v1/todos/{anns['id']}", json={"completed": True})

    assert [todo["id"] for todo in everything] == [anns["id"]]
    assert for_ann.status_code == 201
    assert for_ann.json()["owner_id"] == ann.id
    assert for_nobody.status_code == 404
    assert for_nobody.json()["error_code"] == "user_not_found"
    assert edited.json()["completed"] is True
    assert {t["title"] for t in (await ann.client.get("/api/v1/todos")).json()} == {"ann's", "from admin"}


async def test_viewers_read_but_do_not_write(people: PeopleFactory) -> None:
    admin = await people.admin()
    viewer = await people.member("vic@example.com", role="viewer")
    todo = (
        await admin.client.post("/api/v1/todos", params={"owner_id": viewer.id}, json={"title": "t"})
    ).json()

    read = await viewer.client.get(f"/api/v1/todos/{todo['id']}")
    writes = [
        await viewer.client.post("/api/v1/todos", json={"title": "nope"}),
        await viewer.client.put(f"/api/v1/todos/{todo['id']}", json={"completed": True}),
        await viewer.client.delete(f"/api/v1/todos/{todo['id']}"),
    ]

    assert read.status_code == 200
    assert [r.status_code for r in writes] == [403, 403, 403]


async def test_anonymous_callers_are_refused(people: PeopleFactory) -> None:
    anonymous = people.new_client()

    answers = [
        await anonymous.get("/api/v1/todos"),
        await anonymous.post("/api/v1/todos", json={"title": "x"}),
        await anonymous.get("/api/v1/todos/1"),
        await anonymous.get("/api/v2/todos"),
    ]

    assert [r.status_code for r in answers] == [401, 401, 401, 401]


async def test_an_oversized_body_is_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    response = await ann.client.post("/api/v1/todos", json={"title": "x", "description": "y" * 2_000_000})

    assert response.status_code == 413
    assert await todo_count(app) == 0
