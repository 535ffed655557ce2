"""Job kinds: what a job of each kind runs, and who may ask for one through the API.

Domains declare their kinds in `domains/<name>/tasks.py` with `@job_kind(...)`; the worker
and the API process import those modules, so both know every kind.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.infrastructure.cache import Cache
from app.infrastructure.mail import Mailer
from app.infrastructure.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class JobRuntime:
    """What a job may use, in the API process or in a worker."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    cache: Cache
    mailer: Mailer | None

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work for a service, which opens its transactions itself; closed after."""
        uow = UnitOfWork(self.session_factory)
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


Report = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: int
    owner_id: int | None
    payload: dict[str, Any]
    runtime: JobRuntime
    report: Report  # progress 0..100 and a short message, saved for the API to show


Handler = Callable[[JobContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    handler: Handler
    # Permission needed to submit it through `POST /api/v1/jobs`; None: only Keel queues it.
    permission: str | None


JOB_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, permission: str | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in JOB_KINDS:
            raise ValueError(f"job kind {name!r} is declared twice")
        JOB_KINDS[name] = JobKind(name=name, handler=handler, permission=permission)
        return handler

    return register
