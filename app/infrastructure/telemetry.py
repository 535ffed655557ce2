"""Traces over OpenTelemetry, when `KEEL_OTEL_ENDPOINT` is set (docs/operations.md, "Traces and errors").

Spans go by OTLP/HTTP (protobuf) to `<endpoint>/v1/traces`, batched off the event loop by
the SDK's exporter thread. FastAPI's own tracing makes the request spans; the official
instrumentations make the database, Redis and Docker-engine (aiohttp) spans; `continued_trace`
makes a job's span, in the trace of the request that queued it: `trace_labels` carries the
W3C trace context in the job's message, through RabbitMQ, to the worker.

Tracing is process-wide, as OpenTelemetry's instrumentations are: `start_tracing` sets it up
for the process (later calls share it) and `stop_tracing` sends what is left and takes it
down. Keel hands its provider to whatever traces rather than making it the global one, which
could not be replaced by the next app a test creates. Off, nothing of the SDK is imported,
and the helpers below return at their first line.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

FLUSH_TIMEOUT_MILLIS = 5000


class Tracing:
    def __init__(self, provider: "TracerProvider", *, endpoint: str) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self.instrumentors: list[Any] = []  # process-wide ones, undone by `stop_tracing`

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """Spans for the statements of this engine; a process has one (tests make several)."""
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        instrumentor = SQLAlchemyInstrumentor()
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
        # Its declared range stops below SQLAlchemy 2.1, which its event hooks work with
        # unchanged (tests/e2e/test_traces.py); the check would leave statements untraced.
        instrumentor.instrument(engine=engine.sync_engine, tracer_provider=self.provider, skip_dep_check=True)


_tracing: Tracing | None = None


def start_tracing(settings: Settings) -> Tracing | None:
    """The process's tracing, set up by its first call; None when `KEEL_OTEL_ENDPOINT` is unset."""
    global _tracing
    if settings.otel_endpoint is None:
        return None
    if _tracing is not None:
        return _tracing

    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    exporter = OTLPSpanExporter(endpoint=f"{settings.otel_endpoint}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracing = Tracing(provider, endpoint=settings.otel_endpoint)
    # <part:containers>
    # aiodocker talks to the engine through aiohttp: these are the Docker-engine spans.
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

    tracing.instrumentors.append(AioHttpClientInstrumentor())
    # </part:containers>
    # <part:redis>
    if settings.redis_url:  # the Redis client is imported only when configured (redis_cache.py)
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        tracing.instrumentors.append(RedisInstrumentor())
    # </part:redis>
    for instrumentor in tracing.instrumentors:
        instrumentor.instrument(tracer_provider=provider)
    _tracing = tracing
    return tracing


def stop_tracing() -> None:
    """Send the spans still batched and stop tracing: at the end of a lifespan or a worker.

    Blocks while it sends (up to the exporter's timeout): call it off the event loop.
    """
    global _tracing
    if _tracing is None:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    tracing, _tracing = _tracing, None
    for instrumentor in [*tracing.instrumentors, SQLAlchemyInstrumentor()]:
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
    tracing.provider.force_flush(FLUSH_TIMEOUT_MILLIS)
    tracing.provider.shutdown()


def trace_labels() -> dict[str, str]:
    """The current trace context (W3C `traceparent`, `tracestate`) for a job's message labels."""
    if _tracing is None:
        return {}
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def continued_trace(labels: Mapping[str, Any], name: str, **attributes: str | int) -> Iterator[None]:
    """A consumer span for a job, in the trace its message carries (a new one without)."""
    if _tracing is None:
        yield
        return
    from opentelemetry import propagate, trace

    parent = propagate.extract({key: str(value) for key, value in labels.items()})
    tracer = _tracing.provider.get_tracer("keel.jobs")
    with tracer.start_as_current_span(
        name, context=parent, kind=trace.SpanKind.CONSUMER, attributes=attributes
    ):
        yield
