"""Builds the runtime a process shares (app/infrastructure/runtime.py) and starts the installed
domains on it; the API's lifespan and `keel worker` both open it, and close it on the way out."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.cursors import CursorCodec
from app.core.security import AccessTokens, PasswordHasher
from app.domains import installed_domains
from app.infrastructure.after_response import AfterResponse
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import create_cache
from app.infrastructure.database import ping_database
from app.infrastructure.mail import create_mailer
from app.infrastructure.rate_limit import create_rate_limiter
from app.infrastructure.runtime import Runtime
from app.infrastructure.slots import Slots


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    worker: bool = False,
) -> AsyncIterator[Runtime]:
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        cache = create_cache(settings.redis_url)
        stack.push_async_callback(cache.close)
        broker = create_broker(settings, worker=worker)
        stack.push_async_callback(broker.close)
        runtime = Runtime(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            cache=cache,
            rate_limiter=create_rate_limiter(settings.redis_url),
            mailer=create_mailer(settings),
            broker=broker,
            password_hasher=PasswordHasher.from_settings(settings),
            access_tokens=AccessTokens.from_settings(settings),
            # Its key is derived once here, not on every listing request.
            cursors=CursorCodec(settings.secret_key.get_secret_value()),
            # As many requests use the database at once as the pool keeps connections. The
            # overflow is left to jobs and probes: a request holding an overflow connection
            # made the pool open and close one every fiftieth request under a steady load.
            database_slots=Slots(settings.database_pool_size),
            # Handed-off work takes pooled connections outside the request slots, as jobs do:
            # no more of it at once than the pool's overflow, which the slots leave free.
            after_response=AfterResponse(max_running=max(1, settings.database_max_overflow)),
            is_worker=worker,
        )
        stack.push_async_callback(runtime.after_response.close)  # before the database goes
        stack.callback(runtime.password_hasher.close)
        runtime.readiness_probes["database"] = partial(ping_database, engine)
        # <part:redis>
        if settings.redis_url:
            runtime.readiness_probes["cache"] = cache.ping
        # </part:redis>
        # <part:worker>
        if settings.broker_url:
            runtime.readiness_probes["broker"] = broker.ping
        # </part:worker>
        for domain in installed_domains():
            if domain.startup is not None:
                await stack.enter_async_context(domain.startup(runtime))
        if not worker:
            await broker.start()
        yield runtime
