"""The one catch-all: an exception nothing else handled becomes a 500 in the error contract.

A step of the platform middleware, which sends the 500 itself, so that it still carries
`X-Request-ID`, the security headers (and CORS headers, when configured), an access-log
line and its metrics; Starlette's own last-resort handler, outside every middleware, would
not.
"""

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope

from app.core.errors import internal_error_response

ErrorReporter = Callable[[BaseException, Scope], None]


class UnhandledErrors:
    def __init__(self, *, report: ErrorReporter | None = None) -> None:
        self.report = report  # to an error tracker, when one is configured

    def caught(self, exc: Exception, scope: Scope) -> None:
        """Every unhandled exception goes to the tracker, even one after the response began."""
        if self.report is not None:
            self.report(exc, scope)

    def answer(self, exc: Exception, scope: Scope, receive: Receive) -> Response:
        """The 500, for an exception before the response began: logged once with the
        request id, and answered with nothing of it."""
        return internal_error_response(Request(scope, receive), exc)
