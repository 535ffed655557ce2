"""Alembic environment: async engine from Keel's settings, metadata from every domain's models."""

import asyncio
import importlib
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import app.infrastructure.idempotency  # noqa: F401 - the platform's own table
from app.core.config import Settings
from app.domains import model_modules
from app.infrastructure.database import Base, UTCDateTime, create_engine

for module in model_modules():  # each installed domain's tables, registered on Base.metadata
    importlib.import_module(module)
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


# Until 2026-12-06 Keel's revisions were one chain, 0001 to 0006, across every domain. A database
# at its head holds what the branches' first revisions build: it is recorded at those instead.
LEGACY_CHAIN = ("0001", "0002", "0003", "0004", "0005", "0006")
LEGACY_EQUIVALENT = ("platform_0001", "accounts_0002", "jobs_0001", "todos_0001", "containers_0001")


def adopt_single_chain_history(connection: Connection) -> None:
    if not inspect(connection).has_table("alembic_version"):
        return
    recorded = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    if not recorded & set(LEGACY_CHAIN):
        return
    if recorded != {LEGACY_CHAIN[-1]}:
        raise RuntimeError(
            f"this database is at revision {sorted(recorded)} of Keel's former single history: "
            "upgrade it to 0006 with a Keel from before 2026-12-06 first"
        )
    known = {script.revision for script in context.script.walk_revisions()}
    connection.execute(text("DELETE FROM alembic_version"))
    for revision in LEGACY_EQUIVALENT:
        if revision in known:  # a domain since removed keeps its tables, and no revision
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision})


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
    adopt_single_chain_history(connection)
    if connection.in_transaction():
        connection.commit()  # SQLite's DDL runs outside Alembic's transaction: this must stand alone
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
