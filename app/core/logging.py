"""structlog for Keel and for the libraries that log through the standard library.

Console output in development, one JSON object per line everywhere else. The request id
is bound in a context variable by the request middleware, so every line of a request has it.
"""

import logging
import sys

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger


def configure_logging(*, level: str, json_logs: bool, trace_ids: bool = False) -> None:
    """`trace_ids`: lines logged inside a span carry its `trace_id` and `span_id` (with tracing on)."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if trace_ids:
        shared.append(_trace_ids_processor())
    # Tracebacks without local variables, in every environment: locals may hold passwords
    # and tokens, and the console's default (rich, with every frame's locals) held the event
    # loop for seconds per error (figures in docs/decisions.md). Plain Python tracebacks.
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if json_logs
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    exceptions: list[Processor] = (
        [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        ]
        if json_logs
        else []
    )

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *exceptions, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Keel writes its own access log with the request id; uvicorn's would say it twice.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _trace_ids_processor() -> Processor:
    from opentelemetry import trace  # imported only with tracing on

    def add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            event["trace_id"] = trace.format_trace_id(span.trace_id)
            event["span_id"] = trace.format_span_id(span.span_id)
        return event

    return add_trace_ids
