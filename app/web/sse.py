"""Server-Sent Events from an async iterator of lines, with keep-alive comments.

A proxy closes a connection that stays silent (nginx after 60 s by default); a comment line
every few seconds keeps a quiet stream open, and tells a client the server is still there.
"""

import asyncio
import json
import re
from collections.abc import AsyncIterator

from fastapi.responses import StreamingResponse

from app.core.errors import AppError

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
KEEPALIVE = ": keepalive\n\n"
# Any of these ends a field in an event stream: a line carrying one must not start another
# field (`event:`, `id:`, `retry:`) of the writer's choosing.
LINE_BREAKS = re.compile(r"\r\n|\r|\n")


class EventStreamResponse(StreamingResponse):
    """`response_class=` of an operation that streams events: its only declared content type."""

    media_type = "text/event-stream"


def event_stream(lines: AsyncIterator[str], *, keepalive_seconds: float) -> EventStreamResponse:
    return EventStreamResponse(_events(lines, keepalive_seconds), headers=HEADERS)


async def _events(lines: AsyncIterator[str], keepalive_seconds: float) -> AsyncIterator[str]:
    """One `data:` event per line; `event: error` with the error code if the source fails
    (the status is long sent by then). Ends with the source, or when the client leaves."""
    next_line = asyncio.ensure_future(anext(lines))
    try:
        while True:
            done, _ = await asyncio.wait({next_line}, timeout=keepalive_seconds)
            if not done:
                yield KEEPALIVE
                continue
            try:
                line = next_line.result()
            except StopAsyncIteration:
                return
            except AppError as error:
                yield f"event: error\ndata: {json.dumps({'error_code': error.error_code})}\n\n"
                return
            yield "".join(f"data: {part}\n" for part in LINE_BREAKS.split(line)) + "\n"
            next_line = asyncio.ensure_future(anext(lines))
    finally:
        # The client left, or the source ended: stop reading it and let it close what it holds.
        next_line.cancel()
        await asyncio.gather(next_line, return_exceptions=True)
        close = getattr(lines, "aclose", None)
        if close is not None:
            await close()
