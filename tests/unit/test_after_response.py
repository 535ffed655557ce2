"""Work handed off after a response: bounded while running, and never holding shutdown."""

import asyncio

import pytest

from app.core.errors import ServerBusy
from app.infrastructure import after_response
from app.infrastructure.after_response import AfterResponse


async def test_work_beyond_the_bound_is_refused_and_never_started() -> None:
    started: list[int] = []
    release = asyncio.Event()

    async def work(n: int) -> None:
        started.append(n)
        await release.wait()

    handed = AfterResponse(max_running=2)
    handed.run(work(1), name="one")
    handed.run(work(2), name="two")
    with pytest.raises(ServerBusy):
        handed.run(work(3), name="three")
    release.set()
    await handed.drain()

    assert started == [1, 2]


async def test_closing_cancels_work_that_outlives_the_grace_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(after_response, "DRAIN_SECONDS", 0.05)
    cancelled = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.sleep(3600)  # an SMTP server that never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise

    handed = AfterResponse(max_running=1)
    handed.run(stuck(), name="stuck")
    await asyncio.wait_for(handed.close(), timeout=5)

    assert cancelled.is_set()
