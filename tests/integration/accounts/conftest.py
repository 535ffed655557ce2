"""Accounts fixtures: people with passwords, logged in through the real endpoints."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update

from app.cli import ensure_admin
from app.domains.accounts.models import OutboxMessage, User
from tests.conftest import http_client

PASSWORD = "correct horse battery"
TOKEN_IN_LINK = re.compile(r"token=([A-Za-z0-9_\-]+)")


@dataclass
class Person:
    """Someone with an account and a logged-in Bearer client."""

    id: int
    email: str
    password: str
    client: AsyncClient
    tokens: dict[str, object]


async def register(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, object]:
    response = await client.post("/api/v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> dict[str, object]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(tokens: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
async def people(app: FastAPI) -> AsyncIterator["PeopleFactory"]:
    factory = PeopleFactory(app)
    yield factory
    await factory.close()


class PeopleFactory:
    """Makes members, viewers and admins, each with a client of their own."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.clients: list[AsyncClient] = []

    async def member(self, email: str = "member@example.com", role: str = "member") -> Person:
        anonymous = self.new_client()
        user = await register(anonymous, email)
        if role != "member":
            await self.set_role(email, role)
        return await self.logged_in(int(str(user["id"])), email)

    async def admin(self, email: str = "admin@example.com") -> Person:
        outcome = await ensure_admin(self.app.state.runtime.settings, email=email, password=PASSWORD)
        assert outcome == "created"
        async with self.app.state.runtime.session_factory() as session:
            user_id = await session.scalar(select(User.id).where(User.email == email))
        return await self.logged_in(int(str(user_id)), email)

    async def logged_in(self, user_id: int, email: str, password: str = PASSWORD) -> Person:
        client = self.new_client()
        tokens = await login(client, email, password)
        client.headers.update(bearer(tokens))
        client.cookies.clear()  # a Bearer client: no cookies, so no CSRF involved
        return Person(id=user_id, email=email, password=password, client=client, tokens=tokens)

    def new_client(self) -> AsyncClient:
        client = http_client(self.app)
        self.clients.append(client)
        return client

    async def set_role(self, email: str, role: str) -> None:
        async with self.app.state.runtime.session_factory() as session, session.begin():
            await session.execute(update(User).where(User.email == email).values(role=role))

    async def mailed_token(self, recipient: str, subject_contains: str) -> str:
        """The token in the newest message to `recipient`: what the user would click."""
        await self.app.state.runtime.after_response.drain()  # a reset's mail is written after the response
        async with self.app.state.runtime.session_factory() as session:
            messages = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.recipient == recipient)
                    .order_by(OutboxMessage.id.desc())
                )
            ).all()
        for message in messages:
            if subject_contains in message.subject:
                match = TOKEN_IN_LINK.search(message.body)
                assert match, message.body
                return match.group(1)
        raise AssertionError(f"no message about {subject_contains!r} to {recipient}")

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
