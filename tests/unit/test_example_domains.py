"""The domains a service may be started without (the todos and containers examples,
annotations) are leaves: only their own folder refers to them, so that removing one is deleting
its folder, its tests and its line in INSTALLED_DOMAINS (tools/ci/remove_domains.sh does exactly
that, then lints, migrates and runs what remains)."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("todos", "containers", "annotations")
# Where Keel's own code is: the app, its migrations' environment and the tools it runs.
CODE = ("app", "migrations", "tools")


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("example", EXAMPLES)
def test_nothing_outside_an_example_domains_folder_imports_it(example: str) -> None:
    own_folder = ROOT / "app" / "domains" / example
    prefix = f"app.domains.{example}"
    importers = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for directory in CODE
        for path in (ROOT / directory).rglob("*.py")
        if own_folder not in path.parents
        for module in imported_modules(path)
        if module == prefix or module.startswith(f"{prefix}.")
    )

    assert importers == [], f"the {example} domain must stay removable: only its folder may import it"
