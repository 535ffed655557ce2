"""Registration and login, JSON and form, with every refusal."""

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from app.core.security import PasswordHasher
from app.domains.accounts.models import User
from tests.fixtures.accounts import PASSWORD, PeopleFactory, bearer, login, register, token_refused


async def test_register_creates_a_member(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "Ada@Example.com", "password": PASSWORD, "display_name": "Ada"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["role"] == "member"
    assert body["is_active"] is True
    assert body["is_verified"] is False
    assert "password" not in response.text
    assert "hash" not in response.text


async def test_register_refuses_an_email_taken_in_any_case(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    response = await client.post(
        "/api/v1/auth/register", json={"email": "ADA@example.COM", "password": PASSWORD}
    )

    assert response.status_code == 409
    assert response.json()["error_code"] == "email_taken"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too_short"),
        ("x" * 129, "too_long"),
        ("ada@example.com", "same_as_email"),
        ("ADA@EXAMPLE.COM", "same_as_email"),
    ],
)
async def test_register_refuses_weak_passwords(client: AsyncClient, password: str, reason: str) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"email": "ada@example.com", "password": password}
    )

    assert response.status_code == 422
    assert response.json()["error_code"] == "password_rejected"
    assert response.json()["details"] == {"reason": reason}
    assert (
        await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": password})
    ).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "ada@example.com"},
        {"email": "ada@example.com", "password": PASSWORD, "role": "admin"},  # no self-promotion
        {"email": "ada@example.com", "password": "p" * 5000},
        {"email": "a" * 400 + "@example.com", "password": PASSWORD},
    ],
)
async def test_register_refuses_invalid_bodies(client: AsyncClient, body: dict[str, str]) -> None:
    response = await client.post("/api/v1/auth/register", json=body)

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_login_with_json_returns_tokens_and_sets_cookies(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    response = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["access_token"]
    assert body["refresh_token"]
    cookies = {
        header.split("=", 1)[0]: {attribute.strip().lower() for attribute in header.split(";")[1:]}
        for header in response.headers.get_list("set-cookie")
    }
    assert {"httponly", "samesite=lax", "path=/", "secure"} <= cookies["access_token"]
    assert {"httponly", "samesite=strict", "path=/api/v1/auth", "secure"} <= cookies["refresh_token"]
    assert {"samesite=lax", "path=/", "secure"} <= cookies["csrf_token"]
    assert "httponly" not in cookies["csrf_token"]  # the page's script must read it


async def test_the_oauth2_form_has_an_operation_of_its_own_that_sets_no_cookies(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    response = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "ada@example.com", "password": PASSWORD, "scope": ""},
    )

    assert response.status_code == 200
    assert response.headers.get_list("set-cookie") == []  # tokens for the docs page, nothing planted
    me = await client.get("/api/v1/users/me", headers=bearer(response.json()))
    assert me.json()["email"] == "ada@example.com"


@pytest.mark.parametrize("content", [b"", b"{", b'{"email": "ada@example.com"}'])
async def test_login_with_a_malformed_body_is_422(client: AsyncClient, content: bytes) -> None:
    response = await client.post(
        "/api/v1/auth/login", content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error"


async def test_login_form_without_password_is_422(client: AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token", data={"username": "ada@example.com"})

    assert response.status_code == 422


async def test_wrong_password_and_unknown_account_look_the_same(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    wrong = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error_code"] == unknown.json()["error_code"] == "invalid_credentials"
    assert wrong.json()["message"] == unknown.json()["message"]


async def test_login_is_case_insensitive_in_the_email(client: AsyncClient) -> None:
    await register(client, "ada@example.com")

    assert (
        await client.post("/api/v1/auth/login", json={"email": "ADA@Example.com", "password": PASSWORD})
    ).status_code == 200


async def test_deactivated_user_cannot_log_in_and_loses_access(people: PeopleFactory) -> None:
    admin = await people.admin()
    member = await people.member()

    await admin.client.patch(f"/api/v1/users/{member.id}", json={"is_active": False})

    assert await token_refused(member.client)
    assert (await member.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"
    response = await people.new_client().post(
        "/api/v1/auth/login", json={"email": member.email, "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["error_code"] == "account_inactive"


async def test_login_upgrades_a_hash_made_with_older_parameters(app: FastAPI, client: AsyncClient) -> None:
    await register(client, "ada@example.com")
    weaker = await PasswordHasher(time_cost=1, memory_kib=512, concurrency=1).hash(PASSWORD)
    async with app.state.runtime.session_factory() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == "ada@example.com"))
        assert user is not None
        user.password_hash = weaker

    await login(client, "ada@example.com")

    async with app.state.runtime.session_factory() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == "ada@example.com"))
    assert stored != weaker
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert "m=1024" in stored
    await login(client, "ada@example.com")  # the upgraded hash still verifies
