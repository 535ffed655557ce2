"""Request id, timing and the access log, for every HTTP request.

Pure ASGI (not `BaseHTTPMiddleware`) so that it costs one function call per request and
leaves streaming responses alone.
"""

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import REQUEST_ID_HEADER

access_logger = structlog.get_logger("keel.access")

# Accept a client's id only when it is short and plain, so it cannot inject into logs.
WELL_FORMED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = incoming_request_id(scope) or uuid.uuid4().hex
        started_at = time.perf_counter()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started_at"] = started_at
        status_code = 500

        async def send_with_request_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            if self.access_log:
                access_logger.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status_code,
                    duration_ms=round((time.perf_counter() - started_at) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")


def incoming_request_id(scope: Scope) -> str | None:
    """The client's `X-Request-ID`, when it is well formed."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if WELL_FORMED_REQUEST_ID.match(candidate) else None
    return None
