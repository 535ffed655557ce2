"""Keel's size limits on a request, in the error contract: the platform middleware's step.

- A head (target and header fields) over `KEEL_MAX_HEADER_BYTES`, or with more than
  `KEEL_MAX_HEADER_COUNT` fields: 431 before the app runs. Under `keel serve` the server's
  protocol (`bounded_head`) has already refused a head that grew past the limit while it
  arrived; this check holds under any other server too, and for a head that came at once.
- A declared Content-Length over `KEEL_MAX_BODY_BYTES`: 413 before the app runs; a body
  that grows past it while streaming fails the read, and the route's error handling
  renders the 413.
- Paths a domain declares as uploads (`Domain.large_bodies`) have their own, larger limit
  instead; every other path keeps `KEEL_MAX_BODY_BYTES`.

One pass over the headers serves both checks.
"""

import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope

from app.core.errors import RequestHeaderFieldsTooLarge, handle_app_error, handle_http_exception

# A path (a full match of the pattern) whose bodies may be this many bytes.
LargeBodyPath = tuple[re.Pattern[str], int]


class RequestLimits:
    def __init__(
        self,
        *,
        max_body_bytes: int,
        max_header_bytes: int,
        max_header_count: int,
        large_bodies: Sequence[LargeBodyPath] = (),
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes
        self.max_header_count = max_header_count
        self.large_bodies = tuple(large_bodies)

    def body_limit(self, scope: Scope) -> int:
        """The most bytes a body to this path may have."""
        for pattern, max_bytes in self.large_bodies:  # none, or a few: uploads are rare
            if pattern.fullmatch(scope["path"]):
                return max_bytes
        return self.max_body_bytes

    async def refusal(self, scope: Scope) -> Response | None:
        """The 431 or 413 for a request over a limit before its body is read; None if within."""
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
            return await handle_app_error(Request(scope), too_large)
        if declared_length > self.max_body_bytes and declared_length > self.body_limit(scope):
            return await handle_http_exception(Request(scope), HTTPException(status_code=413))
        return None

    def limited(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, failing the read with a 413 once the body grows past the path's limit."""
        max_bytes = self.body_limit(scope) if self.large_bodies else self.max_body_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise HTTPException(status_code=413)
            return message

        return limited_receive


def _length(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:
        return 0  # the server rejects a malformed length before we see it
