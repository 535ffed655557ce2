"""The composition root: what a process builds once at start and every request or job shares.

Built by `app.assembly.open_runtime` in the API's lifespan and in `keel worker`, reached in a
request through `runtime_of(request)` (or the `RuntimeDep` dependency), typed throughout.
What a domain builds for itself at start (the containers engine, the job queue) is kept
among the runtime's parts, found by its type.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.cursors import CursorCodec
from app.core.errors import DatabaseUnavailable, raises
from app.core.security import AccessTokens, PasswordHasher
from app.infrastructure.after_response import AfterResponse
from app.infrastructure.broker import Broker
from app.infrastructure.cache import Cache
from app.infrastructure.mail import Mailer
from app.infrastructure.rate_limit import RateLimiter
from app.infrastructure.slots import Slots
from app.infrastructure.unit_of_work import UnitOfWork

Part = TypeVar("Part")
Probe = Callable[[], Awaitable[object]]


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    cache: Cache
    rate_limiter: RateLimiter
    mailer: Mailer | None
    broker: Broker
    password_hasher: PasswordHasher
    access_tokens: AccessTokens
    cursors: CursorCodec
    # As many requests use the database at once as the pool keeps connections (app/assembly.py).
    database_slots: Slots
    after_response: AfterResponse
    is_worker: bool = False
    readiness_probes: dict[str, Probe] = field(default_factory=dict)
    _parts: dict[type[Any], object] = field(default_factory=dict)

    def add_part(self, kind: type[Part], part: Part) -> None:
        if kind in self._parts:
            raise ValueError(f"{kind.__name__} is built twice")
        self._parts[kind] = part

    def part(self, kind: type[Part]) -> Part:
        """What a domain built at start, by its type (a KeyError names a domain not installed)."""
        return cast(Part, self._parts[kind])

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work for a service, which opens its transactions itself; closed after."""
        uow = UnitOfWork(self.session_factory)
        try:
            yield uow
        finally:
            await uow.close()

    @asynccontextmanager
    async def queued_unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that first waits its turn for a database slot, as a request's does:
        for a response that reads a piece at a time while its body streams (an export), and
        gives the slot back between pieces."""
        uow = UnitOfWork(self.session_factory, slots=self.database_slots)
        await uow.take_slot()
        try:
            yield uow
        finally:
            await uow.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work, committed on success, its session closed either way."""
        uow = UnitOfWork(self.session_factory)
        try:
            async with uow:
                yield uow
        finally:
            await uow.close()


def runtime_of(request: Request) -> Runtime:
    """The runtime of the application serving this request (set in its lifespan)."""
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


@raises(DatabaseUnavailable)
async def get_unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's unit of work, once a database slot is free.

    Requests queue here, first come first served, for one of the pool's connections. Left
    to wait in SQLAlchemy's pool, which hands a returned connection to whoever asks first,
    a few requests waited seconds while newer ones went ahead (the benchmark's p99).
    """
    async with runtime_of(request).queued_unit_of_work() as uow:
        yield uow


# Function scope: the slot and the session are given back as soon as the endpoint has built
# its response, not after the body is sent, so a long stream (following a container's logs)
# never holds a database connection.
UoW = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]
