"""Requests racing into a unique constraint (one wins, the others get its 409) or past a
foreign key (its row deleted meanwhile): never a 500.

Each request passes the service's "is it taken?" check before any of them writes, so the
database's constraint is what refuses the losers (on PostgreSQL; SQLite serializes writers
but still lets every check run before the first insert commits). Races on the todos' tags
(a name taken, a tag deleted under a todo) are in tests/integration/todos/test_unique_races.py.
"""

from sqlalchemy import delete, func, select

from app.domains.accounts.models import Profile, User
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.races import RACERS, ROUNDS, Outcome, count, race


async def test_registrations_racing_for_one_address(people: PeopleFactory) -> None:
    clients = [people.new_client() for _ in range(RACERS)]
    body = {"email": "race@example.com", "password": PASSWORD}

    outcome = await race([client.post("/api/v1/auth/register", json=body) for client in clients])

    assert outcome == {(201, None): 1, (409, "email_taken"): RACERS - 1}
    assert await count(people, select(func.count()).select_from(User)) == 1


async def test_admins_creating_one_address_at_once(people: PeopleFactory) -> None:
    admin = await people.admin()
    body = {"email": "made@example.com", "password": PASSWORD}

    outcome = await race([admin.client.post("/api/v1/users", json=body) for _ in range(RACERS)])

    assert outcome == {(201, None): 1, (409, "email_taken"): RACERS - 1}


async def test_members_moving_to_one_address_at_once(people: PeopleFactory) -> None:
    members = [await people.member(f"mover{n}@example.com") for n in range(RACERS)]

    outcome = await race(
        [
            member.client.patch(
                "/api/v1/users/me", json={"email": "wanted@example.com", "current_password": PASSWORD}
            )
            for member in members
        ]
    )

    assert outcome == {(200, None): 1, (409, "email_taken"): RACERS - 1}


async def test_profile_mended_by_requests_at_once(people: PeopleFactory) -> None:
    """An account without a profile (older data) gets one on first read; readers racing to
    mend it must not fail."""
    ann = await people.member()
    async with people.app.state.runtime.session_factory() as session, session.begin():
        await session.execute(delete(Profile).where(Profile.user_id == ann.id))

    outcome = await race([ann.client.get("/api/v1/users/me/profile") for _ in range(RACERS)])

    assert set(outcome) <= {(200, None), (409, "profile_exists")}
    assert outcome[(200, None)] >= 1
    profiles = select(func.count()).select_from(Profile).where(Profile.user_id == ann.id)
    assert await count(people, profiles) == 1


# Rows deleted between a request's read and its write: its UPDATE matches nothing.


async def test_members_changed_by_an_admin_while_being_deleted(people: PeopleFactory) -> None:
    admin = await people.admin()
    members = [await people.member(f"changed{round_}@example.com") for round_ in range(ROUNDS)]
    outcome = Outcome([])
    for member in members:
        url = f"/api/v1/users/{member.id}"
        changes = [admin.client.patch(url, json={"role": role}) for role in ["viewer", "member"] * 5]
        outcome.update(await race([*changes, admin.client.delete(url)]))

    assert set(outcome) <= {(200, None), (204, None), (404, "user_not_found"), (409, "concurrent_change")}
