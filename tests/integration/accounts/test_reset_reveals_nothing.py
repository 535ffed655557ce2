"""A password reset request reveals nothing by its time: the request does the same work for
every address, and the lookup, the token and the mail happen after the response.

Proved by structure, not by a clock: the statements the request runs, and the order of the
response and the SMTP conversation. The figures are in docs/decisions.md.
"""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI
from sqlalchemy import event

from app.infrastructure.after_response import TASK_NAME_PREFIX
from tests.fixtures.accounts import PeopleFactory
from tests.integration.accounts.test_mail_delivery import app_mailing_to
from tests.integration.accounts.test_recovery import outbox_count
from tests.smtp import Inbox

# Only a guard against a test that would hang: no figure here is a measurement.
DEADLOCK_GUARD_SECONDS = 5


@contextmanager
def request_statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL the request's own task runs (work handed off after the response left out)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        task = asyncio.current_task()
        if task is None or not task.get_name().startswith(TASK_NAME_PREFIX):
            statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_known_and_unknown_addresses_cost_the_request_the_same_statements(
    app: FastAPI, people: PeopleFactory
) -> None:
    member = await people.member()
    anonymous = people.new_client()
    before = await outbox_count(app)

    with request_statements(app) as known:
        await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
    with request_statements(app) as unknown:
        await anonymous.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})

    assert known == unknown
    assert await outbox_count(app) == before + 1  # the work was done, after the response


class HeldInbox(Inbox):
    """Holds every message until the test lets it through, and notes whether the test did."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.let_through_by_test: list[bool] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.let_through_by_test.append(await asyncio.to_thread(self.gate.wait, DEADLOCK_GUARD_SECONDS))
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
async def held_smtp(database_url: str) -> AsyncIterator[tuple[FastAPI, HeldInbox]]:
    held = HeldInbox()
    async with app_mailing_to(database_url, held) as (app, _):
        yield app, held


async def test_the_response_comes_back_while_the_mail_is_still_being_sent(
    held_smtp: tuple[FastAPI, HeldInbox],
) -> None:
    app, inbox = held_smtp
    people = PeopleFactory(app)
    inbox.gate.set()  # registration's verification mail goes through
    member = await people.member("ada@example.com")
    inbox.gate.clear()
    inbox.let_through_by_test.clear()
    inbox.messages.clear()

    response = await people.new_client().post("/api/v1/auth/password-reset", json={"email": member.email})
    inbox.gate.set()  # only now, with the response in hand, may the SMTP server take the message
    await app.state.runtime.after_response.drain()
    await people.close()

    assert response.status_code == 202
    assert inbox.let_through_by_test == [True]  # SMTP was still waiting when the response came back
    [mailed] = inbox.messages
    assert mailed["To"] == "ada@example.com"


async def test_reset_requests_beyond_what_the_process_serves_are_refused_not_piled_up(
    held_smtp: tuple[FastAPI, HeldInbox],
) -> None:
    app, inbox = held_smtp
    people = PeopleFactory(app)
    inbox.gate.set()
    member = await people.member("ada@example.com")
    inbox.gate.clear()  # every reset's mail now waits in the SMTP server
    anonymous = people.new_client()
    limit = app.state.runtime.after_response.max_running

    answers = [
        await anonymous.post("/api/v1/auth/password-reset", json={"email": member.email})
        for _ in range(limit + 1)
    ]
    inbox.gate.set()
    await app.state.runtime.after_response.drain()
    await people.close()

    assert [a.status_code for a in answers] == [202] * limit + [503]
    assert answers[-1].json()["error_code"] == "server_busy"
