"""The Docker engine itself stopped and started again (not a cut connection): Keel answers
503 docker_unavailable while it is down and carries on, without a restart, once it is back.

Needs the engine that tools/docker-engine.sh runs (root, its pid file): the script brings it
back, whatever happens in the test.
"""

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.containers import (
    container_settings,
    create,
)
from tests.integration.test_outages import assert_unavailable, keel

ENGINE_SCRIPT = Path(__file__).resolve().parents[3] / "tools" / "docker-engine.sh"
DOCKERD_PID = Path("/var/run/docker.pid")
API = "/api/v1/containers"
# PID 1 ignores SIGTERM unless it says otherwise: this one does, so dockerd stops at once.
STOPS_AT_ONCE = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


def stop_dockerd() -> int:
    pid = int(DOCKERD_PID.read_text())
    os.kill(pid, signal.SIGTERM)
    return pid


def exited(pid: int) -> bool:
    """Gone, or a zombie (this machine's init reaps slowly)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True


def socket_exists(url: str) -> bool:
    return Path(url.removeprefix("unix://")).exists()


def restartable(url: str) -> bool:
    return os.geteuid() == 0 and DOCKERD_PID.exists() and url.startswith("unix://")


async def engine_down(url: str, pid: int) -> bool:
    """dockerd's socket is gone and the process has exited (its containers stopped first)."""
    for _ in range(150):
        if not socket_exists(url) and exited(pid):
            return True
        await asyncio.sleep(0.2)
    return False


def start_dockerd() -> None:
    subprocess.run(["bash", str(ENGINE_SCRIPT)], check=True, capture_output=True, timeout=180)  # noqa: S603, S607


async def test_keel_rides_out_an_engine_restart(database_url: str, docker_url: str, instance: str) -> None:
    if not restartable(docker_url):
        pytest.skip("needs root and the engine of tools/docker-engine.sh")
    async with keel(container_settings(database_url, docker_url, instance)) as (_, people):
        ada = await people.member()
        container_id = (await create(ada.client, command=STOPS_AT_ONCE))["id"]
        await ada.client.post(f"{API}/{container_id}/start")

        pid = stop_dockerd()
        try:
            assert await engine_down(docker_url, pid)
            down = [await ada.client.get(API), await ada.client.post(f"{API}/{container_id}/stop")]
            ready = await ada.client.get("/health/ready")
        finally:
            start_dockerd()
        listing = await ada.client.get(API)
        restarted = await ada.client.post(f"{API}/{container_id}/start")

    for response in down:
        assert_unavailable(response, "docker_unavailable")
    assert ready.status_code == 503
    assert ready.json()["details"]["docker"]["status"] == "failed"
    assert [item["id"] for item in listing.json()] == [container_id]
    assert restarted.status_code == 200, restarted.text  # it died with the engine; it starts again
    assert restarted.json()["state"] == "running"
