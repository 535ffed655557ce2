"""`/docs` and `/redoc` in a real headless Chromium: they render from local assets, and
nothing they load comes from elsewhere (ReDoc's sidebar asks a CDN for its maker's logo)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Request

from tests.e2e.processes import keel, keel_env, serving


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = keel_env(f"sqlite+aiosqlite:///{tmp_path / 'keel.db'}")
    assert keel("migrate", env=env).returncode == 0
    with serving(env) as base_url:
        yield base_url


def test_the_api_docs_render_and_fetch_nothing_from_elsewhere(server: str, browser: Browser) -> None:
    page = browser.new_page()
    requested: list[Request] = []
    page.on("request", lambda request: requested.append(request))

    page.goto(f"{server}/redoc")
    page.get_by_text("/api/v1/users/me").first.wait_for()
    page.goto(f"{server}/docs")
    page.locator(".opblock").first.wait_for()
    swagger_operations = page.locator(".opblock").count()
    schema = page.request.get(f"{server}/openapi.json").json()

    assert swagger_operations == sum(len(item) for item in schema["paths"].values())
    elsewhere = [request for request in requested if not request.url.startswith((server, "blob:", "data:"))]
    # Asked for, but stopped by the page's own policy before any network: on a machine that is
    # offline, a request that went out would fail too, with another reason.
    assert [(request.url, request.failure) for request in elsewhere] == [
        (request.url, "csp") for request in elsewhere
    ]
