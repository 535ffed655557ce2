"""What no database can store, in the annotations' own fields: a 422 naming the field, on
SQLite and PostgreSQL alike, never a 500 (the platform's side: tests/integration/test_unstorable_input.py)."""

from typing import Any

import pytest

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.annotations import PROJECTS, new_project
from tests.unstorable import NUL, SURROGATE, assert_refused, send


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize("field", ["name", "description"])
async def test_a_project_field_no_database_stores_is_refused(
    people: PeopleFactory, field: str, bad: str
) -> None:
    ann = await people.member()
    body: dict[str, Any] = {"name": "corpus", "kind": "spans", field: f"a{bad}b"}

    response = await send(ann.client, "POST", PROJECTS, body)

    assert_refused(response, "body", field)
    assert (await ann.client.get(PROJECTS)).json()["items"] == []


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_a_label_name_no_database_stores_is_refused(people: PeopleFactory, bad: str) -> None:
    ann = await people.member()
    project = await new_project(ann.client)
    labels = f"{PROJECTS}/{project['id']}/labels"

    response = await send(ann.client, "POST", labels, {"name": f"PER{bad}", "colour": "#ff0000"})

    assert_refused(response, "body", "name")
    assert (await ann.client.get(labels)).json() == []


@pytest.mark.parametrize("user_id", [2**31, 2**70, 0, -1])
async def test_a_member_id_out_of_range_is_a_clear_error(people: PeopleFactory, user_id: int) -> None:
    ann = await people.member()
    project = await new_project(ann.client)

    added = await ann.client.post(
        f"{PROJECTS}/{project['id']}/members", json={"user_id": user_id, "role": "annotator"}
    )
    path = await ann.client.put(f"{PROJECTS}/{project['id']}/members/{user_id}", json={"role": "reviewer"})

    assert added.status_code in (404, 422), added.text
    assert path.status_code in (404, 422), path.text
