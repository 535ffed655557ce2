"""What the service tests' conftest builds the services from, and their types for the tests."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from app.core.config import Settings
from app.core.errors import BrokerUnavailable
from app.core.security import AccessTokens, PasswordHasher
from app.infrastructure.cache import Cache, MemoryCache
from app.infrastructure.mail import Mailer
from app.infrastructure.rate_limit import RateLimiter, create_rate_limiter
from app.infrastructure.unit_of_work import UnitOfWork

NewUnitOfWork = Callable[[], Awaitable[UnitOfWork]]


@dataclass(frozen=True, slots=True)
class Parts:
    """What `account_services` reads from the app's state, built as `create_app` builds it."""

    settings: Settings
    password_hasher: PasswordHasher
    access_tokens: AccessTokens
    cache: Cache = field(default_factory=MemoryCache)
    rate_limiter: RateLimiter = field(default_factory=lambda: create_rate_limiter(None))
    mailer: Mailer | None = None


class RecordingQueue:
    """The jobs service's port to the broker: remembers what was queued, runs nothing
    (running jobs is the runner's, tested in tests/integration/jobs); `down` refuses like
    a broker that does not answer."""

    def __init__(self) -> None:
        self.queued: list[int] = []
        self.down = False

    async def enqueue(self, job_id: int) -> None:
        if self.down:
            raise BrokerUnavailable
        self.queued.append(job_id)
