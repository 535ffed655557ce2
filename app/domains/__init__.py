"""The installed domains: the one list the application assembles itself from.

A domain is a folder under `app/domains/` with a `domain.py` declaring what it adds
(app/infrastructure/domain.py). Installing one is adding its line here; removing one is
deleting its folder and its line. Order matters where one domain builds on another:
a domain comes after those it uses.
"""

import importlib
from functools import cache
from pathlib import Path

from app.infrastructure.domain import Domain

INSTALLED_DOMAINS = (
    "health",
    "accounts",
    "jobs",
    "todos",
    "containers",
    "annotations",
)


@cache
def installed_domains() -> tuple[Domain, ...]:
    domains = []
    for name in INSTALLED_DOMAINS:
        declared = importlib.import_module(f"app.domains.{name}.domain").DOMAIN
        if not isinstance(declared, Domain) or declared.name != name:
            raise TypeError(f"app/domains/{name}/domain.py must declare DOMAIN = Domain(name={name!r}, ...)")
        domains.append(declared)
    return tuple(domains)


def migration_locations() -> list[Path]:
    """The installed domains' revision folders, for Alembic (app/infrastructure/migrations.py)."""
    return [domain.migrations for domain in installed_domains() if domain.migrations]


def catalog_locations() -> list[Path]:
    """The installed domains' message catalogs, merged over the platform's (app/core/i18n.py)."""
    return [domain.locales for domain in installed_domains() if domain.locales]


def model_modules() -> list[str]:
    """The installed domains' models, which register their tables on `Base.metadata`."""
    return [domain.models_module for domain in installed_domains() if domain.models_module]
