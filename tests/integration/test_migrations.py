"""Migrations round-trip on each database, and the models match them exactly."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.domains import migration_locations
from app.infrastructure import migrations
from tests.databases import postgres_database, sqlite_url
from tests.fixtures.platform import postgres_server_url
from tests.installed import installed

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCATIONS = migration_locations()
CHECK = (
    "import os; from app.domains import migration_locations; from app.infrastructure import migrations; "
    "migrations.check(os.environ['KEEL_DATABASE_URL'], migration_locations())"
)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    async with postgres_database(postgres_server_url()) as url:
        yield url


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_round_trip(empty_database: str) -> None:
    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)
    at_head = await table_names(empty_database)
    assert "alembic_version" in at_head

    await asyncio.to_thread(migrations.downgrade, empty_database, LOCATIONS)
    assert await table_names(empty_database) <= {"alembic_version"}

    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)
    assert await table_names(empty_database) == at_head


async def test_models_and_migrations_do_not_differ(empty_database: str) -> None:
    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)

    # A fresh interpreter sees only the application's models, not the tests' throwaway ones.
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CHECK],
        cwd=PROJECT_ROOT,
        env={**os.environ, "KEEL_DATABASE_URL": empty_database},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


async def test_stored_addresses_are_folded_and_a_look_alike_duplicate_loses_its_address(
    empty_database: str,
) -> None:
    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS, "accounts_0001")
    stored = [
        "ada@example.com",
        "ａｄａ@example.com",  # a second account of Ada's mailbox, before folding
        "ｂｏｂ@bücher.de",
        "\u0430nna@example.com",  # a Cyrillic local part: folded, kept
    ]
    engine = create_async_engine(empty_database)
    try:
        async with engine.begin() as connection:
            for email in stored:
                await connection.execute(
                    text(
                        "INSERT INTO users (email, password_hash, role, is_active, is_verified,"
                        " created_at, updated_at) VALUES (:email, 'x', 'member', true, false, :now, :now)"
                    ),
                    {"email": email, "now": datetime.now(UTC)},
                )
        await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)
        async with engine.connect() as connection:
            after = (await connection.execute(text("SELECT email FROM users ORDER BY id"))).scalars().all()
    finally:
        await engine.dispose()

    assert after == ["ada@example.com", "ａｄａ@example.com", "bob@xn--bcher-kva.de", "\u0430nna@example.com"]


async def test_a_database_at_the_former_single_history_is_recorded_at_the_branches(
    empty_database: str,
) -> None:
    """Revisions 0001-0006 were one chain across the domains; a database at 0006 holds what
    the branches' first revisions build, and is recorded at them without running anything."""
    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS, "accounts_0001")
    await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)
    engine = create_async_engine(empty_database)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM alembic_version"))
            await connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0006')"))
        applied = await asyncio.to_thread(migrations.upgrade, empty_database, LOCATIONS)
        async with engine.connect() as connection:
            recorded = set(
                (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
    finally:
        await engine.dispose()

    assert applied == []
    # The examples' first revisions too, while they are installed (a removed one keeps its tables).
    examples = {f"{name}_0001" for name in ("todos", "containers") if installed(name)}
    assert recorded == {"platform_0001", "accounts_0002", "jobs_0001", *examples}
