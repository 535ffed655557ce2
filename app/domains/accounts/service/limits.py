"""Counting attempts against the accounts' abuse limits: over a limit, 429 with Retry-After."""

import structlog

from app.core.errors import TooManyRequests
from app.infrastructure.rate_limit import RateLimiter

security_log = structlog.get_logger("keel.security")


class AttemptLimits:
    """Every attempt counts, successful or not, so a right guess does not reset a guessing run."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def count(self, limit: str, scope: str, identifier: str | None) -> None:
        result = await self.limiter.hit(limit, scope, identifier or "unknown")
        if not result.allowed:
            security_log.info("rate_limited", scope=scope)
            raise TooManyRequests(retry_after=result.retry_after)
