"""How long logging one unhandled error holds the event loop, in an environment's log setup.

The error is a real IntegrityError from deep in SQLAlchemy (a row missing a required
value), raised in a request on a throwaway SQLite database; what is timed is the log
handler's `emit`, which runs on the event loop. Its output goes to stderr.

    uv run python -m bench.error_log development      # or: test, production-like JSON
"""

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.domains.accounts.models import User
from app.infrastructure import migrations
from app.infrastructure.runtime import UoW
from app.main import create_app

ERRORS = 5


async def main(env: str) -> None:
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'error-log.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    app = create_app(Settings(_env_file=None, env=env, database_url=url, secret_key="x" * 40))  # type: ignore[call-arg]

    @app.post("/bench/unwritable")
    async def unwritable(uow: UoW) -> None:
        password = "a-secret-in-a-local"  # noqa: S105 - what a log must not show
        async with uow:
            uow.session.add(User(email=f"{len(password)}@example.com", password_hash=None))
            await uow.session.flush()

    handler = logging.getLogger().handlers[0]
    emit = handler.emit
    timings: list[float] = []

    def timed_emit(record: logging.LogRecord) -> None:
        started = time.perf_counter()
        emit(record)
        if "unhandled_error" in str(record.msg):
            timings.append(time.perf_counter() - started)

    handler.emit = timed_emit  # type: ignore[method-assign]
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    client = AsyncClient(transport=transport, base_url="http://bench")
    async with app.router.lifespan_context(app), client:
        for _ in range(ERRORS):
            assert (await client.post("/bench/unwritable")).status_code == 500
    shown = ", ".join(f"{seconds * 1000:.1f}" for seconds in timings)
    print(f"{env}: emit ms {shown}; median {statistics.median(timings) * 1000:.1f}", file=sys.__stdout__)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "development"))
