"""The annotations benchmark (issue 17): a 100,000-document import and the documents listing,
on PostgreSQL with a real `keel serve` and `keel worker` over RabbitMQ.

- import: a JSON Lines file of 100,000 documents of about 1 KB, a third with spans (~100 MB),
  uploaded and imported: seconds from the upload's first byte to the job's success, and how
  much the worker's resident memory grew meanwhile (targets: 20 s, 50 MB);
- a page of 20 documents, one client: the median latency at the first page and at a cursor
  after 90,000 documents (keyset pages: the same);
- wrk at 32 connections on the documents listing beside the todos v2 listing, in one run;
- the export of those 100,000 documents with their annotations, gzipped as `curl --compressed`
  asks: first byte and last, the server's memory growth (targets: 1 s, 10 s, 30 MB).

`make bench` runs it after Keel's own measurements and keeps its report under `annotations`.

Run alone: `python -m bench.annotations` (prints and returns a dict). Environment:
KEEL_BENCH_POSTGRES_URL (a `keel_bench_annotations` database is made there and dropped),
KEEL_BENCH_REDIS_URL, KEEL_BENCH_RABBITMQ_URL, KEEL_BENCH_SECONDS (per wrk run, default 10),
KEEL_BENCH_DOCUMENTS (default 100,000).
"""

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.annotations_export import measure_export
from bench.harness import drop_database, fresh_database, keel_environment, keel_server, migrate, rss_mb
from bench.run import seed
from bench.wrk import run_wrk

DATABASE = "keel_bench_annotations"
REDIS_URL = os.environ.get("KEEL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
RABBITMQ_URL = os.environ.get("KEEL_BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SECONDS = int(os.environ.get("KEEL_BENCH_SECONDS", "10"))
DOCUMENTS = int(os.environ.get("KEEL_BENCH_DOCUMENTS", "100000"))
DEEP_POSITION = DOCUMENTS * 9 // 10  # 90,000 of 100,000
KEEL_PORT = 8092
LATENCY_SAMPLES = 200
WARMUP_SECONDS = 3
LABELS = ("PER", "LOC", "ORG")
WORDS = (
    *("annotation", "label", "span", "entity", "corpus", "token", "sentence", "review", "agreement"),
    *("project", "member", "document", "import", "export", "cursor", "page", "index", "worker"),
    *("queue", "batch", "stream", "memory", "latency", "Paris", "Berlin", "Ada", "Bob"),
)


def main() -> dict[str, Any]:
    dsn = asyncio.run(fresh_database(DATABASE))
    uploads = Path(tempfile.mkdtemp(prefix="keel-bench-uploads-"))
    env = {
        **keel_environment(dsn),
        "KEEL_REDIS_URL": REDIS_URL,
        "KEEL_BROKER_URL": RABBITMQ_URL,
        "KEEL_BROKER_QUEUE": f"keel.bench.{uuid.uuid4().hex[:8]}",  # no other worker takes its jobs
        "KEEL_ANNOTATIONS_UPLOAD_DIR": str(uploads),
        "KEEL_MAINTENANCE_INTERVAL_SECONDS": "0",
    }
    migrate(env)
    with tempfile.TemporaryDirectory(prefix="keel-bench-file-") as folder:
        path = Path(folder) / "documents.jsonl"
        file_mb = write_documents(path, DOCUMENTS)
        with keel_server(env, KEEL_PORT) as server, keel_worker(env) as worker:
            keel = f"http://127.0.0.1:{KEEL_PORT}"
            token = seed(keel)
            auth = {"Authorization": f"Bearer {token}"}
            project_id = make_project(keel, auth)
            report: dict[str, Any] = {"documents": DOCUMENTS, "file_mb": file_mb}
            report["import"] = measure_import(keel, auth, project_id, path, worker.pid)
            report["page_of_20"] = measure_pages(keel, auth, project_id)
            report["wrk_c32"] = measure_listings(keel, auth, project_id)
            report["export"] = measure_export(keel, auth, project_id, server.pid)
    asyncio.run(drop_database(DATABASE))
    shutil.rmtree(uploads, ignore_errors=True)
    print(json.dumps(report, indent=2), flush=True)
    return report


class keel_worker:
    """`keel worker`, started and stopped; ready once it has had a moment to connect."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> "subprocess.Popen[bytes]":
        self.process = subprocess.Popen(
            ["keel", "worker"],  # noqa: S607
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)
        if self.process.poll() is not None:
            raise RuntimeError("keel worker did not start")
        return self.process

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def write_documents(path: Path, count: int) -> float:
    """`count` lines of ~1 KB; every third with three spans. The file's size in MB."""
    chance = random.Random(17)
    paragraphs = []
    for _ in range(1000):
        words = []
        while sum(len(word) + 1 for word in words) < 1000:
            words.append(chance.choice(WORDS))
        paragraphs.append(" ".join(words))
    with path.open("w", encoding="utf-8") as file:
        for number in range(count):
            prefix = f"Document {number}: "
            text = prefix + paragraphs[number % len(paragraphs)]
            line: dict[str, Any] = {"text": text, "source": "bench", "n": number}
            if number % 3 == 0:
                start = len(prefix)
                line["labels"] = [[start + 10 * k, start + 10 * k + 5, LABELS[k]] for k in range(len(LABELS))]
            file.write(json.dumps(line) + "\n")
    return round(path.stat().st_size / 1e6, 1)


def make_project(keel: str, auth: dict[str, str]) -> int:
    with httpx.Client(base_url=keel, headers=auth, timeout=30) as client:
        project = client.post("/api/v1/projects", json={"name": "bench", "kind": "spans"}).raise_for_status()
        project_id = int(project.json()["id"])
        for name in LABELS[:2]:  # the third is created by the import
            client.post(f"/api/v1/projects/{project_id}/labels", json={"name": name}).raise_for_status()
    return project_id


def measure_import(
    keel: str, auth: dict[str, str], project_id: int, path: Path, worker_pid: int
) -> dict[str, Any]:
    samples: list[float] = []
    stop = threading.Event()

    def sample_rss() -> None:
        while not stop.is_set():
            samples.append(rss_mb(worker_pid))
            time.sleep(0.05)

    before = rss_mb(worker_pid)
    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    started = time.monotonic()
    with httpx.Client(base_url=keel, headers=auth, timeout=120) as client:
        response = client.post(
            f"/api/v1/projects/{project_id}/imports",
            content=chunks_of(path),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 202, response.text
        uploaded = time.monotonic() - started
        location = response.headers["Location"]
        while True:
            job = client.get(location).json()
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.1)
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    assert job["status"] == "succeeded", job
    return {
        "seconds": round(seconds, 2),
        "upload_seconds": round(uploaded, 2),
        "result": job["result"],
        "worker_rss_mb_before": before,
        "worker_rss_mb_max": max(samples, default=before),
        "worker_rss_growth_mb": round(max(samples, default=before) - before, 1),
    }


def chunks_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            yield chunk


def measure_pages(keel: str, auth: dict[str, str], project_id: int) -> dict[str, Any]:
    """Median latency of a page of 20 at the start and deep in the list (one client)."""
    url = f"/api/v1/projects/{project_id}/documents"
    with httpx.Client(base_url=keel, headers=auth, timeout=30) as client:
        deep_cursor, walked = None, 0
        while walked < DEEP_POSITION:  # pages of 100 to the deep position, checking the walk
            params: dict[str, Any] = {"limit": 100, **({"cursor": deep_cursor} if deep_cursor else {})}
            page = client.get(url, params=params).raise_for_status().json()
            walked += len(page["items"])
            deep_cursor = page["next_cursor"]
        first = median_ms(client, url, {"limit": 20})
        deep = median_ms(client, url, {"limit": 20, "cursor": deep_cursor})
    return {"first_page_median_ms": first, f"after_{DEEP_POSITION}_median_ms": deep}


def median_ms(client: httpx.Client, url: str, params: dict[str, Any]) -> float:
    timings = []
    for _ in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        client.get(url, params=params).raise_for_status()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 2)


def measure_listings(keel: str, auth: dict[str, str], project_id: int) -> dict[str, Any]:
    found = {}
    for name, url in (
        ("documents", f"{keel}/api/v1/projects/{project_id}/documents?limit=20"),
        ("todos_v2", f"{keel}/api/v2/todos?limit=20"),
    ):
        run_wrk(name, url, connections=32, seconds=WARMUP_SECONDS, headers=auth)
        result = run_wrk(name, url, connections=32, seconds=SECONDS, headers=auth)
        found[name] = {
            "requests_per_second": result.requests_per_second,
            "p50_ms": result.p50_ms,
            "p99_ms": result.p99_ms,
            "errors": result.errors,
        }
    return found


if __name__ == "__main__":
    main()
