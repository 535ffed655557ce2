"""The database slots: first come, first served, and no slot lost to a cancelled waiter."""

import asyncio

from app.infrastructure.slots import Slots


async def hold(slots: Slots, name: str, order: list[str], release: asyncio.Event) -> None:
    await slots.acquire()
    try:
        order.append(name)
        await release.wait()
    finally:
        slots.release()


async def test_at_most_count_hold_a_slot_and_the_rest_go_in_arrival_order() -> None:
    slots, order, release = Slots(2), [], asyncio.Event()
    tasks = []
    for n in range(6):
        tasks.append(asyncio.create_task(hold(slots, f"r{n}", order, release)))
        await asyncio.sleep(0)  # each arrives after the previous one queued

    await asyncio.sleep(0.01)
    holding_at_first = list(order)
    release.set()
    await asyncio.gather(*tasks)

    assert holding_at_first == ["r0", "r1"]
    assert order == ["r0", "r1", "r2", "r3", "r4", "r5"]


async def test_a_cancelled_waiter_gives_up_its_place_not_a_slot() -> None:
    slots, order, release = Slots(1), [], asyncio.Event()
    first = asyncio.create_task(hold(slots, "first", order, release))
    await asyncio.sleep(0)
    gone = asyncio.create_task(hold(slots, "gone", order, release))
    last = asyncio.create_task(hold(slots, "last", order, release))
    await asyncio.sleep(0.01)

    gone.cancel()
    release.set()
    await asyncio.gather(first, last)

    assert gone.cancelled()
    assert order == ["first", "last"]
    async with asyncio.timeout(1):  # the slot is free again
        await slots.acquire()


async def test_a_slot_handed_over_as_its_waiter_is_cancelled_goes_to_the_next() -> None:
    slots, order, release = Slots(1), [], asyncio.Event()
    await slots.acquire()  # the test holds the only slot
    unlucky = asyncio.create_task(hold(slots, "unlucky", order, release))
    last = asyncio.create_task(hold(slots, "last", order, release))
    await asyncio.sleep(0.01)

    slots.release()  # handed to `unlucky`, which has not run yet ...
    unlucky.cancel()  # ... and is cancelled before it does
    release.set()
    async with asyncio.timeout(1):
        await last

    assert unlucky.cancelled()
    assert order == ["last"]
