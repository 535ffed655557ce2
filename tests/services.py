"""Which real servers the tests may use, and what to do when one is missing.

`KEEL_TEST_REQUIRE=postgres,redis,...` (set by CI) turns a missing server into a failure;
without it, tests that need the server are skipped with the reason.
"""

import os
from collections import Counter

import pytest


def required_services() -> set[str]:
    return {name.strip() for name in os.environ.get("KEEL_TEST_REQUIRE", "").split(",") if name.strip()}


def unavailable(service: str, reason: str) -> None:
    """Skip, or fail when the environment says this service must be there."""
    if service in required_services():
        pytest.fail(f"{service} is required (KEEL_TEST_REQUIRE) but {reason}", pytrace=False)
    pytest.skip(f"{service}: {reason}")


# How to give the tests a server that is missing, for the summary of skipped tests.
HOW_TO_ENABLE = {
    "postgres": "KEEL_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    "redis": "KEEL_TEST_REDIS_URL=redis://127.0.0.1:6379/15 (a database the tests empty)",
    "rabbitmq": "KEEL_TEST_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672/",
    "docker": "a Docker engine (tools/docker-engine.sh, which `make test` runs as root)",
    "browser": "Debian's chromium (which `make test` installs as root)",
}


def skip_summary(reasons: list[str]) -> list[str]:
    """One line per reason, with how many tests it skipped and how to run them instead of
    one line per test: a machine without the servers skips hundreds."""
    counted = Counter(reasons)
    lines = []
    for reason, count in counted.most_common():
        service = reason.partition(":")[0]
        hint = f"; to run them: {HOW_TO_ENABLE[service]}" if service in HOW_TO_ENABLE else ""
        lines.append(f"{count:4} skipped: {reason}{hint}")
    return lines
