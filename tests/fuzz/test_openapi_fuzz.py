"""Schemathesis over the whole OpenAPI schema, against a real `keel serve` on SQLite and on
PostgreSQL, as a member and as an admin: no 5xx, every response matches its documented schema,
no undocumented status. The hooks (tests/fuzz/hooks.py) add text that one database or the
other refuses.

`.ci/run` runs a bounded number of examples per operation; `make fuzz` runs many more
(`KEEL_FUZZ_EXAMPLES`).
"""

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import postgres_database
from tests.e2e.processes import keel, keel_env, serving
from tests.fixtures.accounts import PASSWORD
from tests.fixtures.platform import postgres_server_url
from tests.installed import installed

EXAMPLES = int(os.environ.get("KEEL_FUZZ_EXAMPLES", "25"))
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Operations that would end the fuzzer's own session or account midway; tested elsewhere.
SELF_DESTRUCTIVE = r"^/api/v1/auth/logout|^/api/v1/users/me/password$|^/api/v1/users/me$"
ADMIN = "root@example.com"
MEMBER = "member@example.com"
FUZZ_INSTANCE = "keelfuzz"
HOOKS = Path(__file__).with_name("hooks.py")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def fuzzed_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty database of each kind; `keel migrate` makes its tables."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'keel.db'}"
        return
    async with postgres_database(postgres_server_url()) as url:
        yield url


@pytest.fixture(scope="module")
def server(fuzzed_database: str) -> Iterator[str]:
    env = keel_env(
        fuzzed_database,
        login_rate_limit_per_account="100000/minute",
        login_rate_limit_per_address="100000/minute",
        register_rate_limit_per_address="100000/minute",
        access_log="false",
        admin_password=PASSWORD,
        **engine_settings(),
    )
    assert keel("migrate", env=env).returncode == 0
    assert keel("create-admin", "--email", ADMIN, env=env).returncode == 0
    with serving(env) as base_url:
        httpx.post(f"{base_url}/api/v1/auth/register", json={"email": MEMBER, "password": PASSWORD})
        yield base_url
    if installed("containers"):
        asyncio.run(remove_fuzzed_containers(env["KEEL_DOCKER_URL"]))


def engine_settings() -> dict[str, str]:
    """With the containers domain: the engine of its tests when it runs (503 docker_unavailable
    otherwise), and only the local registry's images, so nothing is pulled from outside."""
    if not installed("containers"):
        return {}
    from tests.fixtures.containers import ALLOWED_IMAGES, LOCAL_SOCKET  # goes with the domain

    return {
        "docker_url": os.environ.get("KEEL_TEST_DOCKER_URL", LOCAL_SOCKET),
        "containers_instance": FUZZ_INSTANCE,
        "containers_allowed_images": json.dumps(ALLOWED_IMAGES),
        "containers_network": "none",
    }


async def remove_fuzzed_containers(docker_url: str) -> None:
    """Whatever the fuzzer managed to create on the engine goes with it."""
    import aiodocker  # the containers domain's client: goes with it
    from aiodocker.exceptions import DockerError

    from tests.fixtures.containers import remove_everything_of

    try:
        async with aiodocker.Docker(url=docker_url) as docker:
            await remove_everything_of(docker, FUZZ_INSTANCE)
    except (DockerError, OSError):
        pass  # no engine: nothing was created


def bearer(base_url: str, email: str) -> str:
    response = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.mark.parametrize("who", [MEMBER, ADMIN])
def test_the_api_holds_its_contract_under_fuzzing(server: str, who: str, tmp_path: Path) -> None:
    st = shutil.which("st")
    assert st, "schemathesis is installed with the test dependencies"
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            st,
            "run",
            f"{server}/openapi.json",
            "--header",
            f"Authorization: Bearer {bearer(server, who)}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(EXAMPLES),
            "--exclude-path-regex",
            SELF_DESTRUCTIVE,
            "--exclude-method",
            "DELETE",
            "--seed",
            "20261122",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-20_000:]
