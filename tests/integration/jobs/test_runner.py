"""Running jobs: outcomes recorded, cancelled jobs skipped, jobs of dead workers recovered."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.domains.jobs.kinds import job_kinds
from app.domains.jobs.models import Job
from app.domains.jobs.runner import JobRunner
from app.domains.jobs.tasks import BrokerJobQueue
from app.infrastructure.background import JobContext, JobFailed, JobKind
from app.infrastructure.database import utc_now
from tests.fixtures.jobs import add_job, read_job


async def explode(context: JobContext) -> dict[str, Any]:
    await context.report(40, "about to fail")
    raise RuntimeError("the disk is full")


async def refuse(context: JobContext) -> dict[str, Any]:
    await context.report(30, "checking the input")
    raise JobFailed("the input has 2 bad lines", result={"bad_lines": [{"line": 3, "reason": "not JSON"}]})


async def echo(context: JobContext) -> dict[str, Any]:
    await context.report(70, "echoing")
    return {"owner_id": context.owner_id, "job_id": context.job_id}


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    """Kinds of these tests only, beside the installed domains' for as long as a test runs."""
    kinds = {
        kind.name: kind
        for kind in (
            JobKind("test.explode", explode),
            JobKind("test.echo", echo),
            JobKind("test.refuse", refuse),
        )
    }
    job_kinds().update(kinds)
    yield
    for name in kinds:
        del job_kinds()[name]


def runner_of(app: FastAPI) -> JobRunner:
    return JobRunner(app.state.runtime)


async def test_a_failing_job_records_its_error_and_keeps_its_progress(app: FastAPI) -> None:
    job_id = await add_job(app, owner_id=None, kind="test.explode")

    await runner_of(app).run(job_id)

    job = await read_job(app, job_id)
    assert job.status == "failed"
    assert job.error == "RuntimeError: the disk is full"
    assert (job.progress, job.message) == (40, "about to fail")
    assert job.finished_at is not None
    assert job.lease_expires_at is None


async def test_a_job_that_refuses_its_input_fails_with_a_result_saying_why(app: FastAPI) -> None:
    job_id = await add_job(app, owner_id=None, kind="test.refuse")

    await runner_of(app).run(job_id)

    job = await read_job(app, job_id)
    assert job.status == "failed"
    assert job.error == "the input has 2 bad lines"
    assert job.result == {"bad_lines": [{"line": 3, "reason": "not JSON"}]}
    assert (job.progress, job.message) == (30, "checking the input")
    assert job.finished_at is not None


async def test_a_job_runs_once_even_if_delivered_twice(app: FastAPI) -> None:
    job_id = await add_job(app, owner_id=None, kind="test.echo")
    runner = runner_of(app)

    await runner.run(job_id)
    await runner.run(job_id)  # a redelivered message

    job = await read_job(app, job_id)
    assert job.status == "succeeded"
    assert job.attempts == 1
    assert job.result == {"owner_id": None, "job_id": job_id}


async def test_a_cancelled_job_is_not_run(app: FastAPI) -> None:
    job_id = await add_job(app, owner_id=None, kind="test.echo", status="cancelled")

    await runner_of(app).run(job_id)

    job = await read_job(app, job_id)
    assert job.status == "cancelled"
    assert job.attempts == 0


async def test_jobs_of_a_dead_worker_are_requeued_then_failed_when_attempts_run_out(app: FastAPI) -> None:
    lapsed = utc_now() - timedelta(seconds=1)
    retry = await add_job(
        app, owner_id=None, kind="test.echo", status="running", attempts=1, lease_expires_at=lapsed
    )
    give_up = await add_job(
        app, owner_id=None, kind="test.echo", status="running", attempts=3, lease_expires_at=lapsed
    )
    alive = await add_job(
        app,
        owner_id=None,
        kind="test.echo",
        status="running",
        attempts=1,
        lease_expires_at=utc_now() + timedelta(minutes=1),
    )
    queue: BrokerJobQueue = app.state.runtime.part(BrokerJobQueue)

    recovered = await runner_of(app).recover_lapsed(queue)
    await app.state.runtime.broker.drain()

    assert recovered == 2
    retried = await read_job(app, retry)
    assert (retried.status, retried.attempts) == ("succeeded", 2)
    failed = await read_job(app, give_up)
    assert (failed.status, failed.error) == ("failed", "worker_lost")
    assert (await read_job(app, alive)).status == "running"


async def test_maintenance_is_queued_once_per_interval(app: FastAPI) -> None:
    runtime = app.state.runtime
    scheduled = runtime.settings.model_copy(update={"maintenance_interval_seconds": 3600})
    runner = JobRunner(replace(runtime, settings=scheduled))
    queue = runtime.part(BrokerJobQueue)

    first = await runner.schedule_maintenance(queue)
    second = await runner.schedule_maintenance(queue)  # same interval: another worker's turn
    await runtime.broker.drain()

    assert (first, second) == (True, False)
    async with runtime.session_factory() as session:
        jobs = list(await session.scalars(select(Job)))
    assert [(job.kind, job.owner_id, job.status) for job in jobs] == [("maintenance", None, "succeeded")]


async def test_no_maintenance_is_scheduled_when_the_interval_is_zero(app: FastAPI) -> None:
    assert app.state.runtime.settings.maintenance_interval_seconds == 0
    assert not await runner_of(app).schedule_maintenance(app.state.runtime.part(BrokerJobQueue))
