"""Fills the templates for a checked `DomainSpec` and writes the new domain into the project.

Everything is rendered and every target checked before the first file is written; then the
domain is installed (its line in INSTALLED_DOMAINS), its catalogs compiled, the new files put
through the project's ruff when it is there (for names long enough to wrap a line), and
docs/errors.md written again.
"""

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.scaffold.fields import ALIASES, FieldSpec
from app.scaffold.spec import DomainSpec, Refused

TEMPLATES = Path(__file__).resolve().parent / "templates"
INSTALLED_BLOCK = re.compile(r'(INSTALLED_DOMAINS = \(\n(?:\s*"\w+",\n)*)')
Report = Callable[[str], None]


def target_paths(spec: DomainSpec, today: datetime) -> dict[str, str]:
    """Each template (relative to templates/) → the file it becomes (relative to the project)."""
    domain, name = f"app/domains/{spec.name}", spec.name
    # templates/domain/<file>.tmpl is the domain's <file>; its migration and catalogs are named here.
    paths = {
        f"domain/{template.stem}.tmpl": f"{domain}/{template.stem}"
        for template in sorted((TEMPLATES / "domain").glob("*.tmpl"))
    }
    return paths | {
        "domain/migrations/0001.py.tmpl": f"{domain}/migrations/{today:%Y%m%d}_0001_{name}.py",
        "domain/locales/en.po.tmpl": f"{domain}/locales/en/LC_MESSAGES/messages.po",
        "domain/locales/ru.po.tmpl": f"{domain}/locales/ru/LC_MESSAGES/messages.po",
        "tests/integration/test_api.py.tmpl": f"tests/integration/{name}/test_{name}_v1.py",
        "tests/service/factories.py.tmpl": f"tests/service/{name}/factories.py",
        "tests/service/test_service.py.tmpl": f"tests/service/{name}/test_{name}.py",
    }


def render(spec: DomainSpec, today: datetime) -> dict[str, str]:
    """The new files' text by path, the empty `__init__.py` of the test folders included."""
    context = template_context(spec, today)
    files = {
        target: Template((TEMPLATES / template).read_text()).substitute(context)
        for template, target in target_paths(spec, today).items()
    }
    for suite in ("integration", "service"):
        files[f"tests/{suite}/{spec.name}/__init__.py"] = ""
    return files


def write_domain(root: Path, spec: DomainSpec, report: Report) -> list[str]:
    """Write the domain into the project at `root`; the paths written, in order."""
    files = render(spec, datetime.now(UTC))
    if not (root / "app" / "admin").is_dir():  # a service started without the admin panel
        del files[f"app/domains/{spec.name}/admin.py"]
    folders = {f"app/domains/{spec.name}", f"tests/integration/{spec.name}", f"tests/service/{spec.name}"}
    taken = sorted(folder for folder in folders if (root / folder).exists())
    if taken:
        raise Refused(f"{', '.join(taken)} already exists")
    installed = root / "app" / "domains" / "__init__.py"
    source = installed.read_text()
    if not INSTALLED_BLOCK.search(source):
        raise Refused(f"cannot find the INSTALLED_DOMAINS tuple in {installed}")

    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    line = f'    "{spec.name}",\n'
    installed.write_text(INSTALLED_BLOCK.sub(lambda found: found[1] + line, source, count=1))
    report(f"installed {spec.name!r}: its line in app/domains/__init__.py")
    compile_catalogs(root / "app" / "domains" / spec.name / "locales")
    tidy(root, [path for path in files if path.endswith(".py")], report)
    regenerate_error_docs(root, report)
    return sorted(files)


def compile_catalogs(locales: Path) -> None:
    """The `.mo` files the app loads (what `make catalogs` would compile)."""
    for po in locales.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog, use_fuzzy=True)


def tidy(root: Path, paths: list[str], report: Report) -> None:
    """Sort imports and wrap lines with the project's ruff, if installed (a dev dependency).

    The templates are formatted for names of usual length; a long one can push a line over
    the limit, or a name before `accounts` move an import.
    """
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        report("ruff is not installed: run `make fmt` before `make lint`")
        return
    for command in (["check", "--fix", "--quiet", "--select", "I"], ["format", "--quiet"]):
        subprocess.run([ruff, *command, *paths], cwd=root, check=False)  # noqa: S603 - fixed arguments


def regenerate_error_docs(root: Path, report: Report) -> None:
    """docs/errors.md lists the new codes: written as `make docs` writes it, in a fresh
    interpreter (this one imported the domains before the new one was installed)."""
    if not (root / "tools" / "error_docs.py").is_file():
        report("run `make docs`: docs/errors.md must list the new error codes")
        return
    done = subprocess.run(
        [sys.executable, "-m", "tools.error_docs"], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        report(f"docs/errors.md was not written; run `make docs` to see why:\n{done.stderr.strip()}")
    else:
        report("docs/errors.md: written again with the new codes")


def template_context(spec: DomainSpec, today: datetime) -> dict[str, str]:
    fields, model = spec.fields, spec.model
    kinds = {field.type for field in fields}
    sqlalchemy = sorted(
        {"ForeignKey", "Index", "UniqueConstraint"}
        | ({"String"} if "str" in kinds else set())
        | ({"Text"} if "text" in kinds else set())
    )
    datetime_import = "from datetime import datetime\n\n" if "datetime" in kinds else ""
    aliases = [f"{alias} = {ALIASES[alias]}" for alias in _aliases(fields)]
    return {
        "name": spec.name,
        "singular": spec.singular,
        "Model": model,
        "label": spec.label,
        "Label": spec.label.capitalize(),
        "Label_plural": spec.name.replace("_", " ").capitalize(),
        "unique": spec.unique.name,
        "Unique": _camel(spec.unique.name),
        "created": f"{today:%Y-%m-%d %H:%M:%S}",
        "model_imports": f"\n{datetime_import}from sqlalchemy import {', '.join(sqlalchemy)}",
        "model_columns": "\n".join(_model_column(field) for field in fields),
        "schema_moment_import": "from app.web.moments import Moment\n" if "datetime" in kinds else "",
        "schema_aliases": "\n" + "\n".join(aliases),
        "create_fields": _lines(4, (f"{field.name}: {field.kind.create}" for field in fields)),
        "update_fields": _lines(4, (f"{field.name}: {field.kind.update}" for field in fields)),
        "read_fields": _lines(4, (f"{field.name}: {field.kind.read}" for field in fields)),
        "not_null": ", ".join(f'"{field.name}"' for field in fields if not field.kind.nullable),
        "admin_columns": _lines(
            8,
            (
                f"{model}.{column},"
                for column in ("id", "owner_id", *(field.name for field in fields), "version", "created_at")
            ),
        ),
        "migration_columns": _lines(
            8, (f'sa.Column("{field.name}", {field.kind.migration}),' for field in fields)
        ),
        "sample_body": _lines(4, (f'"{field.name}": {field.kind.sample},' for field in fields)),
        "invalid_bodies": _lines(
            8,
            (f'{{**SAMPLE, "{field.name}": {value}}},' for field in fields for value in field.kind.invalid),
        ),
        "factory_defaults": _lines(
            8, (f'"{field.name}": unique("{field.name}"),' for field in fields if field.type == "str")
        ),
        "readme_fields": "\n".join(_readme_row(field) for field in fields),
    }


def _aliases(fields: tuple[FieldSpec, ...]) -> list[str]:
    used = {field.kind.alias for field in fields}
    return [alias for alias in ALIASES if alias in used]


def _model_column(field: FieldSpec) -> str:
    return f"    {field.name}: Mapped[{field.kind.model_annotation}] = mapped_column({field.kind.column})"


def _lines(indent: int, lines: Iterable[str]) -> str:
    return "\n".join(" " * indent + line for line in lines)


def _camel(word: str) -> str:
    return "".join(part.capitalize() for part in word.split("_"))


def _readme_row(field: FieldSpec) -> str:
    return f"| `{field.name}` | {field.kind.documented} |"
