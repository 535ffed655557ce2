"""Keel as operators run it: `keel ...` processes, with an environment of their own."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.fixtures.platform import TEST_SECRET
from tests.smtp import free_port

KEEL = shutil.which("keel")


def keel_env(database_url: str, **settings: str) -> dict[str, str]:
    """The caller's environment without its KEEL_* variables, plus the given settings."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("KEEL_")}
    extra = {f"KEEL_{name.upper()}": value for name, value in settings.items()}
    return {
        **clean,
        "KEEL_ENV": "test",
        "KEEL_SECRET_KEY": TEST_SECRET,
        "KEEL_DATABASE_URL": database_url,
        # As in the in-process tests: cheap hashing, no scheduled maintenance.
        "KEEL_PASSWORD_HASH_TIME_COST": "1",
        "KEEL_PASSWORD_HASH_MEMORY_KIB": "1024",
        "KEEL_MAINTENANCE_INTERVAL_SECONDS": "0",
        **extra,
    }


def keel(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert KEEL, "the keel console script is installed with the project"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [KEEL, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@contextmanager
def serving(env: dict[str, str], *options: str) -> Iterator[str]:
    """`keel serve` on a free loopback port, answering; its base URL."""
    with serving_process(env, *options) as (base_url, _):
        yield base_url


@contextmanager
def serving_process(env: dict[str, str], *options: str) -> Iterator[tuple[str, "subprocess.Popen[str]"]]:
    """`keel serve` on a free loopback port, answering; its base URL and its process."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [str(KEEL), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/health/live", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "keel serve did not answer within 30 s"
                time.sleep(0.2)
        yield base_url, process
    finally:
        process.terminate()
        process.wait(timeout=15)
