"""The generic repository every domain repository extends (the seeds' base DAO).

Repositories flush but never commit: the unit of work owns the transaction. They raise
domain errors, never HTTP ones.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Executable, Row, Select, UnaryExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFoundError
from app.infrastructure.database import Base

Filters = Mapping[str, Any]
ModelT = TypeVar("ModelT", bound=Base)


class Repository(Generic[ModelT]):
    model: type[ModelT]
    not_found: ClassVar[type[NotFoundError]] = NotFoundError

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, entity_id: int) -> ModelT:
        entity = await self.get_or_none(entity_id)
        if entity is None:
            raise self.not_found(entity_id=entity_id)
        return entity

    async def get_or_none(self, entity_id: int) -> ModelT | None:
        return await self.session.get(self.model, entity_id)

    async def list(
        self,
        *,
        filters: Filters | None = None,
        order_by: Sequence[UnaryExpression[Any] | ColumnElement[Any]] = (),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ModelT]:
        query = self._select(filters).order_by(*(order_by or (self.model.id,))).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(await self.session.scalars(query))

    async def rows(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The rows of a Core statement (table columns, no ORM entities) on the unit of work's
        connection: nothing is tracked and no object is built, for the hot reads that only show
        what they read (docs/decisions.md, "Core statements on hot reads"). Writes keep the ORM.
        """
        connection = await self.session.connection()
        return (await connection.execute(statement, values)).all()

    async def add(self, entity: ModelT) -> ModelT:
        self.session.add(entity)
        await self.session.flush()
        return entity

    async def update(self, entity: ModelT, **values: Any) -> ModelT:
        for name, value in values.items():
            self._column(name)  # refuse names that are not columns, rather than set attributes
            setattr(entity, name, value)
        await self.session.flush()
        return entity

    async def delete(self, entity: ModelT) -> None:
        await self.session.delete(entity)
        await self.session.flush()

    async def exists(self, **filters: Any) -> bool:
        query = select(self._select(filters).exists())
        return bool(await self.session.scalar(query))

    async def count(self, **filters: Any) -> int:
        query = select(func.count()).select_from(self._select(filters).subquery())
        return int(await self.session.scalar(query) or 0)

    def _select(self, filters: Filters | None) -> Select[ModelT]:
        query = select(self.model)
        for name, value in (filters or {}).items():
            column = self._column(name)
            query = query.where(
                column.in_(value) if isinstance(value, list | tuple | set) else column == value
            )
        return query

    def _column(self, name: str) -> ColumnElement[Any]:
        column = self.model.__table__.columns.get(name)
        if column is None:
            raise AttributeError(f"{self.model.__name__} has no column {name!r}")
        return column


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own `%`, `_` and `\\` taken literally
    (use with `escape="\\"`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
