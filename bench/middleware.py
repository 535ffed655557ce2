"""What Keel's middleware costs a request, in process: the app called directly as an ASGI app.

No server and no client: each request is a scope, a `receive` that gives an empty body and a
`send` that drops the answer, so what is timed is the middleware, routing and the handler.
Three requests, each in a loop, sequential, on a throwaway SQLite database with production
settings and no access log (as `make bench` serves):

- `GET /health/live`: the whole middleware stack around the smallest route;
- `GET /nowhere`: the stack and a routing miss (a 404 in the error contract);
- a refusal: `503 server_busy` while every request slot is held.

Then each step of the platform middleware alone (app/middleware/platform.py), called in a
loop as the layer calls it, and the layer itself and Starlette's GZip around an ASGI app
that answers at once: what each adds to every request.

Reported per request: CPU microseconds (the median of alternating rounds; on a busy machine
compare only figures taken in the same conditions) and Python function calls, counted with
cProfile, which do not depend on the machine's load.

    uv run python -m bench.middleware
"""

import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from app.core.config import Settings
from app.domains import migration_locations
from app.infrastructure import migrations
from app.main import create_app
from app.middleware.platform import PlatformMiddleware
from app.middleware.request_context import begin_request, end_request
from app.middleware.security_headers import add_security_headers
from app.middleware.storable_input import checking_body, refusal_for_target

REQUESTS = 2_000
STEP_CALLS = 20_000
ROUNDS = 5
SECRET = "bench-" + "x" * 40


def scope_for(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"user-agent", b"bench"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def answering(statuses: list[int]) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    return send


async def requests(app: FastAPI, path: str, count: int) -> list[int]:
    statuses: list[int] = []
    send = answering(statuses)
    for _ in range(count):
        await app(scope_for(path), receive, send)
    return statuses


async def cpu_microseconds(app: FastAPI, path: str) -> float:
    started = time.process_time()
    await requests(app, path, REQUESTS)
    return (time.process_time() - started) / REQUESTS * 1e6


async def calls_per_request(app: FastAPI, path: str) -> float:
    profile = cProfile.Profile()
    profile.enable()
    await requests(app, path, 200)
    profile.disable()
    return round(pstats.Stats(profile).total_calls / 200, 1)  # type: ignore[attr-defined]


async def fresh_database() -> str:
    """One per app: without Redis, one process (here, one app) serves a database."""
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'middleware.db'}"
    await asyncio.to_thread(migrations.upgrade, url, migration_locations())
    return url


def settings(url: str, **overrides: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="production",
        secret_key=SECRET,
        database_url=url,
        access_log=False,
        log_level="WARNING",
        **overrides,
    )


async def main() -> None:
    app = create_app(settings(await fresh_database()))
    full = create_app(settings(await fresh_database(), max_concurrent_requests=1, **_no_queue()))
    hold = asyncio.Event()

    @full.get("/bench/hold")
    async def held() -> None:
        await hold.wait()

    async with app.router.lifespan_context(app), full.router.lifespan_context(full):
        holder = asyncio.create_task(requests(full, "/bench/hold", 1))
        await asyncio.sleep(0.01)
        cases = {
            "GET /health/live": (app, "/health/live", 200),
            "GET /nowhere (404)": (app, "/nowhere", 404),
            "refusal (503)": (full, "/api/v1/users/me", 503),
        }
        for name, (target, path, status) in cases.items():
            assert set(await requests(target, path, 50)) == {status}, name  # warm, and right
        timings: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (target, path, _status) in cases.items():
                timings[name].append(await cpu_microseconds(target, path))
        for name, (target, path, _status) in cases.items():
            calls = await calls_per_request(target, path)
            spread = f"{min(timings[name]):.1f}-{max(timings[name]):.1f}"
            print(f"{name:<22} {statistics.median(timings[name]):7.1f} µs CPU ({spread})  {calls:7.1f} calls")
        hold.set()
        await holder
        print()
        for name, microseconds in (await step_costs(app)).items():
            print(f"{name:<40} {microseconds:6.2f} µs CPU")


async def answer_at_once(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def step_costs(app: FastAPI) -> dict[str, float]:
    """CPU microseconds of each step for a `GET /health/live`, and of the layers."""
    platform = next(layer for layer in app.user_middleware if layer.cls is PlatformMiddleware)
    options = platform.kwargs
    shedding, limits, metrics = options["shedding"], options["limits"], options["metrics"]
    scope = scope_for("/health/live")
    response_headers = [(b"content-length", b"2"), (b"content-type", b"application/json")]

    def admission() -> None:
        shedding.enter_now()
        shedding.leave()

    def context() -> None:
        begin_request(scope, started_at=0.0)
        end_request(scope, status_code=200, started_at=0.0, access_log=False)

    async def limits_and_storable_input() -> None:
        await limits.refusal(scope)
        await refusal_for_target(scope)
        checking_body(scope, limits.limited(scope, receive))

    def response_headers_step() -> None:
        add_security_headers(list(response_headers), scope)

    def metrics_step() -> None:
        metrics.record(scope, status=200, seconds=0.001)

    statuses: list[int] = []
    send = answering(statuses)
    layers = {
        "no layer (an app that answers at once)": answer_at_once,
        "GZip": GZipMiddleware(answer_at_once, minimum_size=1024),
        "platform layer": PlatformMiddleware(answer_at_once, **options),
    }
    costs = {
        "step: admission": await per_call(admission),
        "step: request id, log context, access log": await per_call(context),
        "step: limits, storable input": await per_call(limits_and_storable_input),
        "step: security headers": await per_call(response_headers_step),
        "step: metrics": await per_call(metrics_step),
    }
    for name, layer in layers.items():
        costs[f"layer: {name}"] = await per_call(
            lambda layer=layer: layer(scope_for("/health/live"), receive, send)
        )
    return costs


async def per_call(step: Callable[[], Any]) -> float:
    """Median CPU microseconds of a call, over rounds of many."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(STEP_CALLS):
            result = step()
            if asyncio.iscoroutine(result):
                await result
        rounds.append((time.process_time() - started) / STEP_CALLS * 1e6)
    return statistics.median(rounds)


def _no_queue() -> dict[str, Any]:
    """Refused at once rather than after a wait in the queue or at a pace, where the settings
    have them (this measures what a refusal costs, not how long it is held)."""
    fields = Settings.model_fields
    return {name: 0 for name in ("max_queued_requests", "refusal_pace_seconds") if name in fields}


if __name__ == "__main__":
    asyncio.run(main())
