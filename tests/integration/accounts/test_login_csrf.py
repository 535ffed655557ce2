"""Login CSRF: no page of another site may get the login cookies set, and every body is
read only as the content type its operation declares."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PASSWORD, register
from tests.fixtures.platform import http_client, make_settings, started

CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}
PUBLIC_URL = "https://keel.example"
PARTNER = "https://app.partner.example"
CROSS_SITE_HEADERS = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame
    {"Origin": "https://keel.example.evil.example"},
    {"Origin": "http://keel.example"},  # same host, another scheme: another origin
    {"Origin": "https://keel.example:99999"},  # not even a URL
    {"Origin": "https://user-content.keel.example", "Sec-Fetch-Site": "same-site"},
]
SAME_SITE_HEADERS = [
    {},  # not a browser: no cookie jar of a victim
    {"Origin": PUBLIC_URL, "Sec-Fetch-Site": "same-origin"},
    {"Origin": "HTTPS://Keel.Example:443"},
    {"Origin": PARTNER, "Sec-Fetch-Site": "cross-site"},  # a front end KEEL_CORS_ORIGINS trusts
    {"Origin": "https://test"},  # the origin the request was sent to
]


@pytest.fixture
async def site(database_url: str) -> AsyncIterator[AsyncClient]:
    settings = make_settings(database_url, public_url=PUBLIC_URL + "/", cors_origins=[PARTNER])
    async with started(create_app(settings)) as app, http_client(app) as client:
        await register(client, CREDENTIALS["email"])
        yield client
        await empty_app_tables(app)


def cookie_names(response: Response) -> set[str]:
    return {header.split("=", 1)[0] for header in response.headers.get_list("set-cookie")}


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
async def test_a_login_from_another_site_is_refused_and_sets_no_cookie(
    site: AsyncClient, headers: dict[str, str]
) -> None:
    response = await site.post("/api/v1/auth/login", json=CREDENTIALS, headers=headers)

    assert response.status_code == 403
    assert response.json()["error_code"] == "cross_site_request"
    assert cookie_names(response) == set()


@pytest.mark.parametrize("headers", SAME_SITE_HEADERS)
async def test_a_login_from_our_own_pages_or_a_cors_origin_or_no_browser_passes(
    site: AsyncClient, headers: dict[str, str]
) -> None:
    response = await site.post("/api/v1/auth/login", json=CREDENTIALS, headers=headers)

    assert response.status_code == 200
    assert {"access_token", "refresh_token", "csrf_token"} <= cookie_names(response)


async def test_a_refresh_from_another_site_is_refused_and_spends_nothing(site: AsyncClient) -> None:
    await site.post("/api/v1/auth/login", json=CREDENTIALS)
    cookie_refresh = {"X-CSRF-Token": site.cookies["csrf_token"]}

    forged = await site.post(
        "/api/v1/auth/refresh", headers={**cookie_refresh, "Origin": "https://evil.example"}
    )
    own = await site.post("/api/v1/auth/refresh", headers={**cookie_refresh, "Origin": PUBLIC_URL})

    assert forged.status_code == 403
    assert forged.json()["error_code"] == "cross_site_request"
    assert own.status_code == 200  # the refresh token was not spent by the refused request


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", json.dumps(CREDENTIALS)),  # what a cross-site <form enctype=text/plain> posts
        ("application/x-www-form-urlencoded", f"email=ada%40example.com&password={PASSWORD}"),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, json.dumps(CREDENTIALS)),
    ],
)
async def test_login_reads_json_only(site: AsyncClient, content_type: str | None, content: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = await site.post("/api/v1/auth/login", content=content, headers=headers)

    assert response.status_code == 415
    assert response.json()["error_code"] == "unsupported_media_type"
    assert response.json()["details"] == {"expected": ["application/json"]}
    assert cookie_names(response) == set()


async def test_the_oauth2_form_operation_reads_forms_only(site: AsyncClient) -> None:
    as_json = await site.post(
        "/api/v1/auth/token", json={"username": CREDENTIALS["email"], "password": PASSWORD}
    )
    as_text = await site.post(
        "/api/v1/auth/token",
        content=f"username=ada%40example.com&password={PASSWORD}",
        headers={"Content-Type": "text/plain"},
    )

    assert as_json.status_code == as_text.status_code == 415
    assert as_json.json()["error_code"] == "unsupported_media_type"


def json_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


async def test_every_json_operation_refuses_a_text_plain_body(app: FastAPI, client: AsyncClient) -> None:
    """The category: a browser may post text/plain cross-site with no preflight, to any route."""
    operations = json_operations((await client.get("/openapi.json")).json())
    assert ("POST", "/api/v1/auth/login") in operations
    assert len(operations) > 10

    answers = {
        (method, path): await client.request(
            method,
            path.replace("{", "").replace("}", "").replace("_id", "").replace("id", "1"),
            content=b"{}",
            headers={"Content-Type": "text/plain"},
        )
        for method, path in operations
    }

    refused = {operation: answer.status_code for operation, answer in answers.items()}
    assert set(refused.values()) == {415}, refused
