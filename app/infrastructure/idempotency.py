"""`Idempotency-Key` on creates: a retried request gets the first response, never a duplicate.

The key is claimed by inserting its row in the same transaction as the create. A concurrent
request with the same key waits on the unique index (PostgreSQL) or the write lock (SQLite)
until the first commits, then finds the stored response and replays it; if the first
fails, its claim is rolled back with it and the retry runs afresh. Keys expire after 24 h.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.responses import JSONResponse
from sqlalchemy import JSON, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import ValidationFailed, raises
from app.infrastructure.constraints import exempt
from app.infrastructure.database import Base, utc_now
from app.infrastructure.runtime import UoW
from app.infrastructure.unit_of_work import UnitOfWork

KEY_LIFETIME = timedelta(hours=24)
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(ValidationFailed):
    """An `Idempotency-Key` sent again with a different body."""

    error_code = "idempotency_key_reused"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint(
            "principal_id",
            "scope",
            "key",
            info=exempt("claimed by `Idempotency`: a retry gets the first answer"),
        ),
    )

    # Keys belong to the caller: two users may pick the same key without meeting.
    principal_id: Mapped[int]
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[Any] = mapped_column(JSON, nullable=True)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self, *, replayed: bool = False) -> JSONResponse:
        headers = {**self.headers, REPLAY_HEADER: "true"} if replayed else self.headers
        return JSONResponse(self.body, status_code=self.status_code, headers=headers)


def fingerprint(request: Any) -> str:
    """What makes two requests the same request: their validated input, canonically encoded."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retry-safe creates: the same key and body return the first response for 24 h.",
    ),
]


class Idempotency:
    """Dependency: runs a create once per `Idempotency-Key` (or always, without one).

    `create` runs inside the transaction and returns the response to store; it should use
    plain values (ids), not objects loaded earlier in the request.
    """

    def __init__(self, uow: UnitOfWork, key: str | None) -> None:
        self.uow = uow
        self.key = key

    async def respond(
        self,
        *,
        principal_id: int,
        scope: str,
        request: Any,
        create: Callable[[], Awaitable[StoredResponse]],
    ) -> JSONResponse:
        if self.key is None:
            async with self.uow:
                return (await create()).to_response()
        async with self.uow:
            claim = await self._claim(principal_id, scope, fingerprint(request))
            if isinstance(claim, StoredResponse):
                return claim.to_response(replayed=True)
            response = await create()
            claim.status_code = response.status_code
            claim.response_body = response.body
            claim.response_headers = response.headers
        return response.to_response()

    async def _claim(self, principal_id: int, scope: str, digest: str) -> IdempotencyRecord | StoredResponse:
        session = self.uow.session
        for _ in range(2):  # a second round only after removing an expired key
            record = IdempotencyRecord(
                principal_id=principal_id,
                scope=scope,
                key=self.key,
                fingerprint=digest,
                expires_at=utc_now() + KEY_LIFETIME,
            )
            session.add(record)
            try:
                await session.flush()
                return record
            except IntegrityError:
                # The claim is the transaction's first write, so rolling back loses nothing of
                # this request; it does expire loaded objects, so `create` must not rely on them.
                await session.rollback()
            first = await session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.principal_id == principal_id,
                    IdempotencyRecord.scope == scope,
                    IdempotencyRecord.key == self.key,
                )
            )
            if first is None:
                continue  # the first request rolled back meanwhile: the key is free again
            if first.expires_at <= utc_now():
                await session.delete(first)
                await session.flush()
                continue
            if first.fingerprint != digest:
                raise IdempotencyKeyReused(details={"key": self.key})
            return StoredResponse(first.status_code or 200, first.response_body, first.response_headers or {})
        raise IdempotencyKeyReused(details={"key": self.key})


async def purge_expired_keys(session: AsyncSession, *, now: datetime) -> int:
    """Maintenance: keys past their 24 h."""
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@raises(IdempotencyKeyReused)
async def idempotency(uow: UoW, key: IdempotencyKeyHeader = None) -> Idempotency:
    # A coroutine, not the class itself: FastAPI runs plain callables in its thread pool.
    return Idempotency(uow, key)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
