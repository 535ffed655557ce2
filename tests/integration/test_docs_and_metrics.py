import re

import pytest
from httpx import AsyncClient

ASSET_REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:(]\s*['"]?([^'")\s>]+)""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_use_only_local_assets(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    references = ASSET_REFERENCE.findall(response.text)
    assert references, "the page should load scripts or styles"
    assert not [ref for ref in references if "://" in ref or ref.startswith("//")]
    for reference in references:
        if reference.startswith("/docs-assets/"):
            asset = await client.get(reference)
            assert asset.status_code == 200, reference
            assert len(asset.content) > 1000, reference


async def test_openapi_is_served(client: AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert "/health/ready" in response.json()["paths"]


async def test_metrics_count_requests_by_route(client: AsyncClient) -> None:
    await client.get("/openapi.json")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert re.search(
        r'http_requests_total\{handler="/openapi.json",method="GET",status="2xx"\} [1-9]', response.text
    )
    assert "http_request_duration_seconds_bucket" in response.text


async def test_unmatched_paths_share_one_label(client: AsyncClient) -> None:
    """Label values come from route templates, never raw paths: scanners cannot blow up the series."""
    for n in range(3):
        await client.get(f"/no-such-page-{n}")

    text = (await client.get("/metrics")).text

    assert re.search(r'http_requests_total\{handler="none",method="GET",status="4xx"\} 3\.0', text)
    assert "no-such-page" not in text
