from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from app.core.config import SERVICE_TITLE
from app.main import create_app
from tests.fixtures.platform import http_client, make_settings, started


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
