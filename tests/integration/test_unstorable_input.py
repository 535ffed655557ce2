"""Input that no database can store, or that overflows on its way there, is a 422
`validation_error` naming where it was, on SQLite and on PostgreSQL alike; never a 500.

PostgreSQL refuses NUL in text (asyncpg's `CharacterNotInRepertoireError`); neither driver can
encode a lone UTF-16 surrogate, which a JSON `"\\ud800"` decodes to; a datetime at the edge of
the calendar overflows when converted to UTC. The todos' and the containers' fields have
tests of their own, in their folders.
"""

import json

import pytest
from httpx import AsyncClient

from tests.fixtures.accounts import PASSWORD, PeopleFactory, Person
from tests.unstorable import NUL, SURROGATE, assert_refused, send


@pytest.fixture
async def member(people: PeopleFactory) -> Person:
    return await people.member()


@pytest.fixture
async def admin(people: PeopleFactory) -> Person:
    return await people.admin()


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
class TestText:
    async def test_profile_fields(self, member: Person, bad: str) -> None:
        for field in ("display_name", "bio"):
            response = await send(member.client, "PUT", "/api/v1/users/me/profile", {field: f"me{bad}"})

            assert_refused(response, "body", field)
        profile = (await member.client.get("/api/v1/users/me/profile")).json()
        assert profile["display_name"] is None
        assert profile["bio"] is None

    async def test_passwords(self, client: AsyncClient, member: Person, bad: str) -> None:
        registered = await send(
            client,
            "POST",
            "/api/v1/auth/register",
            {"email": "new@example.com", "password": f"{PASSWORD}{bad}"},
        )
        logged_in = await send(
            client, "POST", "/api/v1/auth/login", {"email": member.email, "password": f"{PASSWORD}{bad}"}
        )
        changed = await send(
            member.client,
            "POST",
            "/api/v1/users/me/password",
            {"current_password": PASSWORD, "new_password": f"{PASSWORD}{bad}"},
        )

        assert_refused(registered, "body", "password")
        assert_refused(logged_in, "body", "password")
        assert_refused(changed, "body", "new_password")

    async def test_nested_values_and_keys(self, client: AsyncClient, bad: str) -> None:
        response = await send(
            client,
            "POST",
            "/api/v1/auth/register",
            {"email": "new@example.com", "password": PASSWORD, "tags": [1], f"k{bad}": 1},
        )

        assert_refused(response, "body", "k\ufffd")  # the name as JSON can carry it back


@pytest.mark.parametrize(
    ("who", "path", "name"),
    [
        ("member", "/api/v1/jobs?kind=", "kind"),
        ("admin", "/api/v1/users?q=", "q"),
    ],
)
async def test_nul_in_a_query_filter(member: Person, admin: Person, who: str, path: str, name: str) -> None:
    caller = member if who == "member" else admin

    response = await caller.client.get(f"{path}a%00b")

    assert_refused(response, "query", name)


async def test_the_login_form_refuses_nul(client: AsyncClient, member: Person) -> None:
    urlencoded = await client.post(
        "/api/v1/auth/login", data={"username": f"{member.email}{NUL}", "password": PASSWORD}
    )
    multipart = await client.post(
        "/api/v1/auth/login",
        data={"username": member.email, "password": f"{PASSWORD}{NUL}"},
        files={"unused": ("f.bin", b"\x00\x01 binary content is not text", "application/octet-stream")},
    )

    assert_refused(urlencoded, "body", "username")
    assert_refused(multipart, "body", "password")


async def test_surrogates_the_json_parser_lets_through_raw(client: AsyncClient) -> None:
    """Python's JSON parser reads UTF-8-encoded surrogates and UTF-16 bodies too."""
    account = json.dumps({"email": "new@example.com", "password": PASSWORD})[:-1]  # without its "}"
    encoded_surrogate = f'{account}, "display_name": "'.encode() + b'\xed\xa0\x80"}'
    utf16 = f'{account}, "display_name": "a\ud800"}}'.encode("utf-16-le", "surrogatepass")

    for content in (encoded_surrogate, utf16):
        response = await client.post(
            "/api/v1/auth/register", content=content, headers={"Content-Type": "application/json"}
        )

        assert_refused(response, "body", "display_name")


async def test_ordinary_text_still_passes(member: Person) -> None:
    """Escapes that decode to storable text, and a literal backslash-u, are not refused."""
    body = '{"display_name": "caf\\u00e9 \\ud83d\\ude00 \\\\u0000", "bio": "\\u043f\\u0440\\u0438"}'

    response = await member.client.put(
        "/api/v1/users/me/profile", content=body.encode(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == "café 😀 \\u0000"
    assert response.json()["bio"] == "при"


@pytest.mark.parametrize("encoded", ["a+AAA-b@example.com", "a+2AA-b@example.com"])  # UTF-7: NUL, U+D800
async def test_a_multipart_charset_cannot_smuggle_unstorable_text(client: AsyncClient, encoded: str) -> None:
    """Starlette decodes multipart fields in the body's charset: UTF-7 makes a NUL or a
    surrogate without a NUL byte on the wire (the admin panel's login: tests/integration/admin)."""
    response = await client.post(
        "/api/v1/auth/token", content=utf7_login(encoded), headers={"Content-Type": UTF7_MULTIPART}
    )

    assert_refused(response, "body", "username")


UTF7_MULTIPART = "multipart/form-data; boundary=XX; charset=utf-7"


def utf7_login(encoded_username: str) -> bytes:
    return (
        f'--XX\r\nContent-Disposition: form-data; name="username"\r\n\r\n{encoded_username}\r\n'
        f'--XX\r\nContent-Disposition: form-data; name="password"\r\n\r\n{PASSWORD}\r\n--XX--\r\n'
    ).encode()
