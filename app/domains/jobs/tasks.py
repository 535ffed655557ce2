"""The jobs domain's tasks: the one broker task that runs any job, and the maintenance job."""

from datetime import timedelta
from typing import Any

from app.domains.accounts.service.maintenance import AccountsMaintenance
from app.domains.accounts.service.recovery import AccountEmails
from app.domains.jobs.kinds import JobContext, JobRuntime, job_kind
from app.domains.jobs.repository import JobRepository
from app.domains.jobs.runner import MAINTENANCE_KIND, JobRunner
from app.infrastructure.broker import Broker, Task
from app.infrastructure.database import utc_now
from app.infrastructure.idempotency import purge_expired_keys

RUN_JOB_TASK = "keel.jobs.run"
FINISHED_JOBS_KEPT_FOR = timedelta(days=30)


class BrokerJobQueue:
    """`JobQueue` over the broker: the message carries only the job id."""

    def __init__(self, broker: Broker, task: Task) -> None:
        self.broker = broker
        self.task = task

    async def enqueue(self, job_id: int) -> None:
        await self.broker.send(self.task, job_id)


def register(broker: Broker, runtime: JobRuntime) -> BrokerJobQueue:
    """Declare the job task on this broker; the API process and workers both call this."""
    runner = JobRunner(runtime)

    async def run_job(job_id: int) -> None:
        await runner.run(job_id)

    return BrokerJobQueue(broker, broker.taskiq.register_task(run_job, task_name=RUN_JOB_TASK))


@job_kind(MAINTENANCE_KIND, permission="jobs:admin")
async def maintenance(context: JobContext) -> dict[str, Any]:
    """Purge expired sessions, spent tokens, old mail, old jobs and expired idempotency keys;
    retry unsent mail.

    Revocation entries need no purge: the cache expires them with the access tokens they cover.
    """
    runtime, now = context.runtime, utc_now()
    await context.report(10, "purging expired sessions and tokens")
    async with runtime.unit_of_work() as uow:
        emails = AccountEmails(uow=uow, settings=runtime.settings, mailer=runtime.mailer)
        accounts = AccountsMaintenance(uow=uow, emails=emails)
        purged = await accounts.purge_expired(now=now)
        await context.report(50, "retrying unsent mail")
        delivered = await accounts.retry_unsent_mail()
    await context.report(80, "dropping old finished jobs and expired idempotency keys")
    async with runtime.transaction() as uow:
        old_jobs = await JobRepository(uow.session).purge_finished(before=now - FINISHED_JOBS_KEPT_FOR)
        expired_keys = await purge_expired_keys(uow.session, now=now)
    return {
        **purged,
        "mail_delivered": delivered,
        "old_jobs": old_jobs,
        "expired_idempotency_keys": expired_keys,
    }
