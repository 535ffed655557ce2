"""Password reset and e-mail verification: single-use, expiring, and silent about who exists."""

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update

from app.domains.accounts.models import ActionToken, OutboxMessage
from app.infrastructure.database import utc_now
from tests.fixtures.accounts import PASSWORD, PeopleFactory, register, token_refused

NEW_PASSWORD = "a brand new passphrase"


async def outbox_count(app: FastAPI) -> int:
    await app.state.runtime.after_response.drain()
    async with app.state.runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_reset_answers_the_same_for_known_and_unknown_addresses(
    app: FastAPI, people: PeopleFactory
) -> None:
    member = await people.member()
    anonymous = people.new_client()
    before = await outbox_count(app)

    known = await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    after_known = await outbox_count(app)
    unknown = await anonymous.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert after_known == before + 1
    assert await outbox_count(app) == after_known  # nothing written for an unknown address


async def test_reset_sets_the_password_once_and_ends_every_session(people: PeopleFactory) -> None:
    member = await people.member()
    anonymous = people.new_client()
    await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    token = await people.mailed_token(member.email, "Reset")

    response = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert await token_refused(member.client)
    assert (await member.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"
    old = await anonymous.post("/api/v1/auth/login", json={"email": member.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await anonymous.post("/api/v1/auth/login", json={"email": member.email, "password": NEW_PASSWORD})
    assert new.status_code == 200
    again = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "yet another passphrase"}
    )
    assert again.status_code == 400
    assert again.json()["error_code"] == "invalid_action_token"


async def test_an_expired_reset_token_is_refused(app: FastAPI, people: PeopleFactory) -> None:
    member = await people.member()
    anonymous = people.new_client()
    await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    token = await people.mailed_token(member.email, "Reset")
    async with app.state.runtime.session_factory() as session, session.begin():
        await session.execute(update(ActionToken).values(expires_at=utc_now()))

    response = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "invalid_action_token"


async def test_a_weak_new_password_leaves_the_token_usable(people: PeopleFactory) -> None:
    member = await people.member()
    anonymous = people.new_client()
    await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    token = await people.mailed_token(member.email, "Reset")

    weak = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
    )

    assert weak.status_code == 422
    assert weak.json()["error_code"] == "password_rejected"
    good = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert good.status_code == 204


async def test_a_verification_token_cannot_reset_a_password(people: PeopleFactory) -> None:
    member = await people.member()
    verification = await people.mailed_token(member.email, "Confirm")

    response = await people.new_client().post(
        "/api/v1/auth/password-reset/confirm", json={"token": verification, "new_password": NEW_PASSWORD}
    )

    assert response.json()["error_code"] == "invalid_action_token"


async def test_registration_mails_a_verification_link_that_verifies_once(people: PeopleFactory) -> None:
    member = await people.member()
    token = await people.mailed_token(member.email, "Confirm")

    response = await people.new_client().post("/api/v1/auth/verify-email/confirm", json={"token": token})

    assert response.status_code == 204
    assert (await member.client.get("/api/v1/users/me")).json()["is_verified"] is True
    again = await people.new_client().post("/api/v1/auth/verify-email/confirm", json={"token": token})
    assert again.json()["error_code"] == "invalid_action_token"


async def test_verification_can_be_requested_again(app: FastAPI, people: PeopleFactory) -> None:
    member = await people.member()
    before = await outbox_count(app)

    response = await member.client.post("/api/v1/auth/verify-email")

    assert response.status_code == 202
    assert await outbox_count(app) == before + 1


async def test_requesting_verification_needs_authentication(client: AsyncClient) -> None:
    assert (await client.post("/api/v1/auth/verify-email")).status_code == 401


async def test_recovery_bodies_are_validated(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    for url, body in [
        ("/api/v1/auth/password-reset", {"email": "nope"}),
        ("/api/v1/auth/password-reset/confirm", {"token": "", "new_password": NEW_PASSWORD}),
        ("/api/v1/auth/password-reset/confirm", {"token": "t" * 300, "new_password": NEW_PASSWORD}),
        ("/api/v1/auth/verify-email/confirm", {}),
    ]:
        response = await client.post(url, json=body)
        assert response.status_code == 422, url


async def test_a_newer_reset_link_makes_the_older_one_useless(people: PeopleFactory) -> None:
    member = await people.member()
    anonymous = people.new_client()
    await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    older = await people.mailed_token(member.email, "Reset")
    await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    newer = await people.mailed_token(member.email, "Reset")

    stale = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": older, "new_password": NEW_PASSWORD}
    )
    fresh = await anonymous.post(
        "/api/v1/auth/password-reset/confirm", json={"token": newer, "new_password": NEW_PASSWORD}
    )

    assert older != newer
    assert stale.status_code == 400
    assert stale.json()["error_code"] == "invalid_action_token"
    assert fresh.status_code == 204


async def test_a_verification_link_for_the_old_address_cannot_verify_the_new_one(
    people: PeopleFactory,
) -> None:
    member = await people.member("ada@example.com")
    for_old_address = await people.mailed_token("ada@example.com", "Confirm")
    changed = await member.client.patch(
        "/api/v1/users/me", json={"email": "ada@elsewhere.example", "current_password": PASSWORD}
    )

    response = await people.new_client().post(
        "/api/v1/auth/verify-email/confirm", json={"token": for_old_address}
    )

    assert changed.status_code == 200
    assert response.json()["error_code"] == "invalid_action_token"
    assert (await member.client.get("/api/v1/users/me")).json()["is_verified"] is False
