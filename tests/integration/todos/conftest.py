"""Todos fixtures: members with todos and tags, made through the API."""

from typing import Any

from httpx import AsyncClient

from tests.integration.accounts.conftest import people  # the accounts fixture, shared

__all__ = ["new_tag", "new_todo", "people"]


async def new_tag(client: AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/tags", json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def new_todo(client: AsyncClient, title: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/todos", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())
