"""Admission under load: a slot at once, a bounded wait in arrival order, or a refusal.

Found by the benchmark: refusing everything past the bound at once let closed-loop clients
resend at once, and the process spent its CPU refusing (docs/decisions.md)."""

import asyncio
import time

from app.middleware.load_shedding import LoadShedding

LONG_WAIT = 60.0  # never runs out in these tests: a slot or a cancellation ends each wait


def gate(*, slots: int = 1, queue: int = 8, wait: float = LONG_WAIT) -> LoadShedding:
    return LoadShedding(max_in_flight=slots, max_queued=queue, max_wait_seconds=wait)


async def test_requests_within_the_bound_enter_at_once() -> None:
    shedding = gate(slots=2)

    assert shedding.enter_now()
    assert shedding.enter_now()
    assert not shedding.enter_now()


async def test_waiting_requests_get_the_freed_slots_in_arrival_order() -> None:
    shedding, order = gate(slots=1), []
    assert await shedding.enter()

    async def wait(name: str) -> None:
        assert await shedding.enter()
        order.append(name)

    waiters = []
    for name in ("first", "second", "third"):
        waiters.append(asyncio.create_task(wait(name)))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    waited = list(order)
    for _ in waiters:
        shedding.leave()
        await asyncio.sleep(0)
    await asyncio.gather(*waiters)

    assert waited == []
    assert order == ["first", "second", "third"]
    assert shedding.in_flight == 1
    assert shedding.queued == 0


async def test_a_newcomer_does_not_overtake_the_queue() -> None:
    shedding = gate(slots=1)
    assert await shedding.enter()
    waiter = asyncio.create_task(shedding.enter())
    await asyncio.sleep(0)

    shedding.leave()  # the slot is the waiter's now

    assert not shedding.enter_now()
    assert await waiter


async def test_a_wait_that_runs_out_is_a_refusal() -> None:
    shedding = gate(slots=1, wait=0.01)
    assert await shedding.enter()

    assert not await shedding.enter()
    assert shedding.queued == 0
    assert not shedding.waiting


async def test_past_the_queue_a_request_is_refused_without_waiting() -> None:
    shedding = gate(slots=1, queue=1)
    assert await shedding.enter()
    waiter = asyncio.create_task(shedding.enter())
    await asyncio.sleep(0)

    refused = asyncio.create_task(shedding.enter())
    await asyncio.sleep(0)

    assert refused.done()
    assert refused.result() is False
    shedding.leave()
    assert await waiter


async def test_no_queue_means_refused_at_once() -> None:
    shedding = gate(slots=1, queue=0)
    assert await shedding.enter()

    assert not await shedding.enter()


async def test_a_cancelled_waiter_loses_no_slot() -> None:
    shedding = gate(slots=1)
    assert await shedding.enter()
    cancelled = asyncio.create_task(shedding.enter())
    after = asyncio.create_task(shedding.enter())
    await asyncio.sleep(0)

    cancelled.cancel()
    await asyncio.sleep(0)
    shedding.leave()

    assert await after
    shedding.leave()
    assert shedding.in_flight == 0
    assert shedding.queued == 0


async def test_a_waiter_cancelled_as_it_is_handed_a_slot_passes_it_on() -> None:
    shedding = gate(slots=1)
    assert await shedding.enter()
    handed = asyncio.create_task(shedding.enter())
    after = asyncio.create_task(shedding.enter())
    await asyncio.sleep(0)

    shedding.leave()  # hands the slot to `handed`...
    handed.cancel()  # ...which is cancelled before it runs again

    assert await after
    assert handed.cancelled()
    shedding.leave()
    assert shedding.in_flight == 0
    assert shedding.queued == 0


async def test_a_refusal_is_answered_no_sooner_than_its_pace_after_arrival() -> None:
    """Found by the benchmark: answered as soon as its wait ran out, a refused client came
    back at once, and at 1,024 connections refusing took a quarter of the CPU."""
    shedding = LoadShedding(max_in_flight=1, max_queued=4, max_wait_seconds=LONG_WAIT, pace_seconds=0.2)
    arrived_at = time.perf_counter()

    await shedding.pace_refusal(arrived_at)

    assert time.perf_counter() - arrived_at >= 0.2
    assert shedding.held == 0


async def test_a_refusal_that_already_waited_its_pace_is_not_held() -> None:
    shedding = LoadShedding(max_in_flight=1, max_queued=4, max_wait_seconds=LONG_WAIT, pace_seconds=0.2)
    pacing = asyncio.create_task(shedding.pace_refusal(time.perf_counter() - 0.2))
    await asyncio.sleep(0)

    assert pacing.done()


async def test_past_the_queue_bound_refusals_are_not_held() -> None:
    """A flood holds at most `max_queued` refusals; the rest are answered at once."""
    shedding = LoadShedding(max_in_flight=1, max_queued=2, max_wait_seconds=LONG_WAIT, pace_seconds=LONG_WAIT)
    held = [asyncio.create_task(shedding.pace_refusal(time.perf_counter())) for _ in range(2)]
    await asyncio.sleep(0)
    past_the_bound = asyncio.create_task(shedding.pace_refusal(time.perf_counter()))
    await asyncio.sleep(0)

    assert shedding.held == 2
    assert past_the_bound.done()
    assert not any(task.done() for task in held)
    for task in held:
        task.cancel()
    await asyncio.gather(*held, return_exceptions=True)
    assert shedding.held == 0
