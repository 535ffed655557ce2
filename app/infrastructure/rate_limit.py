"""Rate limits in the `limits` library's notation ("10/minute"), counted in a moving window.

Storage is the process's memory by default and Redis when configured, so that several
instances count one limit together. An unreachable Redis raises `CacheUnavailable` (a 503):
a security limit must not silently stop counting.
"""

import math
import time
from dataclasses import dataclass

from limits import parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from app.core.errors import CacheUnavailable


@dataclass(frozen=True, slots=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # whole seconds until the next attempt may pass; 0 when allowed


class RateLimiter:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, *identifiers: str) -> RateLimitResult:
        """Count one attempt against `limit` for these identifiers."""
        item = parse(limit)
        try:
            if await self._strategy.hit(item, *identifiers):
                return RateLimitResult(allowed=True, retry_after=0)
            stats = await self._strategy.get_window_stats(item, *identifiers)
        except StorageError as exc:
            raise CacheUnavailable(f"rate limit storage: {exc}") from exc
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(stats.reset_time - time.time())))

    async def reset(self) -> None:
        await self._storage.reset()

    async def ping(self) -> None:
        if not await self._storage.check():
            raise CacheUnavailable("rate limit storage does not answer")


def create_rate_limiter(redis_url: str | None) -> RateLimiter:
    # <part:redis>
    if redis_url is not None:
        from limits.aio.storage import RedisStorage

        # wrap_exceptions: every client error arrives as limits' StorageError, mapped above.
        uri = "async+" + redis_url if not redis_url.startswith("async+") else redis_url
        return RateLimiter(
            RedisStorage(uri, implementation="redispy", wrap_exceptions=True, key_prefix="keel:limits")
        )
    # </part:redis>
    return RateLimiter(MemoryStorage())
