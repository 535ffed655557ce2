"""The event-stream helper: a line cannot forge fields, a failure is an event, the source is closed."""

from collections.abc import AsyncIterator

from app.core.errors import BrokerUnavailable
from app.web.sse import _events


async def collect(lines: AsyncIterator[str]) -> str:
    return "".join([chunk async for chunk in _events(lines, keepalive_seconds=5)])


async def test_a_line_with_carriage_returns_stays_one_event_of_data() -> None:
    async def forging() -> AsyncIterator[str]:
        yield "hello\revent: error\r\ndata: spoofed\rretry: 1"

    stream = await collect(forging())

    assert stream == "data: hello\ndata: event: error\ndata: data: spoofed\ndata: retry: 1\n\n"


async def test_a_failing_source_ends_with_an_error_event() -> None:
    async def failing() -> AsyncIterator[str]:
        yield "one"
        raise BrokerUnavailable  # any of Keel's errors, as an engine behind a log stream raises one

    stream = await collect(failing())

    assert stream == 'data: one\n\nevent: error\ndata: {"error_code": "broker_unavailable"}\n\n'


async def test_the_source_is_closed_when_the_reader_leaves() -> None:
    closed = []

    async def endless() -> AsyncIterator[str]:
        try:
            while True:
                yield "tick"
        finally:
            closed.append(True)

    events = _events(endless(), keepalive_seconds=5)
    assert await anext(events) == "data: tick\n\n"
    await events.aclose()

    assert closed == [True]
