"""What the benchmark and the soak share: a throwaway PostgreSQL database, Keel with
production settings, servers started and stopped, and their memory."""

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx

SERVER_URL = os.environ.get("KEEL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "keel_bench"
PASSWORD = "bench passphrase 1"  # noqa: S105 - the seeded accounts' password


def keel_environment(dsn: str) -> dict[str, str]:
    """Production settings, one worker, no access log; abuse limits out of the way."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("KEEL_")},
        "KEEL_ENV": "production",
        "KEEL_SECRET_KEY": secrets.token_urlsafe(48),
        "KEEL_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        "KEEL_ACCESS_LOG": "false",
        "KEEL_LOG_LEVEL": "WARNING",
        "KEEL_WORKERS": "1",
        # The load logs in the same accounts many times; the abuse limits would stop it.
        "KEEL_LOGIN_RATE_LIMIT_PER_ACCOUNT": "1000000/minute",
        "KEEL_LOGIN_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
        "KEEL_REGISTER_RATE_LIMIT_PER_ADDRESS": "1000000/minute",
        "FLOOR_DSN": dsn,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run(["keel", "migrate"], env=env, check=True, capture_output=True)  # noqa: S607


@contextmanager
def keel_server(env: dict[str, str], port: int) -> Iterator["subprocess.Popen[bytes]"]:
    command = ["keel", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with server(command, env, port) as process:
        yield process


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{command[0]} did not start: {process.stderr.read() if process.stderr else ''}"
                    ) from exc
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=15)


def rss_mb(pid: int) -> float:
    """Resident memory of the server process (with its uvicorn worker, if any)."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except FileNotFoundError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


async def fresh_database(name: str = DATABASE) -> str:
    admin = await asyncpg.connect(SERVER_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return SERVER_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_database(name: str = DATABASE) -> None:
    admin = await asyncpg.connect(SERVER_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
