"""A domain's declaration: everything it adds to the application, in its own folder.

Each installed domain (`app/domains/__init__.py`) has a `domain.py` whose `DOMAIN` says what
it brings: routers per API version, the permissions it defines, its job kinds and maintenance
steps, and what it builds at start. The rest is found in its folder by convention:

- `models.py`: its tables (loaded by Alembic and the tests);
- `migrations/`: its Alembic revisions, a branch labelled with its name;
- `locales/<locale>/LC_MESSAGES/messages.po`: the messages of its errors;
- `admin.py`: its admin panel views (`VIEWS`), imported only when the panel is built;
- `README.md`: its page in the docs.
"""

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter
from starlette.routing import Mount

from app.core.config import Settings
from app.infrastructure.background import JobKind, MaintenanceStep
from app.infrastructure.runtime import Runtime

DOMAINS_DIR = Path(__file__).resolve().parent.parent / "domains"

Startup = Callable[[Runtime], AbstractAsyncContextManager[None]]


@dataclass(frozen=True, slots=True)
class LargeBody:
    """A path whose request bodies may be larger than `KEEL_MAX_BODY_BYTES`: an upload its
    route streams to disk. Every other path keeps the platform's limit."""

    path: str  # a regular expression the whole path must match, e.g. r"/api/v1/things/\d+/imports"
    max_bytes: Callable[[Settings], int]  # read from the settings at start


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    # API version ("v1", "v2") → the routers served under /api/<version>.
    api: Mapping[str, Sequence[APIRouter]] = field(default_factory=dict)
    # Routes outside the versioned API: probes, the pages mailed links open.
    routes: Sequence[APIRouter] = ()
    mounts: Sequence[Mount] = ()
    # Each permission the domain defines → the least role that holds it (viewer, member, admin).
    permissions: Mapping[str, str] = field(default_factory=dict)
    jobs: Sequence[JobKind] = ()
    maintenance: Sequence[MaintenanceStep] = ()
    large_bodies: Sequence[LargeBody] = ()
    # Builds what the domain needs while the process runs, added to the runtime's parts.
    startup: Startup | None = None

    @property
    def folder(self) -> Path:
        return DOMAINS_DIR / self.name

    @property
    def migrations(self) -> Path | None:
        path = self.folder / "migrations"
        return path if path.is_dir() else None

    @property
    def locales(self) -> Path | None:
        path = self.folder / "locales"
        return path if path.is_dir() else None

    @property
    def models_module(self) -> str | None:
        return f"app.domains.{self.name}.models" if (self.folder / "models.py").is_file() else None

    # <part:admin>
    @property
    def admin_module(self) -> str | None:
        return f"app.domains.{self.name}.admin" if (self.folder / "admin.py").is_file() else None

    # </part:admin>
