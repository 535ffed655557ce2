"""Application factory: settings, lifespan, middleware, routers and error handlers."""

import asyncio
import gc
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.exc import DBAPIError

# <part:admin>
from app.admin import mount_admin

# </part:admin>
from app.api import include_api
from app.assembly import open_runtime
from app.core.config import SERVICE_TITLE, Settings, get_settings
from app.core.errors import (
    DatabaseUnavailable,
    RequestHeaderFieldsTooLarge,
    as_app_error,
    install_error_handlers,
)
from app.core.i18n import ensure_catalogs, use_catalogs
from app.core.logging import configure_logging
from app.domains import catalog_locations, installed_domains
from app.infrastructure.database import (
    DATABASE_UNREACHABLE,
    answer_lost_connection,
    create_engine,
    create_session_factory,
)
from app.infrastructure.error_reporting import (
    report_request_error,
    start_error_reporting,
    stop_error_reporting,
)
from app.infrastructure.process_lock import sole_process
from app.infrastructure.telemetry import start_tracing, stop_tracing
from app.middleware.errors import UnhandledErrors
from app.middleware.load_shedding import EXEMPT_PATHS, LoadShedding
from app.middleware.platform import PlatformMiddleware, as_is
from app.middleware.request_limits import RequestLimits
from app.web.docs import mount_offline_docs
from app.web.media_types import require_declared_media_type
from app.web.metrics import instrument
from app.web.operation_ids import operation_id
from app.web.responses import document_error_responses

GZIP_MINIMUM_BYTES = 1024
YOUNG_COLLECTION_THRESHOLD = 20_000  # Python's default is 700


def cors_options(settings: Settings) -> dict[str, Any]:
    """Starlette's CORS for the configured origins; none configured, no CORS at all."""
    if not settings.cors_origins:
        return {}
    return {
        "allow_origins": settings.cors_origins,
        "allow_credentials": True,
        "allow_methods": ["*"],
        "allow_headers": ["*"],
        "expose_headers": ["X-Request-ID", "ETag", "Location"],
    }


@contextmanager
def collector_for_serving() -> Iterator[None]:
    """Python's garbage collector, set for serving requests, until the app stops.

    What exists once the app has started lives as long as the process: frozen, the collector
    stops scanning it at every collection (0.18 → 0.06 ms a request on /users/me). A
    request's own objects die by reference count when it ends; but a young collection ran
    every 700 allocations, so at 64 requests at a time (and more so at 1,024) it kept finding
    live requests' objects, promoting them and paying full collections over them: 8 % of the
    process's time at 64 connections, 14 % at 1,024. Young collections now wait for
    `YOUNG_COLLECTION_THRESHOLD` more objects than were freed, which leaves the collector the
    cycles alone (docs/decisions.md, "The garbage collector is set for serving")."""
    collecting = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *collecting[1:])
    try:
        yield
    finally:
        gc.set_threshold(*collecting)
        gc.unfreeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    tracing = start_tracing(settings)
    reporting_errors = start_error_reporting(settings)
    configure_logging(level=settings.log_level, json_logs=settings.json_logs, trace_ids=tracing is not None)
    use_catalogs(catalog_locations())  # each installed domain's messages over the platform's
    ensure_catalogs()

    # Created here, connected lazily: the admin panel needs them before startup.
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)
    if tracing is not None:
        tracing.instrument_engine(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Without Redis, this process's memory is the state every request relies on: it must
        # be the only process serving the database (app/infrastructure/process_lock.py).
        async with (
            sole_process(settings),
            open_runtime(settings, engine=engine, session_factory=session_factory) as runtime,
        ):
            app.state.runtime = runtime
            try:
                with collector_for_serving():
                    yield
            finally:
                # What is batched leaves before the process does, off the event loop.
                await asyncio.to_thread(stop_tracing)
                await asyncio.to_thread(stop_error_reporting)

    app = FastAPI(
        title=SERVICE_TITLE,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(require_declared_media_type)],  # every body read as declared
        generate_unique_id_function=operation_id,  # `get_todo`, not `get_todo_api_v1_todos__todo_id__get`
        # Keel exports its own Prometheus metrics; FastAPI's OpenTelemetry hooks would look
        # up providers (and the environment) on every request for nothing. Its request spans
        # are Keel's, with `KEEL_OTEL_ENDPOINT` set (app/infrastructure/telemetry.py).
        telemetry={
            "tracing": tracing is not None,
            "tracer_provider": tracing.provider if tracing is not None else None,
            "metrics": False,
            "logs": False,
        },
    )
    install_error_handlers(app)
    for unreachable in DATABASE_UNREACHABLE:
        app.add_exception_handler(unreachable, as_app_error(DatabaseUnavailable))
    app.add_exception_handler(DBAPIError, answer_lost_connection)

    # Added innermost first: a request meets them bottom-up. GZip and CORS are Starlette's;
    # every other step is the platform's one layer, outermost (app/middleware/platform.py).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    cors = cors_options(settings)
    if cors:
        app.add_middleware(CORSMiddleware, **cors)

    include_api(app)
    document_error_responses(app, unshed_paths=EXEMPT_PATHS, every_request=(RequestHeaderFieldsTooLarge,))
    mount_offline_docs(app)
    # <part:admin>
    mount_admin(app, settings=settings, engine=engine, session_factory=session_factory)
    # </part:admin>
    metrics = instrument(app)
    app.add_middleware(
        PlatformMiddleware,
        shedding=LoadShedding(
            max_in_flight=settings.max_concurrent_requests,
            max_queued=settings.max_queued_requests,
            max_wait_seconds=settings.max_queue_wait_seconds,
            pace_seconds=settings.refusal_pace_seconds,
        ),
        limits=RequestLimits(
            max_body_bytes=settings.max_body_bytes,
            max_header_bytes=settings.max_header_bytes,
            max_header_count=settings.max_header_count,
            large_bodies=[
                (re.compile(upload.path), upload.max_bytes(settings))
                for domain in installed_domains()
                for upload in domain.large_bodies
            ],
        ),
        metrics=metrics,
        errors=UnhandledErrors(report=report_request_error if reporting_errors else None),
        access_log=settings.access_log,
        # What the platform answers itself gets the CORS headers its answers from inside get.
        own_answers=(lambda response: CORSMiddleware(response, **cors)) if cors else as_is,
    )
    return app
