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

import fcntl
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config import UNSHARED_STATE, Settings

# pg_try_advisory_lock's key: "keelserv" as a big-endian bigint. Advisory locks are per
# database, so deployments on other databases of the same server do not meet.
ADVISORY_LOCK_KEY = int.from_bytes(b"keelserv", "big", signed=True)

ANOTHER_PROCESS = (
    f"another Keel process already serves this database and KEEL_REDIS_URL is not set: {UNSHARED_STATE}. "
    "Set KEEL_REDIS_URL to run several processes, or stop the other one."
)


class AnotherProcessServes(RuntimeError):
    """A second process would keep state of its own; the configuration is refused."""

    def __init__(self) -> None:
        super().__init__(ANOTHER_PROCESS)


@asynccontextmanager
async def sole_process(settings: Settings) -> AsyncIterator[None]:
    """Hold the database's process lock while the block runs, unless Redis shares the state.

    Raises `AnotherProcessServes` when another process holds it.
    """
    url = make_url(settings.database_url)
    if settings.redis_url is not None:
        yield
    elif url.get_backend_name() == "sqlite":
        with _sqlite_file_lock(url):
            yield
    else:
        async with _postgres_advisory_lock(url, connect_timeout=settings.database_connect_timeout):
            yield


@asynccontextmanager
async def _postgres_advisory_lock(url: URL, *, connect_timeout: float) -> AsyncIterator[None]:
    # A connection outside the pool: held for the process's life, it must not take a pooled
    # one from requests. Autocommit, so that it never sits idle in a transaction.
    engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": connect_timeout})
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            held = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            if not held:
                raise AnotherProcessServes
            yield  # closing the connection releases the lock, as does the process dying
    finally:
        await engine.dispose()


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
