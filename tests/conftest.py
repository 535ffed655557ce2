"""The tests' shared fixtures live in `tests/fixtures/`, one module per domain and one for
the platform, registered here as plugins: a test asks for a fixture by name, and imports
plain helpers from the module that defines them, never from a conftest."""

import pytest

from tests.services import skip_summary

pytest_plugins = [
    "tests.fixtures.platform",
    "tests.fixtures.accounts",
    "tests.fixtures.todos",
    "tests.fixtures.jobs",
    "tests.fixtures.containers",
]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Skipped tests, summarized by reason (pytest's `-rs` lists each one)."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = [str(report.longrepr[2]).removeprefix("Skipped: ") for report in skipped]
    if reasons:
        terminalreporter.section("skipped, by reason")
        for line in skip_summary(reasons):
            terminalreporter.line(line)
