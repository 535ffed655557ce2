"""The pages the mailed links open are served by Keel itself, and keep their token to themselves."""

import pytest
from httpx import AsyncClient


@pytest.mark.parametrize("path", ["/reset-password?token=abc", "/verify-email?token=abc"])
async def test_a_mailed_link_opens_a_page_that_is_never_cached_nor_referred(
    client: AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'none'"
    assert 'src="/account-pages/account.js"' in response.text
    assert "abc" not in response.text  # the page reads the token in the browser, never echoes it


@pytest.mark.parametrize(
    ("asset", "media_type"), [("account.js", "text/javascript"), ("account.css", "text/css")]
)
async def test_the_pages_assets_are_local(client: AsyncClient, asset: str, media_type: str) -> None:
    response = await client.get(f"/account-pages/{asset}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
