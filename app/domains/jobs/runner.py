"""Running jobs: claim, run the kind's handler under a renewed lease, record the outcome.

Also the housekeeping every job runner does: jobs whose worker died (lease lapsed) are
queued again or failed, and the maintenance job is queued on schedule.
"""

import asyncio
import time
from datetime import timedelta
from typing import Any

import structlog

from app.domains.jobs.kinds import job_kinds
from app.domains.jobs.repository import JobRepository
from app.domains.jobs.service import JobQueue, JobService
from app.domains.jobs.status import JobStatus
from app.infrastructure.background import JobContext, JobFailed, Report
from app.infrastructure.database import DATABASE_UNREACHABLE, utc_now
from app.infrastructure.error_reporting import report_job_error
from app.infrastructure.runtime import Runtime

logger = structlog.get_logger("keel.jobs")

MAX_ERROR_LENGTH = 500
MAX_MESSAGE_LENGTH = 200
MAINTENANCE_KIND = "maintenance"
# Outages housekeeping waits out: the database's, and the cache's or broker's (ConnectionError).
UNREACHABLE: tuple[type[Exception], ...] = (*DATABASE_UNREACHABLE, ConnectionError)


class JobRunner:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.lease = timedelta(seconds=runtime.settings.job_lease_seconds)

    async def run(self, job_id: int) -> None:
        """Run one job, unless another runner has it or it was cancelled meanwhile."""
        async with self.runtime.transaction() as uow:
            claimed = await JobRepository(uow.session).claim(
                job_id, now=utc_now(), lease_until=utc_now() + self.lease
            )
        if not claimed:
            logger.info("job_skipped", job_id=job_id)  # cancelled, finished, or taken
            return
        async with self.runtime.transaction() as uow:
            job = await JobRepository(uow.session).get(job_id)
            kind, owner_id, payload = job.kind, job.owner_id, dict(job.payload)
        context = JobContext(
            job_id=job_id,
            owner_id=owner_id,
            payload=payload,
            runtime=self.runtime,
            report=self._reporter(job_id),
        )
        heartbeat = asyncio.create_task(self._keep_lease(job_id))
        try:
            result = await job_kinds()[kind].handler(context)
        except JobFailed as failed:
            logger.info("job_refused", job_id=job_id, kind=kind, error=str(failed))
            await self._finish(
                job_id, JobStatus.FAILED, error=str(failed)[:MAX_ERROR_LENGTH], result=failed.result
            )
        except Exception as exc:  # the job runner is the jobs' unhandled-error handler
            logger.exception("job_failed", job_id=job_id, kind=kind)
            report_job_error(exc, job_id=job_id, kind=kind, owner_id=owner_id)
            await self._finish(
                job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
            )
        else:
            await self._finish(job_id, JobStatus.SUCCEEDED, result=result, progress=100)
            logger.info("job_succeeded", job_id=job_id, kind=kind)
        finally:
            heartbeat.cancel()

    async def recover_lapsed(self, queue: JobQueue) -> int:
        """Jobs whose runner died: queued again while attempts remain, failed after that."""
        now = utc_now()
        recovered = 0
        async with self.runtime.transaction() as uow:
            jobs = JobRepository(uow.session)
            lapsed = await jobs.lapsed(now=now)
            requeued = []
            for job in lapsed:
                if job.attempts < self.runtime.settings.job_max_attempts:
                    if await jobs.requeue_lapsed(job.id, now=now):
                        requeued.append(job.id)
                elif await jobs.fail_lapsed(job.id, now=now, error="worker_lost"):
                    recovered += 1
        for job_id in requeued:
            logger.warning("job_requeued", job_id=job_id)
            await queue.enqueue(job_id)
        return recovered + len(requeued)

    async def schedule_maintenance(self, queue: JobQueue) -> bool:
        """Queue the maintenance job once per interval, across every runner sharing the cache."""
        interval = self.runtime.settings.maintenance_interval_seconds
        if not interval:
            return False
        slot = int(time.time() // interval)
        if not await self.runtime.cache.set_if_absent(f"jobs:maintenance:{slot}", "queued", ttl=interval):
            return False
        async with self.runtime.unit_of_work() as uow:
            await JobService(uow=uow, queue=queue).submit(MAINTENANCE_KIND, owner_id=None)
        return True

    async def housekeeping(self, queue: JobQueue) -> None:
        """Forever: recover lapsed jobs and keep maintenance on schedule; outages are waited out."""
        period = max(1.0, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(period)
            try:
                await self.recover_lapsed(queue)
                await self.schedule_maintenance(queue)
            except UNREACHABLE as exc:
                logger.warning("housekeeping_postponed", error=str(exc))

    def _reporter(self, job_id: int) -> Report:
        async def report(progress: int, message: str) -> None:
            async with self.runtime.transaction() as uow:
                await JobRepository(uow.session).renew(
                    job_id,
                    lease_until=utc_now() + self.lease,
                    progress=max(0, min(100, progress)),
                    message=message[:MAX_MESSAGE_LENGTH],
                )

        return report

    async def _keep_lease(self, job_id: int) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with self.runtime.transaction() as uow:
                    await JobRepository(uow.session).renew(job_id, lease_until=utc_now() + self.lease)
            except UNREACHABLE as exc:
                logger.warning("job_lease_not_renewed", job_id=job_id, error=str(exc))

    async def _finish(self, job_id: int, status: JobStatus, **outcome: Any) -> None:
        async with self.runtime.transaction() as uow:
            await JobRepository(uow.session).finish(job_id, status=status, now=utc_now(), **outcome)
