"""The jobs service wired for one request."""

from typing import Annotated

from fastapi import Depends, Request

from app.domains.jobs.service import JobService
from app.infrastructure.unit_of_work import UoW


async def job_service(request: Request, uow: UoW) -> JobService:
    return JobService(uow=uow, queue=request.app.state.job_queue)


JobServiceDep = Annotated[JobService, Depends(job_service)]
