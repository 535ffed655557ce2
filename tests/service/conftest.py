"""Service tests: Keel's use cases called directly, on a real migrated SQLite, without HTTP.

One database per session, emptied after each test; each test gets a unit of work and the
services built on it with the same constructors the app's dependencies use, and the
embedded defaults (in-memory cache and rate limiter, no mailer) that `make run` uses.

A domain's service tests and the fixtures only they use sit in its folder, tests/service/<name>/,
and go with the domain.
"""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.cursors import CursorCodec
from app.core.security import AccessTokens, PasswordHasher
from app.domains.accounts.service.assembly import AccountServices, account_services
from app.domains.jobs.service import JobService
from app.infrastructure.after_response import AfterResponse
from app.infrastructure.broker import create_broker
from app.infrastructure.cache import MemoryCache
from app.infrastructure.database import create_engine, create_session_factory
from app.infrastructure.rate_limit import create_rate_limiter
from app.infrastructure.runtime import Runtime
from app.infrastructure.slots import Slots
from app.infrastructure.unit_of_work import UnitOfWork
from tests.databases import empty_all_tables, migrate, sqlite_url
from tests.fixtures.platform import make_settings
from tests.service.wiring import NewUnitOfWork, RecordingQueue


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite only: these tests are about the rules, the HTTP suite covers both databases."""
    url = sqlite_url(tmp_path_factory.mktemp("service"))
    await migrate(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture(autouse=True)
async def _empty_tables(engine: AsyncEngine) -> AsyncIterator[None]:
    yield
    await empty_all_tables(engine)


@pytest.fixture(scope="session")
def password_hasher(settings: Settings) -> AsyncIterator[PasswordHasher]:
    hasher = PasswordHasher.from_settings(settings)
    yield hasher
    hasher.close()


@pytest.fixture
def runtime(
    settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    password_hasher: PasswordHasher,
    cursors: CursorCodec,
) -> Runtime:
    """The app's runtime as `open_runtime` builds it on the embedded defaults, without starting
    the domains. Fresh per test: revocations and rate-limit counts are keyed by ids the next
    test reuses."""
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        cache=MemoryCache(),
        rate_limiter=create_rate_limiter(None),
        mailer=None,
        broker=create_broker(settings),
        password_hasher=password_hasher,
        access_tokens=AccessTokens.from_settings(settings),
        cursors=cursors,
        database_slots=Slots(settings.database_pool_size),
        after_response=AfterResponse(max_running=1),
    )


@pytest.fixture
async def new_uow(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[NewUnitOfWork]:
    """Units of work of their own, as concurrent requests have: closed after the test."""
    made: list[UnitOfWork] = []

    async def new() -> UnitOfWork:
        made.append(UnitOfWork(session_factory))
        return made[-1]

    yield new
    for uow in made:
        await uow.close()


@pytest.fixture
async def uow(new_uow: NewUnitOfWork) -> UnitOfWork:
    return await new_uow()


@pytest.fixture(scope="session")
def cursors(settings: Settings) -> CursorCodec:
    return CursorCodec(settings.secret_key.get_secret_value())


@pytest.fixture
def accounts(runtime: Runtime, uow: UnitOfWork) -> AccountServices:
    return account_services(runtime, uow)


@pytest.fixture
def job_queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
def jobs(uow: UnitOfWork, job_queue: RecordingQueue) -> JobService:
    return JobService(uow=uow, queue=job_queue)
