"""Prometheus metrics at `/metrics`: request counts and latency histograms by route.

Observed by the platform middleware (app/middleware/platform.py), and the route label is
read from the route the router already chose rather than by matching the path against
every route a second time: the general-purpose instrumentator
did that and cost more than the rest of the middleware stack together (docs/decisions.md).
"""

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import Scope

METRICS_PATH = "/metrics"
UNMATCHED = "none"  # every path no route matched shares one label: scanners cannot add series
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """One registry per app rather than the process-global one, so that each app (one per
    worker process; several in a test run) counts only its own requests."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        self.requests = Counter(
            "http_requests_total",
            "Requests by route template, method and status class.",
            ("handler", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to the end of the response, by route template and method.",
            ("handler", "method"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

        # Each request's series, found again without building and locking label tuples:
        # as bounded as the series themselves (routes, methods, status classes).
        self.series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.refused = Counter(
            "http_requests_refused_total",
            "Requests refused with 503 server_busy before any work (load shedding).",
            registry=self.registry,
        )

    def refuse(self, method: str) -> None:
        """A request load shedding refused: counted apart, and among the 5xx answers so that
        error rates still see it (under no route: it never reached one)."""
        self.refused.inc()
        self.requests.labels(UNMATCHED, method, "5xx").inc()

    def record(self, scope: Scope, *, status: int, seconds: float) -> None:
        """A request the app answered, by the route it reached (`/metrics` itself is not counted)."""
        if scope["path"] != METRICS_PATH:
            self.observe(
                handler=route_template(scope), method=scope["method"], status=status, seconds=seconds
            )

    def observe(self, *, handler: str, method: str, status: int, seconds: float) -> None:
        key = (handler, method, status // 100)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = (
                self.requests.labels(handler, method, f"{status // 100}xx"),
                self.latency.labels(handler, method),
            )
        series[0].inc()
        series[1].observe(seconds)

    async def export(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_template(scope: Scope) -> str:
    """The matched route's path template with its routers' prefixes, e.g. `/api/v1/todos/{todo_id}`.

    An included router's route knows only its own part of the path; the prefixes are what
    the request path has before that part. Prefixes never hold parameters, so they are the
    literal text before the route's own path with the request's parameters put back.
    """
    route = scope.get("route")
    if route is None:
        return _plain_route_template(scope)
    template: str = route.path_format
    if isinstance(route, Mount):
        return template.removesuffix("/{path}") or "/"
    path: str = scope["path"]
    try:
        own_part = template.format(**scope.get("path_params", {}))
    except (KeyError, IndexError, ValueError):
        return template
    if own_part and path.endswith(own_part):
        return path[: len(path) - len(own_part)] + template
    return template


def _plain_route_template(scope: Scope) -> str:
    """Routes and mounts on the app itself (the OpenAPI document, the docs' assets) leave
    only their endpoint behind; no route matched leaves nothing."""
    if "endpoint" not in scope:
        return UNMATCHED
    if "app_root_path" in scope:  # set by a mount, whose own path is the new root path
        return str(scope["root_path"]) or UNMATCHED
    return UNMATCHED if scope.get("path_params") else str(scope["path"])


def instrument(app: FastAPI) -> RequestMetrics:
    """The app's metrics, exported at `/metrics`; the platform middleware records them."""
    metrics = RequestMetrics()
    app.add_route(METRICS_PATH, metrics.export, include_in_schema=False)
    return metrics
