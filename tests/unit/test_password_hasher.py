"""At most `concurrency` hashes run at once: each one holds argon2's memory (64 MiB by default)."""

import asyncio
import os
import sys
import threading
import time

import pytest

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


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread priorities are Linux's")
async def test_hashes_run_at_a_lower_priority_than_the_event_loop() -> None:
    """A login storm must not take the CPU from the requests the event loop serves."""
    hasher = PasswordHasher(time_cost=1, memory_kib=1024, concurrency=2)
    real_hash = hasher._context.hash
    niceness: list[int] = []

    def recording_hash(password: str) -> str:
        niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real_hash(password)

    hasher._context.hash = recording_hash  # type: ignore[method-assign]
    try:
        await asyncio.gather(*(hasher.hash(f"password {n}") for n in range(4)))
    finally:
        hasher.close()

    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert len(niceness) == 4
    assert all(value > loop_niceness for value in niceness)


async def test_one_lane_per_hash_by_default() -> None:
    """One lane is one thread: a hash in flight takes one core, not every core."""
    hasher = PasswordHasher(time_cost=1, memory_kib=1024, concurrency=1)
    try:
        stored = await hasher.hash("a passphrase")
    finally:
        hasher.close()

    assert ",p=1$" in stored


async def test_a_closed_hasher_starts_its_threads_again_when_used() -> None:
    """An app's lifespan closes it at shutdown; the same app may be started again."""
    hasher = PasswordHasher(time_cost=1, memory_kib=1024, concurrency=1)
    stored = await hasher.hash("a passphrase")
    hasher.close()

    try:
        valid, _ = await hasher.verify("a passphrase", stored)
    finally:
        hasher.close()

    assert valid
