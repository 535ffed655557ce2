"""The transaction boundary: services write inside `async with uow:` and nowhere else.

Leaving the block commits; an exception rolls everything back, so a failed request leaves
no partial state. Reads may happen before the block: the same session carries on into it.
"""

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Annotated, Self

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._depth = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    async def __aenter__(self) -> Self:
        self._depth += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if exc_type is not None:
            await self.session.rollback()
        elif self._depth == 0:
            # Only the outermost block commits, so use cases can call each other.
            await self.session.commit()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def get_unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work, once a database slot is free.

    Requests queue here, first come first served, for one of the pool's connections. Left
    to wait in SQLAlchemy's pool, which hands a returned connection to whoever asks first,
    a few requests waited seconds while newer ones went ahead (the benchmark's p99).
    """
    async with request.app.state.database_slots:
        uow = UnitOfWork(request.app.state.session_factory)
        try:
            yield uow
        finally:
            await uow.close()


# Function scope: the slot and the session are given back as soon as the endpoint has built
# its response, not after the body is sent, so a long stream (following a container's logs)
# never holds a database connection.
UoW = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]
