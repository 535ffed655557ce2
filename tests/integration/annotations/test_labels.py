"""A project's label set through HTTP: read by members, changed by managers, names and
shortcut keys unique per project."""

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.domains.annotations.models import Label
from tests.fixtures.accounts import PeopleFactory, Person
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project


async def label_count(app: FastAPI) -> int:
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Label)) or 0)


def labels_of(project: dict[str, Any]) -> str:
    return f"{PROJECTS}/{project['id']}/labels"


async def test_a_manager_makes_reads_changes_and_deletes_labels(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    url = labels_of(project)

    created = await ann.client.post(url, json={"name": "PER", "colour": "#ff0000", "shortcut": "p"})
    label = created.json()
    await new_label(ann.client, project["id"], "LOC")
    listed = await ann.client.get(url)
    changed = await ann.client.put(f"{url}/{label['id']}", json={"name": "PERSON", "shortcut": None})
    deleted = await ann.client.delete(f"{url}/{label['id']}")
    gone = await ann.client.get(f"{url}/{label['id']}")

    assert created.status_code == 201
    assert label == {
        "id": label["id"],
        "project_id": project["id"],
        "name": "PER",
        "colour": "#ff0000",
        "shortcut": "p",
    }
    assert [item["name"] for item in listed.json()] == ["LOC", "PER"]
    assert changed.json() == {**label, "name": "PERSON", "shortcut": None}
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json()["error_code"] == "label_not_found"


async def test_a_label_of_another_project_is_not_found_here(people: PeopleFactory) -> None:
    ann = await people.member()
    first, second = await new_project(ann.client), await new_project(ann.client)
    label = await new_label(ann.client, first["id"], "PER")

    response = await ann.client.get(f"{labels_of(second)}/{label['id']}")
    changed = await ann.client.put(f"{labels_of(second)}/{label['id']}", json={"name": "moved"})

    assert response.status_code == changed.status_code == 404
    assert response.json()["error_code"] == "label_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 101},
        {"name": "PER", "colour": "red"},
        {"name": "PER", "colour": "#ff00001"},
        {"name": "PER", "shortcut": "pp"},
        {"name": "PER", "shortcut": " "},
        {"name": "PER", "shortcut": ""},
        {"name": "PER", "project_id": 2},
    ],
)
async def test_invalid_labels_are_refused(app: FastAPI, people: PeopleFactory, body: dict[str, Any]) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    response = await ann.client.post(labels_of(project), json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"
    assert await label_count(app) == 0


@pytest.mark.parametrize("body", [{"name": None}, {"colour": None}, {"colour": "blue"}])
async def test_invalid_label_changes_are_refused(people: PeopleFactory, body: dict[str, Any]) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    label = await new_label(ann.client, project["id"], "PER")

    response = await ann.client.put(f"{labels_of(project)}/{label['id']}", json=body)

    assert response.status_code == 422
    assert (await ann.client.get(f"{labels_of(project)}/{label['id']}")).json() == label


async def test_names_and_shortcuts_are_unique_per_project(app: FastAPI, people: PeopleFactory) -> None:
    ann = await people.member()
    project, other = await new_project(ann.client), await new_project(ann.client)
    await new_label(ann.client, project["id"], "PER", shortcut="p")
    loc = await new_label(ann.client, project["id"], "LOC", shortcut="l")
    url = labels_of(project)

    same_name = await ann.client.post(url, json={"name": "PER"})
    same_key = await ann.client.post(url, json={"name": "ORG", "shortcut": "p"})
    renamed = await ann.client.put(f"{url}/{loc['id']}", json={"name": "PER"})
    rekeyed = await ann.client.put(f"{url}/{loc['id']}", json={"shortcut": "p"})
    elsewhere = await ann.client.post(labels_of(other), json={"name": "PER", "shortcut": "p"})
    unchanged = await ann.client.put(f"{url}/{loc['id']}", json={"name": "LOC", "shortcut": "l"})

    for response in (same_name, renamed):
        assert response.status_code == 409
        assert response.json()["error_code"] == "label_name_taken"
    for response in (same_key, rekeyed):
        assert response.status_code == 409
        assert response.json()["error_code"] == "label_shortcut_taken"
    assert elsewhere.status_code == 201
    assert unchanged.status_code == 200
    assert await label_count(app) == 3


async def test_labels_without_shortcuts_do_not_clash(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    first = await new_label(ann.client, project["id"], "PER")
    second = await new_label(ann.client, project["id"], "LOC")

    assert first["shortcut"] is second["shortcut"] is None


async def annotator_on(people: PeopleFactory, role: str) -> tuple[Person, Person, dict[str, Any]]:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    await add_member(ann.client, project["id"], bob.id, role)
    return ann, bob, project


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
async def test_annotators_and_reviewers_read_labels_but_may_not_change_them(
    people: PeopleFactory, role: str
) -> None:
    ann, bob, project = await annotator_on(people, role)
    label = await new_label(ann.client, project["id"], "PER")
    url = labels_of(project)

    listed = await bob.client.get(url)
    read = await bob.client.get(f"{url}/{label['id']}")
    refused = [
        await bob.client.post(url, json={"name": "ORG"}),
        await bob.client.put(f"{url}/{label['id']}", json={"name": "ORG"}),
        await bob.client.delete(f"{url}/{label['id']}"),
    ]

    assert listed.json() == [label]
    assert read.json() == label
    for response in refused:
        assert response.status_code == 403
        assert response.json()["error_code"] == "project_manager_required"
    assert (await ann.client.get(url)).json() == [label]


async def test_a_project_has_a_bounded_label_set(
    people: PeopleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.domains.annotations.service.labels.MAX_LABELS_PER_PROJECT", 2)
    ann = await people.member()
    project = await new_project(ann.client)
    await new_label(ann.client, project["id"], "PER")
    await new_label(ann.client, project["id"], "LOC")

    response = await ann.client.post(labels_of(project), json={"name": "ORG"})

    assert response.status_code == 409
    assert response.json()["error_code"] == "label_set_full"
