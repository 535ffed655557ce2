"""The admin panel in a real headless Chromium, against a real `keel serve` on loopback."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.processes import keel, keel_env, serving
from tests.fixtures.accounts import PASSWORD

ADMIN = "root@example.com"
MEMBER = "member@example.com"


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A development server (cookies without Secure, as over plain http) with an admin and a member."""
    database = tmp_path_factory.mktemp("panel") / "keel.db"
    env = keel_env(
        f"sqlite+aiosqlite:///{database}",
        env="development",
        admin_password=PASSWORD,
    )
    assert keel("migrate", env=env).returncode == 0
    assert keel("create-admin", "--email", ADMIN, env=env).returncode == 0
    with serving(env) as base_url:
        member = httpx.post(f"{base_url}/api/v1/auth/register", json={"email": MEMBER, "password": PASSWORD})
        assert member.status_code == 201, member.text
        yield base_url, int(member.json()["id"])


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/admin/login")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_an_admin_deactivates_a_member_and_sees_the_change(
    panel: tuple[str, int], browser: Browser, artifacts_dir: Path
) -> None:
    base_url, member_id = panel
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    log_in(page, base_url, ADMIN)
    page.wait_for_url(f"{base_url}/admin/")
    page.goto(f"{base_url}/admin/user/list")
    listed = page.inner_text("table")
    page.goto(f"{base_url}/admin/user/edit/{member_id}")
    page.uncheck("input[name=is_active]")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base_url}/admin/user/list")
    page.goto(f"{base_url}/admin/user/details/{member_id}")
    # The details page shows booleans as icons: a red cross for "no".
    is_active = page.locator("tr", has_text="is_active").inner_html()
    page.goto(f"{base_url}/admin/user/list")
    page.screenshot(path=str(artifacts_dir / "admin-users.png"), full_page=True)
    member_login = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": MEMBER, "password": PASSWORD})

    assert ADMIN in listed
    assert MEMBER in listed
    assert "fa-times" in is_active
    assert member_login.status_code == 401
    assert member_login.json()["error_code"] == "account_inactive"
    assert (artifacts_dir / "admin-users.png").stat().st_size > 10_000
    assert requested
    assert all(url.startswith(base_url) for url in requested), "the panel fetched something from elsewhere"


def test_a_member_is_refused_at_login(panel: tuple[str, int], browser: Browser) -> None:
    base_url, _ = panel
    page = browser.new_page()

    log_in(page, base_url, "someone@example.com")  # an unknown account first
    unknown = page.inner_text("body")
    httpx.post(f"{base_url}/api/v1/auth/register", json={"email": "other@example.com", "password": PASSWORD})
    log_in(page, base_url, "other@example.com")
    refused = page.inner_text("body")
    page.goto(f"{base_url}/admin/user/list")

    assert "Wrong e-mail or password" in unknown
    assert "This account may not use the admin panel." in refused
    assert page.url == f"{base_url}/admin/login"


def test_the_sessions_list_fits_a_1400_pixel_screen(
    panel: tuple[str, int], browser: Browser, artifacts_dir: Path
) -> None:
    base_url, _ = panel
    # A revoked session, so that every column of the list has something to show.
    login = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    httpx.post(f"{base_url}/api/v1/auth/logout", headers=bearer)
    page = browser.new_page(viewport={"width": 1400, "height": 900})

    log_in(page, base_url, ADMIN)
    page.wait_for_url(f"{base_url}/admin/")
    front = page.inner_text("body")
    page.goto(f"{base_url}/admin/auth-session/list")
    page.screenshot(path=str(artifacts_dir / "admin-sessions-1400.png"), full_page=True)
    wrapper = page.locator(".table-responsive").first
    overflow = wrapper.evaluate("element => element.scrollWidth - element.clientWidth")
    revoked = page.locator("th", has_text="revoked_at").first.bounding_box()
    listed = page.inner_text("table")

    assert ADMIN in front  # the front page's latest sign-ins
    assert overflow <= 0, f"the sessions table is {overflow} px wider than its frame"
    assert revoked is not None
    assert revoked["x"] + revoked["width"] <= 1400
    assert "logout" in listed  # the revoked session's reason, in its own column
    assert ADMIN in listed  # sessions are named by the user's e-mail
