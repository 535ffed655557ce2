"""Ending login sessions, in the database and, for access tokens already issued, in the cache."""

from collections.abc import Sequence

import structlog

from app.domains.accounts.models import AuthSession
from app.domains.accounts.repository import SessionRepository
from app.infrastructure.cache import Cache
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork

logger = structlog.get_logger("keel.security")


def _revocation_key(session_id: int) -> str:
    return f"revoked-session:{session_id}"


class RevocationList:
    """The sessions whose access tokens no longer count, in the shared cache: what every
    authenticated request checks. An access token lives `ttl` seconds; a revocation is kept
    that long."""

    def __init__(self, *, cache: Cache, access_token_ttl: int) -> None:
        self.cache = cache
        self.ttl = access_token_ttl

    async def is_revoked(self, session_id: int) -> bool:
        return await self.cache.get(_revocation_key(session_id)) is not None

    async def add(self, session_id: int, *, reason: str) -> None:
        await self.cache.set(_revocation_key(session_id), reason, ttl=self.ttl)


class SessionRevocation:
    """Ending sessions: in the database, so they cannot be refreshed, and in the revocation
    list, so their access tokens stop working at once."""

    def __init__(self, *, uow: UnitOfWork, revocations: RevocationList) -> None:
        self.uow = uow
        self.revocations = revocations

    async def revoke(self, sessions: Sequence[AuthSession], *, reason: str) -> None:
        await SessionRepository(self.uow.session).revoke(sessions, now=utc_now(), reason=reason)
        for auth_session in sessions:
            await self.revocations.add(auth_session.id, reason=reason)
        if sessions:
            logger.info("sessions_revoked", reason=reason, session_ids=[s.id for s in sessions])

    async def revoke_all(self, user_id: int, *, reason: str, keep: int | None = None) -> None:
        """Every live session of the user, except `keep` (the caller's own, when it stays)."""
        active = await SessionRepository(self.uow.session).active_for_user(user_id, now=utc_now())
        await self.revoke([s for s in active if s.id != keep], reason=reason)
