"""The transaction boundary: services write inside `async with uow:` and nowhere else.

Leaving the block commits; an exception rolls everything back, so a failed request leaves
no partial state. Reads may happen before the block: the same session carries on into it.

Reads outside the block run without a transaction (autocommit), so a request that only
reads costs one round trip per query, not a BEGIN and a ROLLBACK more. Entering the
outermost block ends that phase and the block's statements run in one transaction; the
objects read before stay in the session. Under PostgreSQL's READ COMMITTED a transaction
gave the reads no more than this: every statement sees what was committed when it began.
Row locks (`FOR UPDATE`) are taken inside the block, where they last until the commit.

Slow work between reads that needs no database (hashing a password) runs in
`async with uow.paused():`, which gives the connection and the request's database slot
to other requests meanwhile.

A row read before the block and deleted (or, with a version column, changed) by another
request before the block writes it leaves SQLAlchemy's UPDATE matching nothing; the block
answers that as `ConcurrentChange`, a 409, wherever it happens.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ConcurrentChange
from app.infrastructure.slots import Slots

_autocommit_engines: WeakKeyDictionary[AsyncEngine, AsyncEngine] = WeakKeyDictionary()


def _autocommit(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, its connections handed out in autocommit mode."""
    if engine not in _autocommit_engines:
        _autocommit_engines[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return _autocommit_engines[engine]


class UnitOfWork:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, slots: Slots | None = None
    ) -> None:
        self._session_factory = session_factory
        self._engine: AsyncEngine = session_factory.kw["bind"]
        self._session: AsyncSession | None = None
        self._depth = 0
        self._slots = slots  # a request's: the database slots it queues for
        self._holds_slot = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            bind = self._engine if self._depth else _autocommit(self._engine)
            self._session = self._session_factory(bind=bind)
        return self._session

    async def __aenter__(self) -> Self:
        if self._depth == 0 and self._session is not None:
            await self._end_reads()
        self._depth += 1
        return self

    async def _end_reads(self) -> None:
        await self._give_back_connection()
        assert self._session is not None
        self._session.bind = self._engine

    async def _give_back_connection(self) -> None:
        session = self._session
        assert session is not None
        if session.new or session.dirty or session.deleted:
            # Flushed now, they would be written outside the block's transaction.
            raise RuntimeError("changes made before `async with uow:`; make them inside it")
        await session.commit()  # nothing to write: gives the read connection back, keeps the objects

    @asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """Slow work between reads that needs no database, such as hashing a password:
        meanwhile the connection and the database slot serve other requests.

        Found by the soak: a login held both through its hash (seconds when the CPU is
        busy), and a few logins at once left every other request queueing for a slot.
        """
        if self._depth:
            raise RuntimeError("a transaction keeps its connection: pause outside `async with uow:`")
        if self._session is not None:
            await self._give_back_connection()
        held = self._holds_slot
        self._release_slot()
        try:
            yield
        finally:
            if held:
                await self.take_slot()

    async def take_slot(self) -> None:
        """Wait for a database slot (a request's unit of work, before its first statement)."""
        assert self._slots is not None
        assert not self._holds_slot
        await self._slots.acquire()
        self._holds_slot = True

    def _release_slot(self) -> None:
        if self._holds_slot:
            assert self._slots is not None
            self._slots.release()
            self._holds_slot = False

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        try:
            if exc_type is not None:
                await self.session.rollback()
            elif self._depth == 0:
                # Only the outermost block commits, so use cases can call each other.
                await self.session.commit()
        except StaleDataError as error:  # met by the flush that commit runs
            await self.session.rollback()
            exc = error
        if self._depth == 0:
            self.session.bind = _autocommit(self._engine)  # reads after the block: no transaction
        if isinstance(exc, StaleDataError):
            raise ConcurrentChange from exc

    async def close(self) -> None:
        try:
            if self._session is not None:
                await self._session.close()
                self._session = None
        finally:
            self._release_slot()
