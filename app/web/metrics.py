"""Prometheus metrics at `/metrics`: request counts and latency histograms by route."""

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_fastapi_instrumentator import Instrumentator


def instrument(app: FastAPI) -> None:
    # One registry per app rather than the process-global one, so that each app (one per
    # worker process; several in a test run) counts only its own requests.
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    Instrumentator(registry=registry, excluded_handlers=["/metrics"]).instrument(app).expose(
        app, include_in_schema=False
    )
