"""One create at a time per owner, across every Keel process that shares the cache.

A quota is checked, then used: two creates of one owner in between would both see room
for one more. The lock is a key set-if-absent in the cache (Redis when configured), so it
holds across instances; it expires on its own if its holder dies.
"""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.domains.containers.errors import ContainerCreateBusy
from app.infrastructure.cache import Cache

HOLD_SECONDS = 60  # longer than any create: the engine answers within its timeout
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.05


class OwnerLocks:
    def __init__(self, cache: Cache, *, instance: str) -> None:
        self.cache = cache
        self.instance = instance

    @asynccontextmanager
    async def creating(self, owner_id: int) -> AsyncIterator[None]:
        key = f"containers:{self.instance}:creating:{owner_id}"
        token = secrets.token_hex(16)  # released by its holder only, even after it expired
        deadline = time.monotonic() + WAIT_SECONDS
        while not await self.cache.set_if_absent(key, token, ttl=HOLD_SECONDS):
            if time.monotonic() > deadline:
                raise ContainerCreateBusy
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            await self.cache.delete_if(key, token)
