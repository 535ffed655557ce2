"""A small key-value cache with expiry: in process by default, Redis when configured.

Values are strings. Every operation of `RedisCache` that cannot reach the server raises
`CacheUnavailable`: a 503 `cache_unavailable` if nothing handles it, and a `ConnectionError`
for callers that know no more than that.
"""

import time
from collections.abc import Callable, Coroutine, Iterable
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar, cast

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.core.errors import CacheUnavailable

DEFAULT_MAX_ENTRIES = 100_000
REDIS_TIMEOUT_SECONDS = 2.0
DELETE_IF_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""

P = ParamSpec("P")
R = TypeVar("R")


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


def _unreachable_as_connection_error(
    operation: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    @wraps(operation)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await operation(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise CacheUnavailable(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


class RedisCache:
    """Shared by every Keel instance that points at the same Redis; keys carry a prefix."""

    def __init__(self, client: "redis.Redis", *, prefix: str = "keel:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "keel:") -> "RedisCache":
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        return cls(client, prefix=prefix)

    def _key(self, key: str) -> str:
        return self._prefix + key

    @_unreachable_as_connection_error
    async def get(self, key: str) -> str | None:
        return cast(str | None, await self._client.get(self._key(key)))

    @_unreachable_as_connection_error
    async def get_many(self, keys: Iterable[str]) -> list[str | None]:
        names = [self._key(key) for key in keys]
        if not names:
            return []
        return cast(list[str | None], await self._client.mget(names))

    @_unreachable_as_connection_error
    async def set(self, key: str, value: str, *, ttl: int | None = None) -> None:
        await self._client.set(self._key(key), value, ex=ttl)

    @_unreachable_as_connection_error
    async def set_if_absent(self, key: str, value: str, *, ttl: int | None = None) -> bool:
        return bool(await self._client.set(self._key(key), value, ex=ttl, nx=True))

    @_unreachable_as_connection_error
    async def delete(self, key: str) -> None:
        await self._client.delete(self._key(key))

    @_unreachable_as_connection_error
    async def delete_if(self, key: str, value: str) -> bool:
        # One script: nobody can take the key between the comparison and the delete.
        deleted = await self._client.eval(DELETE_IF_SCRIPT, 1, self._key(key), value)
        return bool(deleted)

    @_unreachable_as_connection_error
    async def increment(self, key: str, amount: int = 1, *, ttl: int | None = None) -> int:
        name = self._key(key)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incrby(name, amount)
            if ttl is not None:
                pipe.expire(name, ttl, nx=True)
            results = await pipe.execute()
        return int(results[0])

    @_unreachable_as_connection_error
    async def ping(self) -> None:
        await self._client.ping()

    async def close(self) -> None:
        await self._client.aclose()


def create_cache(redis_url: str | None) -> Cache:
    return RedisCache.from_url(redis_url) if redis_url else MemoryCache()
