"""Past `max_in_flight` requests at once, answer `503 server_busy` straight away.

Without a bound, an overloaded process admits every request, each holds memory and waits
for one of a few database connections, and latency grows until nothing completes in time.
Refusing the excess at once keeps the admitted requests fast and tells clients to retry
(`Retry-After`). Liveness is exempt: a busy process is not a dead one.

This is the first step of the platform middleware, and its refusal is written at once.
Under a flood the refusals are most of the work, and the admitted requests wait for the
CPU they take (docs/decisions.md, "Refusals are cheap"). A refusal still keeps the error
contract: the body in the caller's language, its request id in `X-Request-ID`, the
security headers. The metrics count refusals apart and among the 5xx answers; no access
log line is written for them.
"""

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Scope

from app.core.errors import REQUEST_ID_HEADER, ServerBusy, render_error
from app.middleware.request_context import incoming_request_id, new_request_id
from app.middleware.security_headers import security_headers

EXEMPT_PATHS = frozenset({"/health/live"})


class LoadShedding:
    def __init__(self, *, max_in_flight: int) -> None:
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    def enter_now(self) -> bool:
        """A slot, when one is free; False: refuse the request."""
        if self.in_flight < self.max_in_flight:
            self.in_flight += 1
            return True
        return False

    def leave(self) -> None:
        self.in_flight -= 1


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
