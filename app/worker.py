"""`keel worker`: runs jobs from RabbitMQ, recovers jobs whose worker died, queues maintenance.

Several workers may run side by side (and beside several API processes): a job is claimed
by exactly one, and scheduled maintenance is queued once per interval across all of them.
"""

import asyncio
import signal

import structlog
from taskiq.api import run_receiver_task

from app.assembly import open_runtime
from app.core.config import Settings
from app.core.logging import configure_logging
from app.infrastructure.broker import Broker
from app.infrastructure.database import create_engine, create_session_factory
from app.infrastructure.error_reporting import start_error_reporting, stop_error_reporting
from app.infrastructure.telemetry import start_tracing, stop_tracing

logger = structlog.get_logger("keel.worker")

BROKER_RETRY_SECONDS = 2.0


async def run_worker(settings: Settings) -> None:
    tracing = start_tracing(settings)
    start_error_reporting(settings)
    configure_logging(level=settings.log_level, json_logs=settings.json_logs, trace_ids=tracing is not None)
    engine = create_engine(settings)
    if tracing is not None:
        tracing.instrument_engine(engine)
    _stop_on_sigterm()
    # The jobs domain starts the jobs' housekeeping with the runtime: a worker is where jobs run.
    async with open_runtime(
        settings, engine=engine, session_factory=create_session_factory(engine), worker=True
    ) as runtime:
        await _connect(runtime.broker)
        logger.info("worker_started", queue=settings.broker_queue, concurrency=settings.worker_concurrency)
        try:
            await run_receiver_task(
                runtime.broker.taskiq, max_async_tasks=settings.worker_concurrency, run_startup=False
            )
        finally:
            logger.info("worker_stopped")
            await asyncio.to_thread(stop_tracing)
            await asyncio.to_thread(stop_error_reporting)


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
