"""The engine hook that turns constraint violations into domain conflicts, on each database.

The HTTP races (test_unique_races.py) cover Keel's own constraints; this covers the shapes
none of them has yet (a unique index on an expression: SQLite names only the index), a
constraint Keel does not map (it stays an IntegrityError), and a foreign key on PostgreSQL,
whose race the HTTP tests rarely catch there.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.errors import ConcurrentChange, ConflictError, ReferenceRemoved
from app.infrastructure.constraints import (
    conflict,
    translate_conflicts,
)
from app.infrastructure.database import NAMING_CONVENTION


class GadgetNameTaken(ConflictError):
    error_code = "gadget_name_taken"

    def __init__(self, row: Any) -> None:
        super().__init__(details=dict(row))


class GadgetLabelTaken(ConflictError):
    error_code = "gadget_label_taken"


gadgets_metadata = MetaData(naming_convention=NAMING_CONVENTION)
gadgets = Table(
    "test_gadgets",
    gadgets_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("label", String(50)),
    Column("serial", String(50), unique=True),  # declares nothing: stays an IntegrityError
    UniqueConstraint("name", info=conflict(GadgetNameTaken)),
)
gadget_parts = Table(
    "test_gadget_parts",
    gadgets_metadata,
    Column("id", Integer, primary_key=True),
    Column("gadget_id", ForeignKey("test_gadgets.id")),
)
Index(
    "ix_test_gadgets_label_lower",
    func.lower(gadgets.c.label),
    unique=True,
    info=conflict(lambda _: GadgetLabelTaken()),
)


@pytest.fixture
async def engine(app: FastAPI) -> AsyncIterator[AsyncEngine]:
    engine: AsyncEngine = app.state.runtime.engine
    translate_conflicts(engine, gadgets_metadata)
    async with engine.begin() as connection:
        await connection.run_sync(gadgets_metadata.create_all)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(gadgets_metadata.drop_all)


async def insert_twice(engine: AsyncEngine, first: dict[str, str], second: dict[str, str]) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(gadgets).values(**first))
    async with engine.begin() as connection:
        await connection.execute(insert(gadgets).values(**second))


async def test_a_mapped_constraint_raises_its_conflict_with_the_refused_values(engine: AsyncEngine) -> None:
    with pytest.raises(GadgetNameTaken) as raised:
        await insert_twice(engine, {"name": "cog", "label": "a"}, {"name": "cog", "label": "b"})

    assert raised.value.details == {"name": "cog"}


async def test_a_mapped_expression_index_raises_its_conflict(engine: AsyncEngine) -> None:
    with pytest.raises(GadgetLabelTaken):
        await insert_twice(engine, {"name": "a", "label": "Red"}, {"name": "b", "label": "RED"})


async def test_an_unmapped_constraint_stays_an_integrity_error(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        await insert_twice(engine, {"name": "a", "serial": "1"}, {"name": "b", "serial": "1"})


async def test_a_missing_reference_is_a_removed_one(engine: AsyncEngine) -> None:
    with pytest.raises(ReferenceRemoved):
        async with engine.begin() as connection:
            await connection.execute(insert(gadget_parts).values(gadget_id=404))


async def test_a_deadlock_is_a_concurrent_change(engine: AsyncEngine) -> None:
    """Two transactions locking two rows in opposite orders: PostgreSQL fails one of them."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: it queues, never deadlocks")
    async with engine.begin() as connection:
        await connection.execute(insert(gadgets), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    both_hold_one = asyncio.Barrier(2)

    async def lock(first: int, second: int) -> None:
        async with engine.begin() as connection:
            # Labels of their own: the unique index on labels must not be what they wait on.
            await connection.execute(update(gadgets).where(gadgets.c.id == first).values(label=f"{first}a"))
            await both_hold_one.wait()
            await connection.execute(update(gadgets).where(gadgets.c.id == second).values(label=f"{first}b"))

    outcomes = await asyncio.gather(lock(1, 2), lock(2, 1), return_exceptions=True)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ConcurrentChange", "NoneType"]
    assert any(isinstance(outcome, ConcurrentChange) for outcome in outcomes)
