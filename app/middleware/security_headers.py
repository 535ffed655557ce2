"""Headers that make browsers safer with any Keel response: the platform middleware's step."""

from collections.abc import Mapping
from types import MappingProxyType

from starlette.types import Scope

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

RawHeaders = list[tuple[bytes, bytes]]


def _raw(headers: Mapping[str, str]) -> RawHeaders:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


# Encoded once: they are added to every response.
RAW_SECURITY_HEADERS, RAW_SECURE_HEADERS = _raw(SECURITY_HEADERS), _raw(SECURE_HEADERS)


def security_headers(scope: Scope) -> Mapping[str, str]:
    # HSTS only means something over HTTPS (uvicorn sets the scheme from a trusted proxy).
    return SECURE_HEADERS if scope.get("scheme") == "https" else SECURITY_HEADERS


def add_security_headers(headers: RawHeaders, scope: Scope) -> None:
    """Each security header the response does not set itself (a page may set its own CSP)."""
    present = {name for name, _ in headers}
    wanted = RAW_SECURE_HEADERS if scope.get("scheme") == "https" else RAW_SECURITY_HEADERS
    headers.extend(header for header in wanted if header[0] not in present)
