"""Job rules, on the service: who may submit what, and which jobs may be cancelled."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.core.errors import BrokerUnavailable
from app.domains.accounts.models import User
from app.domains.accounts.service.auth import Caller
from app.domains.jobs.errors import JobKindNotAllowed, JobNotCancellable, JobNotFound, UnknownJobKind
from app.domains.jobs.kinds import job_kinds
from app.domains.jobs.runner import MAINTENANCE_KIND
from app.domains.jobs.schemas import JobFilter
from app.domains.jobs.service import JobService
from app.domains.jobs.status import JobStatus
from app.infrastructure.background import JobContext, JobKind
from app.infrastructure.unit_of_work import UnitOfWork
from tests.factories import make_job, make_user
from tests.service.wiring import RecordingQueue

KEELS_OWN_KIND = "test.keels-own"  # no permission: only Keel queues it, as the image pulls are


async def nothing(context: JobContext) -> dict[str, Any]:
    return {}


@pytest.fixture(autouse=True)
def keels_own_kind() -> Iterator[None]:
    """A kind of these tests only, beside the installed domains' for as long as a test runs."""
    job_kinds()[KEELS_OWN_KIND] = JobKind(KEELS_OWN_KIND, nothing)
    yield
    del job_kinds()[KEELS_OWN_KIND]


def caller(user: User) -> Caller:
    return Caller(id=user.id, role=user.role, session_id=1)


async def test_an_admin_submits_maintenance_and_it_is_queued(
    uow: UnitOfWork, jobs: JobService, job_queue: RecordingQueue
) -> None:
    admin = await make_user(uow, role="admin")

    job = await jobs.submit_for(caller(admin), MAINTENANCE_KIND)

    assert (job.kind, job.owner_id, job.status) == (MAINTENANCE_KIND, admin.id, JobStatus.QUEUED)
    assert job_queue.queued == [job.id]


async def test_a_member_may_not_submit_maintenance(
    uow: UnitOfWork, jobs: JobService, job_queue: RecordingQueue
) -> None:
    member = await make_user(uow)

    with pytest.raises(JobKindNotAllowed):
        await jobs.submit_for(caller(member), MAINTENANCE_KIND)
    assert job_queue.queued == []


@pytest.mark.parametrize("kind", ["no-such-kind", KEELS_OWN_KIND])
async def test_unknown_kinds_and_keels_own_kinds_are_unknown_to_users(
    uow: UnitOfWork, jobs: JobService, kind: str
) -> None:
    admin = await make_user(uow, role="admin")

    with pytest.raises(UnknownJobKind):
        await jobs.submit_for(caller(admin), kind)


async def test_a_job_the_broker_refuses_is_failed_not_left_queued(
    uow: UnitOfWork, jobs: JobService, job_queue: RecordingQueue
) -> None:
    admin = await make_user(uow, role="admin")
    job_queue.down = True

    with pytest.raises(BrokerUnavailable):
        await jobs.submit_for(caller(admin), MAINTENANCE_KIND)

    [job], total = await jobs.search_for(caller(admin), JobFilter(), limit=10, offset=0)
    assert (total, job.status, job.error) == (1, JobStatus.FAILED, "broker_unavailable")


async def test_a_queued_job_is_cancelled_by_its_owner(uow: UnitOfWork, jobs: JobService) -> None:
    owner = await make_user(uow)
    job = await make_job(uow, owner=owner)

    cancelled = await jobs.cancel_for(caller(owner), job.id)

    assert cancelled.status == JobStatus.CANCELLED
    assert cancelled.finished_at is not None


async def test_a_running_job_is_not_cancellable(uow: UnitOfWork, jobs: JobService) -> None:
    owner = await make_user(uow)
    job = await make_job(uow, owner=owner, status=JobStatus.RUNNING)

    with pytest.raises(JobNotCancellable):
        await jobs.cancel_for(caller(owner), job.id)


async def test_another_members_job_is_not_found_but_an_admin_cancels_it(
    uow: UnitOfWork, jobs: JobService
) -> None:
    owner, other, admin = await make_user(uow), await make_user(uow), await make_user(uow, role="admin")
    job = await make_job(uow, owner=owner)

    with pytest.raises(JobNotFound):
        await jobs.cancel_for(caller(other), job.id)
    assert (await jobs.cancel_for(caller(admin), job.id)).status == JobStatus.CANCELLED
