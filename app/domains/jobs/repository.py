"""Job queries. State changes are conditional UPDATEs, so that two workers, or a worker and
a cancelling user, can never both win the same transition."""

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update

from app.domains.jobs.errors import JobNotFound
from app.domains.jobs.models import Job
from app.domains.jobs.schemas import JobFilter
from app.domains.jobs.status import JobStatus
from app.infrastructure.repository import Repository

FINISHED = [JobStatus.SUCCEEDED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value]


class JobRepository(Repository[Job]):
    model = Job
    not_found = JobNotFound

    async def search(self, filters: JobFilter, *, limit: int, offset: int) -> tuple[list[Job], int]:
        query = select(Job)
        if filters.owner_id is not None:
            query = query.where(Job.owner_id == filters.owner_id)
        if filters.status is not None:
            query = query.where(Job.status == filters.status.value)
        if filters.kind is not None:
            query = query.where(Job.kind == filters.kind)
        total = int(await self.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page = await self.session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset))
        return list(page), total

    async def claim(self, job_id: int, *, now: datetime, lease_until: datetime) -> bool:
        """queued -> running, for exactly one worker."""
        return await self._transition(
            job_id,
            from_status=JobStatus.QUEUED,
            status=JobStatus.RUNNING.value,
            attempts=Job.attempts + 1,
            started_at=func.coalesce(Job.started_at, now),
            lease_expires_at=lease_until,
        )

    async def renew(self, job_id: int, *, lease_until: datetime, **progress: Any) -> bool:
        return await self._transition(
            job_id, from_status=JobStatus.RUNNING, lease_expires_at=lease_until, **progress
        )

    async def finish(self, job_id: int, *, status: JobStatus, now: datetime, **outcome: Any) -> bool:
        return await self._transition(
            job_id,
            from_status=JobStatus.RUNNING,
            status=status.value,
            finished_at=now,
            lease_expires_at=None,
            **outcome,
        )

    async def cancel(self, job_id: int, *, now: datetime) -> bool:
        return await self._transition(
            job_id, from_status=JobStatus.QUEUED, status=JobStatus.CANCELLED.value, finished_at=now
        )

    async def fail_queued(self, job_id: int, *, now: datetime, error: str) -> bool:
        return await self._transition(
            job_id, from_status=JobStatus.QUEUED, status=JobStatus.FAILED.value, finished_at=now, error=error
        )

    async def lapsed(self, *, now: datetime) -> list[Job]:
        """Running jobs whose worker stopped renewing the lease."""
        query = select(Job).where(Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now)
        return list(await self.session.scalars(query.order_by(Job.id)))

    async def requeue_lapsed(self, job_id: int, *, now: datetime) -> bool:
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now)
            .values(status=JobStatus.QUEUED.value, lease_expires_at=None, message="requeued: worker lost")
            .execution_options(synchronize_session=False)
        )
        return _changed_one(result)

    async def fail_lapsed(self, job_id: int, *, now: datetime, error: str) -> bool:
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.RUNNING.value, Job.lease_expires_at < now)
            .values(status=JobStatus.FAILED.value, lease_expires_at=None, finished_at=now, error=error)
            .execution_options(synchronize_session=False)
        )
        return _changed_one(result)

    async def purge_finished(self, *, before: datetime) -> int:
        result = await self.session.execute(
            delete(Job)
            .where(Job.status.in_(FINISHED), Job.finished_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _transition(self, job_id: int, *, from_status: JobStatus, **values: Any) -> bool:
        result = await self.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == from_status.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return _changed_one(result)


def _changed_one(result: Any) -> bool:
    return isinstance(result, CursorResult) and result.rowcount == 1
