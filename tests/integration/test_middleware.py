from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app.core.config import SERVICE_TITLE
from app.main import create_app
from app.middleware.platform import PlatformMiddleware
from tests.fixtures.platform import http_client, make_settings, started
from tests.integration import throwaway


async def test_security_headers_are_on_every_response(client: AsyncClient) -> None:
    for response in (await client.get("/health/live"), await client.get("/missing")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


async def test_hsts_only_over_https(client: AsyncClient) -> None:
    plain = await client.get("http://test/health/live")
    secure = await client.get("https://test/health/live")

    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_large_bodies_are_gzipped(client: AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert response.json()["info"]["title"] == SERVICE_TITLE


async def test_small_bodies_are_not_gzipped(client: AsyncClient) -> None:
    response = await client.get("/health/live", headers={"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in response.headers


@pytest.fixture
async def cors_client(database_url: str) -> AsyncIterator[AsyncClient]:
    app = create_app(make_settings(database_url, cors_origins="https://app.example, https://admin.example"))
    async with started(app), http_client(app) as http:
        yield http


async def test_cors_allows_configured_origins(cors_client: AsyncClient) -> None:
    response = await cors_client.options(
        "/health/live",
        headers={"Origin": "https://admin.example", "Access-Control-Request-Method": "GET"},
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_cors_refuses_other_origins(cors_client: AsyncClient) -> None:
    response = await cors_client.get("/health/live", headers={"Origin": "https://evil.example"})

    assert "Access-Control-Allow-Origin" not in response.headers


async def test_no_cors_headers_without_configured_origins(client: AsyncClient) -> None:
    response = await client.get("/health/live", headers={"Origin": "https://app.example"})

    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_platform_is_one_layer_around_starlettes_cors_and_gzip(database_url: str) -> None:
    """Each layer costs every request a call and closures; the platform's steps run in one."""
    app = create_app(make_settings(database_url, cors_origins="https://app.example"))

    assert [layer.cls for layer in app.user_middleware] == [
        PlatformMiddleware,
        CORSMiddleware,
        GZipMiddleware,
    ]


@pytest.fixture
async def cors_app(database_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(database_url, cors_origins="https://app.example"))
    async with started(app):
        throwaway.install(app)
        yield app


async def test_the_platforms_own_answers_carry_cors_headers(cors_app: FastAPI) -> None:
    """A 500 or a 431 is made by the platform layer, outside CORS: it passes it through CORS,
    so that the page that asked can read it."""
    origin = {"Origin": "https://app.example"}
    many_fields = {f"x-field-{n}": "1" for n in range(cors_app.state.runtime.settings.max_header_count)}
    async with http_client(cors_app) as http:
        unhandled = await http.get("/throwaway/boom", headers=origin)
        too_large = await http.get("/health/live", headers={**origin, **many_fields})
        unstorable = await http.get("/health/live?q=%00", headers=origin)

    for response, status in ((unhandled, 500), (too_large, 431), (unstorable, 422)):
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert response.headers["X-Request-ID"] == response.json()["request_id"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
