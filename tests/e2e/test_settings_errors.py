"""Bad settings, as an operator meets them: every command says which, in one line each,
without a traceback and without repeating a value (the secrets among them)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.processes import keel, keel_env
from tests.smtp import free_port

SMTP_PASSWORD = "smtpPass123"
DATABASE_PASSWORD = "dbPass456"
SHORT_SECRET = "tooShort1"

COMMANDS = [
    ("serve", "--port", str(free_port())),
    # <part:worker>
    ("worker",),
    # </part:worker>
    ("migrate",),
    ("create-admin", "--email", "root@example.com"),
]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return keel_env(
        f"sqlite+aiosqlite:///{tmp_path / 'keel.db'}",
        secret_key=SHORT_SECRET,
        smtp_password=SMTP_PASSWORD,
        smtp_port="not-a-port",
        cors_origins="*",
        # <part:worker>
        broker_url="amqp://guest:guest@127.0.0.1:5672/",  # the worker needs one to get as far
        # </part:worker>
        admin_password="an admin passphrase",
    )


def assert_reported(result: subprocess.CompletedProcess[str], *variables: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    for secret in (SMTP_PASSWORD, DATABASE_PASSWORD, SHORT_SECRET):
        assert secret not in output
    problems = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert [line.split(":")[0].split()[0] for line in problems] == list(variables), result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_every_command_names_each_bad_setting_and_no_secret(
    env: dict[str, str], command: tuple[str, ...]
) -> None:
    result = keel(*command, env=env)

    assert_reported(result, "KEEL_SECRET_KEY", "KEEL_SMTP_PORT", "KEEL_CORS_ORIGINS")


def test_a_database_url_that_does_not_parse_is_not_quoted(env: dict[str, str]) -> None:
    # SQLAlchemy's own error quoted the URL, and the password in it.
    env = {
        **env,
        "KEEL_SECRET_KEY": "s" * 48,
        "KEEL_SMTP_PORT": "587",
        "KEEL_CORS_ORIGINS": "",
        "KEEL_DATABASE_URL": f"postgresql+asyncpg://keel:{DATABASE_PASSWORD}@db:port/keel",
    }

    result = keel("migrate", env=env)

    assert_reported(result, "KEEL_DATABASE_URL")


def test_uvicorn_loading_the_factory_reports_the_same_way(env: dict[str, str]) -> None:
    uvicorn = shutil.which("uvicorn")
    assert uvicorn, "uvicorn is installed with the project"

    result = subprocess.run(  # noqa: S603 - fixed arguments
        [uvicorn, "app.main:create_app", "--factory", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert_reported(result, "KEEL_SECRET_KEY", "KEEL_SMTP_PORT", "KEEL_CORS_ORIGINS")
