"""The cache on Redis: shared by every instance, and every operation that cannot reach the
server raises `CacheUnavailable`: a 503 `cache_unavailable` if nothing handles it, and a
`ConnectionError` for callers that know no more than that.

Imported only when `KEEL_REDIS_URL` is set: the Redis client adds 14 MB to a process.
"""

from collections.abc import Callable, Coroutine, Iterable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

import redis.asyncio as redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.core.errors import CacheUnavailable

REDIS_TIMEOUT_SECONDS = 2.0
DELETE_IF_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""

P = ParamSpec("P")
R = TypeVar("R")


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
