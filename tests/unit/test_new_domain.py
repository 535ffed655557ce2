"""`keel new-domain` refuses, writing nothing, what it cannot write well; and what it writes is
lint-clean. The full check (a generated domain linted and its tests run on both databases) is
`make check-new-domain` (tools/ci/new_domain.sh): too slow for every run."""

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import app.cli
from app.scaffold.spec import build_spec, singular_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUFF = shutil.which("ruff")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of what the command reads and writes: app/, migrations/, the project files."""
    for name in ("app", "migrations"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "tests").mkdir()
    monkeypatch.setattr(app.cli, "PROJECT_ROOT", tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def new_domain(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app.cli.app, ["new-domain", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["jobs"], "already exists"),
        (["job"], "too close to the existing domain 'jobs'"),
        (["user"], "too close"),  # not a domain, but `users` is a table of accounts': its singular clashes
        (["Notes"], "must match"),
        (["my-notes"], "must match"),
        (["2notes"], "must match"),
        (["class"], "keyword"),
        (["match"], "keyword"),
        (["json"], "Python module"),
        (["typing"], "Python module"),
        (["sqlalchemy"], "Python module"),
        (["core"], "Keel package or module"),
        (["api"], "Keel package or module"),
        (["tests"], "Keel package or module"),
        # <part:admin>
        (["admin"], "Keel package or module"),
        # </part:admin>
        (["scaffold"], "Keel package or module"),
        (["users"], "a table 'users' already exists"),
        (["idempotency_keys"], "a table"),
        (["sheep"], "must differ"),
        (["probe_widgets", "--singular", "Note"], "must match"),
        (["probe_widgets", "--field", "title"], "expected name:type"),
        (["probe_widgets", "--field", "title:string"], "expected name:type"),
        (["probe_widgets", "--field", "Title:str"], "must match"),
        (["probe_widgets", "--field", "for:str"], "keyword"),
        (["probe_widgets", "--field", "id:int"], "already has"),
        (["probe_widgets", "--field", "owner_id:int"], "already has"),
        (["probe_widgets", "--field", "version:int"], "already has"),
        (["probe_widgets", "--field", "created_at:datetime"], "already has"),
        (["probe_widgets", "--field", "updated_at:datetime"], "already has"),
        (["probe_widgets", "--field", "title:str", "--field", "title:text"], "given twice"),
        (["probe_widgets", "--field", "body:text"], "at least one str field"),
        (["probe_widgets", "--field", "probe_widget:str"], "named after the domain"),
        (["probe_widgets", "--field", "model_config:str"], "used by the generated code"),
        (["probe_widgets", "--field", "self:str"], "used by the generated code"),
    ],
)
def test_a_refusal_is_one_line_exit_2_and_writes_nothing(project: Path, args: list[str], reason: str) -> None:
    before = snapshot(project)

    exit_code, output = new_domain(*args)

    assert exit_code == 2, output
    assert output.startswith("refused: "), output
    assert output.count("\n") == 1, output
    assert reason in output
    assert snapshot(project) == before


def test_an_existing_test_folder_is_refused_too(project: Path) -> None:
    (project / "tests" / "integration" / "probe_widgets").mkdir(parents=True)
    before = snapshot(project)

    exit_code, output = new_domain("probe_widgets")

    assert (exit_code, snapshot(project)) == (2, before)
    assert "tests/integration/probe_widgets already exists" in output


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("notes", "note"),
        ("categories", "category"),
        ("boxes", "box"),
        ("addresses", "address"),
        ("batches", "batch"),
    ],
)
def test_the_singular_drops_the_plurals_ending(plural: str, singular: str) -> None:
    assert singular_of(plural) == singular


def test_singular_may_be_given(project: Path) -> None:
    spec = build_spec(project, "people", ["name:str"], singular="person")

    assert (spec.name, spec.singular, spec.model) == ("people", "person", "Person")


@pytest.mark.skipif(RUFF is None, reason="ruff is a dev dependency")
def test_a_generated_domain_is_installed_and_lint_clean(project: Path) -> None:
    exit_code, output = new_domain(
        "blog_posts", "--field", "headline:str", "--field", "words:int", "--field", "published:datetime"
    )

    assert exit_code == 0, output
    assert '    "blog_posts",\n)' in (project / "app" / "domains" / "__init__.py").read_text()
    assert (project / "app/domains/blog_posts/locales/ru/LC_MESSAGES/messages.mo").is_file()
    assert "class BlogPost(Base):" in (project / "app/domains/blog_posts/models.py").read_text()
    assert (project / "tests/integration/blog_posts/test_blog_posts_v1.py").is_file()
    written = ["app/domains/blog_posts", "tests"]
    for check in (["check", *written], ["format", "--check", *written]):
        result = subprocess.run([str(RUFF), *check], cwd=project, capture_output=True, text=True, check=False)  # noqa: S603
        assert result.returncode == 0, result.stdout + result.stderr
