"""The response headers OpenAPI declares are the ones real responses carry: for a sample of
operations, each required header declared is sent, and each of Keel's headers sent is declared
(app/web/response_headers.py derives them)."""

import re
from typing import Any

import httpx
from fastapi import FastAPI

from app.web.response_headers import HEADERS
from tests.fixtures.accounts import PASSWORD, PeopleFactory
from tests.installed import requires_domain


def declared_headers(document: dict[str, Any], response: httpx.Response) -> dict[str, dict[str, Any]]:
    path, method = response.request.url.path, response.request.method.lower()
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if method in item and re.match(pattern, path):
            entry = item[method]["responses"][str(response.status_code)]
            return dict(entry.get("headers", {}))
    raise AssertionError(f"{method} {path} is not in the document")


def mismatches(document: dict[str, Any], response: httpx.Response) -> list[str]:
    declared = declared_headers(document, response)
    sent = {name.lower() for name in response.headers}
    where = f"{response.request.method} {response.request.url.path} {response.status_code}"
    missing = [name for name, entry in declared.items() if entry["required"] and name.lower() not in sent]
    undeclared = [name for name in HEADERS if name.lower() in sent and name not in declared]
    return [f"{where}: {name} declared, not sent" for name in missing] + [
        f"{where}: {name} sent, not declared" for name in undeclared
    ]


@requires_domain("todos")
async def test_declared_headers_are_the_headers_sent(app: FastAPI, people: PeopleFactory) -> None:
    document = app.openapi()
    anonymous = people.new_client()
    registered = await anonymous.post(
        "/api/v1/auth/register", json={"email": "someone@example.com", "password": PASSWORD}
    )
    ann = await people.member()
    idempotent = {"Idempotency-Key": "headers-1"}

    tag = await ann.client.post("/api/v1/tags", json={"name": "work"}, headers=idempotent)
    responses = [
        registered,
        tag,
        await ann.client.post("/api/v1/tags", json={"name": "work"}, headers=idempotent),  # replayed
        created := await ann.client.post("/api/v1/todos", json={"title": "a", "tag_ids": [tag.json()["id"]]}),
    ]
    item = created.headers["Location"]
    first = await ann.client.get(item)
    responses += [
        first,
        await ann.client.put(item, json={"completed": True}, headers={"If-Match": first.headers["ETag"]}),
        await ann.client.put(item, json={"completed": False}, headers={"If-Match": first.headers["ETag"]}),
        await ann.client.get("/api/v1/todos"),
        await ann.client.get("/api/v2/todos", params={"sort": "title", "order": "asc"}),
        await ann.client.get(item.replace("/v1/", "/v2/")),
        await ann.client.get("/api/v1/todos/999999"),
        await ann.client.get("/api/v1/users/me"),
        await ann.client.post("/api/v1/todos", json={}),
        await ann.client.delete(item),
        await anonymous.get("/health/live"),
        await anonymous.get("/api/v1/users/me"),
    ]
    sent = responses

    assert [response.status_code for response in sent[:4]] == [201, 201, 201, 201]
    assert sent[2].headers["Idempotent-Replayed"] == "true"
    assert sent[0].headers["Location"] == "/api/v1/users/me"
    assert {response.status_code for response in sent} >= {200, 201, 204, 401, 404, 412, 422}
    assert [problem for response in sent for problem in mismatches(document, response)] == []
