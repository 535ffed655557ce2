"""`keel serve`'s HTTP protocol: uvicorn's httptools one, with the request head bounded.

httptools buffers a header until its last byte has arrived, and uvicorn the request target,
all before any ASGI middleware runs: one request with a 32 MB header was answered 200, and
eight of 64 MB at once took a worker from 138 MB to 689 MB. Here the bytes of a head still
incomplete are counted as they arrive; past `KEEL_MAX_HEADER_BYTES`, the server answers
`431 request_header_fields_too_large` in the error contract and stops parsing, so a
connection holds at most the limit and one read of its head. A head that arrives whole in
one read is left to the platform middleware's limits step (`request_limits`), which checks
every complete head.

The refused connection is not closed at once: its writing side is shut, and what the client
is still sending is read and dropped for a moment. Closed with unread data, the socket would
reset the connection, and the client would lose the 431 before reading it.

uvicorn finds this class by its import path (`keel serve` passes it), and reads the limits
from the settings, as every worker process is started afresh.
"""

from typing import Any, cast

import structlog
from starlette.datastructures import Headers
from starlette.types import Scope
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.core.config import get_settings
from app.core.errors import REQUEST_ID_HEADER, RequestHeaderFieldsTooLarge, render_error
from app.middleware.request_context import incoming_request_id, new_request_id
from app.middleware.security_headers import security_headers

logger = structlog.get_logger("keel.server")

# How long the rest of a refused head is read and dropped before the connection is closed.
LINGER_SECONDS = 2.0


class BoundedHeadProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_header_bytes = settings.max_header_bytes
        self.max_header_count = settings.max_header_count
        self.reading_head = False
        self.head_bytes = 0
        self.refused = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_head = True
        self.head_bytes = 0

    def on_headers_complete(self) -> None:
        self.reading_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return  # the rest of a refused head: dropped unread
        continuing_head = self.reading_head
        super().data_received(data)
        if not self.reading_head or self.transport.is_closing():
            return
        # Reads after the one the head began in count whole: a connection holds at most the
        # limit and one read. The read it began in does not count, for it may be mostly the
        # end of a pipelined request's body before it (httptools does not say where it begins).
        if continuing_head:
            self.head_bytes += len(data)
        if self.head_bytes > self.max_header_bytes:
            self.refuse_head()

    def refuse_head(self) -> None:
        self.refused = True
        self.reading_head = False
        logger.warning("request_head_too_large", client=self.client, received_bytes=self.head_bytes)
        # A pipelined request before this one may still be answering: a 431 now would land
        # inside its response, so then the connection just closes.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(self.refusal())
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def refusal(self) -> bytes:
        """The 431 in the error contract, in the language of whatever headers arrived."""
        too_large = RequestHeaderFieldsTooLarge(
            max_bytes=self.max_header_bytes, max_count=self.max_header_count
        )
        scope = cast(Scope, self.scope)  # uvicorn's TypedDict of the same mapping
        request_id = incoming_request_id(scope) or new_request_id()
        response = render_error(
            status_code=too_large.status_code,
            error_code=too_large.error_code,
            message_key=too_large.message_key,
            params=too_large.params,
            headers={**security_headers(scope), REQUEST_ID_HEADER: request_id, "Connection": "close"},
            accept_language=Headers(raw=self.headers).get("accept-language"),
            request_id=request_id,
            started_at=None,
        )
        head = [STATUS_LINE[too_large.status_code]]
        for name, value in [*self.server_state.default_headers, *response.raw_headers]:
            head.append(b"%s: %s\r\n" % (name, value))
        return b"".join([*head, b"\r\n", response.body])
