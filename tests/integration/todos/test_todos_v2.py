"""v2 listing: keyset pages that stay whole while rows arrive, filters, sorts, opaque cursors."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event

from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.todos import new_tag, new_todo


async def walk(client: AsyncClient, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page, following next_cursor; a todo is created between pages."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/v2/todos", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        await new_todo(client, f"added while paging {len(pages)}")


@pytest.mark.parametrize(
    ("sort", "order"), [("created_at", "desc"), ("created_at", "asc"), ("title", "asc"), ("title", "desc")]
)
async def test_pages_cover_every_todo_once_while_rows_are_inserted(
    people: PeopleFactory, sort: str, order: str
) -> None:
    ann = await people.member()
    originals = [await new_todo(ann.client, f"todo {n:02}") for n in range(11)]

    pages = await walk(ann.client, limit=3, sort=sort, order=order)

    seen = [todo["id"] for page in pages for todo in page]
    assert len(seen) == len(set(seen))  # no duplicates
    assert {todo["id"] for todo in originals} <= set(seen)  # no gaps
    assert all(len(page) <= 3 for page in pages)
    keys = [(todo[sort], todo["id"]) for page in pages for todo in page]
    assert keys == sorted(keys, reverse=order == "desc")


async def test_filters_narrow_the_list(people: PeopleFactory) -> None:
    ann = await people.member()
    work = await new_tag(ann.client, "work")
    urgent = await new_tag(ann.client, "urgent")
    report = await new_todo(ann.client, "Quarterly REPORT", tag_ids=[work["id"], urgent["id"]])
    await new_todo(ann.client, "Slides", description="for the report", tag_ids=[work["id"]], completed=True)
    await new_todo(ann.client, "Groceries")

    def titles(body: dict[str, Any]) -> set[str]:
        return {todo["title"] for todo in body["items"]}

    async def listing(**params: Any) -> dict[str, Any]:
        return dict((await ann.client.get("/api/v2/todos", params=params)).json())

    assert titles(await listing(completed=True)) == {"Slides"}
    assert titles(await listing(completed=False)) == {"Quarterly REPORT", "Groceries"}
    assert titles(await listing(tag="work")) == {"Quarterly REPORT", "Slides"}
    assert titles(await listing(tag=["work", "urgent"])) == {"Quarterly REPORT"}
    # The same filters with other values run the same (cached) statement with new values.
    assert titles(await listing(tag="urgent")) == {"Quarterly REPORT"}
    assert titles(await listing(q="report")) == {"Quarterly REPORT", "Slides"}
    assert titles(await listing(q="grocer")) == {"Groceries"}
    assert titles(await listing(q="%")) == set()
    later = datetime.fromisoformat(report["created_at"]) + timedelta(microseconds=1)
    assert "Quarterly REPORT" not in titles(await listing(created_after=later.isoformat()))
    assert titles(await listing(created_before=later.isoformat())) == {"Quarterly REPORT"}
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert titles(await listing(created_after=future)) == set()


async def test_tags_come_embedded_in_each_item(people: PeopleFactory) -> None:
    ann = await people.member()
    tags = [await new_tag(ann.client, name) for name in ("a", "b")]
    for n in range(3):
        await new_todo(ann.client, f"t{n}", tag_ids=[tag["id"] for tag in tags])

    items = (await ann.client.get("/api/v2/todos")).json()["items"]

    assert [[tag["name"] for tag in item["tags"]] for item in items] == [["a", "b"]] * 3


async def test_members_page_only_their_own_todos_and_admins_anyone_s(people: PeopleFactory) -> None:
    admin = await people.admin()
    ann = await people.member("ann@example.com")
    bob = await people.member("bob@example.com")
    await new_todo(ann.client, "ann's")
    await new_todo(bob.client, "bob's")

    anns = (await ann.client.get("/api/v2/todos")).json()["items"]
    snooping = await ann.client.get("/api/v2/todos", params={"owner_id": bob.id})
    all_of_them = (await admin.client.get("/api/v2/todos")).json()["items"]
    bobs = (await admin.client.get("/api/v2/todos", params={"owner_id": bob.id})).json()["items"]

    assert [t["title"] for t in anns] == ["ann's"]
    assert snooping.status_code == 403
    assert {t["title"] for t in all_of_them} == {"ann's", "bob's"}
    assert [t["title"] for t in bobs] == ["bob's"]


async def test_cursors_cannot_be_forged_or_reused_for_another_query(people: PeopleFactory) -> None:
    ann = await people.member()
    for n in range(3):
        await new_todo(ann.client, f"t{n}")
    cursor = (await ann.client.get("/api/v2/todos", params={"limit": 1})).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")

    answers = [
        await ann.client.get("/api/v2/todos", params={"limit": 1, "cursor": tampered}),
        await ann.client.get("/api/v2/todos", params={"limit": 1, "cursor": "not-a-cursor!"}),
        await ann.client.get("/api/v2/todos", params={"limit": 1, "cursor": cursor, "sort": "title"}),
    ]

    assert [r.status_code for r in answers] == [422, 422, 422]
    assert {r.json()["error_code"] for r in answers} == {"invalid_cursor"}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"sort": "owner_id"},
        {"order": "up"},
        {"completed": "sometimes"},
        {"created_after": "yesterday"},
        {"created_after": "2026-01-01T00:00:00"},
        {"q": "x" * 201},
        {"cursor": "c" * 513},
    ],
)
async def test_bad_parameters_are_refused(people: PeopleFactory, params: dict[str, Any]) -> None:
    ann = await people.member()

    response = await ann.client.get("/api/v2/todos", params=params)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_v2_serves_the_same_items_as_v1(people: PeopleFactory) -> None:
    ann = await people.member()
    created = await ann.client.post("/api/v2/todos", json={"title": "through v2"})
    todo = created.json()

    assert created.status_code == 201
    assert created.headers["Location"] == f"/api/v2/todos/{todo['id']}"
    assert (await ann.client.get(f"/api/v1/todos/{todo['id']}")).json() == todo
    assert (await ann.client.get(f"/api/v2/todos/{todo['id']}")).json() == todo


async def test_listing_costs_the_same_queries_for_2_todos_as_for_20(
    app: FastAPI, people: PeopleFactory
) -> None:
    """Tags come in one extra query per page, never one per todo (no N+1)."""
    ann = await people.member()
    tags = [await new_tag(ann.client, name) for name in ("a", "b")]
    statements: list[str] = []

    def count_statement(*args: Any) -> None:
        statements.append(str(args[2]))

    async def queries_for_listing() -> dict[str, int]:
        costs = {}
        for path in ("/api/v1/todos", "/api/v2/todos?limit=20"):
            statements.clear()
            assert (await ann.client.get(path)).status_code == 200
            costs[path] = len(statements)
        return costs

    for n in range(2):
        await new_todo(ann.client, f"t{n}", tag_ids=[tag["id"] for tag in tags])
    event.listen(app.state.runtime.engine.sync_engine, "before_cursor_execute", count_statement)
    try:
        few = await queries_for_listing()
        for n in range(2, 20):
            await new_todo(ann.client, f"t{n}", tag_ids=[tag["id"] for tag in tags])
        many = await queries_for_listing()
    finally:
        event.remove(app.state.runtime.engine.sync_engine, "before_cursor_execute", count_statement)

    assert many == few
