"""The tests' shared fixtures live in `tests/fixtures/`, one module for the platform and one per
domain that has fixtures, registered here as plugins: a test asks for a fixture by name, and
imports plain helpers from the module that defines them, never from a conftest.

A domain's module goes with the domain: the plugins are the platform's and those of the
installed domains whose module is there, so that removing a domain (its folder, its tests, its
line in INSTALLED_DOMAINS) leaves nothing here to edit.
"""

from pathlib import Path

import pytest

from app.domains import INSTALLED_DOMAINS
from tests.services import skip_summary

FIXTURES = Path(__file__).resolve().parent / "fixtures"

pytest_plugins = [
    "tests.fixtures.platform",
    *(f"tests.fixtures.{name}" for name in INSTALLED_DOMAINS if (FIXTURES / f"{name}.py").is_file()),
]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Skipped tests, summarized by reason (pytest's `-rs` lists each one)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = [str(report.longrepr[2]).removeprefix("Skipped: ") for report in skipped]
    if reasons:
        terminalreporter.section("skipped, by reason")
        for line in skip_summary(reasons):
            terminalreporter.line(line)
