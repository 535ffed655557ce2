"""The generic repository and the unit of work, against each real database."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.errors import NotFoundError
from app.infrastructure.unit_of_work import UnitOfWork
from tests.integration.throwaway import Widget, WidgetRepository, create_widget_table


@pytest.fixture
async def uow(app: FastAPI) -> AsyncIterator[UnitOfWork]:
    await create_widget_table(app.state.runtime.engine)
    unit = UnitOfWork(app.state.runtime.session_factory)
    yield unit
    await unit.close()


async def committed_widgets(app: FastAPI) -> list[Widget]:
    """What another connection sees: only committed rows."""
    fresh = UnitOfWork(app.state.runtime.session_factory)
    try:
        return list(await WidgetRepository(fresh.session).list())
    finally:
        await fresh.close()


async def committed_names(app: FastAPI) -> list[str]:
    return [widget.name for widget in await committed_widgets(app)]


async def test_add_get_update_delete(uow: UnitOfWork) -> None:
    widgets = WidgetRepository(uow.session)
    async with uow:
        widget = await widgets.add(Widget(name="cog", size=3))
        assert widget.id is not None
        assert widget.created_at is not None

    assert (await widgets.get(widget.id)).name == "cog"
    async with uow:
        await widgets.update(widget, size=5)
    assert (await widgets.get(widget.id)).size == 5
    async with uow:
        await widgets.delete(widget)
    assert await widgets.get_or_none(widget.id) is None


async def test_update_moves_updated_at(uow: UnitOfWork) -> None:
    widgets = WidgetRepository(uow.session)
    async with uow:
        widget = await widgets.add(Widget(name="cog"))
    created, first_update = widget.created_at, widget.updated_at

    async with uow:
        await widgets.update(widget, size=9)

    assert widget.updated_at > first_update
    assert widget.created_at == created


async def test_get_of_a_missing_row_raises_not_found(uow: UnitOfWork) -> None:
    with pytest.raises(NotFoundError):
        await WidgetRepository(uow.session).get(4242)


async def test_update_refuses_unknown_columns(uow: UnitOfWork) -> None:
    widgets = WidgetRepository(uow.session)
    async with uow:
        widget = await widgets.add(Widget(name="cog"))

    with pytest.raises(AttributeError):
        await widgets.update(widget, colour="red")


async def test_list_filters_orders_and_pages(uow: UnitOfWork) -> None:
    widgets = WidgetRepository(uow.session)
    async with uow:
        for name, size in [("a", 3), ("b", 1), ("c", 2), ("d", 1)]:
            await widgets.add(Widget(name=name, size=size))

    assert [w.name for w in await widgets.list(filters={"size": 1})] == ["b", "d"]
    assert [w.name for w in await widgets.list(filters={"size": [2, 3]})] == ["a", "c"]
    by_size = await widgets.list(order_by=[Widget.size.desc(), Widget.name])
    assert [w.name for w in by_size] == ["a", "c", "b", "d"]
    assert [w.name for w in await widgets.list(limit=2, offset=1)] == ["b", "c"]
    assert await widgets.count() == 4
    assert await widgets.count(size=1) == 2
    assert await widgets.exists(name="c")
    assert not await widgets.exists(name="z")


async def test_unit_of_work_commits_on_success(app: FastAPI, uow: UnitOfWork) -> None:
    async with uow:
        await WidgetRepository(uow.session).add(Widget(name="kept"))

    assert await committed_names(app) == ["kept"]


async def test_unit_of_work_rolls_back_on_any_error(app: FastAPI, uow: UnitOfWork) -> None:
    async def add_then_fail() -> None:
        async with uow:
            await WidgetRepository(uow.session).add(Widget(name="lost"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await add_then_fail()

    assert await committed_names(app) == []


async def test_nested_blocks_commit_once_at_the_outermost(app: FastAPI, uow: UnitOfWork) -> None:
    seen_between_blocks: list[str] = []

    async def inner_succeeds_outer_fails() -> None:
        async with uow:
            async with uow:
                await WidgetRepository(uow.session).add(Widget(name="inner"))
            seen_between_blocks.extend(await committed_names(app))
            raise RuntimeError("outer fails")

    with pytest.raises(RuntimeError):
        await inner_succeeds_outer_fails()

    assert seen_between_blocks == []  # the inner block did not commit: the outer one owns it
    assert await committed_names(app) == []


async def test_objects_read_before_the_block_are_written_in_its_transaction(
    app: FastAPI, uow: UnitOfWork
) -> None:
    async with uow:
        widget = await WidgetRepository(uow.session).add(Widget(name="cog", size=1))
    first, second = (
        UnitOfWork(app.state.runtime.session_factory),
        UnitOfWork(app.state.runtime.session_factory),
    )
    try:
        read_before = await WidgetRepository(first.session).get(widget.id)

        async def update_then_fail() -> None:
            async with first:
                await WidgetRepository(first.session).update(read_before, size=2)
                await WidgetRepository(first.session).add(Widget(name="lost"))
                raise RuntimeError("the block fails")

        with pytest.raises(RuntimeError):
            await update_then_fail()

        read_before = await WidgetRepository(second.session).get(widget.id)
        async with second:
            await WidgetRepository(second.session).update(read_before, size=3)
    finally:
        await first.close()
        await second.close()

    assert [(widget.name, widget.size) for widget in await committed_widgets(app)] == [("cog", 3)]


async def test_changes_made_before_the_block_are_refused(app: FastAPI, uow: UnitOfWork) -> None:
    """Flushed on entering, they would be written outside the block's transaction."""
    uow.session.add(Widget(name="early"))

    with pytest.raises(RuntimeError, match="inside it"):
        async with uow:
            pass

    assert await committed_names(app) == []


async def test_reads_outside_a_block_run_without_a_transaction(uow: UnitOfWork) -> None:
    """PostgreSQL's now() is the start of the current transaction: the same for every
    statement of one transaction, new for each statement outside any."""
    if uow.session.bind.dialect.name != "postgresql":
        pytest.skip("transaction timestamps are PostgreSQL's")

    async def two_reads() -> tuple[object, object]:
        first = await uow.session.scalar(select(func.now()))
        await asyncio.sleep(0.01)
        return first, await uow.session.scalar(select(func.now()))

    before = await two_reads()
    async with uow:
        inside = await two_reads()
    after = await two_reads()

    assert before[0] != before[1]
    assert inside[0] == inside[1]
    assert after[0] != after[1]


async def test_foreign_keys_and_constraints_are_enforced(app: FastAPI, uow: UnitOfWork) -> None:
    from sqlalchemy import text

    from app.core.errors import ReferenceRemoved  # what a violated key answers

    async with app.state.runtime.engine.begin() as connection:
        await connection.execute(
            text(
                "CREATE TABLE test_parts "
                "(id INTEGER PRIMARY KEY, widget_id INTEGER NOT NULL REFERENCES test_widgets(id))"
            )
        )
    try:
        with pytest.raises(ReferenceRemoved):
            async with uow:
                await uow.session.execute(text("INSERT INTO test_parts (id, widget_id) VALUES (1, 999)"))
    finally:
        async with app.state.runtime.engine.begin() as connection:
            await connection.execute(text("DROP TABLE test_parts"))


async def test_timestamps_come_back_as_aware_utc(app: FastAPI, uow: UnitOfWork) -> None:
    async with uow:
        widget = await WidgetRepository(uow.session).add(Widget(name="cog"))

    fresh = UnitOfWork(app.state.runtime.session_factory)
    try:
        loaded = await WidgetRepository(fresh.session).get(widget.id)
    finally:
        await fresh.close()
    assert loaded.created_at.utcoffset() is not None
    assert abs((loaded.created_at - widget.created_at).total_seconds()) < 1
