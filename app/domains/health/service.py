"""Readiness: every dependency Keel needs to serve requests, probed at once, each bounded."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from app.domains.health.errors import NotReady
from app.domains.health.schemas import CheckResult, Readiness

# A probe returns when its dependency answers and raises ConnectionError when it does not.
Probe = Callable[[], Awaitable[object]]

PROBE_TIMEOUT_SECONDS = 2.0


async def check_readiness(probes: Mapping[str, Probe]) -> Readiness:
    """All checks, or `NotReady` naming the failing ones (a load balancer then skips us)."""
    names = list(probes)
    results = await asyncio.gather(*(_run(probes[name]) for name in names))
    checks = dict(zip(names, results, strict=True))
    failing = [name for name, result in checks.items() if result.status != "ok"]
    if failing:
        raise NotReady(failing=failing, checks={name: result.model_dump() for name, result in checks.items()})
    return Readiness(status="ok", checks=checks)


async def _run(probe: Probe) -> CheckResult:
    started = time.perf_counter()
    error: str | None = None
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await probe()
    except TimeoutError:
        error = f"no answer within {PROBE_TIMEOUT_SECONDS:g}s"
    except ConnectionError:
        error = "unreachable"  # the cause is logged by the probe, never shown to callers
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return CheckResult(status="failed" if error else "ok", latency_ms=latency_ms, error=error)
