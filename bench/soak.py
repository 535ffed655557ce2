"""`make soak`: a mixed workload against a real Keel on PostgreSQL for KEEL_SOAK_MINUTES
(default 10): reads, writes, logins and refreshes by 24 users at once. Reports, per
30-second window, requests, errors and latency percentiles, and the server's memory; the
result goes to bench/results/soak-<time>.json.
"""

import asyncio
import json
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.harness import (
    PASSWORD,
    drop_database,
    fresh_database,
    keel_environment,
    keel_server,
    migrate,
    rss_mb,
)

MINUTES = float(os.environ.get("KEEL_SOAK_MINUTES", "10"))
USERS = 24
WINDOW_SECONDS = 30
PORT = 8092
RESULTS = Path(__file__).parent / "results"
# What a user does next, and how often: mostly reading, some writing, now and then a new login.
ACTIONS = {"list_v1": 30, "list_v2": 25, "get": 10, "create": 15, "update": 10, "refresh": 7, "login": 3}


@dataclass
class Window:
    started: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def summary(self, rss: float) -> dict[str, Any]:
        every = sorted(ms for values in self.latencies.values() for ms in values)
        return {
            "second": round(self.started),
            "requests": len(every),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "p50_ms": round(percentile(every, 50), 2),
            "p95_ms": round(percentile(every, 95), 2),
            "p99_ms": round(percentile(every, 99), 2),
            "rss_mb": rss,
        }


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


class User:
    def __init__(self, client: httpx.AsyncClient, email: str) -> None:
        self.client = client
        self.email = email
        self.tokens: dict[str, Any] = {}
        self.todo_ids: list[int] = []

    async def login(self) -> httpx.Response:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": self.email, "password": PASSWORD}
        )
        if response.status_code == 200:
            self.tokens = response.json()
        return response

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def act(self, action: str) -> httpx.Response:
        if action == "login":
            return await self.login()
        if action == "refresh":
            response = await self.client.post(
                "/api/v1/auth/refresh", json={"refresh_token": self.tokens["refresh_token"]}
            )
            if response.status_code == 200:
                self.tokens = response.json()
            return response
        if action == "list_v1":
            return await self.client.get("/api/v1/todos?limit=20", headers=self.auth())
        if action == "list_v2":
            return await self.client.get("/api/v2/todos?limit=20&sort=title", headers=self.auth())
        if action == "create" or not self.todo_ids:
            response = await self.client.post(
                "/api/v1/todos",
                json={"title": f"soak {random.random():.6f}"},
                headers=self.auth(),
            )
            if response.status_code == 201:
                self.todo_ids.append(response.json()["id"])
            return response
        todo_id = random.choice(self.todo_ids)
        if action == "get":
            return await self.client.get(f"/api/v1/todos/{todo_id}", headers=self.auth())
        return await self.client.put(
            f"/api/v1/todos/{todo_id}",
            json={"completed": random.random() < 0.5},
            headers=self.auth(),
        )


async def soak(base_url: str, pid: int) -> dict[str, Any]:
    deadline = time.monotonic() + MINUTES * 60
    began = time.monotonic()
    windows = [Window(started=0.0)]
    summaries: list[dict[str, Any]] = []
    start_rss = rss_mb(pid)

    async def run_user(number: int) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            user = User(client, f"soak{number}@example.com")
            await client.post("/api/v1/auth/register", json={"email": user.email, "password": PASSWORD})
            await user.login()
            names, weights = list(ACTIONS), list(ACTIONS.values())
            while time.monotonic() < deadline:
                action = random.choices(names, weights)[0]
                started = time.perf_counter()
                window = windows[-1]
                try:
                    response = await user.act(action)
                    failed = response.status_code >= 400
                    kind = f"{action}:{response.status_code}"
                except httpx.HTTPError as exc:
                    failed, kind = True, f"{action}:{type(exc).__name__}"
                elapsed = (time.perf_counter() - started) * 1000
                window.latencies.setdefault(action, []).append(elapsed)
                if failed:
                    window.errors[kind] = window.errors.get(kind, 0) + 1

    async def roll_windows() -> None:
        while time.monotonic() < deadline:
            await asyncio.sleep(WINDOW_SECONDS)
            summary = windows[-1].summary(rss_mb(pid))
            summaries.append(summary)
            print(json.dumps(summary), flush=True)
            windows.append(Window(started=time.monotonic() - began))

    await asyncio.gather(roll_windows(), *(run_user(n) for n in range(USERS)))
    summaries.append(windows[-1].summary(rss_mb(pid)))
    every_p99 = [window["p99_ms"] for window in summaries if window["requests"]]
    return {
        "minutes": MINUTES,
        "users": USERS,
        "requests": sum(window["requests"] for window in summaries),
        "errors": sum(window["errors"] for window in summaries),
        "rss_mb": {"start": start_rss, "end": rss_mb(pid)},
        "p99_ms": {
            "first_window": every_p99[0],
            "last_window": every_p99[-1],
            "median": statistics.median(every_p99),
        },
        "windows": summaries,
    }


def main() -> None:
    dsn = asyncio.run(fresh_database())
    env = keel_environment(dsn)
    migrate(env)
    with keel_server(env, PORT) as keel:
        report = asyncio.run(soak(f"http://127.0.0.1:{PORT}", keel.pid))
    asyncio.run(drop_database())
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({key: value for key, value in report.items() if key != "windows"}, indent=2))
    print(f"results: {path}")


if __name__ == "__main__":
    main()
