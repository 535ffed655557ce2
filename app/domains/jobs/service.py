"""Jobs as users see them: submit, list, read, cancel. Other domains submit through here."""

from typing import Any, Protocol

import structlog

from app.core.errors import BrokerUnavailable
from app.domains.accounts.service.auth import Caller
from app.domains.jobs.errors import JobKindNotAllowed, JobNotCancellable, JobNotFound, UnknownJobKind
from app.domains.jobs.kinds import job_kinds
from app.domains.jobs.models import Job
from app.domains.jobs.repository import JobRepository
from app.domains.jobs.schemas import JobFilter
from app.infrastructure.database import utc_now
from app.infrastructure.unit_of_work import UnitOfWork

logger = structlog.get_logger("keel.jobs")

ADMIN_PERMISSION = "jobs:admin"


class JobQueue(Protocol):
    """Hands a job to whoever runs jobs: a worker through RabbitMQ, or this process."""

    async def enqueue(self, job_id: int) -> None: ...


class JobService:
    def __init__(self, *, uow: UnitOfWork, queue: JobQueue) -> None:
        self.uow = uow
        self.queue = queue
        self.jobs = JobRepository(uow.session)

    async def submit(self, kind: str, *, owner_id: int | None, payload: dict[str, Any] | None = None) -> Job:
        """Record the job, then queue it. If the broker is down the job is failed, not left queued."""
        if kind not in job_kinds():
            raise UnknownJobKind(kind=kind)
        async with self.uow:
            job = await self.jobs.add(Job(kind=kind, owner_id=owner_id, payload=payload or {}))
        try:
            await self.queue.enqueue(job.id)
        except BrokerUnavailable:
            async with self.uow:
                await self.jobs.fail_queued(job.id, now=utc_now(), error="broker_unavailable")
            raise
        logger.info("job_queued", job_id=job.id, kind=kind, owner_id=owner_id)
        return await self.reload(job)

    async def submit_for(self, caller: Caller, kind: str) -> Job:
        """A user's request: the kind must exist and be theirs to ask for."""
        spec = job_kinds().get(kind)
        if spec is None or spec.permission is None:
            raise UnknownJobKind(kind=kind)  # none, or one only Keel itself queues
        if not caller.may(spec.permission):
            raise JobKindNotAllowed(kind=kind)
        return await self.submit(kind, owner_id=caller.id)

    async def search_for(
        self, caller: Caller, filters: JobFilter, *, limit: int, offset: int
    ) -> tuple[list[Job], int]:
        if not caller.may(ADMIN_PERMISSION):
            filters = filters.model_copy(update={"owner_id": caller.id})
        return await self.jobs.search(filters, limit=limit, offset=offset)

    async def get_for(self, caller: Caller, job_id: int) -> Job:
        job = await self.jobs.get(job_id)
        if job.owner_id != caller.id and not caller.may(ADMIN_PERMISSION):
            raise JobNotFound(job_id=job_id)  # others' jobs do not exist for you
        return job

    async def cancel_for(self, caller: Caller, job_id: int) -> Job:
        job = await self.get_for(caller, job_id)
        async with self.uow:
            cancelled = await self.jobs.cancel(job.id, now=utc_now())
        job = await self.reload(job)
        if not cancelled:
            raise JobNotCancellable(job_id=job_id, status=job.status)
        return job

    async def reload(self, job: Job) -> Job:
        await self.uow.session.refresh(job)
        return job
