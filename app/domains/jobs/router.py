"""Background jobs: follow their progress, cancel queued ones, ask for maintenance."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.core.errors import BrokerUnavailable
from app.domains.accounts.dependencies import CurrentCaller, require
from app.domains.jobs.dependencies import JobServiceDep
from app.domains.jobs.errors import JobKindNotAllowed, JobNotCancellable, JobNotFound, UnknownJobKind
from app.domains.jobs.schemas import JobCreate, JobFilter, JobPage, JobRead
from app.web.ids import PathId
from app.web.pagination import PageParams
from app.web.response_headers import sends
from app.web.responses import errors

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[Depends(require("jobs:read"))])
WRITE = [Depends(require("jobs:write"))]


@router.get("")
async def list_jobs(
    caller: CurrentCaller,
    jobs: JobServiceDep,
    page: PageParams,
    filters: Annotated[JobFilter, Query()],
) -> JobPage:
    """Your jobs, newest first; admins see everyone's and may filter by owner."""
    found, total = await jobs.search_for(caller, filters, limit=page.limit, offset=page.offset)
    items = [JobRead.model_validate(job) for job in found]
    return JobPage(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=WRITE,
    responses={**errors(UnknownJobKind, JobKindNotAllowed, BrokerUnavailable), 202: sends("Location")},
)
async def submit_job(
    body: JobCreate, caller: CurrentCaller, jobs: JobServiceDep, response: Response
) -> JobRead:
    """Queue a job of a kind you may run (today: `maintenance`, for admins)."""
    job = await jobs.submit_for(caller, body.kind)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobRead.model_validate(job)


@router.get("/{job_id}", responses=errors(JobNotFound))
async def get_job(job_id: PathId, caller: CurrentCaller, jobs: JobServiceDep) -> JobRead:
    return JobRead.model_validate(await jobs.get_for(caller, job_id))


@router.post("/{job_id}/cancel", dependencies=WRITE, responses=errors(JobNotFound, JobNotCancellable))
async def cancel_job(job_id: PathId, caller: CurrentCaller, jobs: JobServiceDep) -> JobRead:
    """Cancel a job that has not started; a running or finished one answers 409."""
    return JobRead.model_validate(await jobs.cancel_for(caller, job_id))
