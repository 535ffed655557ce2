"""Is a request from a page of another site? For endpoints that set the login cookies.

Cookie-setting endpoints (login, refresh) must refuse pages of other sites: a cross-site
form that logs the victim's browser into the attacker's account is login CSRF. Browsers say
where a request comes from in `Sec-Fetch-Site` and `Origin`; a client that sends neither is
not a browser, and has no victim's cookie jar to plant cookies in.
"""

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from starlette.requests import Request

from app.core.config import Settings

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """`scheme://host[:port]`, lower-cased, the default port left out, as browsers send it."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6
    port = parts.port
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


def own_origins(public_url: str, cors_origins: Iterable[str]) -> frozenset[str]:
    """The service's own origin and the origins it lets call it with credentials (plain
    origins only: settings refuse `*`)."""
    return frozenset(origin_of(url) for url in (public_url, *cors_origins) if url.strip())


def is_cross_site(headers: Mapping[str, str], *, request_origin: str, allowed: frozenset[str]) -> bool:
    """True for a browser request from a page of a site Keel does not trust.

    With an `Origin`, it decides: Keel's own origin, the origin the request was addressed to
    (a page served from there is the same origin, whatever `KEEL_PUBLIC_URL` says: a
    developer on `localhost` rather than `127.0.0.1`), or a `KEEL_CORS_ORIGINS` front end,
    which is cross-site by design. Without one, `Sec-Fetch-Site: cross-site` is refused.
    """
    origin = headers.get("origin")
    if origin is None:
        return headers.get("sec-fetch-site", "").lower() == "cross-site"
    if origin.strip().lower() == "null":  # sandboxed frames, privacy-sensitive redirects
        return True
    try:
        return origin_of(origin) not in allowed | {origin_of(request_origin)}
    except ValueError:  # not a URL (a bad port): no page of ours sent it
        return True


def comes_from_another_site(request: Request, settings: Settings) -> bool:
    """`is_cross_site` for a request, against `KEEL_PUBLIC_URL` and `KEEL_CORS_ORIGINS`."""
    allowed = own_origins(settings.public_url, settings.cors_origins)
    return is_cross_site(request.headers, request_origin=str(request.base_url), allowed=allowed)
