"""Racing requests, and what they answered: for the tests of unique constraints and foreign
keys under concurrency (tests/integration/test_unique_races.py and the domains' own)."""

import asyncio
from collections import Counter
from collections.abc import Awaitable

from httpx import Response

from tests.fixtures.accounts import PeopleFactory

RACERS = 20


class Outcome(Counter[tuple[int, str | None]]):
    """How many answers had each (status, error code); and what the conflicts said."""

    def __init__(self, answers: list[Response]) -> None:
        super().__init__(
            (answer.status_code, None if answer.is_success else answer.json()["error_code"])
            for answer in answers
        )
        self.conflict_messages = {answer.json()["message"] for answer in answers if answer.status_code == 409}


async def race(requests: list[Awaitable[Response]]) -> Outcome:
    return Outcome(list(await asyncio.gather(*requests)))


async def count(people: PeopleFactory, query: object) -> int:
    async with people.app.state.runtime.session_factory() as session:
        return int(await session.scalar(query))  # type: ignore[call-overload]


# Foreign keys: a row the request refers to is deleted while it runs. The outcome of one
# round depends on who gets there first, so each test plays a few rounds and accepts every
# honest answer; only a 500 (the driver's IntegrityError) fails it.
ROUNDS = 5
