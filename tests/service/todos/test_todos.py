"""Todo and tag rules, on the service: ownership, optimistic concurrency, names, pages."""

import pytest

from app.core.cursors import CursorCodec, InvalidCursor
from app.domains.accounts.errors import PermissionDenied
from app.domains.todos.errors import TagNameTaken, TodoChanged, TodoNotFound, UnknownTags
from app.domains.todos.schemas import TagUpdate, TodoCreate, TodoFilter, TodoUpdate
from app.domains.todos.service import Actor, TagService, TodoService
from app.infrastructure.unit_of_work import UnitOfWork
from app.web.etag import PreconditionFailed, etag_of
from tests.factories import make_user
from tests.fixtures.todos import make_tag, make_todo
from tests.service.wiring import NewUnitOfWork


def actor_of(user_id: int, *, admin: bool = False) -> Actor:
    return Actor(id=user_id, is_admin=admin)


async def test_a_todo_is_created_with_its_tags_in_name_order(uow: UnitOfWork, todos: TodoService) -> None:
    owner = await make_user(uow)
    work, home = await make_tag(uow, owner=owner, name="work"), await make_tag(uow, owner=owner, name="home")

    todo = await todos.create(owner_id=owner.id, data=TodoCreate(title="Plan", tag_ids=[work.id, home.id]))

    assert (todo.title, todo.owner_id, todo.completed, todo.version) == ("Plan", owner.id, False, 1)
    assert [tag.name for tag in todo.tags] == ["home", "work"]


async def test_someone_elses_tags_are_unknown(uow: UnitOfWork, todos: TodoService) -> None:
    owner, other = await make_user(uow), await make_user(uow)
    theirs = (await make_tag(uow, owner=other)).id

    with pytest.raises(UnknownTags) as refused:
        await todos.create(owner_id=owner.id, data=TodoCreate(title="Plan", tag_ids=[theirs]))

    assert refused.value.details == {"tag_ids": [theirs]}


async def test_an_update_at_the_current_version_makes_a_new_version(
    uow: UnitOfWork, todos: TodoService
) -> None:
    owner = await make_user(uow)
    todo = await make_todo(uow, owner=owner, title="Draft")

    updated = await todos.update(
        todo=todo, changes=TodoUpdate(completed=True), if_match=etag_of(todo.id, todo.version)
    )

    assert (updated.title, updated.completed, updated.version) == ("Draft", True, 2)


async def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(
    uow: UnitOfWork, todos: TodoService
) -> None:
    owner = await make_user(uow)
    todo = await make_todo(uow, owner=owner, title="Draft")
    stale = etag_of(todo.id, todo.version)
    await todos.update(todo=todo, changes=TodoUpdate(title="Second"), if_match=stale)

    with pytest.raises(PreconditionFailed):
        await todos.update(todo=todo, changes=TodoUpdate(title="Third"), if_match=stale)

    found = await todos.get_visible(todo_id=todo.id, actor=actor_of(owner.id))
    assert (found.title, found.version) == ("Second", 2)


async def test_a_change_made_between_read_and_write_is_a_conflict(
    uow: UnitOfWork, todos: TodoService, new_uow: NewUnitOfWork, cursors: CursorCodec
) -> None:
    owner = actor_of((await make_user(uow)).id)
    todo = await todos.get_visible(todo_id=(await make_todo(uow, owner=owner)).id, actor=owner)
    todo_id = todo.id  # the failed write rolls back and expires what this unit of work read
    other_request = TodoService(uow=await new_uow(), cursors=cursors)
    theirs = await other_request.get_visible(todo_id=todo_id, actor=owner)
    await other_request.update(todo=theirs, changes=TodoUpdate(title="Theirs"), if_match=None)

    with pytest.raises(TodoChanged):
        await todos.update(todo=todo, changes=TodoUpdate(title="Mine"), if_match=None)

    reread = TodoService(uow=await new_uow(), cursors=cursors)
    assert (await reread.get_visible(todo_id=todo_id, actor=owner)).title == "Theirs"


async def test_another_members_todo_is_not_found_but_an_admin_sees_it(
    uow: UnitOfWork, todos: TodoService
) -> None:
    owner, other = await make_user(uow), await make_user(uow)
    todo = await make_todo(uow, owner=owner)

    with pytest.raises(TodoNotFound):
        await todos.get_visible(todo_id=todo.id, actor=actor_of(other.id))
    assert (await todos.get_visible(todo_id=todo.id, actor=actor_of(other.id, admin=True))).id == todo.id


async def test_only_admins_act_for_another_owner(uow: UnitOfWork) -> None:
    owner = await make_user(uow)

    with pytest.raises(PermissionDenied):
        actor_of(owner.id).owner(owner.id + 1)
    assert actor_of(owner.id, admin=True).owner(owner.id + 1) == owner.id + 1


async def test_a_tag_name_is_taken_once_per_owner(uow: UnitOfWork, new_uow: NewUnitOfWork) -> None:
    owner, other = await make_user(uow), await make_user(uow)
    await make_tag(uow, owner=owner, name="home")
    errands = await make_tag(uow, owner=owner, name="errands")

    with pytest.raises(TagNameTaken):
        await make_tag(await new_uow(), owner=owner, name="home")
    assert (await make_tag(await new_uow(), owner=other, name="home")).name == "home"
    with pytest.raises(TagNameTaken):  # last: the failed write expires what `uow` read
        await TagService(uow=uow).update(tag=errands, changes=TagUpdate(name="home"))


async def test_renaming_a_tag_gives_its_todos_a_new_version(
    uow: UnitOfWork, tags: TagService, new_uow: NewUnitOfWork, cursors: CursorCodec
) -> None:
    owner = await make_user(uow)
    tag = await make_tag(uow, owner=owner, name="home")
    todo = await make_todo(uow, owner=owner, tags=[tag])

    await tags.update(tag=tag, changes=TagUpdate(name="house"))

    reread = TodoService(uow=await new_uow(), cursors=cursors)
    found = await reread.get_visible(todo_id=todo.id, actor=actor_of(owner.id))
    assert ([t.name for t in found.tags], found.version) == (["house"], 2)


async def test_cursor_pages_walk_the_listing_in_order_without_gaps(
    uow: UnitOfWork, todos: TodoService
) -> None:
    owner, other = await make_user(uow), await make_user(uow)
    for title in ["c", "a", "e", "b", "d"]:
        await make_todo(uow, owner=owner, title=title)
    await make_todo(uow, owner=other, title="not mine")

    pages: list[list[str]] = []
    cursor = None
    while True:
        filters = TodoFilter(sort="title", order="asc", limit=2, cursor=cursor)
        rows, cursor = await todos.page(actor=actor_of(owner.id), filters=filters)
        pages.append([row.title for row in rows])
        if cursor is None:
            break

    assert pages == [["a", "b"], ["c", "d"], ["e"]]


async def test_newest_first_by_default(uow: UnitOfWork, todos: TodoService) -> None:
    owner = await make_user(uow)
    for title in ["first", "second", "third"]:
        await make_todo(uow, owner=owner, title=title)

    rows, cursor = await todos.page(actor=actor_of(owner.id), filters=TodoFilter())

    assert ([row.title for row in rows], cursor) == (["third", "second", "first"], None)


async def test_a_cursor_only_serves_the_query_it_was_made_for(uow: UnitOfWork, todos: TodoService) -> None:
    owner = await make_user(uow)
    for title in ["a", "b", "c"]:
        await make_todo(uow, owner=owner, title=title)
    _, cursor = await todos.page(actor=actor_of(owner.id), filters=TodoFilter(sort="title", limit=1))

    with pytest.raises(InvalidCursor):
        await todos.page(
            actor=actor_of(owner.id), filters=TodoFilter(sort="created_at", limit=1, cursor=cursor)
        )
