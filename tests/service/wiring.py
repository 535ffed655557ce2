"""What the service tests' conftest builds the services from, and their types for the tests."""

from collections.abc import Awaitable, Callable

from app.core.errors import BrokerUnavailable
from app.infrastructure.unit_of_work import UnitOfWork

NewUnitOfWork = Callable[[], Awaitable[UnitOfWork]]


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
