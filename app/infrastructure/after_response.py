"""Work a request hands off, so that its response neither waits on it nor, by its timing,
tells what the work found (a password reset for a known address or an unknown one).

The work runs in this process, in tasks of its own; shutdown waits for what is running.
A process that dies meanwhile loses it: hand off only what the client can ask for again.
At most `max_running` tasks run at once; beyond that the request is refused like any other
in excess (503 `server_busy`), so a flood cannot pile work up. Shutdown waits for them a
while (`DRAIN_SECONDS`), then cancels what is left: a stuck SMTP server must not hold it.
"""

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

from app.core.errors import ServerBusy

logger = structlog.get_logger("keel.after_response")

TASK_NAME_PREFIX = "after-response:"
DRAIN_SECONDS = 10.0


class AfterResponse:
    def __init__(self, *, max_running: int) -> None:
        self._running: set[asyncio.Task[None]] = set()
        self._max_running = max_running

    def run(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        if len(self._running) >= self._max_running:
            work.close()  # never started
            raise ServerBusy
        task = asyncio.create_task(work, name=TASK_NAME_PREFIX + name)
        self._running.add(task)  # a task only the loop refers to may be collected mid-way
        task.add_done_callback(self._finished)

    def _finished(self, task: "asyncio.Task[None]") -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("after_response_failed", work=task.get_name(), exc_info=error)

    @property
    def max_running(self) -> int:
        return self._max_running

    async def drain(self) -> None:
        """Wait for the work handed off so far (in tests)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def close(self) -> None:
        """At shutdown: wait for the work a while, then cancel what is still running."""
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await self.drain()
        except TimeoutError:
            for task in list(self._running):
                logger.warning("after_response_cancelled", work=task.get_name())
                task.cancel()
            await asyncio.gather(*self._running, return_exceptions=True)
