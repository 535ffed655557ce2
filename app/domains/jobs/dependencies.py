"""The jobs service wired for one request."""

from typing import Annotated

from fastapi import Depends, Request

from app.domains.jobs.service import JobService
from app.domains.jobs.tasks import BrokerJobQueue
from app.infrastructure.runtime import UoW, runtime_of


async def job_service(request: Request, uow: UoW) -> JobService:
    return JobService(uow=uow, queue=runtime_of(request).part(BrokerJobQueue))


JobServiceDep = Annotated[JobService, Depends(job_service)]
