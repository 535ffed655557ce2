"""What a domain runs in the background: its job kinds and its maintenance steps.

A domain lists them in its declaration (`app/domains/<name>/domain.py`); the jobs domain runs
the kinds of every installed domain, and its maintenance job runs every domain's steps.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.infrastructure.runtime import Runtime

Report = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobContext:
    job_id: int
    owner_id: int | None
    payload: dict[str, Any]
    runtime: Runtime
    report: Report  # progress 0..100 and a short message, saved for the API to show


Handler = Callable[[JobContext], Awaitable[dict[str, Any]]]


class JobFailed(Exception):
    """Raised by a handler whose job ends as failed for a reason the user can act on (bad
    input, say): the job keeps `result` (what was wrong) beside the error, and nothing is
    logged or reported as a crash."""

    def __init__(self, error: str, *, result: dict[str, Any]) -> None:
        super().__init__(error)
        self.result = result


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    handler: Handler
    # Permission needed to submit it through `POST /api/v1/jobs`; None: only Keel queues it.
    permission: str | None = None


# Purges what has expired (sessions, tokens, old rows) and retries what failed; returns counts
# for the maintenance job's result, prefixed by nothing: keep the names distinct across domains.
MaintenanceStep = Callable[[Runtime, datetime], Awaitable[dict[str, int]]]
