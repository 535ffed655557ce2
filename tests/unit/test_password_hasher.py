"""At most `concurrency` hashes run at once: each one holds argon2's memory (64 MiB by default)."""

import asyncio
import threading
import time

from app.core.security import PasswordHasher


async def test_hashes_beyond_the_concurrency_wait_their_turn() -> None:
    hasher = PasswordHasher(time_cost=1, memory_kib=1024, concurrency=2)
    real_hash = hasher._context.hash
    lock = threading.Lock()
    running, most = 0, 0

    def counting_hash(password: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # long enough for the other calls to pile up if unbounded
        try:
            return real_hash(password)
        finally:
            with lock:
                running -= 1

    hasher._context.hash = counting_hash  # type: ignore[method-assign]

    hashes = await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(8)))

    assert most == 2
    assert len(set(hashes)) == 8
    checks = [await hasher.verify(f"password {n}", stored) for n, stored in enumerate(hashes)]
    assert all(valid for valid, _ in checks)
