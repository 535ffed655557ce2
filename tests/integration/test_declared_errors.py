"""What every operation really answers over HTTP is among the errors its OpenAPI declares:
to strangers, members and admins, to unreadable, oversized and mistyped bodies, while the
server sheds load and while the database is down.

Only the document is trusted here (`/openapi.json`), as a client would read it.
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.conftest import http_client
from tests.integration.accounts.conftest import PeopleFactory
from tests.integration.test_load_shedding import every_request_slot_held, small_app
from tests.integration.test_outages import keel_on_a_cuttable_database

__all__ = ["small_app"]  # the load-shedding tests' fixture, shared

Operation = tuple[str, str, dict[str, Any]]  # method, path, its OpenAPI operation


def operations_of(schema: dict[str, Any]) -> list[Operation]:
    return [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]


def url_of(path: str) -> str:
    """The path with every parameter filled (an id that does not exist, or does not fit)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def undeclared(operation: Operation, response: Response, probe: str) -> str | None:
    """Why the answer is not declared, or None if it is (or is no error)."""
    method, path, op = operation
    if response.status_code < 400:
        return None
    declared = op["responses"].get(str(response.status_code), {})
    examples = declared.get("content", {}).get("application/json", {}).get("examples", {})
    code = response.json().get("error_code")
    if code not in examples or f"`{code}`" not in declared["description"]:
        return f"{probe}: {method.upper()} {path} answered {response.status_code} {code}, undeclared"
    return None


async def probe(client: AsyncClient, operation: Operation, **request: Any) -> Response:
    method, path, op = operation
    if "requestBody" in op and not request:
        request = {"json": {}}
    return await client.request(method, url_of(path), **request)


async def test_answers_to_strangers_and_to_bad_bodies_are_declared(app: FastAPI, client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    limit = app.state.settings.max_body_bytes
    bad_bodies = {
        "not JSON": {"content": b"{", "headers": {"Content-Type": "application/json"}},
        "not UTF-8": {"content": b'{"a": "\xff"}', "headers": {"Content-Type": "application/json"}},
        "text/plain": {"content": b"hello", "headers": {"Content-Type": "text/plain"}},
        "too large": {"content": b"x" * (limit + 1), "headers": {"Content-Type": "application/json"}},
    }
    failures = []
    answered: set[int] = set()
    for operation in operations_of(schema):
        response = await probe(client, operation)
        answered.add(response.status_code)
        failures.append(undeclared(operation, response, "stranger"))
        if "requestBody" in operation[2]:
            for name, request in bad_bodies.items():
                response = await probe(client, operation, **request)
                answered.add(response.status_code)
                failures.append(undeclared(operation, response, name))

    assert [failure for failure in failures if failure] == []
    assert {400, 401, 413, 422} <= answered  # the probes reached what they were meant to


@pytest.mark.parametrize("role", ["member", "admin"])
async def test_answers_to_members_and_admins_are_declared(
    app: FastAPI, client: AsyncClient, role: str
) -> None:
    schema = (await client.get("/openapi.json")).json()
    people = PeopleFactory(app)
    failures = []
    try:
        for number, operation in enumerate(operations_of(schema)):
            # Someone new each time: an operation may end the session or delete the account.
            email = f"{role}{number}@example.com"
            person = await (people.admin(email) if role == "admin" else people.member(email))
            failures.append(undeclared(operation, await probe(person.client, operation), role))
    finally:
        await people.close()

    assert [failure for failure in failures if failure] == []


async def test_answers_while_shedding_load_are_declared(small_app: FastAPI) -> None:
    async with http_client(small_app) as client:
        schema = (await client.get("/openapi.json")).json()
    people = PeopleFactory(small_app)
    member = await people.member()
    failures = []
    answered = set()
    async with every_request_slot_held(small_app, member.client), http_client(small_app) as client:
        for operation in operations_of(schema):
            response = await probe(client, operation)
            answered.add((response.status_code, response.json().get("error_code")))
            failures.append(undeclared(operation, response, "busy"))
    await people.close()

    assert [failure for failure in failures if failure] == []
    assert (503, "server_busy") in answered


async def test_answers_while_the_database_is_down_are_declared() -> None:
    async with keel_on_a_cuttable_database() as (app, people, proxy):
        admin = await people.admin()
        async with http_client(app) as client:
            schema = (await client.get("/openapi.json")).json()
            await proxy.cut()
            failures = []
            answered = set()
            for operation in operations_of(schema):
                for who, caller in (("stranger", client), ("admin", admin.client)):
                    response = await probe(caller, operation)
                    answered.add((response.status_code, response.json().get("error_code")))
                    failures.append(undeclared(operation, response, f"database down, {who}"))
            await proxy.restore()

    assert [failure for failure in failures if failure] == []
    assert (503, "database_unavailable") in answered
