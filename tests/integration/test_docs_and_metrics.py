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


async def test_metrics_label_routes_by_their_full_template(client: AsyncClient) -> None:
    """Included routers' prefixes are part of the label, and parameters stay placeholders."""
    await client.get("/api/v1/users/12345")  # 401, but the route matched
    await client.get("/api/v1/jobs")
    await client.get("/health/live")
    # <part:admin>
    await client.get("/admin/login")  # a route of the mounted admin app
    # </part:admin>
    asset = ASSET_REFERENCE.findall((await client.get("/docs")).text)[0]
    await client.get(asset)  # a file of a mount without routes

    text = (await client.get("/metrics")).text

    def requests(handler: str, status: str) -> str:
        return f'http_requests_total{{handler="{handler}",method="GET",status="{status}"}} 1.0'

    assert requests("/api/v1/users/{user_id}", "4xx") in text
    assert requests("/api/v1/jobs", "4xx") in text
    assert requests("/health/live", "2xx") in text
    # <part:admin>
    assert requests("/admin/login", "2xx") in text
    # </part:admin>
    assert requests("/docs-assets", "2xx") in text
    assert 'http_request_duration_seconds_count{handler="/health/live",method="GET"} 1.0' in text
    assert "12345" not in text
    assert 'handler="/metrics"' not in text
