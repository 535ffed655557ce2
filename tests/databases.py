"""Throwaway databases for tests: a SQLite file, or a PostgreSQL database made and dropped."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domains import migration_locations
from app.infrastructure import migrations


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / f'keel-{uuid.uuid4().hex[:8]}.db'}"


@asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    """A fresh database on the server of `server_url`, dropped on exit."""
    url = make_url(server_url)
    name = f"keel_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def migrate(database_url: str) -> None:
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(migrations.upgrade, database_url, migration_locations())


USER_TABLES = {
    "postgresql": (
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
    ),
    "sqlite": (
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'"
    ),
}


async def empty_all_tables(engine: AsyncEngine) -> None:
    """Per-test isolation: every table emptied (schema kept), identities restarted."""
    async with engine.begin() as connection:
        names = (await connection.execute(text(USER_TABLES[engine.dialect.name]))).scalars().all()
        if not names:
            return
        quoted = [f'"{name}"' for name in names]
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(quoted)} RESTART IDENTITY CASCADE"))
            return
        await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in quoted:
            await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names from sqlite_master


async def empty_app_tables(application: FastAPI) -> None:
    """`empty_all_tables` for a running app, once the work it handed off after its responses
    is done: a password reset still writing would deadlock with the TRUNCATE."""
    await application.state.runtime.after_response.drain()
    await empty_all_tables(application.state.runtime.engine)
