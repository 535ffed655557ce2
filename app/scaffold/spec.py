"""What `keel new-domain` is asked for, checked in full before a file is written.

Every refusal is a `Refused` with one line saying why; the command prints it and exits 2.
"""

import keyword
import re
import sys
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

from app.scaffold.fields import FIELD_TYPES, FieldSpec

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
# Every table has these (app/infrastructure/database.py, Base) or the scaffold adds them.
RESERVED_COLUMNS = frozenset({"id", "owner_id", "version", "created_at", "updated_at"})
# Names the generated code gives its own variables (or SQLAlchemy its attributes): a field so
# named would shadow them.
GENERATED_NAMES = frozenset(
    {"self", "values", "changes", "query", "other_than", "if_match", "exc", "metadata", "registry"}
)
DEFAULT_FIELDS = (FieldSpec("name", "str"),)
INSTALLED_LINE = re.compile(r'^\s*"(\w+)",\s*$', re.MULTILINE)
CREATED_TABLE = re.compile(r"""create_table\(\s*["'](\w+)["']""")


class Refused(ValueError):
    """The request cannot be carried out; nothing was written."""


@dataclass(frozen=True, slots=True)
class DomainSpec:
    name: str  # plural: the folder, the table, the URL path, the permissions' prefix
    singular: str  # the model's and the errors' word
    fields: tuple[FieldSpec, ...]

    @property
    def model(self) -> str:
        return "".join(part.capitalize() for part in self.singular.split("_"))

    @property
    def label(self) -> str:
        """The singular as a person reads it: `blog post`."""
        return self.singular.replace("_", " ")

    @property
    def unique(self) -> FieldSpec:
        """The field unique per owner: the first `str` one."""
        return next(field for field in self.fields if field.type == "str")


def singular_of(name: str) -> str:
    """A simple English singular: categories → category, boxes → box, notes → note."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def parse_field(text: str) -> FieldSpec:
    name, _, kind = text.partition(":")
    if kind not in FIELD_TYPES:
        raise Refused(f"--field {text!r}: expected name:type with type one of {', '.join(FIELD_TYPES)}")
    _check_word(name, what=f"--field {text!r}: the field name")
    if name in RESERVED_COLUMNS:
        raise Refused(f"--field {text!r}: {name!r} is a column every domain table already has")
    if name in GENERATED_NAMES or name.startswith("model_"):
        raise Refused(f"--field {text!r}: {name!r} is a name used by the generated code (or pydantic)")
    return FieldSpec(name, kind)


def build_spec(root: Path, name: str, fields: list[str], singular: str | None = None) -> DomainSpec:
    """The domain to write into the project at `root`, or `Refused` saying why not."""
    if not (root / "pyproject.toml").is_file():
        raise Refused(
            f"{root} is not a Keel checkout: run the command from one (`uv sync` installs it editable)"
        )
    _check_word(name, what="the domain name")
    chosen = singular or singular_of(name)
    _check_word(chosen, what="the singular")
    _check_free(root, name, chosen)
    if chosen == name:
        raise Refused(f"the singular of {name!r} must differ from it: pass --singular")
    parsed = tuple(parse_field(text) for text in fields) or DEFAULT_FIELDS
    names = [field.name for field in parsed]
    if len(set(names)) != len(names):
        raise Refused(f"a field is given twice: {', '.join(names)}")
    clashing = {name, chosen, f"{chosen}_id"} & set(names)
    if clashing:
        raise Refused(f"a field may not be named after the domain: {', '.join(sorted(clashing))}")
    if not any(field.type == "str" for field in parsed):
        raise Refused("at least one str field is needed: the first one is unique per owner")
    return DomainSpec(name=name, singular=chosen, fields=parsed)


def _check_word(word: str, *, what: str) -> None:
    if not IDENTIFIER.match(word):
        raise Refused(f"{what} {word!r} must match {IDENTIFIER.pattern} (lowercase, digits, underscores)")
    if keyword.iskeyword(word) or keyword.issoftkeyword(word):
        raise Refused(f"{what} {word!r} is a Python keyword")


def _check_free(root: Path, name: str, singular: str) -> None:
    domains_dir = root / "app" / "domains"
    installed = installed_names(domains_dir / "__init__.py")
    existing = installed | {path.name for path in domains_dir.iterdir() if path.is_dir()}
    if name in existing:
        raise Refused(f"a domain {name!r} already exists (app/domains/{name} or INSTALLED_DOMAINS)")
    for other in sorted(existing - {"__pycache__"}):
        if {name, singular} & {other, singular_of(other)}:
            raise Refused(f"{name!r} (singular {singular!r}) is too close to the existing domain {other!r}")
    for word in (name, singular):
        if word in keel_names(root):
            raise Refused(f"{word!r} is the name of a Keel package or module")
        if word in sys.stdlib_module_names or word in packages_distributions():
            raise Refused(f"{word!r} is the name of a Python module Keel may import")
    tables = table_names(root)
    if name in tables:
        raise Refused(f"a table {name!r} already exists")
    for table in sorted(tables):
        if {name, singular} & {table, singular_of(table)}:
            raise Refused(f"{name!r} (singular {singular!r}) is too close to the existing table {table!r}")


def installed_names(domains_init: Path) -> set[str]:
    """The names listed in INSTALLED_DOMAINS, read from the file (not imported)."""
    block = domains_init.read_text().split("INSTALLED_DOMAINS = (", 1)[1].split(")", 1)[0]
    return set(INSTALLED_LINE.findall(block))


def keel_names(root: Path) -> set[str]:
    """Keel's own packages and modules: the project's top folders and those of `app/`."""
    names = {path.stem for top in (root, root / "app") for path in top.iterdir() if path.name[0] != "."}
    return names | {"app", "domain", "domains"}


def table_names(root: Path) -> set[str]:
    """Every table a migration of the project creates (the platform's and every domain's)."""
    sources = [*root.glob("migrations/versions/*.py"), *root.glob("app/domains/*/migrations/*.py")]
    return {table for source in sources for table in CREATED_TABLE.findall(source.read_text())}
