"""The audit trail: every container and image action, allowed or refused, with who and why.

Records are written in their own transaction, so a refused action leaves its record even
though the request fails. They are only ever added and read.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio

from app.core.errors import AppError
from app.domains.containers.models import AuditRecord
from app.domains.containers.repository import AuditRepository
from app.domains.containers.schemas import AuditFilter
from app.infrastructure.unit_of_work import UnitOfWork

ADMIN_PERMISSION = "containers:admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on containers, and the request they act through (for the audit)."""

    id: int
    email: str
    is_admin: bool
    request_id: str | None = None


@dataclass(slots=True)
class AuditEntry:
    """What an action is about; the action fills in the target once it is known."""

    target: str
    details: dict[str, Any] = field(default_factory=dict)


class AuditTrail:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.records = AuditRepository(uow.session)

    @asynccontextmanager
    async def action(self, actor: Actor, action: str, target: str) -> AsyncIterator[AuditEntry]:
        """Run an action and record its outcome: succeeded, refused (4xx) or failed."""
        entry = AuditEntry(target=target)
        outcome: str = "failed"
        error_code: str | None = "internal_error"
        try:
            yield entry
            outcome, error_code = "succeeded", None
        except AppError as error:
            outcome = "failed" if error.status_code >= 500 else "refused"
            error_code = error.error_code
            raise
        finally:
            # Shielded: a request cancelled mid-action (the client left) is still recorded.
            with anyio.CancelScope(shield=True):
                await self._write(actor, action, entry, outcome=outcome, error_code=error_code)

    async def search(self, filters: AuditFilter, *, limit: int, offset: int) -> tuple[list[AuditRecord], int]:
        return await self.records.search(filters, limit=limit, offset=offset)

    async def _write(
        self, actor: Actor, action: str, entry: AuditEntry, *, outcome: str, error_code: str | None
    ) -> None:
        async with self.uow:
            await self.records.add(
                AuditRecord(
                    actor_id=actor.id,
                    actor_email=actor.email,
                    action=action,
                    target=entry.target[:255],
                    outcome=outcome,
                    error_code=error_code,
                    request_id=actor.request_id,
                    details=entry.details or None,
                )
            )
