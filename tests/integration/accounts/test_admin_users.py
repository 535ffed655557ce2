"""User administration: admins only, and never without an admin left."""

import pytest

from tests.fixtures.accounts import PASSWORD, PeopleFactory, token_refused


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_non_admins_are_refused(people: PeopleFactory, role: str) -> None:
    person = await people.member(f"{role}@example.com", role=role)

    for method, url in [
        ("GET", "/api/v1/users"),
        ("GET", "/api/v1/users/1"),
        ("PATCH", "/api/v1/users/1"),
        ("DELETE", "/api/v1/users/1"),
    ]:
        response = await person.client.request(method, url, json={} if method == "PATCH" else None)
        assert response.status_code == 403, url
        assert response.json()["error_code"] == "permission_denied"
    create = await person.client.post("/api/v1/users", json={"email": "x@example.com", "password": PASSWORD})
    assert create.status_code == 403


async def test_list_filters_searches_and_pages(people: PeopleFactory) -> None:
    admin = await people.admin()
    for name in ("ann", "bob", "cat"):
        await people.member(f"{name}@example.com")
    await people.member("vic@viewers.example", role="viewer")

    everyone = (await admin.client.get("/api/v1/users", params={"limit": 2})).json()
    second_page = (await admin.client.get("/api/v1/users", params={"limit": 2, "offset": 2})).json()
    viewers = (await admin.client.get("/api/v1/users", params={"role": "viewer"})).json()
    search = (await admin.client.get("/api/v1/users", params={"q": "BO"})).json()

    assert everyone["total"] == 5
    assert len(everyone["items"]) == 2
    assert {u["id"] for u in everyone["items"]}.isdisjoint({u["id"] for u in second_page["items"]})
    assert [u["email"] for u in viewers["items"]] == ["vic@viewers.example"]
    assert [u["email"] for u in search["items"]] == ["bob@example.com"]


async def test_search_treats_wildcards_literally(people: PeopleFactory) -> None:
    admin = await people.admin()
    await people.member("ann@example.com")

    response = await admin.client.get("/api/v1/users", params={"q": "%"})

    assert response.json()["total"] == 0


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"role": "root"}])
async def test_list_refuses_bad_parameters(people: PeopleFactory, params: dict[str, object]) -> None:
    admin = await people.admin()

    assert (await admin.client.get("/api/v1/users", params=params)).status_code == 422


async def test_deleting_a_user_refuses_their_issued_tokens_at_once(people: PeopleFactory) -> None:
    admin = await people.admin()
    member = await people.member()

    assert (await admin.client.delete(f"/api/v1/users/{member.id}")).status_code == 204

    assert await token_refused(member.client)


async def test_admin_creates_reads_and_deletes_a_user(people: PeopleFactory) -> None:
    admin = await people.admin()

    created = await admin.client.post(
        "/api/v1/users", json={"email": "new@example.com", "password": PASSWORD, "role": "viewer"}
    )
    user_id = created.json()["id"]

    assert created.status_code == 201
    assert (await admin.client.get(f"/api/v1/users/{user_id}")).json()["role"] == "viewer"
    duplicate = await admin.client.post(
        "/api/v1/users", json={"email": "NEW@example.com", "password": PASSWORD}
    )
    assert duplicate.status_code == 409
    assert (await admin.client.delete(f"/api/v1/users/{user_id}")).status_code == 204
    missing = await admin.client.get(f"/api/v1/users/{user_id}")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "user_not_found"


async def test_role_change_applies_to_issued_tokens_at_once(people: PeopleFactory) -> None:
    admin = await people.admin()
    member = await people.member()

    response = await admin.client.patch(f"/api/v1/users/{member.id}", json={"role": "viewer"})

    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    assert await token_refused(member.client)
    assert (await member.client.get("/api/v1/users/me")).json()["error_code"] == "session_revoked"
    again = await people.logged_in(member.id, member.email)
    assert (await again.client.get("/api/v1/users/me")).json()["role"] == "viewer"


async def test_the_last_admin_cannot_be_demoted_deactivated_or_deleted(people: PeopleFactory) -> None:
    admin = await people.admin()

    for change in ({"role": "member"}, {"is_active": False}):
        response = await admin.client.patch(f"/api/v1/users/{admin.id}", json=change)
        assert response.status_code == 409
        assert response.json()["error_code"] == "last_admin"
    assert (await admin.client.delete(f"/api/v1/users/{admin.id}")).json()["error_code"] == "last_admin"
    assert (await admin.client.get("/api/v1/users/me")).json()["role"] == "admin"


async def test_an_admin_can_be_demoted_while_another_remains(people: PeopleFactory) -> None:
    first = await people.admin()
    second = await people.admin("second@example.com")

    response = await first.client.patch(f"/api/v1/users/{second.id}", json={"role": "member"})

    assert response.status_code == 200
    assert (await first.client.patch(f"/api/v1/users/{first.id}", json={"role": "member"})).status_code == 409


async def test_unknown_user_and_invalid_changes(people: PeopleFactory) -> None:
    admin = await people.admin()

    assert (await admin.client.patch("/api/v1/users/9999", json={"role": "viewer"})).status_code == 404
    assert (await admin.client.delete("/api/v1/users/9999")).status_code == 404
    assert (await admin.client.patch(f"/api/v1/users/{admin.id}", json={"role": "root"})).status_code == 422
    assert (await admin.client.patch(f"/api/v1/users/{admin.id}", json={"email": "x@y.z"})).status_code == 422
