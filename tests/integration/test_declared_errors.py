"""What every operation really answers over HTTP is among the errors its OpenAPI declares:
to strangers, members and admins, to empty, valid, unreadable, oversized and mistyped bodies,
while the server sheds load, and while the database or Redis is down (the containers' answers
while the Docker engine is down: tests/integration/containers/test_declared_errors.py).

Only the document is trusted here (`/openapi.json`), as a client would read it.
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.fixtures.platform import http_client
from tests.integration import test_outages as outages
from tests.integration.test_load_shedding import every_request_slot_held, small_app
from tests.proxy import TcpProxy

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


def outcome(response: Response) -> tuple[int, str | None]:
    return response.status_code, response.json()["error_code"] if response.status_code >= 400 else None


async def probe(client: AsyncClient, operation: Operation, **request: Any) -> Response:
    method, path, op = operation
    if "requestBody" in op and not request:
        request = {"json": {}}
    response = await client.request(method, url_of(path), **request)
    client.cookies.clear()  # a login probe does not make the caller someone else
    return response


def bodies(schema: dict[str, Any], operation: Operation) -> list[dict[str, Any]]:
    """Requests to try: none, or for an operation with a JSON body an empty one and one built
    from its schema (which passes validation where a plain value fits), to reach its service."""
    body = operation[2].get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return [{}]
    return [{"json": {}}, {"json": sample(schema, body["schema"])}]


def sample(schema: dict[str, Any], node: dict[str, Any], name: str = "") -> Any:
    """A value of the JSON schema `node`: required fields only, the plainest value of each."""
    if "$ref" in node:
        return sample(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]], name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return sample(schema, next(n for n in node[key] if n.get("type") != "null"), name)
    if "enum" in node or "const" in node:
        return node.get("const", (node.get("enum") or [None])[0])
    kind = node.get("type")
    if kind == "object":
        required = node.get("required", [])
        return {
            key: sample(schema, value, key)
            for key, value in node.get("properties", {}).items()
            if key in required
        }
    if kind == "array":
        return [sample(schema, node.get("items", {}), name) for _ in range(node.get("minItems", 0))]
    if kind in ("integer", "number"):
        return node.get("minimum", 1)
    if kind == "boolean":
        return False
    if node.get("format") == "email":
        return "probe@example.com"
    if "password" in name:
        return PASSWORD
    return "x" * max(node.get("minLength", 1), 1)


async def probe_every_operation(
    schema: dict[str, Any], callers: dict[str, AsyncClient], situation: str, *, paths: str = ""
) -> tuple[list[str], set[tuple[int, str | None]]]:
    """Every operation (whose path matches `paths`), by every caller, with every body of
    `bodies`: the undeclared answers, and all that was answered."""
    failures: list[str] = []
    answered: set[tuple[int, str | None]] = set()
    for operation in operations_of(schema):
        if not re.match(paths, operation[1]):
            continue
        for who, caller in callers.items():
            for request in bodies(schema, operation):
                response = await probe(caller, operation, **request)
                answered.add(outcome(response))
                failure = undeclared(operation, response, f"{situation}, {who}")
                if failure:
                    failures.append(failure)
    return failures, answered


async def test_answers_to_strangers_and_to_bad_bodies_are_declared(app: FastAPI, client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    limit = app.state.runtime.settings.max_body_bytes
    bad_bodies = {
        "not JSON": {"content": b"{", "headers": {"Content-Type": "application/json"}},
        "not UTF-8": {"content": b'{"a": "\xff"}', "headers": {"Content-Type": "application/json"}},
        "text/plain": {"content": b"hello", "headers": {"Content-Type": "text/plain"}},
        "too large": {"content": b"x" * (limit + 1), "headers": {"Content-Type": "application/json"}},
    }
    failures, answered = await probe_every_operation(schema, {"stranger": client}, "stranger")
    for operation in operations_of(schema):
        if "requestBody" in operation[2]:
            for name, request in bad_bodies.items():
                response = await probe(client, operation, **request)
                answered.add(outcome(response))
                failures += filter(None, [undeclared(operation, response, name)])

    assert not failures, "\n".join(sorted(set(failures)))
    statuses = {status for status, _ in answered}
    assert {400, 401, 413, 422} <= statuses  # the probes reached what they were meant to


@pytest.mark.parametrize("role", ["member", "admin"])
async def test_answers_to_members_and_admins_are_declared(
    app: FastAPI, client: AsyncClient, role: str
) -> None:
    schema = (await client.get("/openapi.json")).json()
    people = PeopleFactory(app)
    failures: list[str] = []
    answered = set()
    try:
        for number, operation in enumerate(operations_of(schema)):
            for attempt, request in enumerate(bodies(schema, operation)):
                # Someone new each time: an operation may end the session or delete the account.
                email = f"{role}{number}.{attempt}@example.com"
                person = await (people.admin(email) if role == "admin" else people.member(email))
                response = await probe(person.client, operation, **request)
                answered.add(response.status_code)
                failures += filter(None, [undeclared(operation, response, role)])
    finally:
        await people.close()

    assert not failures, "\n".join(sorted(set(failures)))
    assert {200, 201, 204, 404, 422} <= answered  # valid bodies reached the services


async def test_answers_while_shedding_load_are_declared(small_app: FastAPI) -> None:
    async with http_client(small_app) as client:
        schema = (await client.get("/openapi.json")).json()
    people = PeopleFactory(small_app)
    member = await people.member()
    async with every_request_slot_held(small_app, member.client), http_client(small_app) as client:
        failures, answered = await probe_every_operation(schema, {"stranger": client}, "busy")
    await people.close()

    assert not failures, "\n".join(sorted(set(failures)))
    assert (503, "server_busy") in answered


async def probe_with_the_server_cut(
    app: FastAPI, people: PeopleFactory, proxy: TcpProxy, server: str
) -> None:
    admin = await people.admin()
    member = await people.member()
    async with http_client(app) as client:
        schema = (await client.get("/openapi.json")).json()
        await proxy.cut()
        callers = {"stranger": client, "member": member.client, "admin": admin.client}
        failures, answered = await probe_every_operation(schema, callers, f"{server} down")
        await proxy.restore()

    assert not failures, "\n".join(sorted(set(failures)))
    assert (503, f"{server}_unavailable") in answered


async def test_answers_while_the_database_is_down_are_declared() -> None:
    async with outages.keel_on_a_cuttable_database() as (app, people, proxy):
        await probe_with_the_server_cut(app, people, proxy, "database")


# <part:redis>
async def test_answers_while_redis_is_down_are_declared(database_url: str, redis_url: str) -> None:
    async with outages.keel_on_a_cuttable_redis(database_url, redis_url) as (app, people, proxy):
        await probe_with_the_server_cut(app, people, proxy, "cache")


# </part:redis>
