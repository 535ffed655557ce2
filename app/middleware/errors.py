"""The one catch-all: an exception nothing else handled becomes a 500 in the error contract.

It sits inside the request-context middleware, so the 500 still carries `X-Request-ID`,
security headers and an access-log line; Starlette's own last-resort handler would not.
"""

from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import internal_error_response


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp, *, report: Callable[[BaseException, Scope], None] | None = None) -> None:
        self.app = app
        self.report = report  # to an error tracker, when one is configured

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if self.report is not None:
                self.report(exc, scope)
            if response_started:
                raise  # half a response is already on the wire; the server closes the connection
            response = internal_error_response(Request(scope, receive), exc)
            await response(scope, receive, send)
