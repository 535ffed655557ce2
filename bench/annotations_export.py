"""The annotations export against issue 17's target: 100,000 documents of about a kilobyte, a
third of them with spans, exported on PostgreSQL with the first byte within 1 s, the whole
within 10 s, and the server's memory growing by 30 MB at most.

`python -m bench.annotations_export` makes a `keel_bench` database (KEEL_BENCH_POSTGRES_URL,
as `make bench`), starts `keel serve` on it with production settings, makes a project through
the API, writes the documents, annotations and marks straight into the tables with Core
inserts, exports RUNS times (the first on a cold server) and prints the figures as JSON.
`measure_export` measures one export of any running server.
"""

import asyncio
import json
import os
import random
import socket
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

import app.domains.accounts.models  # noqa: F401 - the users table, which the foreign keys name
from app.domains.annotations.models import Annotation, Document, Mark
from bench.harness import (
    PASSWORD,
    children,
    drop_database,
    fresh_database,
    keel_environment,
    keel_server,
    migrate,
    rss_mb,
)

PORT = int(os.environ.get("KEEL_BENCH_EXPORT_PORT", "8173"))  # a port of its own: other benches use 809x
DATABASE = "keel_bench_annotations_export"
DOCUMENTS = 100_000
CHUNK = 5_000  # rows per INSERT
EMAIL = "exporter@example.com"
WORDS = [
    "the",
    "annotator",
    "marked",
    "every",
    "person",
    "place",
    "and",
    "organisation",
    "named",
    "in",
    "this",
    "news",
    "story",
]
RUNS = 3
TARGET = {"first_byte_s": 1.0, "total_s": 10.0, "rss_growth_mb": 30.0}


def cpu_seconds(pid: int) -> float:
    """CPU time the server (with its worker, if any) has used: a figure other loads on the
    machine do not inflate, unlike the wall-clock ones."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure_export(
    base_url: str, headers: dict[str, str], project_id: int, server_pid: int
) -> dict[str, float]:
    """One export read to its end: seconds to the first byte and to the last, bytes, how far
    the server's resident memory rose above what it was before (sampled at every chunk), and
    the CPU seconds the server spent on it."""
    before = rss_mb(server_pid)
    cpu_before = cpu_seconds(server_pid)
    peak = before
    size = 0
    first_byte = None
    started = time.perf_counter()
    # gzip unless the caller says otherwise: what `curl --compressed` and browsers ask for.
    asked = {"Accept-Encoding": "gzip", **headers}
    with (
        httpx.Client(base_url=base_url, headers=asked, timeout=120) as client,
        client.stream("GET", f"/api/v1/projects/{project_id}/export") as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_raw():
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            peak = max(peak, rss_mb(server_pid))
    total = time.perf_counter() - started
    return {
        "first_byte_s": round(first_byte or total, 3),
        "total_s": round(total, 3),
        "bytes": size,
        "rss_growth_mb": round(peak - before, 1),
        "server_cpu_s": round(cpu_seconds(server_pid) - cpu_before, 2),
    }


def text_of(number: int, rng: random.Random) -> str:
    """About a kilobyte of words."""
    words = [f"document {number}:"]
    while sum(len(word) + 1 for word in words) < 1_000:
        words.append(rng.choice(WORDS))
    return " ".join(words)


async def seed_documents(dsn: str, *, project_id: int, annotator_id: int, label_ids: list[int]) -> None:
    """DOCUMENTS documents; every third annotated with three spans."""
    rng = random.Random(17)
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        for first in range(0, DOCUMENTS, CHUNK):
            numbers = range(first, min(first + CHUNK, DOCUMENTS))
            async with engine.begin() as connection:
                rows = [
                    {
                        "project_id": project_id,
                        "text": text_of(number, rng),
                        "meta": {"source": "bench", "number": number},
                        "status": "annotated" if number % 3 == 0 else "unannotated",
                    }
                    for number in numbers
                ]
                ids = list(
                    await connection.scalars(
                        insert(Document).returning(Document.id, sort_by_parameter_order=True), rows
                    )
                )
                annotated = [
                    document_id for number, document_id in zip(numbers, ids, strict=True) if number % 3 == 0
                ]
                annotations = list(
                    await connection.scalars(
                        insert(Annotation).returning(Annotation.id, sort_by_parameter_order=True),
                        [
                            {
                                "document_id": document_id,
                                "project_id": project_id,
                                "annotator_id": annotator_id,
                            }
                            for document_id in annotated
                        ],
                    )
                )
                marks = [
                    {
                        "annotation_id": annotation_id,
                        "label_id": rng.choice(label_ids),
                        "start": start,
                        "end": start + 5,
                    }
                    for annotation_id in annotations
                    for start in (12, 40, 200)
                ]
                await connection.execute(insert(Mark), marks)
    finally:
        await engine.dispose()


def prepare_project(base_url: str) -> tuple[dict[str, str], int, int, list[int]]:
    """A user, their token, and their spans project with three labels, through the API."""
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as client:
        user = client.post("/auth/register", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        login = client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        project = client.post("/projects", json={"name": "export bench", "kind": "spans"}, headers=headers)
        project_id = int(project.raise_for_status().json()["id"])
        labels = [
            int(
                client.post(f"/projects/{project_id}/labels", json={"name": name}, headers=headers).json()[
                    "id"
                ]
            )
            for name in ("PER", "LOC", "ORG")
        ]
    return headers, project_id, int(user.json()["id"]), labels


def ensure_port_free(port: int) -> None:
    """The harness takes whatever answers on the port for the server it started."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use: set KEEL_BENCH_EXPORT_PORT")


def main() -> None:
    ensure_port_free(PORT)
    dsn = asyncio.run(fresh_database(DATABASE))
    env = keel_environment(dsn)
    try:
        migrate(env)
        with keel_server(env, PORT) as server:
            base_url = f"http://127.0.0.1:{PORT}"
            headers, project_id, user_id, labels = prepare_project(base_url)
            started = time.perf_counter()
            asyncio.run(seed_documents(dsn, project_id=project_id, annotator_id=user_id, label_ids=labels))
            seeded_s = round(time.perf_counter() - started, 1)
            runs = [measure_export(base_url, headers, project_id, server.pid) for _ in range(RUNS)]
        report: dict[str, Any] = {
            "documents": DOCUMENTS,
            "seeded_in_s": seeded_s,
            "runs": runs,  # the first on a cold server
            "target": TARGET,
            "met_by_every_run": all(run[key] <= limit for run in runs for key, limit in TARGET.items()),
        }
        print(json.dumps(report, indent=2))
    finally:
        asyncio.run(drop_database(DATABASE))


if __name__ == "__main__":
    main()
