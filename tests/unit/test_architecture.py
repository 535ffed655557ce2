"""The layer rules are enforced by import-linter; these tests prove the contracts can fail."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = shutil.which("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS, "import-linter is a dev dependency"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [LINT_IMPORTS, "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the code and the contracts, to break on purpose."""
    for name in ("app", "tools"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_domain(tree: Path, name: str, files: dict[str, str]) -> None:
    domain = tree / "app" / "domains" / name
    domain.mkdir()
    (domain / "__init__.py").write_text("")
    for filename, source in files.items():
        (domain / filename).write_text(source)


def test_the_project_keeps_its_contracts(tree: Path) -> None:
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_router_importing_a_repository_breaks_a_contract(tree: Path) -> None:
    add_domain(
        tree,
        "gadgets",
        {"repository.py": "X = 1\n", "router.py": "from app.domains.gadgets import repository\n"},
    )

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "Routers never touch repositories" in result.stdout
    assert "app.domains.gadgets.router -> app.domains.gadgets.repository" in result.stdout


def test_a_router_importing_the_database_breaks_a_contract(tree: Path) -> None:
    add_domain(tree, "gadgets", {"router.py": "from app.infrastructure.database import Base\n"})

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "app.domains.gadgets.router -> app.infrastructure.database" in result.stdout


def test_core_importing_a_domain_breaks_the_layers(tree: Path) -> None:
    (tree / "app" / "core" / "leak.py").write_text("import app.domains.health.service\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "Layers run one way" in result.stdout
    assert "app.core.leak -> app.domains.health.service" in result.stdout


def test_a_domain_reaching_into_another_domains_repository_breaks_a_contract(tree: Path) -> None:
    add_domain(tree, "gadgets", {"repository.py": "X = 1\n", "service.py": "Y = 1\n"})
    reach_in = "from app.domains.gadgets.repository import X\n"
    through_service = "from app.domains.gadgets.service import Y\n"
    add_domain(tree, "gizmos", {"service.py": reach_in + through_service})

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "Domains reach each other only through services" in result.stdout
    assert "app.domains.gizmos.service -> app.domains.gadgets.repository" in result.stdout
    assert "gadgets.service (" not in result.stdout  # the service import is allowed


def conftest_imports(source: str) -> list[str]:
    """The modules that `source` imports from a conftest."""
    modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if isinstance(node, ast.Import) or node.module
    ]
    return sorted({str(module) for module in modules if str(module).split(".")[-1] == "conftest"})


def test_no_test_module_imports_from_a_conftest() -> None:
    """Shared fixtures and helpers live in tests/fixtures/ (plugins of tests/conftest.py):
    a conftest is pytest's, loaded once by path, and importing it loads it a second time."""
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): found
        for path in sorted((PROJECT_ROOT / "tests").rglob("*.py"))
        if (found := conftest_imports(path.read_text()))
    }

    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    ["from tests.integration.accounts.conftest import people\n", "import tests.conftest\n"],
)
def test_an_import_from_a_conftest_is_found(source: str) -> None:
    assert conftest_imports(source)
