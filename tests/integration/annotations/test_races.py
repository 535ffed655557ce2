"""The annotations' unique rules under racing requests: one label name or shortcut key per
project, one membership per user, and a project that keeps a manager while its managers
demote each other at once; one request wins, the others get a 409, never a 500."""

import pytest
from sqlalchemy import func, select

from app.domains.annotations.models import Label, Member, ProjectRole
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, add_member, new_label, new_project
from tests.races import RACERS, ROUNDS, count, race


async def test_labels_created_with_one_name_at_once(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    url = f"{PROJECTS}/{project['id']}/labels"

    outcome = await race([ann.client.post(url, json={"name": "PER"}) for _ in range(RACERS)])

    assert outcome == {(201, None): 1, (409, "label_name_taken"): RACERS - 1}
    assert outcome.conflict_messages == {"The project already has a label named PER"}
    assert await count(people, select(func.count()).select_from(Label)) == 1


async def test_labels_created_at_once_stay_within_the_bound(
    people: PeopleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.domains.annotations.service.labels.MAX_LABELS_PER_PROJECT", 3)
    ann = await people.member()
    project = await new_project(ann.client)
    url = f"{PROJECTS}/{project['id']}/labels"

    outcome = await race([ann.client.post(url, json={"name": f"label {n}"}) for n in range(RACERS)])

    assert outcome == {(201, None): 3, (409, "label_set_full"): RACERS - 3}


async def test_labels_given_one_shortcut_at_once(people: PeopleFactory) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    labels = [await new_label(ann.client, project["id"], f"label {n}") for n in range(RACERS)]
    url = f"{PROJECTS}/{project['id']}/labels"

    outcome = await race([ann.client.put(f"{url}/{label['id']}", json={"shortcut": "k"}) for label in labels])

    assert outcome == {(200, None): 1, (409, "label_shortcut_taken"): RACERS - 1}
    assert outcome.conflict_messages == {"Another label of the project already has the shortcut key k"}


async def test_one_user_added_at_once(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    project = await new_project(ann.client)
    url = f"{PROJECTS}/{project['id']}/members"

    outcome = await race(
        [ann.client.post(url, json={"user_id": bob.id, "role": "annotator"}) for _ in range(RACERS)]
    )

    assert outcome == {(201, None): 1, (409, "already_member"): RACERS - 1}
    assert await count(people, select(func.count()).select_from(Member)) == 2


async def test_two_managers_demoting_each_other_at_once_leave_one(people: PeopleFactory) -> None:
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    for _ in range(ROUNDS):
        project = await new_project(ann.client)
        await add_member(ann.client, project["id"], bob.id, "manager")
        url = f"{PROJECTS}/{project['id']}/members"

        outcome = await race(
            [
                ann.client.put(f"{url}/{bob.id}", json={"role": "annotator"}),
                bob.client.delete(f"{url}/{ann.id}"),
            ]
        )

        # The second to get there is refused: by the rule, or, when the first change had
        # committed before its request read the caller's own role, as no manager (no member).
        assert set(outcome) <= {
            (200, None),
            (204, None),
            (409, "last_project_manager"),
            (409, "concurrent_change"),
            (403, "project_manager_required"),
            (404, "project_not_found"),
        }
        assert sum(status < 300 for status, _ in outcome.elements()) == 1
        managers = (
            select(func.count())
            .select_from(Member)
            .where(Member.project_id == project["id"], Member.role == ProjectRole.MANAGER.value)
        )
        assert await count(people, managers) == 1
