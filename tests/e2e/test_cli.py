"""The `keel` command, run as an operator would: a real process, a real port on loopback."""

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import KEEL, keel, keel_env, serving
from tests.smtp import free_port


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return keel_env(f"sqlite+aiosqlite:///{tmp_path / 'keel.db'}")


def test_migrate_upgrades_a_new_database(env: dict[str, str], tmp_path: Path) -> None:
    result = keel("migrate", env=env)
    again = keel("migrate", env=env)

    assert result.returncode == 0, result.stderr
    assert "database at the latest revisions: applied " in result.stdout  # says what it did
    assert (tmp_path / "keel.db").is_file()
    assert "database at the latest revisions: nothing to apply" in again.stdout


def test_production_refuses_to_start_with_the_default_secret(env: dict[str, str]) -> None:
    env = {**env, "KEEL_ENV": "production"}
    del env["KEEL_SECRET_KEY"]

    result = keel("serve", "--port", str(free_port()), env=env)

    assert result.returncode != 0
    assert "KEEL_SECRET_KEY" in result.stderr


@pytest.fixture
def server(env: dict[str, str]) -> Iterator[str]:
    assert keel("migrate", env=env).returncode == 0
    with serving(env) as base_url:
        yield base_url


def test_serve_answers_health_docs_and_errors_over_a_real_socket(server: str) -> None:
    ready = httpx.get(f"{server}/health/ready", timeout=5)
    docs = httpx.get(f"{server}/docs", timeout=5)
    missing = httpx.get(f"{server}/nope", headers={"Accept-Language": "ru"}, timeout=5)

    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["status"] == "ok"
    assert docs.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert missing.status_code == 404
    assert missing.json()["message"] == "По этому адресу ничего нет"
    assert missing.headers["X-Request-ID"] == missing.json()["request_id"]


def test_create_admin_is_idempotent_and_promotes(env: dict[str, str]) -> None:
    assert keel("migrate", env=env).returncode == 0
    with_password = {**env, "KEEL_ADMIN_PASSWORD": "an admin passphrase"}

    first = keel("create-admin", "--email", "Root@Example.com", env=with_password)
    second = keel(
        "create-admin",
        "--email",
        "root@example.com",
        env={**env, "KEEL_ADMIN_PASSWORD": "another passphrase"},
    )
    fullwidth = keel("create-admin", "--email", "ＲＯＯＴ@example.com", env=with_password)

    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    assert second.returncode == 0
    assert "unchanged" in second.stdout
    assert "an existing account keeps its own password" in second.stdout  # the new one was not used
    assert "admin root@example.com: unchanged" in fullwidth.stdout  # one account, however spelled


def test_create_admin_refuses_bad_input(env: dict[str, str]) -> None:
    assert keel("migrate", env=env).returncode == 0

    bad_email = keel(
        "create-admin", "--email", "not-an-email", env={**env, "KEEL_ADMIN_PASSWORD": "long enough"}
    )
    weak = keel("create-admin", "--email", "root@example.com", env={**env, "KEEL_ADMIN_PASSWORD": "short"})

    look_alike = keel(
        "create-admin", "--email", "r\u043eot@example.com", env={**env, "KEEL_ADMIN_PASSWORD": "long enough"}
    )  # Cyrillic о

    assert bad_email.returncode != 0
    assert look_alike.returncode != 0
    assert "must be ASCII" in look_alike.stderr
    assert weak.returncode == 1
    assert "password_rejected" in weak.stderr
    assert "8 to 128 characters" in weak.stderr  # what the rule is, not only its name


def test_create_admin_asks_for_the_password(env: dict[str, str]) -> None:
    assert keel("migrate", env=env).returncode == 0
    assert KEEL
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [KEEL, "create-admin", "--email", "root@example.com"],
        env=env,
        input="typed passphrase\ntyped passphrase\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        # No controlling terminal: getpass would read the prompt's answer from the terminal
        # that runs `make test`, not from this input.
        start_new_session=True,
    )

    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:5432/keel_no_such_database",
        "postgresql+asyncpg://postgres@127.0.0.1:1/keel",  # nothing listens
    ],
)
def test_migrate_says_in_one_line_why_it_cannot_reach_the_database(url: str) -> None:
    result = keel("migrate", env=keel_env(url))

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("refused: cannot reach the database: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_says_in_one_line_that_its_port_is_taken(env: dict[str, str]) -> None:
    assert keel("migrate", env=env).returncode == 0
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]

        result = keel("serve", "--port", str(port), env=env)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_reset_password_without_redis_is_refused_and_changes_nothing(env: dict[str, str]) -> None:
    assert keel("migrate", env=env).returncode == 0
    old = {**env, "KEEL_ADMIN_PASSWORD": "the first passphrase"}
    assert keel("create-admin", "--email", "root@example.com", env=old).returncode == 0

    reset = keel(
        "create-admin",
        "--email",
        "root@example.com",
        "--reset-password",
        env={**env, "KEEL_ADMIN_PASSWORD": "a new passphrase"},
    )
    again = keel("create-admin", "--email", "root@example.com", env=old)

    assert reset.returncode == 2
    assert reset.stderr.startswith("refused: --reset-password needs KEEL_REDIS_URL: ")
    assert "its own memory" in reset.stderr  # why: a running server would not see the revocation
    assert len(reset.stderr.strip().splitlines()) == 1
    assert "unchanged" in again.stdout


# <part:redis>
def test_reset_password_sets_it_and_ends_every_session_of_a_running_server(
    env: dict[str, str], redis_url: str
) -> None:
    env = {**env, "KEEL_REDIS_URL": redis_url}
    assert keel("migrate", env=env).returncode == 0
    old, new = "the first passphrase", "a new passphrase"
    assert (
        keel(
            "create-admin", "--email", "root@example.com", env={**env, "KEEL_ADMIN_PASSWORD": old}
        ).returncode
        == 0
    )
    with serving(env) as base_url:
        login = httpx.post(
            f"{base_url}/api/v1/auth/login", json={"email": "root@example.com", "password": old}
        )
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert httpx.get(f"{base_url}/api/v1/users/me", headers=bearer).status_code == 200

        reset = keel(
            "create-admin",
            "--email",
            "root@example.com",
            "--reset-password",
            env={**env, "KEEL_ADMIN_PASSWORD": new},
        )
        after = httpx.get(f"{base_url}/api/v1/users/me", headers=bearer)
        with_old = httpx.post(
            f"{base_url}/api/v1/auth/login", json={"email": "root@example.com", "password": old}
        )
        with_new = httpx.post(
            f"{base_url}/api/v1/auth/login", json={"email": "root@example.com", "password": new}
        )

    assert reset.returncode == 0, reset.stderr
    assert "admin root@example.com: password reset, every session ended" in reset.stdout
    assert after.status_code == 401  # the running server honours the revocation at once
    assert with_old.status_code == 401
    assert with_new.status_code == 200


# </part:redis>
