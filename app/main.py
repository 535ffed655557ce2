"""Application factory: settings, lifespan, middleware, routers and error handlers."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.exc import DBAPIError

from app.admin import mount_admin
from app.api import include_api
from app.core.config import Settings, get_settings
from app.core.errors import (
    DatabaseUnavailable,
    RequestHeaderFieldsTooLarge,
    as_app_error,
    install_error_handlers,
)
from app.core.i18n import ensure_catalogs
from app.core.logging import configure_logging
from app.core.security import AccessTokens, PasswordHasher
from app.domains.accounts.router import pages as account_pages
from app.domains.containers import tasks as containers_tasks  # noqa: F401 - declares the image pull job
from app.domains.containers.policy import ContainerPolicy
from app.domains.containers.runtimes import create_runtime
from app.domains.health.router import router as health_router
from app.domains.jobs import tasks as jobs_tasks
from app.domains.jobs.kinds import JobRuntime
from app.domains.jobs.runner import JobRunner
from app.infrastructure.after_response import AfterResponse
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import create_cache
from app.infrastructure.database import (
    DATABASE_UNREACHABLE,
    answer_lost_connection,
    create_engine,
    create_session_factory,
    ping_database,
)
from app.infrastructure.mail import create_mailer
from app.infrastructure.process_lock import sole_process
from app.infrastructure.rate_limit import create_rate_limiter
from app.infrastructure.slots import Slots
from app.middleware.errors import UnhandledErrorMiddleware
from app.middleware.load_shedding import EXEMPT_PATHS, LoadSheddingMiddleware
from app.middleware.request_context import RequestContextMiddleware
from app.middleware.request_limits import RequestLimitsMiddleware
from app.middleware.security_headers import SecurityHeadersMiddleware
from app.middleware.storable_input import StorableInputMiddleware
from app.web.cursor import CursorCodec
from app.web.docs import mount_offline_docs
from app.web.media_types import require_declared_media_type
from app.web.metrics import instrument
from app.web.responses import document_error_responses

GZIP_MINIMUM_BYTES = 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.json_logs)
    ensure_catalogs()

    # Created here, connected lazily: the admin panel needs them before startup.
    engine = create_engine(settings)
    session_factory = create_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Without Redis, this process's memory is the state every request relies on: it must
        # be the only process serving the database (app/infrastructure/process_lock.py).
        async with sole_process(settings):
            cache = create_cache(settings.redis_url)
            broker = create_broker(settings)
            app.state.engine = engine
            app.state.session_factory = session_factory
            # As many requests use the database at once as the pool keeps connections. The
            # overflow is left to jobs and probes: a request holding an overflow connection
            # made the pool open and close one every fiftieth request under a steady load.
            app.state.database_slots = Slots(settings.database_pool_size)
            app.state.cache = cache
            app.state.rate_limiter = create_rate_limiter(settings.redis_url)
            app.state.mailer = create_mailer(settings)
            # Handed-off work takes pooled connections outside the request slots, as jobs do:
            # no more of it at once than the pool's overflow, which the slots leave free.
            app.state.after_response = AfterResponse(max_running=max(1, settings.database_max_overflow))
            app.state.broker = broker
            runtime = JobRuntime(
                settings=settings,
                session_factory=app.state.session_factory,
                cache=cache,
                mailer=app.state.mailer,
            )
            app.state.job_queue = jobs_tasks.register(broker, runtime)
            app.state.readiness_probes = {"database": partial(ping_database, engine)}
            if settings.redis_url:
                app.state.readiness_probes["cache"] = cache.ping
            if settings.broker_url:
                app.state.readiness_probes["broker"] = broker.ping
            app.state.container_policy = ContainerPolicy.from_settings(settings)
            app.state.container_runtime = create_runtime(settings)
            if settings.docker_expected:
                app.state.readiness_probes["docker"] = app.state.container_runtime.ping
            await broker.start()
            # Without a broker no worker runs, so this process keeps the jobs' house in order.
            housekeeping = (
                asyncio.create_task(JobRunner(runtime).housekeeping(app.state.job_queue))
                if broker.in_process
                else None
            )
            # What exists now lives as long as the process: frozen, the garbage collector stops
            # scanning it at every collection (0.18 → 0.06 ms a request on /users/me).
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()
                if housekeeping is not None:
                    housekeeping.cancel()
                await app.state.after_response.close()  # before the database goes
                await broker.close()
                await app.state.container_runtime.close()
                await cache.close()
                await engine.dispose()
                app.state.password_hasher.close()

    app = FastAPI(
        title="Keel",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(require_declared_media_type)],  # every body read as declared
        # Keel exports its own Prometheus metrics; FastAPI's OpenTelemetry hooks would look
        # up providers (and the environment) on every request for nothing.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.password_hasher = PasswordHasher.from_settings(settings)
    # Its key is derived once here, not on every listing request.
    app.state.cursors = CursorCodec(settings.secret_key.get_secret_value())
    app.state.access_tokens = AccessTokens.from_settings(settings)
    install_error_handlers(app)
    for unreachable in DATABASE_UNREACHABLE:
        app.add_exception_handler(unreachable, as_app_error(DatabaseUnavailable))
    app.add_exception_handler(DBAPIError, answer_lost_connection)

    # Added innermost first: a request meets them bottom-up.
    app.add_middleware(StorableInputMiddleware)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_header_bytes=settings.max_header_bytes,
        max_header_count=settings.max_header_count,
    )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(UnhandledErrorMiddleware)  # inside CORS and security headers: a 500 keeps them
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "ETag", "Location"],
        )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, access_log=settings.access_log)

    app.include_router(health_router)
    app.include_router(account_pages.router)  # what the mailed links open
    app.mount(account_pages.ASSETS_PATH, account_pages.assets, name="account-pages")
    include_api(app)
    document_error_responses(app, unshed_paths=EXEMPT_PATHS, every_request=(RequestHeaderFieldsTooLarge,))
    mount_offline_docs(app)
    mount_admin(app, settings=settings, engine=engine, session_factory=session_factory)
    metrics = instrument(app)
    # Outermost, so that under a flood a refusal costs as little as it can.
    app.add_middleware(
        LoadSheddingMiddleware, max_in_flight=settings.max_concurrent_requests, on_refusal=metrics.refuse
    )
    return app
