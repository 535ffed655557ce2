"""The admin panel is no FastAPI route, and its forms and searches reach the same tables as the
API: what no database can store is refused there too (tests/integration/test_unstorable_input.py),
and what is no id is a 404."""

import pytest
from httpx import AsyncClient

from tests.fixtures.accounts import PASSWORD, PeopleFactory, Person
from tests.installed import installed
from tests.integration.test_unstorable_input import UTF7_MULTIPART, utf7_login
from tests.unstorable import NUL


@pytest.fixture
async def admin(people: PeopleFactory) -> Person:
    return await people.admin()


async def test_the_admin_panel_refuses_nul_too(people: PeopleFactory, admin: Person) -> None:
    panel = people.new_client()
    login = await panel.post("/admin/login", data={"username": f"{admin.email}{NUL}", "password": PASSWORD})
    assert (
        await panel.post("/admin/login", data={"username": admin.email, "password": PASSWORD})
    ).status_code == 302

    search = await panel.get("/admin/user/list", params={"search": f"a{NUL}"})
    details = await panel.get("/admin/user/details/1%00")

    assert [login.status_code, search.status_code, details.status_code] == [422, 422, 422]


VIEWS = (
    "user",
    "profile",
    "auth-session",
    "job",
    *(("todo", "tag") if installed("todos") else ()),
    *(("audit-record",) if installed("containers") else ()),
)


@pytest.mark.parametrize("pk", ["abc", str(2**31), str(2**70), "0", "١"])
async def test_the_admin_panel_answers_404_for_what_is_no_id(
    people: PeopleFactory, admin: Person, pk: str
) -> None:
    panel = people.new_client()
    assert (
        await panel.post("/admin/login", data={"username": admin.email, "password": PASSWORD})
    ).status_code == 302

    details = [(await panel.get(f"/admin/{view}/details/{pk}")).status_code for view in VIEWS]
    edit = await panel.get(f"/admin/user/edit/{pk}")
    revoke = await panel.get("/admin/auth-session/action/revoke", params={"pks": pk})
    delete = await panel.delete("/admin/user/delete", params={"pks": pk})

    assert details == [404] * len(VIEWS)
    assert [(await panel.get(f"/admin/{view}/list")).status_code for view in VIEWS] == [200] * len(VIEWS)
    assert (edit.status_code, revoke.status_code, delete.status_code) == (404, 404, 404)


@pytest.mark.parametrize("encoded", ["a+AAA-b@example.com", "a+2AA-b@example.com"])  # UTF-7: NUL, U+D800
async def test_a_multipart_charset_cannot_smuggle_unstorable_text_into_the_login(
    client: AsyncClient, encoded: str
) -> None:
    response = await client.post(
        "/admin/login", content=utf7_login(encoded), headers={"Content-Type": UTF7_MULTIPART}
    )

    assert response.status_code == 422  # the panel answers people with its own page
    assert "keel_admin" not in response.headers.get("set-cookie", "")
