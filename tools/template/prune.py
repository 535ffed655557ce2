"""Shapes a service generated from Keel's template (copier.yml runs it after `copier copy` and
after every `copier update`): removes the example domains and optional parts the service was
started without, names the service, and writes its README. Then it deletes itself.

What belongs to a part is listed here (whole paths) or marked in the files themselves: lines
between `# <part:NAME>` and `# </part:NAME>` go when the part goes, and the marker lines go
either way. The part `keel` is what only Keel's own repository needs (this template, its
checks). Every step can run again on its own output: `copier update` runs it on a fresh copy.

Plain standard-library Python: it runs before the service's environment exists.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path.cwd()
OPTIONAL = ("todos", "containers", "annotations", "redis", "worker", "admin", "image")

# Whole paths (globs) each part owns, domains by the tests convention: tests/*/<name>/ and
# tests/fixtures/<name>.py.
PATHS: dict[str, tuple[str, ...]] = {
    "todos": (
        "app/domains/todos",
        "tests/*/todos",
        "tests/fixtures/todos.py",
        "tests/service/test_todos.py",
        "bench",  # its workloads are the todos API
        "tools/ci/openapi_client.sh",  # the generated client's flow is a todos session
        "tools/ci/client_flow.py",
    ),
    "containers": (
        "app/domains/containers",
        "tests/*/containers",
        "tests/fixtures/containers.py",
        "tests/unit/test_container_policy.py",
        "tests/e2e/test_docker_engine_restart.py",
        "tests/e2e/test_image_pull_worker.py",
        "app/infrastructure/docker.py",
        "tools/docker-engine.sh",
        "docs/kubernetes.md",
    ),
    "annotations": (
        "app/domains/annotations",
        "tests/*/annotations",
        "tests/fixtures/annotations.py",
        "docs/annotations.md",
        "bench/annotations.py",
        "bench/annotations_export.py",
    ),
    "redis": (
        "app/infrastructure/redis_cache.py",
        "tests/integration/accounts/test_shared_instances.py",
        "tests/e2e/test_shared_state.py",
        "tests/e2e/test_instances.py",
    ),
    "worker": (
        "app/worker.py",
        "tests/e2e/test_worker.py",
        "tests/e2e/annotations/test_import_worker.py",
        "tests/e2e/test_image_pull_worker.py",
    ),
    "admin": (
        "app/admin",
        "app/web/admin.py",
        "app/domains/*/admin.py",
        "tests/integration/admin",
        "tests/e2e/test_admin_browser.py",
    ),
    "image": (
        "Dockerfile",
        "compose.yaml",
        ".dockerignore",
        "tests/unit/test_deployment.py",
        "tools/image",  # the base made from Debian's packages
        "tools/ci/image.sh",  # builds the image and runs it on the machine's servers
        "tools/ci/image_flow.py",
    ),
    "keel": ("tools/ci/template.sh", "tools/ci/remove_domains.sh", "bench/results"),
}

# Edits inside files that markers cannot express: (file, Keel's text, the service's text).
EDITS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "todos": (("app/domains/__init__.py", '    "todos",\n', ""),),
    "containers": (
        ("app/domains/__init__.py", '    "containers",\n', ""),
        ("Makefile", "test: install catalogs browser $(DOCKER_ENGINE)\n", "test: install catalogs browser\n"),
    ),
    "annotations": (("app/domains/__init__.py", '    "annotations",\n', ""),),
    "worker": (("pyproject.toml", '    "app.main | app.worker",\n', '    "app.main",\n'),),
    "admin": (("pyproject.toml", '    "app.api | app.admin",\n', '    "app.api",\n'),),
}

# The settings of a removed part, refused at start (app/core/config.py).
REFUSED_SETTINGS = {"redis": ("redis_url", "Redis"), "worker": ("broker_url", "the RabbitMQ worker")}

MARKER = re.compile(r"^\s*#\s*<(/?)part:([a-z]+)>\s*$")
SKIPPED_DIRS = {
    ".git",
    ".venv",
    ".tools",
    "var",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="the service's slug, e.g. my-service")
    parser.add_argument("--title", required=True, help="its name in the API docs")
    parser.add_argument("--description", required=True)
    parser.add_argument("--without", default="", help="comma-separated: " + ",".join(OPTIONAL))
    args = parser.parse_args()
    without = {part for part in args.without.split(",") if part}
    if unknown := without - set(OPTIONAL):
        sys.exit(f"prune: unknown parts {sorted(unknown)}; known: {', '.join(OPTIONAL)}")
    if "redis" in without and "worker" not in without:
        sys.exit("prune: the RabbitMQ worker needs Redis (workers share their state through it)")
    removed = without | {"keel"}

    for part in sorted(removed):
        for pattern in PATHS.get(part, ()):
            for path in ROOT.glob(pattern):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        for file, keel_text, service_text in EDITS.get(part, ()):
            replace(file, keel_text, service_text)
    touched = [path for path in text_files() if apply_markers(path, removed)]
    name_the_service(args.name, args.title, args.description, without)

    uv = find_uv()
    run(uv, "lock")  # the removed parts' dependencies leave uv.lock too
    python_files = [str(path.relative_to(ROOT)) for path in touched if path.suffix == ".py"]
    if python_files:  # a removed block may leave an import group or blank lines behind
        run(uv, "run", "--frozen", "ruff", "check", "--quiet", "--fix", "--select", "I,F401", *python_files)
        run(uv, "run", "--frozen", "ruff", "format", "--quiet", *python_files)
    run(uv, "run", "--frozen", "python", "-m", "tools.error_docs")  # the installed domains' errors
    shutil.rmtree(ROOT / "tools" / "template")


def text_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
            try:
                if "<part:" in path.read_text(encoding="utf-8"):
                    found.append(path)
            except UnicodeDecodeError:
                continue
    return found


def apply_markers(path: Path, removed: set[str]) -> bool:
    """Drop the lines of removed parts and every marker line; True when the file changed."""
    kept, open_parts = [], []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        marker = MARKER.match(line)
        if marker is None:
            if not removed.intersection(open_parts):
                kept.append(line)
            continue
        closing, part = marker.groups()
        if not closing:
            open_parts.append(part)
        elif not open_parts or open_parts.pop() != part:
            sys.exit(f"prune: {path.relative_to(ROOT)}:{number}: </part:{part}> closes nothing open")
    if open_parts:
        sys.exit(f"prune: {path.relative_to(ROOT)}: <part:{open_parts[-1]}> is never closed")
    if kept == lines:
        return False
    path.write_text("".join(kept), encoding="utf-8")
    return True


def name_the_service(name: str, title: str, description: str, without: set[str]) -> None:
    replace_line("pyproject.toml", r'^name = ".*"$', f'name = "{name}"')
    replace_line("pyproject.toml", r'^description = ".*"$', f"description = {quoted(description)}")
    replace_line("app/core/config.py", r"^SERVICE_TITLE = .*$", f"SERVICE_TITLE = {quoted(title)}")
    refused = {setting: part for key, (setting, part) in REFUSED_SETTINGS.items() if key in without}
    replace_line(
        "app/core/config.py",
        r"^REMOVED_PART_SETTINGS: dict\[str, str\] = .*$",
        f"REMOVED_PART_SETTINGS: dict[str, str] = {refused!r}".replace("'", '"'),
    )
    servers = ["postgres"] + [
        server for part, server in (("redis", "redis"), ("worker", "rabbitmq")) if part not in without
    ]
    replace_line(
        ".github/workflows/ci.yml",
        r"^      KEEL_TEST_REQUIRE: .*$",
        f"      KEEL_TEST_REQUIRE: {','.join(servers)}",
    )
    if "image" not in without:
        replace_line("compose.yaml", r"^  image: .*:latest$", f"  image: {name}:latest")
        replace_line("Dockerfile", r"^# docker build -t \S+ \.", f"# docker build -t {name} .")
    readme = ROOT / "tools" / "template" / "README.md"  # rendered by copier from README.md.jinja
    if readme.exists():
        shutil.copyfile(readme, ROOT / "README.md")


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def replace(file: str, old: str, new: str) -> None:
    path = ROOT / file
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    if old in text:
        path.write_text(text.replace(old, new), encoding="utf-8")
    elif new and new not in text:
        sys.exit(
            f"prune: {file} has neither {old.strip()!r} nor {new.strip()!r}: update tools/template/prune.py"
        )


def replace_line(file: str, pattern: str, line: str) -> None:
    path = ROOT / file
    if not path.exists():
        return
    text, count = re.subn(
        pattern, lambda _: line, path.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE
    )
    if count == 0:
        sys.exit(f"prune: no line of {file} matches {pattern!r}: update this script")
    path.write_text(text, encoding="utf-8")


def find_uv() -> str:
    uv = shutil.which("uv") or (str(ROOT / ".tools/bin/uv") if (ROOT / ".tools/bin/uv").exists() else None)
    if uv is None:  # the Makefile's own way: a private virtualenv with uv from PyPI
        run("make", "--silent", ".tools/bin/uv")
        uv = str(ROOT / ".tools/bin/uv")
    return uv


def run(*command: str) -> None:
    print("prune:", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own fixed commands


if __name__ == "__main__":
    main()
