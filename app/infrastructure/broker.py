"""The job broker: taskiq over RabbitMQ when `KEEL_BROKER_URL` is set, in process otherwise.

`Broker` wraps the taskiq broker so that an unreachable RabbitMQ is an answer, not a crash:
Keel starts without it, `send` raises `BrokerUnavailable` (a 503) while it is down, and the
next `send` or probe connects again once it is back. Results go to Redis when configured;
the job's own record in the database stays the source of truth.
"""

import asyncio
from typing import Any

import structlog
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, InMemoryBroker
from taskiq.exceptions import TaskiqError

from app.core.config import Settings
from app.core.errors import BrokerUnavailable
from app.infrastructure.telemetry import trace_labels

logger = structlog.get_logger("keel.broker")

# <part:worker>
RESULT_TTL_SECONDS = 24 * 3600
# </part:worker>
STARTUP_TIMEOUT_SECONDS = 5.0
# In process, a send only schedules the job on this event loop.
IN_PROCESS_PUBLISH_TIMEOUT = 5.0

Task = AsyncTaskiqDecoratedTask[Any, Any]

# What talking to a broker raises when it is away: taskiq wraps a failed send in its own
# errors; RabbitMQ's client raises AMQP errors too (`create_broker`), RuntimeError subclasses
# for closed channels, OSError and timeouts underneath.
BROKER_FAILURES: tuple[type[Exception], ...] = (TaskiqError, RuntimeError, OSError, TimeoutError)


class Broker:
    def __init__(
        self,
        broker: AsyncBroker,
        *,
        publish_timeout: float,
        failures: tuple[type[Exception], ...] = BROKER_FAILURES,
    ) -> None:
        self.taskiq = broker
        self._publish_timeout = publish_timeout
        self._failures = failures
        self._started = False
        self._lock = asyncio.Lock()

    @property
    def in_process(self) -> bool:
        return isinstance(self.taskiq, InMemoryBroker)

    async def start(self) -> None:
        """Connect if possible; an unreachable RabbitMQ is logged and retried on first use."""
        try:
            await self._ensure_started()
        except BrokerUnavailable as exc:
            logger.warning("broker_unavailable_at_start", reason=exc.reason)

    async def send(self, task: Task, *args: Any) -> None:
        """Queue `task(*args)`; with tracing on, the message carries the trace it was sent in."""
        await self._ensure_started()
        labels = trace_labels()
        try:
            async with asyncio.timeout(self._publish_timeout):
                if labels:
                    await task.kicker().with_labels(**labels).kiq(*args)
                else:
                    await task.kiq(*args)
        except self._failures as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def ping(self) -> None:
        """Readiness: one round trip to RabbitMQ (opening and closing a channel)."""
        await self._ensure_started()
        connection = getattr(self.taskiq, "write_conn", None)  # RabbitMQ's; none in process
        if connection is None:
            return
        try:
            async with asyncio.timeout(self._publish_timeout):
                channel = await connection.channel()
                await channel.close()
        except self._failures as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def drain(self) -> None:
        """In process: wait for the jobs already started (at shutdown, and in tests)."""
        if isinstance(self.taskiq, InMemoryBroker):
            await self.taskiq.wait_all()

    async def close(self) -> None:
        await self.drain()
        if self._started:
            await self.taskiq.shutdown()
            self._started = False

    async def _ensure_started(self) -> None:
        if self._started:
            return
        async with self._lock:
            if self._started:
                return
            try:
                async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
                    await self.taskiq.startup()
            except self._failures as exc:
                await self._abandon_startup()
                raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
            self._started = True

    async def _abandon_startup(self) -> None:
        # A half-made connection would keep reconnecting in the background; drop it.
        try:
            await self.taskiq.shutdown()
        except self._failures as exc:
            logger.debug("broker_shutdown_after_failed_start", error=str(exc))


def create_broker(settings: Settings, *, worker: bool = False) -> Broker:
    taskiq: AsyncBroker = InMemoryBroker()
    failures, publish_timeout = BROKER_FAILURES, IN_PROCESS_PUBLISH_TIMEOUT
    # <part:worker>
    if settings.broker_url is not None:
        taskiq, failures = _rabbitmq(settings.broker_url, settings)
        publish_timeout = settings.broker_publish_timeout
    # </part:worker>
    taskiq.is_worker_process = worker
    return Broker(taskiq, publish_timeout=publish_timeout, failures=failures)


# <part:worker>
def _rabbitmq(url: str, settings: Settings) -> tuple[AsyncBroker, tuple[type[Exception], ...]]:
    """taskiq over RabbitMQ, and what its client raises when RabbitMQ is away.

    Imported only when configured: the client is 3 MB that a process running its jobs in
    process never uses (bench/README.md, idle RSS).
    """
    from aiormq.exceptions import AMQPError
    from taskiq_aio_pika import AioPikaBroker
    from taskiq_aio_pika.exchange import Exchange
    from taskiq_aio_pika.queue import Queue, QueueType

    queue = settings.broker_queue
    taskiq: AsyncBroker = AioPikaBroker(
        url=url,
        exchange=Exchange(name=queue),
        task_queues=[Queue(name=queue, type=QueueType.CLASSIC)],
        dead_letter_queue=Queue(name=f"{queue}.dead_letter", type=QueueType.CLASSIC),
        qos=settings.worker_concurrency,
    )
    # <part:redis>
    if settings.redis_url:
        from taskiq_redis import RedisAsyncResultBackend  # only when configured: see redis_cache.py

        taskiq = taskiq.with_result_backend(
            RedisAsyncResultBackend(settings.redis_url, result_ex_time=RESULT_TTL_SECONDS)
        )
    # </part:redis>
    return taskiq, (*BROKER_FAILURES, AMQPError)
    # </part:worker>
