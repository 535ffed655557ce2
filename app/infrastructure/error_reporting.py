"""Unhandled errors to Sentry, when `KEEL_SENTRY_DSN` is set (docs/operations.md, "Traces and errors").

Two places report, the two where an error has no other handler: the 500 path
(app/middleware/errors.py) and a failed job (app/domains/jobs/runner.py). Each event carries
the exception, the request id or job id, and the user's id; never headers, cookies, a body
or a frame's local variables (where passwords and tokens live), and `scrub_event` filters
any field named like a secret that got in anyway. The SDK sends from its own thread.

Off, `sentry_sdk` is not imported and the report functions return at their first line.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

from app.core.config import Settings

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

FILTERED = "[Filtered]"
# Field names (any case, anywhere in an event) whose values never leave the process.
SECRET_FIELD_PARTS = ("password", "token", "secret", "authorization", "cookie", "api_key", "csrf")
FLUSH_TIMEOUT_SECONDS = 5.0

_reporting = False


def start_error_reporting(settings: Settings) -> bool:
    """Set Sentry up for this process (again, with the latest settings); False when unset."""
    global _reporting
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment or settings.env,
        # What `send_default_pii=False` meant, in the options that replace it (sentry-sdk 2.5x+),
        # and stricter: no headers, cookies, bodies or query strings at all, and no frame's
        # local variables (a handler's may hold the password it was sent).
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        # Keel reports explicitly, once per error: the logging integration would report the
        # `unhandled_error` line a second time, and the framework ones patch Starlette.
        default_integrations=False,
        auto_enabling_integrations=False,
        before_send=scrub_event,
    )
    _reporting = True
    return True


def report_request_error(exc: BaseException, scope: Scope) -> None:
    """An unhandled error of a request, with its request id and caller (when known)."""
    if not _reporting:
        return
    state = scope.get("state", {})
    _capture(
        exc,
        tags={"request_id": state.get("request_id")},
        user_id=state.get("user_id"),
        transaction=f"{scope.get('method', '')} {scope.get('path', '')}",
    )


def report_job_error(exc: BaseException, *, job_id: int, kind: str, owner_id: int | None) -> None:
    """A job that failed: its id and kind, and the user it ran for."""
    if not _reporting:
        return
    _capture(exc, tags={"job_id": job_id, "job_kind": kind}, user_id=owner_id, transaction=f"job {kind}")


def stop_error_reporting() -> None:
    """Send the reports still queued and stop: at the end of a lifespan or a worker.

    Blocks while it sends (up to a few seconds): call it off the event loop.
    """
    global _reporting
    if not _reporting:
        return
    import sentry_sdk

    _reporting = False
    sentry_sdk.get_client().close(timeout=FLUSH_TIMEOUT_SECONDS)


def scrub_event(event: "Event", _: "Hint") -> "Event":
    """Filter every field named like a secret, wherever it is in the event."""
    scrubbed: Event = _scrub(event)
    return scrubbed


def _capture(exc: BaseException, *, tags: Mapping[str, Any], user_id: Any, transaction: str) -> None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        for name, value in tags.items():
            if value is not None:
                scope.set_tag(name, str(value))
        if user_id is not None:
            scope.set_user({"id": str(user_id)})
        scope.set_transaction_name(transaction)
        sentry_sdk.capture_exception(exc)


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: FILTERED if _is_secret(key) else _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if (
            len(value) == 2 and isinstance(value[0], str) and _is_secret(value[0])
        ):  # a header as a (name, value) pair
            return [value[0], FILTERED]
        return [_scrub(item) for item in value]
    return value


def _is_secret(name: object) -> bool:
    lowered = str(name).lower()
    return any(part in lowered for part in SECRET_FIELD_PARTS)
