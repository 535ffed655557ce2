"""Headers that make browsers safer with any Keel response."""

from collections.abc import Mapping
from types import MappingProxyType

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "frame-ancestors 'none'",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
)
HSTS = "max-age=31536000; includeSubDomains"
SECURE_HEADERS: Mapping[str, str] = MappingProxyType({**SECURITY_HEADERS, "Strict-Transport-Security": HSTS})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(scope: Scope) -> Mapping[str, str]:
    # HSTS only means something over HTTPS (uvicorn sets the scheme from a trusted proxy).
    return SECURE_HEADERS if scope.get("scheme") == "https" else SECURITY_HEADERS
