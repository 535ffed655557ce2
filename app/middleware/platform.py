"""The platform middleware: every step Keel takes around a request, in one pure ASGI layer.

Each middleware layer costs a request a call, an await and closures around `send` and
`receive`; eight of them (load shedding, metrics, request context, security headers,
unhandled errors, request limits, storable input, and GZip around them) cost more than the
smallest route (docs/decisions.md, "One platform middleware"). Here they are steps, each a
plain object or function in its own module and tested there, run in this order:

1. admission (`load_shedding`): a slot, a bounded wait for one, or a refusal (paced),
   before anything else is done for the request;
2. request context: its id, timing and log context (`request_context`);
3. limits on its head and declared body (`request_limits`), then unstorable text in its
   path and query (`storable_input`): refused before the app runs;
4. the app, reading its body through both checks; the response start gets `X-Request-ID`
   and the security headers, and its status is kept for the metrics and the access log;
5. the unhandled-error guard (`errors`): an exception before the response began is a 500.

CORS and GZip stay Starlette's, inside this layer. The answers this layer makes itself
(431, 413, 422, 500) pass through `own_answers` (CORS, when configured), as they did when
they came from inside it; a refusal for load does not, to stay cheap under a flood.
"""

import time
from collections.abc import Callable
from typing import Protocol

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import REQUEST_ID_HEADER
from app.middleware.errors import UnhandledErrors
from app.middleware.load_shedding import EXEMPT_PATHS, LoadShedding, refusal
from app.middleware.request_context import begin_request, end_request
from app.middleware.request_limits import RequestLimits
from app.middleware.security_headers import add_security_headers
from app.middleware.storable_input import checking_body, refusal_for_target

RAW_REQUEST_ID_HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")


class RequestObserver(Protocol):
    """The request metrics (app/web/metrics.py), seen from here."""

    def refuse(self, method: str) -> None: ...

    def record(self, scope: Scope, *, status: int, seconds: float) -> None: ...


def as_is(response: Response) -> ASGIApp:
    return response


class PlatformMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        shedding: LoadShedding,
        limits: RequestLimits,
        metrics: RequestObserver,
        errors: UnhandledErrors,
        access_log: bool,
        own_answers: Callable[[Response], ASGIApp] = as_is,
    ) -> None:
        self.app = app
        self.shedding = shedding
        self.limits = limits
        self.metrics = metrics
        self.errors = errors
        self.access_log = access_log
        self.own_answers = own_answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        if scope["path"] in EXEMPT_PATHS:
            await self.serve(scope, receive, send, started_at)
            return
        if not (self.shedding.enter_now() or await self.shedding.enter()):
            self.metrics.refuse(scope["method"])
            await self.shedding.pace_refusal(started_at)
            await refusal(scope, started_at=started_at)(scope, receive, send)
            return
        try:
            await self.serve(scope, receive, send, started_at)
        finally:
            self.shedding.leave()

    async def serve(self, scope: Scope, receive: Receive, send: Send, started_at: float) -> None:
        request_id = begin_request(scope, started_at=started_at)
        status_code: int | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = [
                    header for header in message.get("headers", ()) if header[0] != RAW_REQUEST_ID_HEADER
                ]
                headers.append((RAW_REQUEST_ID_HEADER, request_id.encode("latin-1")))
                add_security_headers(headers, scope)
                message["headers"] = headers
            await send(message)

        try:
            refused = await self.limits.refusal(scope) or await refusal_for_target(scope)
            if refused is not None:
                await self.own_answers(refused)(scope, receive, send_with_headers)
                return
            try:
                await self.app(
                    scope, checking_body(scope, self.limits.limited(scope, receive)), send_with_headers
                )
            except Exception as exc:
                self.errors.caught(exc, scope)
                if status_code is not None:
                    raise  # half a response is already on the wire; the server closes the connection
                answer = self.own_answers(self.errors.answer(exc, scope, receive))
                await answer(scope, receive, send_with_headers)
        finally:
            status = 500 if status_code is None else status_code
            self.metrics.record(scope, status=status, seconds=time.perf_counter() - started_at)
            end_request(scope, status_code=status, started_at=started_at, access_log=self.access_log)
