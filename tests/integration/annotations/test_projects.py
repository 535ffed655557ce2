"""Annotation projects through HTTP, every error included, on SQLite and PostgreSQL."""

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.annotations.models import Member, Project
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project

SAMPLE: dict[str, Any] = {"name": "news entities", "description": "people and places", "kind": "spans"}


async def count(app: FastAPI, model: type[Project] | type[Member]) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_answers_201_and_makes_the_creator_its_manager(people: PeopleFactory) -> None:
    ann = await people.member()

    response = await ann.client.post(PROJECTS, json=SAMPLE)

    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"{PROJECTS}/{created['id']}"
    assert response.headers["ETag"] == f'"{created["id"]}-1"'
    assert {name: created[name] for name in SAMPLE} == SAMPLE
    assert (created["allow_overlapping_spans"], created["collaborative"]) == (False, False)
    assert (created["created_by"], created["version"]) == (ann.id, 1)
    fetched = await ann.client.get(response.headers["Location"])
    assert fetched.json() == created
    assert fetched.headers["ETag"] == response.headers["ETag"]
    members = (await ann.client.get(f"{PROJECTS}/{created['id']}/members")).json()["items"]
    assert [(member["user_id"], member["role"]) for member in members] == [(ann.id, "manager")]


@pytest.mark.parametrize("kind", ["spans", "single_label", "multi_label"])
async def test_every_kind_of_project_is_made(people: PeopleFactory, kind: str) -> None:
    ann = await people.member()

    created = await new_project(ann.client, kind=kind, collaborative=True)

    assert (created["kind"], created["collaborative"]) == (kind, True)


async def test_the_list_shows_ones_projects_a_page_at_a_time(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    made = [await new_project(ann.client) for _ in range(3)]
    bobs = await new_project(bob.client)
    await add_member(bob.client, bobs["id"], ann.id, "annotator")

    first = await ann.client.get(PROJECTS, params={"limit": 2})
    second = await ann.client.get(PROJECTS, params={"limit": 2, "cursor": first.json()["next_cursor"]})

    assert first.status_code == second.status_code == 200
    assert [item["id"] for item in first.json()["items"]] == [bobs["id"], made[2]["id"]]
    assert [item["id"] for item in second.json()["items"]] == [made[1]["id"], made[0]["id"]]
    assert second.json()["next_cursor"] is None
    assert [item["id"] for item in (await bob.client.get(PROJECTS)).json()["items"]] == [bobs["id"]]


async def test_a_tampered_cursor_is_refused(people: PeopleFactory) -> None:
    ann = await people.member()

    response = await ann.client.get(PROJECTS, params={"cursor": "not-a-cursor"})

    assert response.status_code == 422
    assert response.json()["error_code"] == "invalid_cursor"


async def test_a_manager_changes_only_the_fields_sent(people: PeopleFactory) -> None:
    ann = await people.member()
    created = await new_project(ann.client)

    response = await ann.client.put(
        f"{PROJECTS}/{created['id']}", json={"name": "renamed", "allow_overlapping_spans": True}
    )

    changed = response.json()
    assert response.status_code == 200
    assert changed == {
        **created,
        "name": "renamed",
        "allow_overlapping_spans": True,
        "version": 2,
        "updated_at": changed["updated_at"],
    }
    assert response.headers["ETag"] == f'"{created["id"]}-2"'


async def test_delete_takes_labels_and_members_with_it(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    created = await new_project(ann.client)
    await new_label(ann.client, created["id"], "PER")
    await add_member(ann.client, created["id"], bob.id, "annotator")

    deleted = await ann.client.delete(f"{PROJECTS}/{created['id']}")
    again = await ann.client.get(f"{PROJECTS}/{created['id']}")

    assert deleted.status_code == 204
    assert again.status_code == 404
    assert again.json()["error_code"] == "project_not_found"
    assert (await count(app, Project), await count(app, Member)) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**SAMPLE, "name": ""},
        {**SAMPLE, "name": "   "},
        {**SAMPLE, "name": "x" * 201},
        {**SAMPLE, "name": None},
        {**SAMPLE, "description": "x" * 10_001},
        {**SAMPLE, "kind": "ner"},
        {**SAMPLE, "kind": None},
        {"name": "no kind"},
        {**SAMPLE, "collaborative": "sometimes"},
        {**SAMPLE, "created_by": 1},
        {**SAMPLE, "version": 7},
    ],
)
async def test_create_refuses_invalid_bodies_and_writes_nothing(
    app: FastAPI, people: PeopleFactory, body: dict[str, Any]
) -> None:
    ann = await people.member()

    response = await ann.client.post(PROJECTS, json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"
    assert await count(app, Project) == 0


@pytest.mark.parametrize(
    "body", [{"name": None}, {"name": ""}, {"collaborative": None}, {"kind": "multi_label"}, {"id": 1}]
)
async def test_update_refuses_invalid_bodies_and_changes_nothing(
    people: PeopleFactory, body: dict[str, Any]
) -> None:
    ann = await people.member()
    created = await new_project(ann.client)

    response = await ann.client.put(f"{PROJECTS}/{created['id']}", json=body)

    assert response.status_code == 422
    assert (await ann.client.get(f"{PROJECTS}/{created['id']}")).json() == created


async def test_oversized_bodies_are_refused(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()

    ten_megabytes = await ann.client.post(PROJECTS, json={**SAMPLE, "description": "d" * 10_000_000})
    long_name = await ann.client.post(PROJECTS, json={**SAMPLE, "name": "n" * 2_000_000})

    assert ten_megabytes.status_code == long_name.status_code == 413
    assert await count(app, Project) == 0


async def test_anonymous_callers_are_refused(people: PeopleFactory) -> None:
    anonymous = people.new_client()

    answers = [
        await anonymous.get(PROJECTS),
        await anonymous.post(PROJECTS, json=SAMPLE),
        await anonymous.get(f"{PROJECTS}/1"),
        await anonymous.put(f"{PROJECTS}/1", json={"name": "x"}),
        await anonymous.delete(f"{PROJECTS}/1"),
        await anonymous.get(f"{PROJECTS}/1/labels"),
        await anonymous.post(f"{PROJECTS}/1/labels", json={"name": "PER"}),
        await anonymous.put(f"{PROJECTS}/1/labels/1", json={"name": "LOC"}),
        await anonymous.get(f"{PROJECTS}/1/members"),
        await anonymous.post(f"{PROJECTS}/1/members", json={"user_id": 1, "role": "manager"}),
        await anonymous.delete(f"{PROJECTS}/1/members/1"),
    ]

    assert {response.status_code for response in answers} == {401}


async def test_viewers_read_but_do_not_create(people: PeopleFactory) -> None:
    viewer = await people.member("viewer@example.com", role="viewer")

    listed = await viewer.client.get(PROJECTS)
    created = await viewer.client.post(PROJECTS, json=SAMPLE)

    assert listed.status_code == 200
    assert created.status_code == 403
    assert created.json()["error_code"] == "permission_denied"


async def test_a_project_does_not_exist_for_non_members(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    anns = await new_project(ann.client)
    url = f"{PROJECTS}/{anns['id']}"

    answers = [
        await bob.client.get(url),
        await bob.client.put(url, json={"name": "taken over"}),
        await bob.client.delete(url),
        await bob.client.get(f"{url}/labels"),
        await bob.client.post(f"{url}/labels", json={"name": "PER"}),
        await bob.client.get(f"{url}/members"),
        await bob.client.post(f"{url}/members", json={"user_id": bob.id, "role": "manager"}),
        await bob.client.get(f"{PROJECTS}/999999"),
    ]

    for response in answers:
        assert response.status_code == 404
        assert response.json()["error_code"] == "project_not_found"
    assert (await bob.client.get(PROJECTS)).json()["items"] == []
    assert (await ann.client.get(url)).json() == anns


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
async def test_annotators_and_reviewers_read_but_may_not_change_the_project(
    people: PeopleFactory, role: str
) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, role)
    url = f"{PROJECTS}/{project['id']}"

    read = await bob.client.get(url)
    changed = await bob.client.put(url, json={"name": "mine now"})
    deleted = await bob.client.delete(url)

    assert read.json() == project
    for refused in (changed, deleted):
        assert refused.status_code == 403
        assert refused.json()["error_code"] == "project_manager_required"
    assert (await ann.client.get(url)).json() == project


async def test_admins_see_and_manage_every_project(people: PeopleFactory) -> None:
    ann = await people.member()
    admin = await people.admin()
    anns = await new_project(ann.client)
    url = f"{PROJECTS}/{anns['id']}"

    fetched = await admin.client.get(url)
    listed = await admin.client.get(PROJECTS, params={"member_id": ann.id})
    everything = await admin.client.get(PROJECTS)
    renamed = await admin.client.put(url, json={"name": "by an admin"})

    assert fetched.json() == anns
    assert [item["id"] for item in listed.json()["items"]] == [anns["id"]]
    assert [item["id"] for item in everything.json()["items"]] == [anns["id"]]
    assert renamed.json()["name"] == "by an admin"


async def test_a_members_member_id_filter_is_ignored(people: PeopleFactory) -> None:
    """`member_id` is for admins: a member's listing is always their own projects."""
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    await new_project(ann.client)

    listed = await bob.client.get(PROJECTS, params={"member_id": ann.id})

    assert listed.json()["items"] == []


async def test_a_stale_if_match_is_refused(people: PeopleFactory) -> None:
    ann = await people.member()
    created = await new_project(ann.client)
    url = f"{PROJECTS}/{created['id']}"
    first_tag = (await ann.client.get(url)).headers["ETag"]

    updated = await ann.client.put(url, json={"name": "v2"}, headers={"If-Match": first_tag})
    stale_update = await ann.client.put(url, json={"name": "lost"}, headers={"If-Match": first_tag})
    stale_delete = await ann.client.delete(url, headers={"If-Match": first_tag})
    deleted = await ann.client.delete(url, headers={"If-Match": updated.headers["ETag"]})

    assert updated.status_code == 200
    for refused in (stale_update, stale_delete):
        assert refused.status_code == 412
        assert refused.json()["error_code"] == "precondition_failed"
    assert stale_update.json()["details"] == {"current_etag": updated.headers["ETag"]}
    assert deleted.status_code == 204


async def test_errors_speak_russian_when_asked(people: PeopleFactory) -> None:
    ann = await people.member()

    response = await ann.client.get(f"{PROJECTS}/424242", headers={"Accept-Language": "ru"})

    assert response.json()["message"] == "Проект 424242 не найден"


async def test_a_keyed_create_retried_makes_one_project(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    headers = {"Idempotency-Key": "project-once"}

    first = await ann.client.post(PROJECTS, json=SAMPLE, headers=headers)
    retry = await ann.client.post(PROJECTS, json=SAMPLE, headers=headers)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert await count(app, Project) == 1


# <part:admin>
async def test_the_admin_panel_lists_projects_labels_and_members(people: PeopleFactory) -> None:
    ann = await people.member()
    admin = await people.admin()
    project = await new_project(ann.client, name="panel project")
    await new_label(ann.client, project["id"], "PANEL-LABEL")
    panel = people.new_client()
    assert (
        await panel.post("/admin/login", data={"username": admin.email, "password": PASSWORD})
    ).status_code == 302

    pages = [await panel.get(f"/admin/{model}/list") for model in ("project", "label", "member")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert "panel project" in pages[0].text
    assert "PANEL-LABEL" in pages[1].text
    assert "manager" in pages[2].text


# </part:admin>
