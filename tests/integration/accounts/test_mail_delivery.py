"""With SMTP configured, account mail leaves through the server and the outbox records it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.domains.accounts.models import OutboxMessage
from app.main import create_app
from tests.databases import empty_app_tables
from tests.fixtures.accounts import PeopleFactory
from tests.fixtures.platform import make_settings, started
from tests.smtp import Inbox, free_port, smtp_server


@asynccontextmanager
async def app_mailing_to(
    database_url: str, inbox: Inbox | None = None
) -> AsyncIterator[tuple[FastAPI, Inbox]]:
    """Keel with a real SMTP server on loopback that keeps what it receives in `inbox`."""
    with smtp_server(inbox) as (port, inbox):
        settings = make_settings(database_url, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        async with started(create_app(settings)) as app:
            yield app, inbox
            await empty_app_tables(app)


@pytest.fixture
async def smtp_app(database_url: str) -> AsyncIterator[tuple[FastAPI, Inbox]]:
    async with app_mailing_to(database_url) as (app, inbox):
        yield app, inbox


async def outbox(app: FastAPI) -> list[OutboxMessage]:
    async with app.state.runtime.session_factory() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_reset_link_is_mailed_and_marked_sent(smtp_app: tuple[FastAPI, Inbox]) -> None:
    app, inbox = smtp_app
    people = PeopleFactory(app)
    member = await people.member("ada@example.com")
    inbox.messages.clear()  # the welcome / verification message of registration

    response = await people.new_client().post("/api/v1/auth/password-reset", json={"email": member.email})
    await app.state.runtime.after_response.drain()
    await people.close()

    assert response.status_code == 202
    [mailed] = inbox.messages
    assert mailed["To"] == "ada@example.com"
    assert "token=" in mailed.get_content()
    assert all(message.sent_at is not None for message in await outbox(app))


async def test_undeliverable_mail_stays_in_the_outbox(database_url: str) -> None:
    settings = make_settings(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_starttls=False,
        smtp_timeout_seconds=2,
    )
    async with started(create_app(settings)) as app:
        people = PeopleFactory(app)
        member = await people.member("ada@example.com")
        response = await people.new_client().post("/api/v1/auth/password-reset", json={"email": member.email})
        await app.state.runtime.after_response.drain()
        await people.close()
        messages = await outbox(app)
        await empty_app_tables(app)

    assert response.status_code == 202  # the request succeeds; delivery is retried later
    assert messages
    assert all(message.sent_at is None for message in messages)
