"""Alembic environment: async engine from Keel's settings, metadata from every domain's models."""

import asyncio
import importlib
import importlib.util
import pkgutil
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

import app.domains
import app.infrastructure.idempotency
from app.core.config import Settings
from app.infrastructure.database import Base, UTCDateTime, create_engine


def import_domain_models() -> None:
    """Each domain's `models.py` registers its tables on Base.metadata when imported."""
    for domain in pkgutil.iter_modules(app.domains.__path__):
        if importlib.util.find_spec(f"app.domains.{domain.name}.models"):
            importlib.import_module(f"app.domains.{domain.name}.models")


import_domain_models()
target_metadata = Base.metadata
config = context.config


def database_url() -> str:
    # `keel migrate` and the tests pass the URL explicitly; plain `alembic` reads the settings.
    return config.attributes.get("database_url") or Settings().database_url


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | bool:
    """Revisions must not import application code, which changes after they are written."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def record_applied(*, step: Any, **_: Any) -> None:
    """Each revision run, for `keel migrate` to say what it did."""
    config.attributes.setdefault("applied", []).append(step.up_revision_id)


def do_run_migrations(connection: Connection) -> None:
    # Batch mode lets ALTER TABLE work on SQLite by rebuilding the table.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        on_version_apply=record_applied,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(Settings(database_url=database_url()))
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    do_run_migrations(connection)
else:
    asyncio.run(run_migrations_online())
