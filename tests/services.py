"""Which real servers the tests may use, and what to do when one is missing.

`KEEL_TEST_REQUIRE=postgres,redis,...` (set by CI) turns a missing server into a failure;
without it, tests that need the server are skipped with the reason.
"""

import os

import pytest


def required_services() -> set[str]:
    return {name.strip() for name in os.environ.get("KEEL_TEST_REQUIRE", "").split(",") if name.strip()}


def unavailable(service: str, reason: str) -> None:
    """Skip, or fail when the environment says this service must be there."""
    if service in required_services():
        pytest.fail(f"{service} is required (KEEL_TEST_REQUIRE) but {reason}", pytrace=False)
    pytest.skip(f"{service}: {reason}")
