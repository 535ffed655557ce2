"""Refuse requests over Keel's size limits, in the error contract.

- A head (target and header fields) over `KEEL_MAX_HEADER_BYTES`, or with more than
  `KEEL_MAX_HEADER_COUNT` fields: 431 before the app runs. Under `keel serve` the server's
  protocol (`bounded_head`) has already refused a head that grew past the limit while it
  arrived; this check holds under any other server too, and for a head that came at once.
- A declared Content-Length over `KEEL_MAX_BODY_BYTES`: 413 before the app runs; a body
  that grows past it while streaming fails the read, and the route's error handling
  renders the 413.

One pass over the headers serves both checks.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import RequestHeaderFieldsTooLarge, handle_app_error, handle_http_exception


class RequestLimitsMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_header_bytes: int, max_header_count: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        head_bytes = len(scope.get("raw_path") or b"") + len(scope["query_string"])
        declared_length = 0
        for name, value in headers:
            head_bytes += len(name) + len(value)
            if name == b"content-length":
                declared_length = _length(value)
        if head_bytes > self.max_header_bytes or len(headers) > self.max_header_count:
            too_large = RequestHeaderFieldsTooLarge(
                max_bytes=self.max_header_bytes, max_count=self.max_header_count
            )
            await (await handle_app_error(Request(scope), too_large))(scope, receive, send)
            return
        if declared_length > self.max_body_bytes:
            response = await handle_http_exception(Request(scope), HTTPException(status_code=413))
            await response(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise HTTPException(status_code=413)
            return message

        await self.app(scope, limited_receive, send)


def _length(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:
        return 0  # the server rejects a malformed length before we see it
