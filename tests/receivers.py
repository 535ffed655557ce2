"""Loopback receivers for what Keel sends out: OTLP/HTTP traces and Sentry envelopes.

Each is a real HTTP server on 127.0.0.1, in a thread: the exporters and their protocols are
the real ones, only the far end is ours. They record what arrives for the tests to read.
"""

import asyncio
import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

WAIT_SECONDS = 20.0
T = TypeVar("T")


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, Any]


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()

    async def wait_for(self, found: Callable[[], T | None]) -> T:
        """What `found` finds in what has arrived, once it has (exporters send in batches)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            with self.lock:
                result = found()
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(f"nothing matching arrived in {WAIT_SECONDS} seconds")


@dataclass
class OtlpReceiver(_Recorder):
    """An OTLP/HTTP collector: POST /v1/traces with an `ExportTraceServiceRequest` (protobuf)."""

    url: str = ""
    spans: list[ReceivedSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        _Recorder.__init__(self)

    def record(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            resource = {item.key: _value(item.value) for item in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received = ReceivedSpan(
                        service=str(resource.get("service.name")),
                        name=span.name,
                        kind=span.kind,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes={item.key: _value(item.value) for item in span.attributes},
                    )
                    with self.lock:
                        self.spans.append(received)

    def ancestors(self, span: ReceivedSpan) -> list[ReceivedSpan]:
        by_id = {each.span_id: each for each in self.spans}
        chain = []
        while span.parent_span_id in by_id:
            span = by_id[span.parent_span_id]
            chain.append(span)
        return chain


@dataclass
class SentryReceiver(_Recorder):
    """Sentry's ingest: POST /api/<project>/envelope/, a newline-separated JSON envelope."""

    dsn: str = ""
    raw_envelopes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        _Recorder.__init__(self)

    def record(self, body: bytes) -> None:
        with self.lock:
            self.raw_envelopes.append(body)

    def events(self) -> list[dict[str, Any]]:
        """The `event` items of every envelope received so far."""
        events = []
        for raw in self.raw_envelopes:
            lines = raw.split(b"\n")
            # Header line, then (item header, payload) pairs.
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    events.append(json.loads(payload))
        return events


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    assert not encoding, f"unexpected Content-Encoding {encoding}"
    return body


def _handler(accept: Callable[[str, bytes], bytes | None]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            answer = accept(self.path, _decoded(body, self.headers.get("Content-Encoding")))
            self.send_response(404 if answer is None else 200)
            self.send_header("Content-Length", str(len(answer or b"")))
            self.end_headers()
            self.wfile.write(answer or b"")

        def log_message(self, *_: Any) -> None:
            pass  # quiet

    return Handler


@contextmanager
def _serving(accept: Callable[[str, bytes], bytes | None]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(accept))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def otlp_receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()

    def accept(path: str, body: bytes) -> bytes | None:
        if path != "/v1/traces":
            return None
        receiver.record(body)
        return ExportTraceServiceResponse().SerializeToString()

    with _serving(accept) as port:
        receiver.url = f"http://127.0.0.1:{port}"
        yield receiver


@contextmanager
def sentry_receiver(project: int = 1) -> Iterator[SentryReceiver]:
    receiver = SentryReceiver()

    def accept(path: str, body: bytes) -> bytes | None:
        if path.split("?")[0] != f"/api/{project}/envelope/":
            return None
        receiver.record(body)
        return b"{}"

    with _serving(accept) as port:
        receiver.dsn = f"http://public@127.0.0.1:{port}/{project}"
        yield receiver
