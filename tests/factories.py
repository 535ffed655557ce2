"""Test data, written through Keel's own services and repositories, with sensible defaults.

A test states only what matters to it: `await make_user(uow, role="admin")`.
Every value not given is filled in, unique where the schema wants it unique. A new domain
copies the shape: one `make_<thing>(uow, *, owner=..., **fields)` per entity, going through
that domain's service where the service can make the row, its repository where it cannot
(a job already running, say), never raw SQL.

Here are the platform domains' factories (accounts, jobs). A domain that can be removed keeps
its factories in its own fixture module, `tests/fixtures/<name>.py` (the todos' `make_todo`
and `make_tag` are in tests/fixtures/todos.py), so that they go with it.
"""

import itertools
from typing import Any

from app.core.security import PasswordHasher
from app.domains.accounts.addresses import comparable_email
from app.domains.accounts.models import Profile, User
from app.domains.accounts.permissions import Role
from app.domains.accounts.repository import ProfileRepository, UserRepository
from app.domains.jobs.models import Job
from app.domains.jobs.repository import JobRepository
from app.domains.jobs.status import JobStatus
from app.infrastructure.unit_of_work import UnitOfWork
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.platform import TEST_DEFAULTS

_numbers = itertools.count(1)

# The suite's cheap parameters, so that the services verify these hashes without upgrading them.
_hasher = PasswordHasher(
    time_cost=int(str(TEST_DEFAULTS["password_hash_time_cost"])),
    memory_kib=int(str(TEST_DEFAULTS["password_hash_memory_kib"])),
    concurrency=1,
)
_hashes: dict[str, str] = {}


def unique(prefix: str) -> str:
    """`prefix-7`: a value no other factory call in this run has made."""
    return f"{prefix}-{next(_numbers)}"


async def password_hash(password: str = PASSWORD) -> str:
    """Hashed once per password per run: argon2, even cheap, is the slowest part of a user."""
    if password not in _hashes:
        _hashes[password] = await _hasher.hash(password)
    return _hashes[password]


async def make_user(
    uow: UnitOfWork,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    role: str = Role.MEMBER.value,
    is_active: bool = True,
    is_verified: bool = True,
    display_name: str | None = None,
) -> User:
    """A user with a profile, as registration or `keel create-admin` leaves one."""
    hashed = await password_hash(password)
    async with uow:
        user = await UserRepository(uow.session).add(
            User(
                email=comparable_email(email or f"{unique('user')}@example.com"),
                password_hash=hashed,
                role=role,
                is_active=is_active,
                is_verified=is_verified,
            )
        )
        await ProfileRepository(uow.session).add(Profile(user_id=user.id, display_name=display_name))
    return user


async def make_job(
    uow: UnitOfWork,
    *,
    owner: User | None,
    kind: str = "maintenance",
    status: JobStatus = JobStatus.QUEUED,
    **fields: Any,
) -> Job:
    """A job in any state, queued nowhere: the states past `queued` only a runner reaches."""
    async with uow:
        return await JobRepository(uow.session).add(
            Job(kind=kind, owner_id=owner.id if owner else None, status=status.value, **fields)
        )
