"""The caller's own account: e-mail, password, profile, deletion."""

import pytest
from sqlalchemy import delete, select

from app.domains.accounts.models import Profile
from tests.fixtures.accounts import PASSWORD, PeopleFactory, token_refused

NEW_PASSWORD = "another good passphrase"


async def test_change_password_needs_the_current_one(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.post(
        "/api/v1/users/me/password", json={"current_password": "wrong password", "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 403
    assert response.json()["error_code"] == "wrong_password"


async def test_change_password_keeps_this_session_and_ends_the_others(people: PeopleFactory) -> None:
    laptop = await people.member()
    phone = await people.logged_in(laptop.id, laptop.email)

    response = await laptop.client.post(
        "/api/v1/users/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert (await laptop.client.get("/api/v1/users/me")).status_code == 200
    assert not await token_refused(laptop.client)
    assert await token_refused(phone.client)
    assert (await phone.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"
    login = await people.new_client().post(
        "/api/v1/auth/login", json={"email": laptop.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 200


async def test_change_password_applies_the_policy(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.post(
        "/api/v1/users/me/password", json={"current_password": PASSWORD, "new_password": member.email}
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"reason": "same_as_email"}


async def test_change_email_needs_the_password_and_resets_verification(people: PeopleFactory) -> None:
    member = await people.member()

    wrong = await member.client.patch(
        "/api/v1/users/me", json={"email": "new@example.com", "current_password": "wrong password"}
    )
    response = await member.client.patch(
        "/api/v1/users/me", json={"email": "New@Example.com", "current_password": PASSWORD}
    )

    assert wrong.status_code == 403
    assert response.status_code == 200
    assert response.json()["email"] == "new@example.com"
    assert response.json()["is_verified"] is False
    assert await people.mailed_token("new@example.com", "Confirm")


async def test_change_email_to_a_taken_address_is_409(people: PeopleFactory) -> None:
    member = await people.member()
    await people.member("other@example.com")

    response = await member.client.patch(
        "/api/v1/users/me", json={"email": "other@example.com", "current_password": PASSWORD}
    )

    assert response.status_code == 409
    assert response.json()["error_code"] == "email_taken"


async def test_profile_round_trip(people: PeopleFactory) -> None:
    member = await people.member()
    profile = {
        "display_name": "Ada",
        "bio": "Analyst",
        "locale": "ru",
        "timezone": "Europe/Moscow",
        "avatar_url": "https://example.com/ada.png",
    }

    assert (await member.client.get("/api/v1/users/me/profile")).json()["locale"] == "en"
    response = await member.client.put("/api/v1/users/me/profile", json=profile)

    assert response.status_code == 200
    assert (await member.client.get("/api/v1/users/me/profile")).json() == profile


async def test_a_missing_profile_is_made_once_and_kept(people: PeopleFactory) -> None:
    """Every account gets a profile at creation; reading mends one without, in a block."""
    member = await people.member()
    async with people.app.state.runtime.session_factory() as session:
        await session.execute(delete(Profile).where(Profile.user_id == member.id))
        await session.commit()

    first = await member.client.get("/api/v1/users/me/profile")
    second = await member.client.get("/api/v1/users/me/profile")

    async with people.app.state.runtime.session_factory() as session:
        stored = (await session.scalars(select(Profile).where(Profile.user_id == member.id))).all()
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert len(stored) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Mars/Olympus"},
        {"locale": "not a locale"},
        {"avatar_url": "javascript:alert(1)"},
        {"bio": "x" * 2001},
        {"display_name": ""},
        {"unknown": 1},
    ],
)
async def test_profile_refuses_invalid_fields(people: PeopleFactory, body: dict[str, object]) -> None:
    member = await people.member()

    response = await member.client.put("/api/v1/users/me/profile", json=body)

    assert response.status_code == 422
    assert (await member.client.get("/api/v1/users/me/profile")).json()["display_name"] is None


async def test_delete_me_removes_the_account(people: PeopleFactory) -> None:
    member = await people.member()
    phone = await people.logged_in(member.id, member.email)

    assert (await member.client.delete("/api/v1/users/me")).status_code == 204

    assert await token_refused(member.client)
    assert await token_refused(phone.client)
    assert (await member.client.get("/api/v1/users/me")).status_code == 401
    login = await people.new_client().post(
        "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_the_last_admin_cannot_delete_themselves(people: PeopleFactory) -> None:
    admin = await people.admin()

    response = await admin.client.delete("/api/v1/users/me")

    assert response.status_code == 409
    assert response.json()["error_code"] == "last_admin"
