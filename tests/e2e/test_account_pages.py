"""The links Keel mails, opened in a real headless Chromium against a real `keel serve`: the
page sets the new password or confirms the address, once."""

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.processes import keel, keel_env, serving
from tests.fixtures.accounts import PASSWORD

ADA = "ada@example.com"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A development server (plain http) with Ada's account; its base URL and its database."""
    database = tmp_path / "keel.db"
    env = keel_env(f"sqlite+aiosqlite:///{database}", env="development")
    assert keel("migrate", env=env).returncode == 0
    with serving(env) as base_url:
        assert httpx.post(
            f"{base_url}/api/v1/auth/register", json={"email": ADA, "password": PASSWORD}
        ).is_success
        yield base_url, database


def mailed_link(database: Path, base_url: str, subject: str) -> str:
    """The link in the newest message of that subject in the outbox, on this server's address."""
    deadline = time.monotonic() + 10
    while True:
        with sqlite3.connect(database) as connection:
            row = connection.execute(
                "SELECT body FROM outbox_messages WHERE subject = ? ORDER BY id DESC LIMIT 1", (subject,)
            ).fetchone()
        if row is not None:
            break
        assert time.monotonic() < deadline, f"no {subject!r} message was written"
        time.sleep(0.1)
    link = next(word for word in row[0].split() if "token=" in word)
    parts = urlsplit(link)
    return f"{base_url}{parts.path}?{parts.query}"


def opened(browser: Browser, link: str) -> tuple[Page, list[str]]:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(link)
    return page, requested


def test_the_reset_link_sets_the_new_password_once(server: tuple[str, Path], browser: Browser) -> None:
    base_url, database = server
    httpx.post(f"{base_url}/api/v1/auth/password-reset", json={"email": ADA})
    link = mailed_link(database, base_url, "Reset your password")

    page, requested = opened(browser, link)
    address_bar = page.url
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=again]", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#outcome.done")
    outcome = page.inner_text("#outcome")
    again, _ = opened(browser, link)
    again.fill("input[name=password]", NEW_PASSWORD)
    again.fill("input[name=again]", NEW_PASSWORD)
    again.click("button[type=submit]")
    again.wait_for_selector("#outcome.failed")
    login = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": ADA, "password": NEW_PASSWORD})

    assert "token=" not in address_bar  # the page took it out of the address bar and history
    assert outcome == "Your password is set. Log in with it."
    assert login.status_code == 200
    assert "link" in again.inner_text("#outcome")  # the API's own message: the token is spent
    assert all(url.startswith(base_url) for url in requested), "the page fetched something from elsewhere"


def test_differing_passwords_are_caught_before_the_token_is_spent(
    server: tuple[str, Path], browser: Browser
) -> None:
    base_url, database = server
    httpx.post(f"{base_url}/api/v1/auth/password-reset", json={"email": ADA})
    link = mailed_link(database, base_url, "Reset your password")

    page, _ = opened(browser, link)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=again]", "another passphrase")
    page.click("button[type=submit]")
    page.wait_for_selector("#outcome.failed")
    page.fill("input[name=again]", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#outcome.done")

    assert httpx.post(
        f"{base_url}/api/v1/auth/login", json={"email": ADA, "password": NEW_PASSWORD}
    ).is_success


def test_the_verification_link_confirms_the_address(server: tuple[str, Path], browser: Browser) -> None:
    base_url, database = server
    tokens = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": ADA, "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert httpx.post(f"{base_url}/api/v1/auth/verify-email", headers=bearer).status_code == 202
    link = mailed_link(database, base_url, "Confirm your e-mail address")

    page, _ = opened(browser, link)
    before = httpx.get(f"{base_url}/api/v1/users/me", headers=bearer).json()["is_verified"]
    page.click("button[type=submit]")
    page.wait_for_selector("#outcome.done")
    after = httpx.get(f"{base_url}/api/v1/users/me", headers=bearer).json()["is_verified"]

    assert before is False  # opening the link alone does nothing: mail scanners open links
    assert page.inner_text("#outcome") == "Your e-mail address is confirmed."
    assert after is True
