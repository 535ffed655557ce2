"""`keel worker`: runs jobs from RabbitMQ, recovers jobs whose worker died, queues maintenance.

Several workers may run side by side (and beside several API processes): a job is claimed
by exactly one, and scheduled maintenance is queued once per interval across all of them.
"""

import asyncio
import signal

import structlog
from taskiq.api import run_receiver_task

from app.core.config import Settings
from app.core.logging import configure_logging
from app.domains.containers import tasks as containers_tasks  # noqa: F401 - declares the image pull job
from app.domains.jobs import tasks as jobs_tasks
from app.domains.jobs.kinds import JobRuntime
from app.domains.jobs.runner import JobRunner
from app.infrastructure.broker import Broker, create_broker
from app.infrastructure.cache import create_cache
from app.infrastructure.database import create_engine, create_session_factory
from app.infrastructure.mail import create_mailer

logger = structlog.get_logger("keel.worker")

BROKER_RETRY_SECONDS = 2.0


async def run_worker(settings: Settings) -> None:
    configure_logging(level=settings.log_level, json_logs=settings.json_logs)
    engine = create_engine(settings)
    cache = create_cache(settings.redis_url)
    broker = create_broker(settings, worker=True)
    runtime = JobRuntime(
        settings=settings,
        session_factory=create_session_factory(engine),
        cache=cache,
        mailer=create_mailer(settings),
    )
    queue = jobs_tasks.register(broker, runtime)
    _stop_on_sigterm()
    housekeeping: asyncio.Task[None] | None = None
    try:
        await _connect(broker)
        housekeeping = asyncio.create_task(JobRunner(runtime).housekeeping(queue))
        logger.info("worker_started", queue=settings.broker_queue, concurrency=settings.worker_concurrency)
        await run_receiver_task(broker.taskiq, max_async_tasks=settings.worker_concurrency, run_startup=False)
    finally:
        if housekeeping is not None:
            housekeeping.cancel()
        await broker.close()
        await cache.close()
        await engine.dispose()
        logger.info("worker_stopped")


async def _connect(broker: Broker) -> None:
    """RabbitMQ may come up after the worker: wait for it rather than crash-loop."""
    while True:
        try:
            await broker.ping()
            return
        except ConnectionError as exc:
            logger.warning("broker_unavailable", error=str(exc), retry_in=BROKER_RETRY_SECONDS)
            await asyncio.sleep(BROKER_RETRY_SECONDS)


def _stop_on_sigterm() -> None:
    """SIGTERM (docker stop, systemd) cancels the worker like Ctrl-C: running jobs' leases lapse
    and they are queued again elsewhere."""
    main = asyncio.current_task()
    if main is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
