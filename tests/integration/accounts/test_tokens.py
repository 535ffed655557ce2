"""Access tokens are verified strictly; refresh tokens rotate and their reuse ends the session."""

import asyncio
import base64
import json
import time
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import event

from tests.fixtures.accounts import CLAIMS_ONLY_PATH, PeopleFactory, bearer, token_refused
from tests.fixtures.platform import TEST_SECRET


def forged(claims: dict[str, Any], *, secret: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def valid_claims(user_id: int, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "sid": 1,
        "role": "admin",
        "jti": "x",
        "iat": now,
        "exp": now + 600,
        "iss": "keel",
        "aud": "keel-api",
    }
    return {**claims, **changes}


def unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_no_credentials_is_401_with_a_bearer_challenge(client: AsyncClient) -> None:
    response = await client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.json()["error_code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_valid_bearer_token_identifies_the_user(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.get("/api/v1/users/me")

    assert response.status_code == 200
    assert response.json()["id"] == member.id


@pytest.mark.parametrize(
    ("make_token", "error_code"),
    [
        (lambda uid: forged(valid_claims(uid, exp=int(time.time()) - 5)), "token_expired"),
        (
            lambda uid: forged(valid_claims(uid), secret="another-secret-of-sufficient-length-0123456789"),
            "invalid_token",
        ),
        (lambda uid: unsigned(valid_claims(uid)), "invalid_token"),
        (lambda uid: forged(valid_claims(uid, aud="someone-else")), "invalid_token"),
        (lambda uid: forged(valid_claims(uid, iss="someone-else")), "invalid_token"),
        (lambda uid: forged({k: v for k, v in valid_claims(uid).items() if k != "sid"}), "invalid_token"),
        (lambda uid: forged(valid_claims(uid, sub="not-a-number")), "invalid_token"),
        (lambda uid: forged(valid_claims(uid), algorithm="HS512"), "invalid_token"),
        (lambda uid: "garbage", "invalid_token"),
    ],
    ids=[
        "expired",
        "wrong-key",
        "alg-none",
        "wrong-aud",
        "wrong-iss",
        "no-sid",
        "bad-sub",
        "other-alg",
        "garbage",
    ],
)
async def test_bad_access_tokens_are_refused(people: PeopleFactory, make_token, error_code: str) -> None:
    member = await people.member()

    response = await people.new_client().get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {make_token(member.id)}"}
    )

    assert response.status_code == 401
    assert response.json()["error_code"] == error_code


async def test_a_tampered_token_is_refused(people: PeopleFactory) -> None:
    member = await people.member()
    assert (await member.client.get("/api/v1/users/me")).status_code == 200  # the genuine one, remembered
    header, payload, signature = str(member.tokens["access_token"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = await people.new_client().get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {header}.{tampered_payload}.{signature}"}
    )

    assert response.status_code == 401
    assert response.json()["error_code"] == "invalid_token"


async def test_a_token_already_verified_still_expires(people: PeopleFactory) -> None:
    """Verified tokens are remembered; expiry is checked on every use all the same."""
    member = await people.member()
    expires_at = int(time.time()) + 2
    token = forged(valid_claims(member.id, role="member", exp=expires_at))
    headers = {"Authorization": f"Bearer {token}"}
    client = people.new_client()

    first = await client.get("/api/v1/users/me", headers=headers)
    await asyncio.sleep(expires_at - time.time() + 0.05)
    later = await client.get("/api/v1/users/me", headers=headers)

    assert first.status_code == 200
    assert later.status_code == 401
    assert later.json()["error_code"] == "token_expired"


async def test_refresh_rotates_and_reuse_revokes_the_family(people: PeopleFactory) -> None:
    member = await people.member()
    anonymous = people.new_client()
    first_refresh = member.tokens["refresh_token"]

    rotated = await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})

    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first_refresh
    assert (await anonymous.get("/api/v1/users/me", headers=bearer(second))).status_code == 200

    reuse = await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})

    assert reuse.status_code == 401
    assert reuse.json()["error_code"] == "refresh_token_reused"
    # The whole family is gone: the newest refresh token and every access token of the session.
    newest = await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert newest.json()["error_code"] == "invalid_refresh_token"
    assert await token_refused(anonymous, headers=bearer(second))
    assert await token_refused(member.client)
    assert (await anonymous.get("/api/v1/users/me", headers=bearer(second))).json()[
        "error_code"
    ] == "session_revoked"
    assert (await member.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"


async def test_reuse_is_logged_as_a_security_event(
    people: PeopleFactory, caplog: pytest.LogCaptureFixture
) -> None:
    member = await people.member()
    anonymous = people.new_client()
    await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})

    await anonymous.post("/api/v1/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]})

    events = [r.msg for r in caplog.records if r.name == "keel.security" and isinstance(r.msg, dict)]
    assert any(e["event"] == "refresh_token_reuse" and e["user_id"] == member.id for e in events)


@pytest.mark.parametrize("refresh_token", ["unknown-token", "x" * 256])
async def test_unknown_refresh_token_is_401(client: AsyncClient, refresh_token: str) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})

    assert response.status_code == 401
    assert response.json()["error_code"] == "invalid_refresh_token"


async def test_refresh_without_any_token_is_401(client: AsyncClient) -> None:
    response = await client.post("/api/v1/auth/refresh")

    assert response.json()["error_code"] == "invalid_refresh_token"


async def test_refresh_with_an_oversized_token_is_422(client: AsyncClient) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 257})

    assert response.status_code == 422


async def test_a_request_is_authorized_without_reading_the_user(app: FastAPI, people: PeopleFactory) -> None:
    member = await people.member()
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        listed = await member.client.get(CLAIMS_ONLY_PATH)
        me = await member.client.get("/api/v1/users/me")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert listed.status_code == me.status_code == 200
    reads_of_users = [statement for statement in statements if "FROM users" in statement]
    assert len(reads_of_users) == 1, statements  # /users/me's own: it returns the user
