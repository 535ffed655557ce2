"""Jobs fixtures: job rows in any state, written straight to the database."""

from datetime import datetime, timedelta

from fastapi import FastAPI

from app.domains.jobs.models import Job
from app.infrastructure.database import utc_now
from tests.integration.accounts.conftest import people  # the accounts fixture, shared

__all__ = ["add_job", "people", "read_job"]


async def add_job(
    app: FastAPI,
    *,
    owner_id: int | None,
    status: str = "queued",
    kind: str = "maintenance",
    attempts: int = 0,
    lease_expires_at: datetime | None = None,
) -> int:
    async with app.state.runtime.session_factory() as session, session.begin():
        job = Job(
            kind=kind,
            owner_id=owner_id,
            status=status,
            attempts=attempts,
            lease_expires_at=lease_expires_at,
            started_at=utc_now() - timedelta(minutes=5) if status == "running" else None,
        )
        session.add(job)
        await session.flush()
        return job.id


async def read_job(app: FastAPI, job_id: int) -> Job:
    async with app.state.runtime.session_factory() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job
