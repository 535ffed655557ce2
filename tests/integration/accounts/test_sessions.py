"""Logout, logout-all and session management take effect for issued access tokens at once."""

from tests.fixtures.accounts import PeopleFactory, token_refused


async def test_logout_refuses_the_access_token_at_once(people: PeopleFactory) -> None:
    member = await people.member()

    response = await member.client.post("/api/v1/auth/logout")

    assert response.status_code == 204
    assert await token_refused(member.client)
    after = await member.client.get("/api/v1/users/me")
    assert after.status_code == 401
    assert after.json()["error_code"] == "session_revoked"
    refresh = await people.new_client().post(
        "/api/v1/auth/refresh", json={"refresh_token": member.tokens["refresh_token"]}
    )
    assert refresh.json()["error_code"] == "invalid_refresh_token"


async def test_logout_all_ends_every_session(people: PeopleFactory) -> None:
    laptop = await people.member()
    phone = await people.logged_in(laptop.id, laptop.email)

    assert (await laptop.client.post("/api/v1/auth/logout-all")).status_code == 204

    assert await token_refused(laptop.client)
    assert await token_refused(phone.client)

    assert (await laptop.client.get("/api/v1/users/me")).status_code == 401
    assert (await phone.client.get("/api/v1/users/me")).status_code == 401


async def test_sessions_lists_own_sessions_and_marks_the_current_one(people: PeopleFactory) -> None:
    laptop = await people.member()
    phone = await people.logged_in(laptop.id, laptop.email)
    await people.member("other@example.com")

    sessions = (await phone.client.get("/api/v1/auth/sessions")).json()

    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    assert {"id", "created_at", "last_used_at", "expires_at", "user_agent", "ip_address"} <= set(sessions[0])


async def test_revoking_a_session_ends_it(people: PeopleFactory) -> None:
    laptop = await people.member()
    phone = await people.logged_in(laptop.id, laptop.email)
    sessions = (await laptop.client.get("/api/v1/auth/sessions")).json()
    phone_session = next(s for s in sessions if not s["current"])

    response = await laptop.client.delete(f"/api/v1/auth/sessions/{phone_session['id']}")

    assert response.status_code == 204
    assert await token_refused(phone.client)
    assert not await token_refused(laptop.client)
    assert (await phone.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"
    assert (await laptop.client.get("/api/v1/users/me")).status_code == 200
    again = await laptop.client.delete(f"/api/v1/auth/sessions/{phone_session['id']}")
    assert again.status_code == 404


async def test_another_users_session_is_not_found(people: PeopleFactory) -> None:
    member = await people.member()
    other = await people.member("other@example.com")
    others_session = (await other.client.get("/api/v1/auth/sessions")).json()[0]

    response = await member.client.delete(f"/api/v1/auth/sessions/{others_session['id']}")

    assert response.status_code == 404
    assert response.json()["error_code"] == "session_not_found"
    assert (await other.client.get("/api/v1/users/me")).status_code == 200


async def test_session_endpoints_need_authentication(people: PeopleFactory) -> None:
    anonymous = people.new_client()

    for method, url in [
        ("GET", "/api/v1/auth/sessions"),
        ("DELETE", "/api/v1/auth/sessions/1"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/logout-all"),
    ]:
        response = await anonymous.request(method, url)
        assert response.status_code == 401, url
        assert response.json()["error_code"] == "not_authenticated"
