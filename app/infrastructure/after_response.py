"""Work a request hands off, so that its response neither waits on it nor, by its timing,
tells what the work found (a password reset for a known address or an unknown one).

The work runs in this process, in tasks of its own; shutdown waits for what is running.
A process that dies meanwhile loses it: hand off only what the client can ask for again.
As many tasks run at once as the process serves requests; beyond that the request is
refused like any other in excess (503 `server_busy`), so a flood cannot pile work up.
"""

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

from app.core.errors import ServerBusy

logger = structlog.get_logger("keel.after_response")

TASK_NAME_PREFIX = "after-response:"


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

    async def drain(self) -> None:
        """Wait for the work handed off so far (at shutdown, and in tests)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
