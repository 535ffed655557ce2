"""A small key-value cache with expiry: in process by default, Redis when configured
(`app/infrastructure/redis_cache.py`).

Values are strings.
"""

import time
from collections.abc import Iterable
from typing import Protocol

DEFAULT_MAX_ENTRIES = 100_000


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def get_many(self, keys: Iterable[str]) -> list[str | None]: ...
    async def set(self, key: str, value: str, *, ttl: int | None = None) -> None: ...
    async def set_if_absent(self, key: str, value: str, *, ttl: int | None = None) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def delete_if(self, key: str, value: str) -> bool: ...
    async def increment(self, key: str, amount: int = 1, *, ttl: int | None = None) -> int: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryCache:
    """One process's cache: right for a single instance, invisible to any other.

    Bounded: when full, expired entries go first, then the oldest written.
    """

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: dict[str, tuple[str, float | None]] = {}
        self._max_entries = max_entries

    async def get(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= time.monotonic():
            del self._entries[key]
            return None
        return value

    async def get_many(self, keys: Iterable[str]) -> list[str | None]:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: str, *, ttl: int | None = None) -> None:
        self._entries.pop(key, None)  # re-insert: the newest write is the last evicted
        if len(self._entries) >= self._max_entries:
            self._evict()
        self._entries[key] = (value, None if ttl is None else time.monotonic() + ttl)

    async def set_if_absent(self, key: str, value: str, *, ttl: int | None = None) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl=ttl)
        return True

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    async def delete_if(self, key: str, value: str) -> bool:
        """Delete the key only while it still holds `value` (a lock released by its holder only)."""
        if await self.get(key) != value:
            return False
        del self._entries[key]
        return True

    async def increment(self, key: str, amount: int = 1, *, ttl: int | None = None) -> int:
        """Add to a counter; `ttl` applies when the counter is created, as with Redis INCR + EXPIRE NX."""
        current = await self.get(key)
        if current is None:
            await self.set(key, str(amount), ttl=ttl)
            return amount
        value, expires_at = self._entries[key]
        total = int(value) + amount
        self._entries[key] = (str(total), expires_at)
        return total

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._entries.clear()

    def _evict(self) -> None:
        now = time.monotonic()
        expired = [k for k, (_, at) in self._entries.items() if at is not None and at <= now]
        for key in expired:
            del self._entries[key]
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]


def create_cache(redis_url: str | None) -> Cache:
    # <part:redis>
    if redis_url:
        from app.infrastructure.redis_cache import RedisCache  # only when configured

        return RedisCache.from_url(redis_url)
    # </part:redis>
    return MemoryCache()
