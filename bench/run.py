"""`make bench`: Keel on PostgreSQL (production settings, one worker, no access log) against
the floor (bench/floor.py), both driven by wrk on this machine; then the cost ledger in
process (bench/ledger.py). Results go to bench/results/<time>.json and a table on stdout; the
ledger's table is rewritten in bench/README.md, which explains them.

Environment: KEEL_BENCH_POSTGRES_URL (a server URL; a `keel_bench` database is made there
and dropped), KEEL_BENCH_SECONDS (per measurement, default 10).
"""

import asyncio
import json
import os
import platform
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings
from bench import ledger
from bench.harness import (
    PASSWORD,
    drop_database,
    fresh_database,
    keel_environment,
    keel_server,
    migrate,
    rss_mb,
    server,
)
from bench.wrk import Measurement, run_wrk

SECONDS = int(os.environ.get("KEEL_BENCH_SECONDS", "10"))
WARMUP_SECONDS = 3
COOL_DOWN_SECONDS = 15
CLIFF_LEVELS = (64, 256, 1024)  # connections; the first is what the others are compared with
CLIFF_ROUNDS = 3
KEEL_PORT, FLOOR_PORT, LIBRARIES_PORT = 8090, 8091, 8093  # the soak serves on 8092
EMAIL = "bench@example.com"
RESULTS = Path(__file__).parent / "results"


def main() -> None:
    dsn = asyncio.run(fresh_database())
    env = keel_environment(dsn)
    migrate(env)
    with (
        keel_server(env, KEEL_PORT) as keel,
        server(uvicorn_command("bench.floor:create_app", FLOOR_PORT), env, FLOOR_PORT),
        server(
            uvicorn_command("bench.libraries:create_app", LIBRARIES_PORT), env, LIBRARIES_PORT
        ) as libraries,
    ):
        urls = Urls(*(f"http://127.0.0.1:{port}" for port in (KEEL_PORT, LIBRARIES_PORT, FLOOR_PORT)))
        token = seed(urls.keel)
        auth = {"Authorization": f"Bearer {token}"}
        idle_rss = rss_mb(keel.pid)
        libraries_idle_rss = rss_mb(libraries.pid)
        report = measure_all(urls, auth, keel.pid)
        time.sleep(5)  # the storm's last logins, whose clients wrk has closed, still hashing
        report["rss_mb"] = {
            "idle": idle_rss,
            "after_run": rss_mb(keel.pid),
            **report.pop("storm_rss"),
            "libraries_idle": libraries_idle_rss,
        }
    asyncio.run(drop_database())
    # The cost ledger in process, after the servers have stopped: CPU µs per request by layer.
    print("\ncost ledger (in process, CPU µs per request by layer):", flush=True)
    report["ledger"] = ledger.measure()
    ledger.write_readme(report["ledger"])
    # <part:annotations>
    print("\nannotations: import, pages and export of 100,000 documents (bench/annotations.py):", flush=True)
    report["annotations"] = annotations_report()
    # </part:annotations>
    report["machine"] = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "seconds_per_measurement": SECONDS,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nresults: {path}")


class Urls(NamedTuple):
    """Where each server of the run answers: Keel, the libraries alone, the floor."""

    keel: str
    libraries: str
    floor: str


def uvicorn_command(factory: str, port: int) -> list[str]:
    """A plain uvicorn server for an app factory: one worker, uvloop and httptools, no log."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


# <part:annotations>
def annotations_report() -> dict[str, Any]:
    from bench import annotations  # here, not at the top: it imports this module's `seed`

    return annotations.main()


# </part:annotations>
def measure_all(urls: Urls, auth: dict[str, str], keel_pid: int) -> dict[str, Any]:
    keel, libraries, floor = urls
    runs: list[Measurement] = []

    def measure(
        name: str,
        url: str,
        connections: int,
        headers: dict[str, str] = auth,
        *,
        after_warmup: Callable[[], object] | None = None,
        **options: Any,
    ) -> Measurement:
        run_wrk(name, url, connections=connections, seconds=WARMUP_SECONDS, headers=headers, **options)
        if after_warmup is not None:
            after_warmup()
        result = run_wrk(name, url, connections=connections, seconds=SECONDS, headers=headers, **options)
        runs.append(result)
        print(
            f"  {name:<28} c={connections:<5} {result.requests_per_second:>9.1f} req/s  "
            f"p99 {result.p99_ms:>8.2f} ms  errors {result.errors}",
            flush=True,
        )
        return result

    ratios: dict[str, float] = {}
    # Idle latency first, before any backlog: the login storm is compared with it.
    idle_health = run_wrk(
        "health live (idle)", f"{keel}/health/live", connections=8, seconds=SECONDS, headers={}
    )
    runs.append(idle_health)
    measure("health live", f"{keel}/health/live", 32)
    # The libraries alone (bench/libraries.py) beside both: how much of Keel's distance from
    # the floor is FastAPI's and SQLAlchemy's, and how much Keel's own layers add.
    libraries_ratios: dict[str, float] = {}
    for connections in (32, 64):
        for name, keel_path, path in (
            ("users_me", "/api/v1/users/me", "/me"),
            ("todos_v1", "/api/v1/todos", "/todos"),
        ):
            ours = measure(f"keel {keel_path.removeprefix('/api/v1/')}", f"{keel}{keel_path}", connections)
            alone = measure(f"libraries {path[1:]}", f"{libraries}{path}", connections)
            least = measure(f"floor {path[1:]}", f"{floor}{path}", connections)
            ratios[f"{name}_c{connections}"] = round(ours.requests_per_second / least.requests_per_second, 3)
            libraries_ratios[f"{name}_c{connections}"] = round(
                alone.requests_per_second / least.requests_per_second, 3
            )
        measure("keel todos v2 (limit 20)", f"{keel}/api/v2/todos?limit=20", connections)
    # The cliff, in interleaved rounds: one 10-s level moves by up to a factor of two on a
    # shared machine, so each round measures 64, 256 and 1,024 connections back to back and
    # the goodput is the median of the rounds' ratios, each against its own round's 64.
    admitted = {connections: AdmittedLatency(keel, "/api/v1/todos") for connections in CLIFF_LEVELS}
    rounds: list[dict[int, Measurement]] = []
    for _ in range(CLIFF_ROUNDS):
        level: dict[int, Measurement] = {}
        for connections in CLIFF_LEVELS:
            level[connections] = measure(
                "keel todos v1 (cliff)",
                f"{keel}/api/v1/todos",
                connections,
                after_warmup=admitted[connections].start,
            )
            admitted[connections].stop()
        rounds.append(level)
    # Goodput under overload: 200s a second at 256 and 1,024 connections against those at 64
    # (target 0.8; refusals are not work done).
    baseline, *overloads = CLIFF_LEVELS
    goodput_by_round = [
        {
            f"todos_v1_c{connections}_to_c{baseline}": round(
                level[connections].answered_ok_per_second / (level[baseline].answered_ok_per_second or 1), 3
            )
            for connections in overloads
        }
        for level in rounds
    ]
    goodput = {
        name: statistics.median(ratios[name] for ratios in goodput_by_round) for name in goodput_by_round[0]
    }
    admitted_p99 = {
        f"todos_v1_c{connections}": latency.p99_at_most() for connections, latency in admitted.items()
    }
    # Creates come after every read: each adds a todo to the list the reads above measure.
    measure(
        "keel create todo",
        f"{keel}/api/v1/todos",
        32,
        headers={**auth, "Content-Type": "application/json"},
        method="POST",
        body=json.dumps({"title": "made by wrk"}),
    )
    time.sleep(COOL_DOWN_SECONDS)  # let the cliff's backlog drain before the storm
    storm = login_storm(keel, keel_pid, idle_health)
    runs.append(storm["during"])
    return {
        "measurements": [run.as_dict() for run in runs],
        "ratios_to_floor": ratios,
        "libraries_to_floor": libraries_ratios,
        "goodput_under_overload": goodput,
        "goodput_by_round": goodput_by_round,
        "admitted_p99_seconds_at_most": admitted_p99,
        "login_storm": storm["summary"],
        "storm_rss": storm["rss"],
    }


BUCKET_LINE = re.compile(r"^http_request_duration_seconds_bucket\{(.*)\} (\S+)$", re.MULTILINE)


class AdmittedLatency:
    """The p99 of the requests Keel admitted to one GET route, from its own latency histogram
    (`/metrics`: from arrival in the platform middleware, queue wait included, to the end of
    the response; refusals are not in it). wrk's p99 covers every answer, the 503s among
    them, and the time before the server reads a request, which Keel cannot see. Counted
    over one or more windows, each between `start` and `stop`."""

    def __init__(self, keel: str, handler: str) -> None:
        self.keel = keel
        self.labels = {f'handler="{handler}"', 'method="GET"'}
        self.before: dict[float, float] = {}
        self.counted: dict[float, float] = {}

    def buckets(self) -> dict[float, float]:
        """Cumulative count by upper bound, as /metrics has it now."""
        for _ in range(20):  # right after a flood, the scrape itself may wait its turn and be refused
            response = httpx.get(f"{self.keel}/metrics", timeout=30)
            if response.status_code != 503:
                break
            time.sleep(0.5)
        text = response.raise_for_status().text
        counts: dict[float, float] = {}
        for labels, count in BUCKET_LINE.findall(text):
            pairs = set(labels.split(","))
            if self.labels <= pairs:
                bound = next(pair for pair in pairs if pair.startswith("le="))
                counts[float(bound[4:-1])] = float(count)
        return counts

    def start(self) -> None:
        self.before = self.buckets()

    def stop(self) -> None:
        for bound, count in self.buckets().items():
            self.counted[bound] = self.counted.get(bound, 0.0) + count - self.before.get(bound, 0.0)

    def p99_at_most(self) -> float | None:
        """The smallest bucket bound holding 99% of the requests counted (None: none)."""
        total = self.counted.get(float("inf"), 0.0)
        if not total:
            return None
        return min(bound for bound, count in self.counted.items() if count >= 0.99 * total)


def login_storm(keel: str, keel_pid: int, idle: Measurement) -> dict[str, Any]:
    """16 logins at a time: first alone for SECONDS (the login throughput), then for SECONDS
    while /health/live is measured beside them (the event loop's latency under the storm).

    Throughput is measured alone because wrk asks for as many health checks as the server
    can answer: beside it, the cores are never free for hashing, by design.
    """
    samples: list[float] = []
    stop = threading.Event()

    def sample_rss() -> None:
        while not stop.is_set():
            samples.append(rss_mb(keel_pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    alone_logins, alone_seconds = storm_of_logins(keel, seconds=SECONDS)
    beside: dict[str, tuple[int, float]] = {}
    runner = threading.Thread(
        target=lambda: beside.setdefault("storm", storm_of_logins(keel, seconds=SECONDS + 2))
    )
    runner.start()
    time.sleep(1)  # let the storm build up before measuring beside it
    during = run_wrk(
        "health live (login storm)", f"{keel}/health/live", connections=8, seconds=SECONDS, headers={}
    )
    runner.join()
    stop.set()
    single_hash = single_hash_seconds()
    cores = os.cpu_count() or 1
    beside_logins, beside_seconds = beside["storm"]
    summary = {
        "logins": alone_logins,
        "logins_per_second": round(alone_logins / alone_seconds, 2),
        "single_hash_seconds": round(single_hash, 4),
        "target_logins_per_second": round(cores / single_hash, 2),
        "logins_per_second_beside_health_load": round(beside_logins / beside_seconds, 2),
        "health_p99_idle_ms": idle.p99_ms,
        "health_p99_during_storm_ms": during.p99_ms,
        "health_p99_ratio": round(during.p99_ms / idle.p99_ms, 2) if idle.p99_ms else None,
        "health_errors_during_storm": during.errors,
    }
    print(f"  login storm: {summary}", flush=True)
    return {"summary": summary, "rss": {"storm_max": max(samples, default=0.0)}, "during": during}


def storm_of_logins(keel: str, *, seconds: int) -> tuple[int, float]:
    """16 clients logging in back to back for `seconds`: logins done and the time taken.

    wrk sends them, as it sends every other load here: a client in Python took a share of
    the cores that the hashes were being measured against."""
    storm = run_wrk(
        "login storm",
        f"{keel}/api/v1/auth/login",
        connections=16,
        seconds=seconds,
        headers={"Content-Type": "application/json"},
        method="POST",
        body=json.dumps({"email": EMAIL, "password": PASSWORD}),
    )
    if storm.errors or set(storm.statuses) - {"200"}:
        raise RuntimeError(
            f"the login storm had answers other than 200: {storm.statuses}, {storm.socket_errors}"
        )
    return storm.statuses.get("200", 0), float(seconds)


def single_hash_seconds() -> float:
    """One argon2id hash with Keel's default parameters, on this machine (median of 5)."""
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    hasher = PasswordHash(
        (
            Argon2Hasher(
                time_cost=defaults["password_hash_time_cost"],
                memory_cost=defaults["password_hash_memory_kib"],
                parallelism=defaults["password_hash_parallelism"],
            ),
        )
    )
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        hasher.hash(PASSWORD)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def seed(keel: str) -> str:
    """One member with 2 tags and 20 todos carrying both; their access token."""
    with httpx.Client(base_url=keel, timeout=30) as client:
        client.post("/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        token = str(login.raise_for_status().json()["access_token"])
        headers = {"Authorization": f"Bearer {token}"}
        tags = [
            client.post("/api/v1/tags", json={"name": name}, headers=headers).json()["id"]
            for name in ("work", "home")
        ]
        for n in range(20):
            body = {"title": f"todo {n}", "description": "seeded for the benchmark", "tag_ids": tags}
            client.post("/api/v1/todos", json=body, headers=headers).raise_for_status()
    return token


def print_table(report: dict[str, Any]) -> None:
    print("\nscenario                      conn    req/s      p50 ms    p99 ms  errors")
    for run in report["measurements"]:
        print(
            f"{run['name']:<28} {run['connections']:>5} {run['requests_per_second']:>9.1f} "
            f"{run['p50_ms']:>9.2f} {run['p99_ms']:>9.2f} {run['errors']:>7}"
        )
    print("\nKeel / floor (requests/s):", report["ratios_to_floor"])
    print("FastAPI + SQLAlchemy alone / floor (requests/s):", report["libraries_to_floor"])
    print("2xx/s under overload / at 64 connections, by round:", report["goodput_by_round"])
    print("  median of the rounds:", report["goodput_under_overload"])
    print("admitted requests' p99 (Keel's histogram, s, at most):", report["admitted_p99_seconds_at_most"])
    print("login storm:", report["login_storm"])
    print("RSS MB:", report["rss_mb"])
    print("\n" + ledger.table(report["ledger"]))


if __name__ == "__main__":
    main()
