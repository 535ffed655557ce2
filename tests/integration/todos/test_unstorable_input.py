"""Todo and tag text that no database can store is a 422 `validation_error` naming the field,
and changes nothing; moments past the calendar in UTC are refused as filters. The platform's
side of it is tests/integration/test_unstorable_input.py."""

import pytest

from tests.fixtures.accounts import PeopleFactory, Person
from tests.fixtures.todos import new_tag, new_todo
from tests.unstorable import NUL, SURROGATE, TOO_EARLY, TOO_LATE, assert_refused, send


@pytest.fixture
async def member(people: PeopleFactory) -> Person:
    return await people.member()


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
class TestText:
    async def test_todo_title_and_description(self, member: Person, bad: str) -> None:
        client = member.client
        todo = await new_todo(client, "kept")

        created = await send(client, "POST", "/api/v1/todos", {"title": f"a{bad}b"})
        described = await send(client, "POST", "/api/v1/todos", {"title": "t", "description": f"{bad}"})
        changed = await send(client, "PUT", f"/api/v1/todos/{todo['id']}", {"description": f"x{bad}"})

        assert_refused(created, "body", "title")
        assert_refused(described, "body", "description")
        assert_refused(changed, "body", "description")
        listed = (await client.get("/api/v1/todos")).json()
        assert [(t["title"], t["description"]) for t in listed] == [("kept", "")]

    async def test_tag_name(self, member: Person, bad: str) -> None:
        tag = await new_tag(member.client, "kept")

        created = await send(member.client, "POST", "/api/v1/tags", {"name": f"n{bad}"})
        renamed = await send(member.client, "PUT", f"/api/v1/tags/{tag['id']}", {"name": bad})

        assert_refused(created, "body", "name")
        assert_refused(renamed, "body", "name")
        assert [t["name"] for t in (await member.client.get("/api/v1/tags")).json()] == ["kept"]

    async def test_nested_values_and_keys(self, member: Person, bad: str) -> None:
        response = await send(
            member.client, "POST", "/api/v1/todos", {"title": "t", "tag_ids": [1], f"k{bad}": 1}
        )

        assert_refused(response, "body", "k\ufffd")  # the name as JSON can carry it back


@pytest.mark.parametrize(("path", "name"), [("/api/v2/todos?q=", "q"), ("/api/v2/todos?tag=", "tag")])
async def test_nul_in_a_query_filter(member: Person, path: str, name: str) -> None:
    response = await member.client.get(f"{path}a%00b")

    assert_refused(response, "query", name)


@pytest.mark.parametrize("moment", [TOO_EARLY, TOO_LATE])
@pytest.mark.parametrize("name", ["created_after", "created_before"])
async def test_moments_beyond_the_calendar_in_utc(member: Person, name: str, moment: str) -> None:
    response = await member.client.get(f"/api/v2/todos?{name}=" + moment.replace("+", "%2B"))

    assert_refused(response, "query", name)


async def test_moments_at_the_edge_that_exist_in_utc_pass(member: Person) -> None:
    for moment in ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59+14:00"):
        response = await member.client.get("/api/v2/todos", params={"created_after": moment})

        assert response.status_code == 200, response.text
