"""A project's members through HTTP: managers add users by id with a role, change roles and
remove members; everyone in the project reads the list; a project always keeps a manager."""

from typing import Any

import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_project


def members_of(project: dict[str, Any]) -> str:
    return f"{PROJECTS}/{project['id']}/members"


async def test_a_manager_adds_a_member_who_then_sees_the_project(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)

    added = await ann.client.post(members_of(project), json={"user_id": bob.id, "role": "annotator"})

    assert added.status_code == 201
    assert {key: added.json()[key] for key in ("user_id", "project_id", "role")} == {
        "user_id": bob.id,
        "project_id": project["id"],
        "role": "annotator",
    }
    assert (await bob.client.get(f"{PROJECTS}/{project['id']}")).status_code == 200
    assert [item["id"] for item in (await bob.client.get(PROJECTS)).json()["items"]] == [project["id"]]


async def test_roles_change_and_members_leave(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")
    url = f"{members_of(project)}/{bob.id}"

    promoted = await ann.client.put(url, json={"role": "manager"})
    renamed_by_bob = await bob.client.put(f"{PROJECTS}/{project['id']}", json={"name": "bob's now"})
    removed = await ann.client.delete(url)
    gone = await bob.client.get(f"{PROJECTS}/{project['id']}")
    again = await ann.client.delete(url)

    assert promoted.json()["role"] == "manager"
    assert renamed_by_bob.status_code == 200
    assert removed.status_code == 204
    assert gone.status_code == 404
    assert again.status_code == 404
    assert again.json()["error_code"] == "member_not_found"


async def test_the_member_list_pages_by_user_id(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    others = [await people.member(f"user{n}@example.com") for n in range(3)]
    project = await new_project(ann.client)
    for other in others:
        await add_member(ann.client, project["id"], other.id, "reviewer")

    first = await others[0].client.get(members_of(project), params={"limit": 3})
    second = await others[0].client.get(
        members_of(project), params={"limit": 3, "cursor": first.json()["next_cursor"]}
    )
    forged = await ann.client.get(members_of(project), params={"cursor": "forged"})

    ids = [item["user_id"] for item in first.json()["items"] + second.json()["items"]]
    assert ids == sorted([ann.id, *(other.id for other in others)])
    assert second.json()["next_cursor"] is None
    assert forged.status_code == 422
    assert forged.json()["error_code"] == "invalid_cursor"


async def test_adding_an_unknown_user_is_refused(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.post(members_of(project), json={"user_id": 999_999, "role": "annotator"})

    assert response.status_code == 404
    assert response.json()["error_code"] == "user_not_found"
    assert len((await ann.client.get(members_of(project))).json()["items"]) == 1


async def test_adding_a_member_twice_is_a_conflict(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "annotator")

    again = await ann.client.post(members_of(project), json={"user_id": bob.id, "role": "reviewer"})
    creator = await ann.client.post(members_of(project), json={"user_id": ann.id, "role": "annotator"})

    for response in (again, creator):
        assert response.status_code == 409
        assert response.json()["error_code"] == "already_member"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user_id": 2},
        {"role": "annotator"},
        {"user_id": 2, "role": "owner"},
        {"user_id": 0, "role": "manager"},
        {"user_id": "two", "role": "manager"},
        {"user_id": 2, "role": "manager", "extra": 1},
    ],
)
async def test_invalid_member_bodies_are_refused(people: PeopleFactory, body: dict[str, Any]) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.post(members_of(project), json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_the_last_manager_can_be_neither_removed_nor_demoted(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, "manager")
    url = members_of(project)

    bob_demoted = await ann.client.put(f"{url}/{bob.id}", json={"role": "reviewer"})
    ann_leaving_alone = await ann.client.delete(f"{url}/{ann.id}")
    await ann.client.put(f"{url}/{bob.id}", json={"role": "manager"})
    ann_removed_by_bob = await bob.client.delete(f"{url}/{ann.id}")
    bob_stepping_down = await bob.client.put(f"{url}/{bob.id}", json={"role": "annotator"})

    assert bob_demoted.json()["role"] == "reviewer"
    assert ann_removed_by_bob.status_code == 204
    for refused in (ann_leaving_alone, bob_stepping_down):
        assert refused.status_code == 409
        assert refused.json()["error_code"] == "last_project_manager"
    members = (await bob.client.get(url)).json()["items"]
    assert [(member["user_id"], member["role"]) for member in members] == [(bob.id, "manager")]


async def test_a_sole_manager_cannot_leave_or_step_down(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    url = f"{members_of(project)}/{ann.id}"

    left = await ann.client.delete(url)
    stepped_down = await ann.client.put(url, json={"role": "annotator"})
    stays = await ann.client.put(url, json={"role": "manager"})

    for response in (left, stepped_down):
        assert response.status_code == 409
        assert response.json()["error_code"] == "last_project_manager"
    assert stays.status_code == 200
    members = (await ann.client.get(members_of(project))).json()["items"]
    assert [(member["user_id"], member["role"]) for member in members] == [(ann.id, "manager")]


async def test_an_admin_may_not_remove_the_last_manager_either(people: PeopleFactory) -> None:
    ann = await people.member()
    admin = await people.admin()
    project = await new_project(ann.client)

    response = await admin.client.delete(f"{members_of(project)}/{ann.id}")

    assert response.status_code == 409
    assert response.json()["error_code"] == "last_project_manager"


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
async def test_annotators_and_reviewers_may_not_change_members(people: PeopleFactory, role: str) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    carl = await people.member("carl@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, role)
    url = members_of(project)

    refused = [
        await bob.client.post(url, json={"user_id": carl.id, "role": "annotator"}),
        await bob.client.post(url, json={"user_id": 999_999, "role": "annotator"}),  # no probing user ids
        await bob.client.put(f"{url}/{bob.id}", json={"role": "manager"}),
        await bob.client.delete(f"{url}/{ann.id}"),
    ]

    for response in refused:
        assert response.status_code == 403
        assert response.json()["error_code"] == "project_manager_required"
    assert (await bob.client.get(url)).status_code == 200


async def test_an_unknown_member_is_not_found(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    changed = await ann.client.put(f"{members_of(project)}/424242", json={"role": "manager"})

    assert changed.status_code == 404
    assert changed.json()["error_code"] == "member_not_found"
