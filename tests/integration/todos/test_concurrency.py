"""ETag / If-Match, and concurrent writers: one wins, the others are told, nothing is lost."""

import asyncio

import pytest
from fastapi import FastAPI

from app.core.cursors import CursorCodec
from app.domains.todos.errors import TodoChanged
from app.domains.todos.schemas import TodoUpdate
from app.domains.todos.service import Actor, TodoService
from app.infrastructure.unit_of_work import UnitOfWork
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.todos import new_todo


async def test_if_match_guards_updates_and_deletes(people: PeopleFactory) -> None:
    ann = await people.member()
    todo = await new_todo(ann.client, "guarded")
    url = f"/api/v1/todos/{todo['id']}"
    first_tag = (await ann.client.get(url)).headers["ETag"]

    updated = await ann.client.put(url, json={"title": "v2"}, headers={"If-Match": first_tag})
    stale_update = await ann.client.put(url, json={"title": "lost"}, headers={"If-Match": first_tag})
    weak = await ann.client.put(
        url, json={"title": "lost"}, headers={"If-Match": f"W/{updated.headers['ETag']}"}
    )
    stale_delete = await ann.client.delete(url, headers={"If-Match": first_tag})
    any_version = await ann.client.put(url, json={"completed": True}, headers={"If-Match": "*"})
    listed = await ann.client.put(
        url, json={"title": "v4"}, headers={"If-Match": f'"0-0", {any_version.headers["ETag"]}'}
    )
    deleted = await ann.client.delete(url, headers={"If-Match": listed.headers["ETag"]})

    assert updated.status_code == 200
    assert updated.headers["ETag"] != first_tag
    for refused in (stale_update, weak, stale_delete):
        assert refused.status_code == 412
        assert refused.json()["error_code"] == "precondition_failed"
    assert stale_update.json()["details"] == {"current_etag": updated.headers["ETag"]}
    assert (any_version.status_code, listed.status_code, deleted.status_code) == (200, 200, 204)


async def test_concurrent_guarded_updates_let_exactly_one_through(people: PeopleFactory) -> None:
    ann = await people.member()
    todo = await new_todo(ann.client, "contested")
    url = f"/api/v1/todos/{todo['id']}"
    tag = (await ann.client.get(url)).headers["ETag"]

    answers = await asyncio.gather(
        *(ann.client.put(url, json={"title": f"writer {n}"}, headers={"If-Match": tag}) for n in range(5))
    )

    statuses = sorted(r.status_code for r in answers)
    assert statuses[0] == 200
    assert statuses.count(200) == 1
    assert set(statuses[1:]) <= {409, 412}
    winner = next(r for r in answers if r.status_code == 200).json()
    assert (await ann.client.get(url)).json()["title"] == winner["title"]


async def test_two_sessions_updating_the_same_version_cannot_both_win(
    app: FastAPI, people: PeopleFactory
) -> None:
    """Without If-Match: two connections read version 1, both write; the version column
    turns the second write into a conflict instead of a silent overwrite."""
    ann = await people.member()
    todo = await new_todo(ann.client, "original")
    actor = Actor(id=ann.id, is_admin=False)
    cursors = CursorCodec("unused")
    first, second = (
        UnitOfWork(app.state.runtime.session_factory),
        UnitOfWork(app.state.runtime.session_factory),
    )
    try:
        services = [TodoService(uow=uow, cursors=cursors) for uow in (first, second)]
        loaded = [await service.get_visible(todo_id=todo["id"], actor=actor) for service in services]

        outcomes = await asyncio.gather(
            *(
                service.update(todo=copy, changes=TodoUpdate(title=f"from session {n}"), if_match=None)
                for n, (service, copy) in enumerate(zip(services, loaded, strict=True))
            ),
            return_exceptions=True,
        )
    finally:
        await first.close()
        await second.close()

    assert sum(not isinstance(outcome, BaseException) for outcome in outcomes) == 1
    assert [type(outcome) for outcome in outcomes if isinstance(outcome, BaseException)] == [TodoChanged]
    final = (await ann.client.get(f"/api/v1/todos/{todo['id']}")).json()
    assert final["version"] == 2
    assert final["title"] in {"from session 0", "from session 1"}


@pytest.mark.parametrize("method", ["put", "delete"])
async def test_a_stale_write_through_http_is_a_conflict(people: PeopleFactory, method: str) -> None:
    ann = await people.member()
    todo = await new_todo(ann.client, "x")
    url = f"/api/v1/todos/{todo['id']}"
    await ann.client.put(url, json={"title": "moved on"})

    stale = await ann.client.request(
        method.upper(),
        url,
        json={"title": "old"} if method == "put" else None,
        headers={"If-Match": f'"{todo["id"]}-1"'},
    )

    assert stale.status_code == 412
