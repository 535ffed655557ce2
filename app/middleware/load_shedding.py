"""Past `max_in_flight` requests at once, answer `503 server_busy` straight away.

Without a bound, an overloaded process admits every request, each holds memory and waits
for one of a few database connections, and latency grows until nothing completes in time.
Refusing the excess at once keeps the admitted requests fast and tells clients to retry
(`Retry-After`). Liveness is exempt: a busy process is not a dead one.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import ServerBusy, handle_app_error

EXEMPT_PATHS = frozenset({"/health/live"})


class LoadSheddingMiddleware:
    def __init__(self, app: ASGIApp, *, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            response = await handle_app_error(Request(scope), ServerBusy())
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
