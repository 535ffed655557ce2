"""Admission: at most `max_in_flight` requests at once; a bounded queue waits for the rest.

Without a bound, an overloaded process admits every request, each holds memory and waits
for one of a few database connections, and latency grows until nothing completes in time.

Refusing every request past the bound at once was not enough either: a client that sends
its next request as soon as it has an answer (a closed loop, as wrk, or a retrying
client) came straight back, so under a flood the process spent its CPU refusing and
served few of the requests it had admitted (docs/decisions.md, "Overload: a bounded
queue paces refusals"). So a request past the bound waits, in arrival order, for a slot
to free: up to `max_queued` requests, each at most `max_wait_seconds`. A waiting request
costs a future and a timer, no CPU; one whose wait runs out is refused. Past the queue, a
request is refused without waiting, as cheaply as can be: this is the first step of the
platform middleware, before routing, body or authentication.

A refusal is paced: it is answered no sooner than `pace_seconds` after the request arrived
(up to `max_queued` refusals held at once; past them, at once). Answered as soon as its
wait ran out, a refused request came back half a second later: at 1,024 closed-loop
connections the process refused about 900 requests a second, and parsing and answering
them took a quarter of the CPU from the admitted ones (docs/decisions.md, "Overload: a
bounded queue paces refusals"). The wait bounds the admitted requests' latency; the pace
only how often a refused client comes back.

The refusal keeps the error contract: the body in the caller's language, its request id
in `X-Request-ID`, the security headers and `Retry-After`. Liveness is exempt: a busy
process is not a dead one.
"""

import asyncio
import time
from collections import deque

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Scope

from app.core.errors import REQUEST_ID_HEADER, ServerBusy, render_error
from app.middleware.request_context import incoming_request_id, new_request_id
from app.middleware.security_headers import security_headers

EXEMPT_PATHS = frozenset({"/health/live"})


class LoadShedding:
    def __init__(
        self, *, max_in_flight: int, max_queued: int, max_wait_seconds: float, pace_seconds: float = 0.0
    ) -> None:
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.max_wait_seconds = max_wait_seconds
        self.pace_seconds = pace_seconds
        self.in_flight = 0
        self.queued = 0  # waiting now; `waiting` may also hold finished waits not yet dropped
        self.waiting: deque[asyncio.Future[bool]] = deque()
        self.held = 0  # refusals waiting for their pace

    def enter_now(self) -> bool:
        """A slot at once, when one is free and nobody queues for it (the common case)."""
        if self.in_flight < self.max_in_flight and not self.queued:
            self.in_flight += 1
            return True
        return False

    async def enter(self) -> bool:
        """A slot, after a wait in the queue if need be; False: refuse the request."""
        if self.enter_now():
            return True
        if self.queued >= self.max_queued:
            return False
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[bool] = loop.create_future()
        self.waiting.append(turn)
        self.queued += 1
        timer = loop.call_later(self.max_wait_seconds, self._give_up, turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if not turn.done() or turn.cancelled():
                turn.cancel()  # still queued (cancelling the task cancels `turn` too): leave the queue
                self.queued -= 1
            elif turn.result():
                self.leave()  # handed a slot as it was cancelled: pass it on
            raise
        finally:
            timer.cancel()

    def leave(self) -> None:
        """A request finished: its slot goes to the longest waiting request, or is freed."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                self.queued -= 1
                turn.set_result(True)
                return
        self.in_flight -= 1

    async def pace_refusal(self, arrived_at: float) -> None:
        """Hold a refused request until `pace_seconds` after it arrived (`time.perf_counter()`),
        so that a client resending at once comes back no sooner. A held refusal is a timer;
        past `max_queued` of them, a refusal is answered at once, to bound what a flood holds."""
        delay = arrived_at + self.pace_seconds - time.perf_counter()
        if delay <= 0 or self.held >= self.max_queued:
            return
        self.held += 1
        try:
            await asyncio.sleep(delay)
        finally:
            self.held -= 1

    def _give_up(self, turn: asyncio.Future[bool]) -> None:
        if turn.done():
            return
        self.queued -= 1
        turn.set_result(False)
        # Every wait lasts as long, so the ones that run out are at the front.
        while self.waiting and self.waiting[0].done():
            self.waiting.popleft()


def refusal(scope: Scope, *, started_at: float) -> JSONResponse:
    busy = ServerBusy()
    request_id = incoming_request_id(scope) or new_request_id()
    return render_error(
        status_code=busy.status_code,
        error_code=busy.error_code,
        message_key=busy.message_key,
        headers={**security_headers(scope), **busy.headers, REQUEST_ID_HEADER: request_id},
        accept_language=Headers(scope=scope).get("accept-language"),
        request_id=request_id,
        started_at=started_at,
    )
