"""One process per database while nothing shares state between processes.

Without Redis, token revocations, rate-limit counters, the per-owner container lock and the
maintenance schedule live in the serving process's memory. A second process on the same
database would keep its own: a logout would not end the token there, and every limit would
count once per process. So without Redis the serving process holds the database's process
lock, and a second one refuses to start (docs/operations.md, "Shared state").

The lock is the database's own, so it covers every way of starting a second process (another
`keel serve`, a second uvicorn worker, another machine): an advisory lock on PostgreSQL, held
by a connection of its own; a file lock beside a SQLite file. An in-memory SQLite database
is private to its process and needs none.
"""

import asyncio
import contextlib
import fcntl
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import structlog
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import UNSHARED_STATE, Settings
from app.infrastructure.database import PROBE_FAILURES

# pg_try_advisory_lock's key: "keelserv" as a big-endian bigint. Advisory locks are per
# database, so deployments on other databases of the same server do not meet.
ADVISORY_LOCK_KEY = int.from_bytes(b"keelserv", "big", signed=True)

ANOTHER_PROCESS = (
    f"another Keel process already serves this database and KEEL_REDIS_URL is not set: {UNSHARED_STATE}. "
    "Set KEEL_REDIS_URL to run several processes, or stop the other one."
)


# How often the lock's connection is checked, and a lost lock is asked for again.
WATCH_SECONDS = 5.0

logger = structlog.get_logger("keel.process_lock")


class AnotherProcessServes(RuntimeError):
    """A second process would keep state of its own; the configuration is refused."""

    def __init__(self) -> None:
        super().__init__(ANOTHER_PROCESS)


def _stop_serving() -> None:
    """What uvicorn does on `kill`: finish the requests in flight, then exit."""
    os.kill(os.getpid(), signal.SIGTERM)


@asynccontextmanager
async def sole_process(
    settings: Settings, *, on_lost: Callable[[], None] = _stop_serving
) -> AsyncIterator[None]:
    """Hold the database's process lock while the block runs, unless Redis shares the state.

    Raises `AnotherProcessServes` when another process holds it. Should another process take
    it later (PostgreSQL dropped the lock's connection and the other was quicker), `on_lost`
    is called: by default this process stops, rather than serve beside it.
    """
    url = make_url(settings.database_url)
    if settings.redis_url is not None:
        yield
    elif url.get_backend_name() == "sqlite":
        with _sqlite_file_lock(url):
            yield
    else:
        lock = _AdvisoryLock(url, connect_timeout=settings.database_connect_timeout)
        try:
            await lock.take()
            watch = asyncio.create_task(lock.keep(on_lost))
            try:
                yield
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
        finally:
            await lock.release()


class _AdvisoryLock:
    """A session-level advisory lock on a connection of its own, outside the pool (held for
    the process's life, it must not take a pooled one from requests), in autocommit so that
    it never sits idle in a transaction. Closing the connection releases it, as does the
    process dying."""

    def __init__(self, url: URL, *, connect_timeout: float) -> None:
        self.engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": connect_timeout})
        self.connection: AsyncConnection | None = None

    async def take(self) -> None:
        connection = await self.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            held = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
        except BaseException:
            await connection.close()
            raise
        if not held:
            await connection.close()
            raise AnotherProcessServes
        self.connection = connection

    async def keep(self, on_lost: Callable[[], None]) -> None:
        """Check the connection now and then; when the server dropped it, take the lock again."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if await self._still_held():
                continue
            logger.warning("process_lock_connection_lost")
            while True:
                try:
                    await self.take()
                except AnotherProcessServes:
                    logger.error("process_lock_lost", reason=ANOTHER_PROCESS)
                    on_lost()
                    return
                except PROBE_FAILURES:
                    await asyncio.sleep(WATCH_SECONDS)
                    continue
                logger.info("process_lock_taken_again")
                break

    async def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(*PROBE_FAILURES):
                await self.connection.close()
        await self.engine.dispose()

    async def _still_held(self) -> bool:
        assert self.connection is not None
        try:
            await self.connection.scalar(text("SELECT 1"))
        except PROBE_FAILURES:
            with contextlib.suppress(*PROBE_FAILURES):
                await self.connection.invalidate()
            return False
        return True


@contextmanager
def _sqlite_file_lock(url: URL) -> Iterator[None]:
    """An exclusive `flock` on `<database file>.serve-lock`; the kernel releases it when the
    process ends, however it ends."""
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        yield
        return
    path = Path(f"{url.database}.serve-lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherProcessServes from None
        yield
    finally:
        os.close(descriptor)
