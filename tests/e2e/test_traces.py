"""Traces, with `KEEL_OTEL_ENDPOINT` set, sent over OTLP/HTTP to a collector on loopback.

The API runs in the test (ASGI); a job's worker is a `keel worker` process of its own, behind
the real RabbitMQ. The exporter and its protocol are the real ones; only the collector is the
test's (tests/receivers.py).
"""

import json
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from app.domains.jobs.tasks import RUN_JOB_TASK
from app.main import create_app
from tests.databases import migrate, sqlite_url
from tests.e2e.processes import keel_env
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.platform import http_client, make_settings, started
from tests.installed import requires_domain
from tests.receivers import OtlpReceiver, ReceivedSpan, otlp_receiver

# The batch exporter's delay between sends, in milliseconds: short, so spans arrive at once.
QUICK_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "100"}


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[OtlpReceiver]:
    for name, value in QUICK_EXPORT.items():
        monkeypatch.setenv(name, value)
    with otlp_receiver() as receiver:
        yield receiver


@pytest.fixture
async def database(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path)
    await migrate(url)
    return url


@asynccontextmanager
async def traced_api(database: str, collector: OtlpReceiver, **settings: object) -> AsyncIterator[FastAPI]:
    async with started(create_app(make_settings(database, otel_endpoint=collector.url, **settings))) as app:
        yield app


def is_database_span(span: ReceivedSpan) -> bool:
    return span.attributes.get("db.system", span.attributes.get("db.system.name")) not in (None, "redis")


def is_redis_span(span: ReceivedSpan) -> bool:
    return "redis" in (span.attributes.get("db.system"), span.attributes.get("db.system.name"))


def server_span(collector: OtlpReceiver, method: str, path: str) -> ReceivedSpan | None:
    return next(
        (
            span
            for span in collector.spans
            if span.kind == Span.SPAN_KIND_SERVER
            and span.attributes.get("http.request.method") == method
            and span.attributes.get("url.path") == path
        ),
        None,
    )


def under(collector: OtlpReceiver, parent: ReceivedSpan) -> list[ReceivedSpan]:
    return [span for span in collector.spans if parent in collector.ancestors(span)]


async def test_a_request_is_traced_with_its_database_statements(
    database: str, collector: OtlpReceiver
) -> None:
    async with traced_api(database, collector) as api:
        people = PeopleFactory(api)
        member = await people.member()
        response = await member.client.get("/api/v1/users/me")
        await people.close()

    assert response.status_code == 200
    request = await collector.wait_for(lambda: server_span(collector, "GET", "/api/v1/users/me"))
    statements = await collector.wait_for(
        lambda: [span for span in under(collector, request) if is_database_span(span)]
    )
    assert request.service == "keel"
    assert request.parent_span_id == ""  # the client sent no trace: the request starts one
    assert {span.trace_id for span in statements} == {request.trace_id}
    assert all(span.kind == Span.SPAN_KIND_CLIENT for span in statements)


# <part:redis>
async def test_redis_commands_are_traced_in_the_request_that_sent_them(
    database: str, collector: OtlpReceiver, redis_url: str
) -> None:
    async with traced_api(database, collector, redis_url=redis_url) as api:
        people = PeopleFactory(api)
        member = await people.member()
        response = await member.client.get("/api/v1/users/me")  # the revocation check asks Redis
        await people.close()

    assert response.status_code == 200
    request = await collector.wait_for(lambda: server_span(collector, "GET", "/api/v1/users/me"))
    commands = await collector.wait_for(
        lambda: [span for span in under(collector, request) if is_redis_span(span)]
    )
    assert all(span.kind == Span.SPAN_KIND_CLIENT for span in commands)


# </part:redis>


# <part:worker>
async def test_one_trace_follows_a_job_from_the_request_through_rabbitmq_into_the_worker(
    database: str, collector: OtlpReceiver, rabbitmq_url: str, broker_queue: str, redis_url: str
) -> None:
    # Here, not at the top: a service started without the worker has no test_worker (prune.py).
    from tests.e2e.test_worker import wait_for_status, worker_process

    shared = {"redis_url": redis_url, "broker_url": rabbitmq_url, "broker_queue": broker_queue}
    worker_env = keel_env(database, otel_endpoint=collector.url, otel_service_name="keel-worker", **shared)
    async with traced_api(database, collector, **shared) as api:
        people = PeopleFactory(api)
        admin = await people.admin()
        submitted = await admin.client.post("/api/v1/jobs", json={"kind": "maintenance"})
        job_id = submitted.json()["id"]

        with worker_process({**worker_env, **QUICK_EXPORT}) as worker:
            await wait_for_status(api, job_id, "succeeded")
            job = await collector.wait_for(lambda: job_span(collector, job_id))
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0
            output = worker.stdout.read() if worker.stdout else ""
        await people.close()

    request = await collector.wait_for(lambda: server_span(collector, "POST", "/api/v1/jobs"))
    assert (request.service, job.service) == ("keel", "keel-worker")
    assert job.kind == Span.SPAN_KIND_CONSUMER
    assert job.trace_id == request.trace_id
    assert request in collector.ancestors(job)  # through the message, not by coincidence
    # The worker's statements for the job are in that trace, under the job's span.
    assert any(is_database_span(span) for span in under(collector, job))
    # And so are its log lines.
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    succeeded = next(line for line in lines if line.get("event") == "job_succeeded")
    assert (succeeded["trace_id"], succeeded["span_id"]) == (request.trace_id, job.span_id)


def job_span(collector: OtlpReceiver, job_id: int) -> ReceivedSpan | None:
    return next(
        (s for s in collector.spans if s.name == RUN_JOB_TASK and s.attributes.get("keel.job_id") == job_id),
        None,
    )


# </part:worker>


# <part:containers>
@requires_domain("containers")
async def test_docker_engine_calls_are_traced_in_the_request_that_made_them(
    database: str, collector: OtlpReceiver, docker_url: str
) -> None:
    async with traced_api(database, collector, docker_url=docker_url) as api, http_client(api) as client:
        response = await client.get("/health/ready")  # asks the engine, among others

    assert response.status_code == 200
    request = await collector.wait_for(lambda: server_span(collector, "GET", "/health/ready"))
    engine_calls = await collector.wait_for(
        lambda: [
            span
            for span in under(collector, request)
            if span.kind == Span.SPAN_KIND_CLIENT and engine_url(span)
        ]
    )
    assert {span.name for span in engine_calls} <= {"GET", "HEAD"}


def engine_url(span: ReceivedSpan) -> str:
    """The URL an HTTP client span called (the engine's, e.g. `unix://localhost/version`).

    The aiohttp instrumentation writes the older HTTP conventions unless told otherwise.
    """
    return str(span.attributes.get("url.full", span.attributes.get("http.url", "")))


# </part:containers>
