"""Browsers: cookies authenticate, and unsafe requests need the CSRF header."""

from httpx import AsyncClient

from tests.fixtures.accounts import PASSWORD, PeopleFactory, register


async def browser(people: PeopleFactory) -> AsyncClient:
    client = people.new_client()
    await register(client, "ada@example.com")
    response = await client.post(
        "/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    return client


def csrf(client: AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["csrf_token"]}


async def test_cookie_authenticates_safe_requests_without_csrf(people: PeopleFactory) -> None:
    client = await browser(people)

    response = await client.get("/api/v1/users/me")

    assert response.status_code == 200


async def test_cookie_request_without_csrf_header_is_403(people: PeopleFactory) -> None:
    client = await browser(people)

    response = await client.post("/api/v1/auth/logout")

    assert response.status_code == 403
    assert response.json()["error_code"] == "csrf_failed"
    assert (await client.get("/api/v1/users/me")).status_code == 200  # nothing happened


async def test_cookie_request_with_a_wrong_csrf_header_is_403(people: PeopleFactory) -> None:
    client = await browser(people)

    response = await client.put(
        "/api/v1/users/me/profile", json={"display_name": "Eve"}, headers={"X-CSRF-Token": "forged"}
    )

    assert response.status_code == 403
    assert response.json()["error_code"] == "csrf_failed"


async def test_cookie_request_with_the_csrf_header_succeeds(people: PeopleFactory) -> None:
    client = await browser(people)

    response = await client.put(
        "/api/v1/users/me/profile", json={"display_name": "Ada"}, headers=csrf(client)
    )

    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada"


async def test_bearer_requests_need_no_csrf(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.put("/api/v1/users/me/profile", json={"display_name": "Ada"})

    assert response.status_code == 200


async def test_refresh_by_cookie_needs_csrf_and_rotates_the_cookies(people: PeopleFactory) -> None:
    client = await browser(people)
    old_refresh = client.cookies["refresh_token"]

    refused = await client.post("/api/v1/auth/refresh")
    assert refused.status_code == 403

    response = await client.post("/api/v1/auth/refresh", headers=csrf(client))
    assert response.status_code == 200
    assert client.cookies["refresh_token"] != old_refresh
    assert (await client.get("/api/v1/users/me")).status_code == 200


async def test_logout_by_cookie_clears_the_cookies(people: PeopleFactory) -> None:
    client = await browser(people)

    response = await client.post("/api/v1/auth/logout", headers=csrf(client))

    assert response.status_code == 204
    assert "access_token" not in client.cookies
    assert (await client.get("/api/v1/users/me")).status_code == 401
