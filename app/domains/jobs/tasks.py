"""The jobs domain's tasks: the one broker task that runs any job, and the maintenance job."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

from taskiq import Context, TaskiqDepends

from app.domains import installed_domains
from app.domains.jobs.repository import JobRepository
from app.domains.jobs.runner import MAINTENANCE_KIND, JobRunner
from app.infrastructure.background import JobContext, JobKind
from app.infrastructure.broker import Broker, Task
from app.infrastructure.database import utc_now
from app.infrastructure.idempotency import purge_expired_keys
from app.infrastructure.runtime import Runtime
from app.infrastructure.tasks import running_in_background
from app.infrastructure.telemetry import continued_trace

RUN_JOB_TASK = "keel.jobs.run"
FINISHED_JOBS_KEPT_FOR = timedelta(days=30)


class BrokerJobQueue:
    """`JobQueue` over the broker: the message carries only the job id."""

    def __init__(self, broker: Broker, task: Task) -> None:
        self.broker = broker
        self.task = task

    async def enqueue(self, job_id: int) -> None:
        await self.broker.send(self.task, job_id)


def register(broker: Broker, runtime: Runtime) -> BrokerJobQueue:
    """Declare the job task on this broker; the API process and workers both call this."""
    runner = JobRunner(runtime)

    async def run_job(job_id: int, context: Annotated[Context, TaskiqDepends()]) -> None:
        # With tracing on, the job's span continues the trace of the request that queued it.
        with continued_trace(context.message.labels, RUN_JOB_TASK, **{"keel.job_id": job_id}):
            await runner.run(job_id)

    return BrokerJobQueue(broker, broker.taskiq.register_task(run_job, task_name=RUN_JOB_TASK))


@asynccontextmanager
async def startup(runtime: Runtime) -> AsyncIterator[None]:
    """The job task on the broker; and the jobs' housekeeping where jobs run: in a worker, or,
    without a broker, in the API process itself."""
    queue = register(runtime.broker, runtime)
    runtime.add_part(BrokerJobQueue, queue)
    if runtime.is_worker or runtime.broker.in_process:
        async with running_in_background(JobRunner(runtime).housekeeping(queue)):
            yield
    else:
        yield


async def run_maintenance(context: JobContext) -> dict[str, Any]:
    """Every installed domain's maintenance steps, then old finished jobs and expired
    idempotency keys.

    Revocation entries need no purge: the cache expires them with the access tokens they cover.
    """
    runtime, now = context.runtime, utc_now()
    result: dict[str, Any] = {}
    steps = [step for domain in installed_domains() for step in domain.maintenance]
    for done, step in enumerate(steps):
        await context.report(90 * done // len(steps), f"maintenance step {done + 1} of {len(steps)}")
        result |= await step(runtime, now)
    return result


async def purge_old_rows(runtime: Runtime, now: datetime) -> dict[str, int]:
    async with runtime.transaction() as uow:
        return {
            "old_jobs": await JobRepository(uow.session).purge_finished(before=now - FINISHED_JOBS_KEPT_FOR),
            "expired_idempotency_keys": await purge_expired_keys(uow.session, now=now),
        }


MAINTENANCE = JobKind(MAINTENANCE_KIND, handler=run_maintenance, permission="jobs:admin")
