"""The error contract: every non-2xx response is an `ErrorResponse`, whatever raised it.

Domain code raises `AppError` subclasses with a stable `error_code`; their message key is
`errors.<error_code>`. The handlers here translate the message for the caller and add the
request id.
"""

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope
from typing_extensions import TypedDict  # pydantic reads `typing.TypedDict` only from Python 3.12

from app.core.i18n import negotiate_locale, translate
from app.core.schemas import JsonObject

logger = structlog.get_logger("keel.errors")

REQUEST_ID_HEADER = "X-Request-ID"
ERROR_TIME_HEADER = "X-ErrorHandleTime"


class ValidationIssue(TypedDict):
    """One reason a request was refused as invalid (422 `validation_error`)."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """The body of every error response."""

    status_code: int
    error_code: str = Field(description="Stable, snake_case; clients switch on it.")
    message: str = Field(description="Localized by Accept-Language (en, ru).")
    details: list[ValidationIssue] | JsonObject | None = Field(
        default=None,
        description="`validation_error`: the issues found; other codes: an object whose keys the "
        "code documents (e.g. `current_etag`), or null.",
    )
    request_id: str | None = Field(default=None, description="Also in the X-Request-ID header.")


class AppError(Exception):
    """Base of every error Keel raises on purpose."""

    status_code: ClassVar[int] = 400
    error_code: ClassVar[str] = "bad_request"
    # Derived, never written: one name for a code and its message, in the class and the catalogs.
    message_key: ClassVar[str] = f"errors.{error_code}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "message_key" not in cls.__dict__:  # only a test's stand-in borrows another message
            cls.message_key = f"errors.{cls.error_code}"

    def __init__(
        self, *, details: Any = None, headers: Mapping[str, str] | None = None, **params: Any
    ) -> None:
        self.params = params
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(f"{self.error_code} {params}" if params else self.error_code)


class NotFoundError(AppError):
    """No route at this address, or no such resource (or not the caller's)."""

    status_code = 404
    error_code = "not_found"


class ConflictError(AppError):
    """The request conflicts with the current state."""

    status_code = 409
    error_code = "conflict"


class ConcurrentChange(ConflictError):
    """What the request writes was deleted or changed by another request since it was read,
    or the two locked each other out."""

    error_code = "concurrent_change"


class ReferenceRemoved(ConflictError):
    """A row the request refers to (a tag, an owner) was deleted while it ran."""

    error_code = "reference_removed"


class PermissionDeniedError(AppError):
    """Authenticated, but not allowed."""

    status_code = 403
    error_code = "forbidden"


class AuthenticationError(AppError):
    """Authentication is required."""

    status_code = 401
    error_code = "not_authenticated"


class ServiceUnavailableError(AppError):
    """A server Keel needs is down."""

    status_code = 503
    error_code = "service_unavailable"


RETRY_AFTER_OUTAGE_SECONDS = 5


class DependencyUnavailable(ServiceUnavailableError, ConnectionError):
    """A server Keel needs is unreachable: 503 with `Retry-After`, never a 500.

    Also a `ConnectionError`, so readiness probes and callers that only know the built-in
    exception treat it as what it is.
    """

    def __init__(self, reason: str = "") -> None:
        self.reason = reason  # logged, never sent: it may name hosts and ports
        super().__init__(headers={"Retry-After": str(RETRY_AFTER_OUTAGE_SECONDS)})


class DatabaseUnavailable(DependencyUnavailable):
    """PostgreSQL (or the SQLite file) cannot be reached; `Retry-After: 5`."""

    error_code = "database_unavailable"


class CacheUnavailable(DependencyUnavailable):
    """Redis cannot be reached: token revocation and rate limits cannot be checked; `Retry-After: 5`."""

    error_code = "cache_unavailable"


class BrokerUnavailable(DependencyUnavailable):
    """RabbitMQ did not take the job; the job is recorded as failed; `Retry-After: 5`."""

    error_code = "broker_unavailable"


class ServerBusy(ServiceUnavailableError):
    """This process has as many requests in flight as it takes, and none freed up while the
    request waited its turn (or too many already wait); come back in a second."""

    error_code = "server_busy"

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "1"})


class TooManyRequests(AppError):
    """A rate limit was hit; `Retry-After` tells the client when to try again."""

    status_code = 429
    error_code = "too_many_requests"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(headers={"Retry-After": str(max(retry_after, 1))}, retry_after=retry_after)


class RequestHeaderFieldsTooLarge(AppError):
    """The request head is over `KEEL_MAX_HEADER_BYTES` or `KEEL_MAX_HEADER_COUNT`; `keel serve`
    refuses it as it arrives and closes the connection."""

    status_code = 431
    error_code = "request_header_fields_too_large"

    def __init__(self, *, max_bytes: int, max_count: int) -> None:
        super().__init__(max_bytes=max_bytes, max_count=max_count)


class UnsupportedMediaType(AppError):
    """The body's Content-Type is not the one the operation declares; `details` names those."""

    status_code = 415
    error_code = "unsupported_media_type"

    def __init__(self, *, expected: Sequence[str]) -> None:
        super().__init__(details={"expected": list(expected)})


class ValidationFailed(AppError):
    """Input failed validation: the schema (`details` lists `{loc, msg, type}`), or a rule only
    the server can check."""

    status_code = 422
    error_code = "validation_error"


class InternalError(AppError):
    """An unexpected failure: logged with the request id, the body reveals nothing of it.

    Never raised: the unhandled-error handler answers with its code and message.
    """

    status_code = 500
    error_code = "internal_error"


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


Declarer = TypeVar("Declarer", bound=Callable[..., Any])
DECLARED_ERRORS_ATTRIBUTE = "__keel_errors__"


def raises(*error_types: type[AppError]) -> Callable[[Declarer], Declarer]:
    """Declares what a dependency or endpoint may raise: every route that depends on it
    documents those errors in OpenAPI (app/web/responses.py walks the dependencies)."""

    def declare(function: Declarer) -> Declarer:
        setattr(function, DECLARED_ERRORS_ATTRIBUTE, (*declared_errors(function), *error_types))
        return function

    return declare


def declared_errors(function: object) -> tuple[type[AppError], ...]:
    return tuple(getattr(function, DECLARED_ERRORS_ATTRIBUTE, ()))


# Errors raised by the framework itself, by status: (error_code, message_key).
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "errors.bad_request"),
    401: ("not_authenticated", "errors.not_authenticated"),
    403: ("forbidden", "errors.forbidden"),
    404: ("not_found", "errors.route_not_found"),
    405: ("method_not_allowed", "errors.method_not_allowed"),
    406: ("not_acceptable", "errors.not_acceptable"),
    409: ("conflict", "errors.conflict"),
    413: ("payload_too_large", "errors.payload_too_large"),
    415: ("unsupported_media_type", "errors.unsupported_media_type"),
    429: ("too_many_requests", "errors.too_many_requests"),
    503: ("service_unavailable", "errors.service_unavailable"),
}


def error_response(
    request: Request,
    *,
    status_code: int,
    error_code: str,
    message_key: str,
    params: Mapping[str, Any] | None = None,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Render the contract; the caller's language comes from `Accept-Language`."""
    state = request.scope.get("state", {})
    return render_error(
        status_code=status_code,
        error_code=error_code,
        message_key=message_key,
        params=params,
        details=details,
        headers=headers,
        accept_language=request.headers.get("accept-language"),
        request_id=state.get("request_id"),
        started_at=state.get("started_at"),
    )


def render_error(
    *,
    status_code: int,
    error_code: str,
    message_key: str,
    accept_language: str | None,
    request_id: str | None,
    started_at: float | None,
    params: Mapping[str, Any] | None = None,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The contract from what it needs of a request; for middleware that has no `Request`."""
    locale = negotiate_locale(accept_language)
    body = ErrorResponse(
        status_code=status_code,
        error_code=error_code,
        message=translate(message_key, locale, **(params or {})),
        details=details,
        request_id=request_id,
    )
    all_headers = {**(headers or {}), "Content-Language": locale}
    if started_at:
        all_headers[ERROR_TIME_HEADER] = f"{time.perf_counter() - started_at:.6f}"
    return JSONResponse(body.model_dump(), status_code=status_code, headers=all_headers)


async def handle_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if isinstance(exc, DependencyUnavailable):
        logger.warning("dependency_unavailable", error_code=exc.error_code, reason=exc.reason)
    return error_response(
        request,
        status_code=exc.status_code,
        error_code=exc.error_code,
        message_key=exc.message_key,
        params=exc.params,
        details=exc.details,
        headers=exc.headers,
    )


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error_code, message_key = HTTP_ERRORS.get(exc.status_code, (f"http_{exc.status_code}", "errors.http"))
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request, exc)}
    return error_response(
        request,
        status_code=exc.status_code,
        error_code=error_code,
        message_key=message_key,
        params={"status_code": exc.status_code},
        headers=headers,
    )


def allowed_methods(request: Request, exc: HTTPException) -> str:
    """Every method some route at this path takes.

    FastAPI makes one route per method, and the 405 named the methods of the first route
    that matched the path only: `PATCH /todos/1` answered `Allow: GET`, though PUT and
    DELETE are there too. Each method is tried against the app's routes instead; a mounted
    app takes any method, so it is left out, and its own `Allow` stands.
    """
    routes = getattr(request.scope.get("router"), "routes", ())
    taken = [
        method
        for method in HTTP_METHODS
        if any(_takes(route, {**request.scope, "method": method}) for route in routes)
    ]
    named = [name.strip() for name in (exc.headers or {}).get("Allow", "").split(",") if name.strip()]
    return ", ".join(dict.fromkeys([*taken, *named]))


def _takes(route: BaseRoute, scope: Scope) -> bool:
    return not isinstance(route, Mount) and route.matches(scope)[0] is Match.FULL


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(
        request,
        status_code=422,
        error_code=ValidationFailed.error_code,
        message_key=ValidationFailed.message_key,
        details=validation_details(exc.errors()),
    )


def validation_details(errors: Sequence[Any]) -> list[ValidationIssue]:
    """Only location, message and type: the rejected input may hold a password."""
    return [{"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]} for error in errors]


def internal_error_response(request: Request, exc: BaseException) -> JSONResponse:
    """The one place an unexpected exception is logged; the body reveals nothing of it."""
    logger.error("unhandled_error", exc_info=exc, path=request.url.path, method=request.method)
    return error_response(
        request,
        status_code=InternalError.status_code,
        error_code=InternalError.error_code,
        message_key=InternalError.message_key,
    )


def as_app_error(error: Callable[[str], AppError]) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """A handler that answers a foreign exception as `error` (e.g. a driver's OSError as a 503)."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return await handle_app_error(request, error(f"{type(exc).__name__}: {exc}"))

    return handler


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, handle_app_error)
    app.add_exception_handler(HTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
